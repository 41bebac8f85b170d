package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/marsad/marsad/internal/bank"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// banks lists the banks with their size and provenance.
func (h *Handler) banks(w http.ResponseWriter, r *http.Request) {
	bs, err := h.st.Banks(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "banks", "banks", bankData{Banks: bs}, nil)
}

func (h *Handler) createBank(w http.ResponseWriter, r *http.Request) {
	b := &model.Bank{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Owner: r.PostFormValue("owner"), Enabled: true,
		AutoAction: r.PostFormValue("auto_action") == "1"}
	if err := h.bk.Create(r.Context(), b, user(r).Name); err != nil {
		h.fail(w, r, err)
		return
	}
	back(w, r, "/banks/"+url.PathEscape(b.Name), "bank_created")
}

// bankData is the banks page: the list of banks, or one bank.
type bankData struct {
	Banks   []model.Bank
	Bank    *model.Bank
	Counts  []store.EntryCount
	Entries []model.BankEntry
	Q, Type string
	Pager   pager
	Types   []model.SignalType
	Labels  []model.Label
	// Refused are the lines an import could not read.
	Refused []*bank.LineError
}

// bank shows one bank: where its entries came from, and a page of its
// entries, searched by value or source.
func (h *Handler) bank(w http.ResponseWriter, r *http.Request) {
	h.showBank(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) showBank(w http.ResponseWriter, r *http.Request, status int, fl *flash, refused []*bank.LineError) {
	ctx := r.Context()
	b, err := h.st.Bank(ctx, r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	page, size, err := pageOf(q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := bankData{Bank: b, Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Types: model.SignalTypes, Labels: model.Labels, Refused: refused}
	if err := checkText("q", d.Q); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Type != "" && !model.SignalType(d.Type).Valid() {
		h.fail(w, r, badInput("type", "type_unknown", string(d.Type)))
		return
	}
	if d.Counts, err = h.st.EntryCounts(ctx, b.Name); err != nil {
		h.fail(w, r, err)
		return
	}
	var total int
	d.Entries, total, err = h.st.SearchEntries(ctx, store.EntryQuery{Bank: b.Name, Text: d.Q, Type: model.SignalType(d.Type), Offset: (page - 1) * size, Limit: size})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keep := url.Values{}
	for _, k := range []string{"q", "type", "size"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	d.Pager = newPager("/banks/"+url.PathEscape(b.Name), keep, page, size, total, len(d.Entries))
	h.render(w, r, status, "banks", "banks", d, fl)
}

// checkText refuses text that cannot be stored or searched.
func checkText(field, v string) error {
	return store.CheckSearchText(field, v)
}

// bankError shows the bank page again with what went wrong, unless the
// fault is not the user's.
func (h *Handler) bankError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError || status == http.StatusNotFound {
		h.fail(w, r, err)
		return
	}
	h.showBank(w, r, status, &flash{Kind: "error", Text: err.Error()}, nil)
}

// bankDone goes back to the bank page with what an addition did: added
// and skipped entries are told apart, so a duplicate is never reported as
// added.
func (h *Handler) bankDone(w http.ResponseWriter, r *http.Request, added, skipped, refused int) {
	loc := h.locales[h.lang(r)]
	var parts []string
	parts = append(parts, loc.T("banks.result_added", added))
	if skipped > 0 {
		parts = append(parts, loc.T("banks.result_skipped", skipped))
	}
	if refused > 0 {
		parts = append(parts, loc.T("banks.result_refused", refused))
	}
	kind := "ok"
	if refused > 0 {
		kind = "error"
	}
	h.showBank(w, r, http.StatusOK, &flash{Kind: kind, Text: strings.Join(parts, " · ")}, nil)
}

// addEntry adds one entry typed by hand.
func (h *Handler) addEntry(w http.ResponseWriter, r *http.Request) {
	e := model.BankEntry{Type: model.SignalType(r.PostFormValue("type")), Value: r.PostFormValue("value"), Label: model.Label(r.PostFormValue("label")),
		Source: strings.TrimSpace(r.PostFormValue("source"))}
	if e.Source == "" {
		e.Source = "added by " + user(r).Name
	}
	if !e.Type.Valid() {
		h.bankError(w, r, badInput("type", "type_unknown", string(e.Type)))
		return
	}
	res, err := h.bk.Add(r.Context(), r.PathValue("name"), []model.BankEntry{e}, user(r).Name)
	if err != nil {
		h.bankError(w, r, err)
		return
	}
	h.bankDone(w, r, res.Added, res.Skipped, 0)
}

// maxImport is the largest CSV file the import form takes.
const maxImport = 8 << 20

// importEntries reads an uploaded CSV in the shapes `marsad bank import`
// reads.
func (h *Handler) importEntries(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxImport); err != nil {
		h.bankError(w, r, badInput("file", "import_file_required"))
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		h.bankError(w, r, badInput("file", "import_file_required"))
		return
	}
	defer f.Close()
	if fh.Size > maxImport {
		h.bankError(w, r, badInput("file", "import_file_large", fh.Size, maxImport))
		return
	}
	opt := bank.ParseOptions{Type: model.SignalType(r.PostFormValue("type")), Label: model.Label(r.PostFormValue("label")), Source: strings.TrimSpace(r.PostFormValue("source"))}
	res, err := h.bk.Import(r.Context(), r.PathValue("name"), f, opt, user(r).Name)
	if err != nil {
		h.bankError(w, r, err)
		return
	}
	if len(res.Refused) > 0 {
		loc := h.locales[h.lang(r)]
		text := loc.T("banks.result_added", res.Added)
		if res.Skipped > 0 {
			text += " · " + loc.T("banks.result_skipped", res.Skipped)
		}
		text += " · " + loc.T("banks.result_refused", len(res.Refused))
		h.showBank(w, r, http.StatusOK, &flash{Kind: "error", Text: text}, res.Refused)
		return
	}
	h.bankDone(w, r, res.Added, res.Skipped, 0)
}

// removeEntry takes one entry out of the bank.
func (h *Handler) removeEntry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = h.bk.Remove(r.Context(), r.PathValue("name"), id, user(r).Name)
	}
	if err != nil {
		h.bankError(w, r, err)
		return
	}
	back(w, r, "/banks/"+url.PathEscape(r.PathValue("name")), "entry_removed")
}

// setBankEnabled turns a bank's matching on or off.
func (h *Handler) setBankEnabled(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("enabled")
	if on != "1" && on != "0" {
		h.bankError(w, r, badInput("enabled", "enabled_flag"))
		return
	}
	b, err := h.bk.SetEnabled(r.Context(), r.PathValue("name"), on == "1", user(r).Name)
	if err != nil {
		h.bankError(w, r, err)
		return
	}
	ok := "bank_disabled"
	if b.Enabled {
		ok = "bank_enabled"
	}
	back(w, r, "/banks/"+url.PathEscape(b.Name), ok)
}

// exportBank sends the bank as CSV, in the shape `marsad bank export`
// writes and import reads back.
func (h *Handler) exportBank(w http.ResponseWriter, r *http.Request) {
	b, err := h.st.Bank(r.Context(), r.PathValue("name"))
	if err == nil {
		err = h.st.Audit(r.Context(), user(r).Name, "bank.export", "bank:"+b.Name, fmt.Sprintf("%d entries", b.Entries))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+b.Name+`.csv"`)
	// Streamed page by page: a failure half way can only be logged, and
	// the file then lacks its tail.
	if err := h.bk.Export(r.Context(), b.Name, "csv", w); err != nil {
		h.log.Error("export bank", "bank", b.Name, "err", err)
	}
}
