package action

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/marsad/marsad/arabicshape"
	"github.com/marsad/marsad/csvsafe"
	"github.com/marsad/marsad/internal/pdftext"
	"github.com/marsad/marsad/internal/store"
)

// Notice is an order as sent to a platform outside the webhook: by mail,
// by the platform's own form, or on paper.
type Notice struct {
	Issuer string      `json:"issuer"`
	Order  store.Order `json:"order"`
	// EvidenceSHA256 is the manifest hash of the preserved evidence.
	EvidenceSHA256 string `json:"evidence_manifest_sha256,omitempty"`
	// Request is what the notice asks of the platform, in the unit's
	// words (Texts); empty is the default for the order's kind.
	Request string `json:"request,omitempty"`
	// Labels are the words the PDF is printed with; nil prints English.
	Labels *NoticeLabels `json:"-"`
}

// NoticeLabels are the fixed words of a printed notice in one language,
// and the order's status in it. A notice whose title is Arabic is laid
// out right to left: labels on the right, values to their left.
type NoticeLabels struct {
	Removal, Referral, Number, IssuedBy                         string
	Platform, ContentURL, LegalBasis, IssuedAt, Deadline        string
	Status, StatusValue, Case, Reviewer, Evidence, ManifestHash string
}

// EnglishNoticeLabels are the words of a notice printed without others.
func EnglishNoticeLabels(status string) *NoticeLabels {
	return &NoticeLabels{Removal: "Removal order", Referral: "Referral", Number: "no.", IssuedBy: "Issued by",
		Platform: "Platform", ContentURL: "Content URL", LegalBasis: "Legal basis", IssuedAt: "Issued at", Deadline: "Deadline",
		Status: "Status", StatusValue: status, Case: "Case", Reviewer: "Issued by (reviewer)", Evidence: "Evidence", ManifestHash: "manifest SHA-256"}
}

var csvHeader = []string{"order_id", "kind", "case_id", "platform", "content_url", "legal_basis", "issued_by", "issued_at", "deadline", "status", "status_at", "evidence_id", "evidence_manifest_sha256", "issuer"}

// WriteCSV writes notices as UTF-8 CSV for a spreadsheet: a byte order
// mark, a header row, and every cell guarded against formulas (content
// URLs and legal bases come from outside; csvsafe).
func WriteCSV(w io.Writer, notices []Notice) error {
	cw, err := csvsafe.NewSpreadsheetWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, n := range notices {
		o := n.Order
		rec := []string{strconv.FormatInt(o.ID, 10), o.Kind, strconv.FormatInt(o.CaseID, 10), o.Platform, o.ContentURL, o.LegalBasis, o.IssuedBy,
			o.IssuedAt.UTC().Format(time.RFC3339), o.Deadline.UTC().Format(time.RFC3339), o.Status, o.StatusAt.UTC().Format(time.RFC3339),
			strconv.FormatInt(o.EvidenceID, 10), n.EvidenceSHA256, n.Issuer}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteJSON writes notices as a JSON array.
func WriteJSON(w io.Writer, notices []Notice) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(notices)
}

// WritePDF writes one notice as a one-page PDF. Latin text is set in
// Helvetica (Windows-1252: other scripts than Latin and Arabic print as
// "?"); Arabic is shaped and set right to left in the embedded Noto Naskh
// Arabic, without its marks (harakat), which fpdf cannot place.
func WritePDF(w io.Writer, n Notice) error {
	o := n.Order
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("%s order %d", o.Kind, o.ID), true)
	pdf.SetCreator("marsad", true)
	tx, err := pdftext.New(pdf)
	if err != nil {
		return fmt.Errorf("notice PDF: %w", err)
	}
	pdf.AddPage()
	l := n.Labels
	if l == nil {
		l = EnglishNoticeLabels(o.Status)
	}
	title := l.Removal
	if o.Kind == store.OrderReferral {
		title = l.Referral
	}
	rtl := arabicshape.IsRTL(title)
	left, _, right, _ := pdf.GetMargins()
	pageW, _ := pdf.GetPageSize()
	width := pageW - left - right
	tx.Paragraph(fmt.Sprintf("%s %s %d", title, l.Number, o.ID), "B", 16, width, 10)
	tx.Paragraph(l.IssuedBy+" "+n.Issuer, "", 10, width, 6)
	pdf.Ln(4)
	rows := [][2]string{
		{l.Platform, o.Platform},
		{l.ContentURL, o.ContentURL},
		{l.LegalBasis, o.LegalBasis},
		{l.IssuedAt, o.IssuedAt.UTC().Format("2006-01-02 15:04:05 MST")},
		{l.Deadline, o.Deadline.UTC().Format("2006-01-02 15:04:05 MST")},
		{l.Status, l.StatusValue},
		{l.Case, strconv.FormatInt(o.CaseID, 10)},
		{l.Reviewer, o.IssuedBy},
		{l.Evidence, fmt.Sprintf("%d, %s %s", o.EvidenceID, l.ManifestHash, n.EvidenceSHA256)},
	}
	const labelW = 45
	labelX, valueX := left, left+labelW
	if rtl {
		labelX, valueX = left+width-labelW, left
	}
	for _, r := range rows {
		y := pdf.GetY()
		pdf.SetX(labelX)
		tx.Paragraph(r[0], "B", 10, labelW, 7)
		next := pdf.GetY()
		pdf.SetXY(valueX, y)
		tx.Paragraph(r[1], "", 10, width-labelW, 7)
		pdf.SetY(max(next, pdf.GetY()))
		pdf.Line(left, pdf.GetY(), left+width, pdf.GetY())
	}
	pdf.Ln(6)
	msg := n.Request
	switch {
	case msg != "":
	case o.Kind == store.OrderReferral:
		msg = DefaultReferralText
	default:
		msg = DefaultRemovalText
	}
	tx.Paragraph(msg, "", 9, width, 5)
	return pdf.Output(w)
}

// Settings holding the unit's own order texts: the legal basis a removal
// order cites by default and the request each kind of notice makes.
const (
	SettingLegalBasis   = "order.legal_basis"
	SettingRemovalText  = "order.removal_text"
	SettingReferralText = "order.referral_text"
)

// Defaults of the order texts, for a unit that has not set its own.
const (
	DefaultLegalBasis   = "Regulation (EU) 2021/784, Article 3"
	DefaultRemovalText  = "The content at the address above is to be removed or access to it disabled by the deadline. Answer with the status (acknowledged, removed or refused) through the channel this notice came by."
	DefaultReferralText = "The content at the address above is referred to you for assessment against your terms of service. Please tell us the outcome."
)

// Texts are a unit's order texts.
type Texts struct {
	LegalBasis, Removal, Referral string
}

// Texts returns the unit's order texts, each its default until set.
func (s *Service) Texts(ctx context.Context) (Texts, error) {
	t := Texts{LegalBasis: DefaultLegalBasis, Removal: DefaultRemovalText, Referral: DefaultReferralText}
	for key, dst := range map[string]*string{SettingLegalBasis: &t.LegalBasis, SettingRemovalText: &t.Removal, SettingReferralText: &t.Referral} {
		v, ok, err := s.st.Setting(ctx, key)
		if err != nil {
			return t, err
		}
		if ok && strings.TrimSpace(v) != "" {
			*dst = v
		}
	}
	return t, nil
}
