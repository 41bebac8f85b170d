package action

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

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
}

var csvHeader = []string{"order_id", "kind", "case_id", "platform", "content_url", "legal_basis", "issued_by", "issued_at", "deadline", "status", "status_at", "evidence_id", "evidence_manifest_sha256", "issuer"}

// BOM is the UTF-8 byte order mark. Spreadsheets read a CSV file without
// it in the computer's legacy code page, which garbles Arabic.
const BOM = "\ufeff"

// WriteCSV writes notices as UTF-8 CSV, starting with a BOM, with a
// header row.
func WriteCSV(w io.Writer, notices []Notice) error {
	if _, err := io.WriteString(w, BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, n := range notices {
		o := n.Order
		rec := []string{strconv.FormatInt(o.ID, 10), o.Kind, strconv.FormatInt(o.CaseID, 10), o.Platform, o.ContentURL, o.LegalBasis, o.IssuedBy,
			o.IssuedAt.UTC().Format(time.RFC3339), o.Deadline.UTC().Format(time.RFC3339), o.Status, o.StatusAt.UTC().Format(time.RFC3339),
			strconv.FormatInt(o.EvidenceID, 10), n.EvidenceSHA256, n.Issuer}
		for i, f := range rec {
			rec[i] = csvSafe(f)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses a value a spreadsheet would run as a formula: content
// URLs and legal bases come from outside.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteJSON writes notices as a JSON array.
func WriteJSON(w io.Writer, notices []Notice) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(notices)
}

// WritePDF writes one notice as a one-page PDF. The PDF uses the standard
// Latin fonts: characters outside Windows-1252 print as "?", so the CSV
// and JSON forms are the ones to use for Arabic platform names.
func WritePDF(w io.Writer, n Notice) error {
	o := n.Order
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(fmt.Sprintf("%s order %d", o.Kind, o.ID), true)
	pdf.SetCreator("marsad", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	title := "Removal order"
	if o.Kind == store.OrderReferral {
		title = "Referral"
	}
	pdf.CellFormat(0, 10, tr(fmt.Sprintf("%s no. %d", title, o.ID)), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, tr("Issued by "+n.Issuer), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	rows := [][2]string{
		{"Platform", o.Platform},
		{"Content URL", o.ContentURL},
		{"Legal basis", o.LegalBasis},
		{"Issued at", o.IssuedAt.UTC().Format("2006-01-02 15:04:05 MST")},
		{"Deadline", o.Deadline.UTC().Format("2006-01-02 15:04:05 MST")},
		{"Status", o.Status},
		{"Case", strconv.FormatInt(o.CaseID, 10)},
		{"Issued by (reviewer)", o.IssuedBy},
		{"Evidence", fmt.Sprintf("%d, manifest SHA-256 %s", o.EvidenceID, n.EvidenceSHA256)},
	}
	for _, r := range rows {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(45, 7, tr(r[0]), "B", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 7, tr(r[1]), "B", "L", false)
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "", 9)
	msg := n.Request
	switch {
	case msg != "":
	case o.Kind == store.OrderReferral:
		msg = DefaultReferralText
	default:
		msg = DefaultRemovalText
	}
	pdf.MultiCell(0, 5, tr(msg), "", "L", false)
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
