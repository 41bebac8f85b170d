package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
)

type ordersData struct {
	Orders     []store.Order
	Deliveries map[int64][]store.Delivery
	// Answers are the statuses a reviewer may record, by current status;
	// Withdrawable the statuses an order can be withdrawn from.
	Answers      map[string][]string
	Withdrawable map[string]bool
	Show         string // open or all
	Now          time.Time
	Overdue      int
	// Channel says whether orders are delivered (a webhook is set); an
	// order never delivered without one must be exported and sent by hand.
	Channel bool
}

func (h *Handler) orders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// Mark long-unanswered orders expired before showing the list, so the
	// list is right without a background job.
	if _, err := h.rv.Expire(ctx, time.Now()); err != nil {
		h.fail(w, r, err)
		return
	}
	d := ordersData{Show: r.URL.Query().Get("show"), Now: time.Now(), Deliveries: map[int64][]store.Delivery{},
		Answers: map[string][]string{}, Withdrawable: map[string]bool{}}
	for _, st := range store.OrderStatuses {
		d.Answers[st] = review.Answers(st)
		d.Withdrawable[st] = review.Withdrawable(st)
	}
	f := store.OrderFilter{Open: true, Limit: 500}
	if d.Show == "all" {
		f.Open = false
	} else {
		d.Show = "open"
	}
	addr, _, err := h.cfg.Actions.WebhookConfig(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Channel = addr != ""
	if d.Orders, err = h.visibleOrders(r, f); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range d.Orders {
		if o.Overdue(d.Now) {
			d.Overdue++
		}
		if d.Deliveries[o.ID], err = h.st.Deliveries(ctx, o.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "orders", "orders", d, nil)
}

func (h *Handler) orderStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.rv.RecordAnswer(r.Context(), id, r.PostFormValue("status"), user(r).Name, r.PostFormValue("note"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/orders", "status")
}

func (h *Handler) withdrawOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = h.rv.WithdrawOrder(r.Context(), id, user(r).Name, r.PostFormValue("reason"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/orders", "withdrawn")
}

func (h *Handler) redeliver(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.rv.Redeliver(r.Context(), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/orders", "delivering")
}

func (h *Handler) noticeOf(r *http.Request, o store.Order) action.Notice {
	loc := h.locales[h.lang(r)]
	n := action.Notice{Issuer: h.cfg.Issuer, Order: o, Labels: &action.NoticeLabels{
		Removal: loc.T("order.removal"), Referral: loc.T("order.referral"), Number: loc.T("notice.number"), IssuedBy: loc.T("notice.issued_by"),
		Platform: loc.T("order.platform"), ContentURL: loc.T("order.url"), LegalBasis: loc.T("order.legal"), IssuedAt: loc.T("notice.issued_at"),
		Deadline: loc.T("order.deadline_at"), Status: loc.T("order.status"), StatusValue: loc.T("status." + o.Status), Case: loc.T("notice.case"),
		Reviewer: loc.T("notice.reviewer"), Evidence: loc.T("notice.evidence"), ManifestHash: loc.T("notice.manifest"),
	}}
	if texts, err := h.cfg.Actions.Texts(r.Context()); err == nil {
		n.Request = texts.Removal
		if o.Kind == store.OrderReferral {
			n.Request = texts.Referral
		}
	}
	if o.EvidenceID != 0 {
		if ev, err := h.st.Evidence(r.Context(), o.EvidenceID, false); err == nil {
			n.EvidenceSHA256 = ev.ManifestSHA256
		}
	}
	return n
}

func (h *Handler) notice(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o, err := h.st.Order(r.Context(), id)
	if err == nil {
		err = h.sees(r, o.Platform, fmt.Sprintf("order %d", id))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n := h.noticeOf(r, *o)
	name := fmt.Sprintf("marsad-order-%d", id)
	format := r.URL.Query().Get("format")
	switch tpl := r.URL.Query().Get("template"); tpl {
	case "":
	case action.TemplateTCO:
		h.tcoNotice(w, r, n, format)
		return
	default:
		h.fail(w, r, badInput("template", "template_unknown", tpl))
		return
	}
	switch format {
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		err = action.WritePDF(w, n)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		err = action.WriteCSV(w, []action.Notice{n})
	case "json", "":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		err = action.WriteJSON(w, []action.Notice{n})
	default:
		h.fail(w, r, badInput("format", "format_unknown", format))
		return
	}
	if err != nil {
		h.log.Error("write notice", "order", id, "err", err)
		return
	}
	_ = h.st.Audit(r.Context(), user(r).Name, "order.export", "order:"+strconv.FormatInt(id, 10), "format="+format)
}

// tcoNotice writes the order laid out as the removal order of Regulation
// (EU) 2021/784, Annex I, in the reader's language (action.BuildTCO says
// which orders it can carry).
func (h *Handler) tcoNotice(w http.ResponseWriter, r *http.Request, n action.Notice, format string) {
	c, err := h.st.Case(r.Context(), n.Order.CaseID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := action.BuildTCO(n, c, h.lang(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("marsad-order-%d-tco", n.Order.ID)
	switch format {
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		err = action.WriteTCOPDF(w, f)
	case "json", "":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		err = action.WriteTCOJSON(w, f)
	default:
		h.fail(w, r, badInput("format", "tco_format", format))
		return
	}
	if err != nil {
		h.log.Error("write removal order form", "order", n.Order.ID, "err", err)
		return
	}
	_ = h.st.Audit(r.Context(), user(r).Name, "order.export", "order:"+strconv.FormatInt(n.Order.ID, 10), "format="+format+" template="+action.TemplateTCO)
}

func (h *Handler) exportOrders(w http.ResponseWriter, r *http.Request) {
	list, err := h.visibleOrders(r, store.OrderFilter{Limit: 1000})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ns []action.Notice
	for _, o := range list {
		ns = append(ns, h.noticeOf(r, o))
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="marsad-orders.csv"`)
	if err := action.WriteCSV(w, ns); err != nil {
		h.log.Error("export orders", "err", err)
	}
}

// visibleOrders lists the orders of f that the user's organisation may
// see: a platform's own, none for an agency, all for the unit.
func (h *Handler) visibleOrders(r *http.Request, f store.OrderFilter) ([]store.Order, error) {
	reach, err := h.reach(r)
	if err != nil {
		return nil, err
	}
	if !reach.All {
		if reach.Platform == "" {
			return nil, nil
		}
		f.Platform = reach.Platform
	}
	return h.st.Orders(r.Context(), f)
}

// sees refuses, as not found, what the user's organisation may not see,
// so another platform's cases and orders cannot even be told to exist.
func (h *Handler) sees(r *http.Request, platform, what string) error {
	reach, err := h.reach(r)
	if err != nil {
		return err
	}
	if !reach.Sees(platform) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}
