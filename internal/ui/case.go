package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/review"
	"github.com/marsad/marsad/internal/store"
)

type mediaView struct {
	Index int
	model.Media
	Local bool
}

type relatedPost struct {
	Post   model.Post
	Why    string // "author" or the signal type shared
	CaseID int64  // the post's case, if it has one
}

// clusterCase is a case of a bulk form: Open says whether it waits for a
// decision, Pick whether it is ticked when the form is shown.
type clusterCase struct {
	model.Case
	Open, Pick bool
}

// bulkRow says what a bulk action did to one case.
type bulkRow struct {
	CaseID int64
	Done   bool
	Text   string
}

type caseData struct {
	Case      *model.Case
	Post      *model.Post
	Segments  []segment
	Media     []mediaView
	Signals   []model.Signal
	Matches   []model.Match
	Scores    []model.Score
	Related   []relatedPost
	Decisions []model.Decision
	// CanAppeal: the case may be appealed (decided or actioned, and no
	// appeal of it decided yet).
	CanAppeal bool
	Orders    []store.Order
	Entries   []store.CaseEntry
	Evidence  []store.Evidence
	Audit     []model.AuditEvent
	Banks     []model.Bank
	Labels    []model.Label
	Actions   []string
	Now       time.Time
	// Deliveries of each order, by order id.
	Deliveries map[int64][]store.Delivery
	// Form defaults for a new order.
	OrderURL, LegalBasis string
	DeadlineMinutes      int
	CanDecide            bool
	// Channel says whether orders are delivered (a webhook is set).
	Channel bool
	CanAct  bool
	Harmful bool
	// Network is the network of a network case, drawn and listed.
	Network     *netData
	NetworkGone bool
	// Cluster lists the cases that go with this one for bulk work (this
	// one first); shown when there is more than this one.
	Cluster []clusterCase
	// Bulk is what the last bulk action did to each case.
	Bulk []bulkRow
	// Next is the case to open after this one, 0 when the queue is empty.
	Next int64
	// formState keeps a form sent back with a problem as it was typed.
	formState
}

// maxDeadlineMinutes is the longest deadline an order may be given: 90 days.
const maxDeadlineMinutes = 90 * 24 * 60

func (h *Handler) loadCase(ctx context.Context, id int64, viewer string) (*caseData, error) {
	c, err := h.st.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &caseData{Case: c, Labels: model.Labels, Actions: review.Actions, Now: time.Now(),
		DeadlineMinutes: int(action.DefaultDeadline / time.Minute), Deliveries: map[int64][]store.Delivery{}}
	d.CanDecide = review.CanDecide(c, viewer)
	d.CanAct = review.Orderable(c)
	d.Harmful = review.Actionable(c)
	if c.PostID != 0 {
		if d.Post, err = h.st.Post(ctx, c.PostID); err != nil {
			return nil, err
		}
		var terms []string
		for _, rs := range c.Reasons {
			terms = append(terms, rs.Evidence...)
		}
		if d.Scores, err = h.st.Scores(ctx, c.PostID); err != nil {
			return nil, err
		}
		for _, sc := range d.Scores {
			if sc.Score >= sc.Threshold {
				terms = append(terms, sc.Evidence...)
			}
		}
		d.Segments = highlight(d.Post.Text, terms)
		for i, m := range d.Post.Media {
			d.Media = append(d.Media, mediaView{Index: i, Media: m, Local: h.cfg.Media.Has(m)})
		}
		if d.Signals, err = h.st.Signals(ctx, c.PostID); err != nil {
			return nil, err
		}
		if d.Matches, err = h.st.PostMatches(ctx, c.PostID); err != nil {
			return nil, err
		}
		d.OrderURL = d.Post.URL
		if d.Related, err = h.related(ctx, d.Post, d.Signals); err != nil {
			return nil, err
		}
	}
	if c.Kind == model.CaseNetwork && c.NetworkID != 0 {
		// A case outliving its network still shows its reasons.
		if d.Network, err = h.loadNetwork(ctx, c.NetworkID); errors.Is(err, store.ErrNotFound) {
			d.NetworkGone = true
		} else if err != nil {
			return nil, err
		}
	}
	cl, err := h.rv.Cluster(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(cl) > 1 {
		for _, k := range cl {
			open := review.Claimable(k.State)
			d.Cluster = append(d.Cluster, clusterCase{Case: k, Open: open, Pick: open && (k.ClaimedBy == "" || k.ClaimedBy == viewer)})
		}
	}
	if d.Next, err = h.nextCase(ctx, c.ID, viewer); err != nil {
		return nil, err
	}
	if d.Decisions, err = h.st.Decisions(ctx, id); err != nil {
		return nil, err
	}
	d.CanAppeal = review.CanAppeal(c, d.Decisions)
	if d.Orders, err = h.st.Orders(ctx, store.OrderFilter{CaseID: id}); err != nil {
		return nil, err
	}
	for _, o := range d.Orders {
		if d.Deliveries[o.ID], err = h.st.Deliveries(ctx, o.ID); err != nil {
			return nil, err
		}
	}
	if d.Entries, err = h.st.CaseEntries(ctx, id); err != nil {
		return nil, err
	}
	if d.Evidence, err = h.st.EvidenceList(ctx, store.EvidenceFilter{CaseID: id}); err != nil {
		return nil, err
	}
	if d.Audit, err = h.st.AuditEvents(ctx, store.AuditFilter{Subject: fmt.Sprintf("case:%d", id)}); err != nil {
		return nil, err
	}
	if d.Banks, err = h.st.Banks(ctx); err != nil {
		return nil, err
	}
	addr, _, err := h.cfg.Actions.WebhookConfig(ctx)
	if err != nil {
		return nil, err
	}
	d.Channel = addr != ""
	texts, err := h.cfg.Actions.Texts(ctx)
	if err != nil {
		return nil, err
	}
	d.LegalBasis = texts.LegalBasis
	return d, nil
}

// related finds other posts of the same author and posts sharing a media
// hash, so a reviewer sees the pattern and not only the one post.
func (h *Handler) related(ctx context.Context, p *model.Post, sigs []model.Signal) ([]relatedPost, error) {
	seen := map[int64]bool{p.ID: true}
	var out []relatedPost
	if p.Author != "" {
		ps, err := h.st.Posts(ctx, store.PostFilter{Platform: p.Platform, Author: p.Author, Limit: 20})
		if err != nil {
			return nil, err
		}
		for _, q := range ps {
			if !seen[q.ID] {
				seen[q.ID] = true
				out = append(out, relatedPost{Post: q, Why: "author"})
			}
		}
	}
	for _, sg := range sigs {
		if sg.Type != model.SignalSHA256 && sg.Type != model.SignalPDQ && sg.Type != model.SignalMD5 {
			continue
		}
		ids, err := h.st.PostsWithSignal(ctx, sg.Type, sg.Value, 20)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			q, err := h.st.Post(ctx, id)
			if err != nil {
				return nil, err
			}
			out = append(out, relatedPost{Post: *q, Why: string(sg.Type)})
		}
	}
	ids := make([]int64, len(out))
	for i, rp := range out {
		ids[i] = rp.Post.ID
	}
	cases, err := h.st.CaseIDsByPost(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].CaseID = cases[out[i].Post.ID]
	}
	return out, nil
}

// nextScan bounds how many open cases are read to find the next one.
const nextScan = 200

// nextCase is the case a reviewer should open after current: the one
// after it in the queue's order that nobody else holds, else the first
// such case.
func (h *Handler) nextCase(ctx context.Context, current int64, viewer string) (int64, error) {
	cases, _, err := h.st.Cases(ctx, store.CaseFilter{State: model.CaseOpen, Limit: nextScan})
	if err != nil {
		return 0, err
	}
	free := func(c model.Case) bool { return c.ID != current && (c.ClaimedBy == "" || c.ClaimedBy == viewer) }
	at := slices.IndexFunc(cases, func(c model.Case) bool { return c.ID == current })
	for _, c := range cases[at+1:] {
		if free(c) {
			return c.ID, nil
		}
	}
	for _, c := range cases {
		if free(c) {
			return c.ID, nil
		}
	}
	return 0, nil
}

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request) {
	h.showCase(w, r, http.StatusOK, nil, formState{})
}

// showCase renders the case page; every view of raw content is audited.
func (h *Handler) showCase(w http.ResponseWriter, r *http.Request, status int, fl *flash, fs formState) {
	h.showCaseWith(w, r, status, fl, fs, nil)
}

// showCaseWith renders the case page with what a bulk action did.
func (h *Handler) showCaseWith(w http.ResponseWriter, r *http.Request, status int, fl *flash, fs formState, bulk []bulkRow) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := user(r)
	d, err := h.loadCase(r.Context(), id, p.Name)
	if err == nil {
		err = h.sees(r, d.Case.Platform, fmt.Sprintf("case %d", id))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	detail := fmt.Sprintf("post=%d", d.Case.PostID)
	if d.Case.Kind == model.CaseNetwork {
		detail = fmt.Sprintf("network=%d", d.Case.NetworkID)
	}
	if err := h.st.Audit(r.Context(), p.Name, "case.view", fmt.Sprintf("case:%d", id), detail); err != nil {
		h.fail(w, r, err)
		return
	}
	d.formState = fs
	d.Bulk = bulk
	h.render(w, r, status, "case", "queue", d, fl)
}

// formError re-renders the case page with the problem and the form as
// the user filled it, keeping them where they were; a fault that is not
// the user's is an error page. The form is named by the path's last part
// (decide, orders, bank, appeal).
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		h.fail(w, r, err)
		return
	}
	form := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	h.showCase(w, r, status, &flash{Kind: "error", Text: errText(h.locales[h.lang(r)], err)}, newFormState(r, form, err))
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	in := review.DecisionInput{CaseID: id, Reviewer: user(r).Name, Action: r.PostFormValue("action"), Rationale: r.PostFormValue("rationale")}
	for _, l := range r.PostForm["label"] {
		in.Labels = append(in.Labels, model.Label(l))
	}
	_, outcome, err := h.rv.Decide(r.Context(), in)
	if err != nil {
		h.formError(w, r, err)
		return
	}
	back(w, r, "/cases/"+strconv.FormatInt(id, 10), string(outcome))
}

// bulk claims, releases or decides the chosen cases of this case's
// cluster, then shows this case with what befell each one.
func (h *Handler) bulk(w http.ResponseWriter, r *http.Request) {
	anchor, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	var ids []int64
	for _, v := range r.PostForm["case"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.formError(w, r, badInput("cases", "not_number", v))
			return
		}
		ids = append(ids, id)
	}
	p := user(r)
	var res []review.BatchResult
	op := r.PostFormValue("op")
	switch op {
	case "claim":
		res, err = h.rv.ClaimMany(r.Context(), anchor, ids, p.Name)
	case "release":
		res, err = h.rv.ReleaseMany(r.Context(), anchor, ids, p.Name, p.Can("admin"))
	case "decide":
		in := review.DecisionInput{Reviewer: p.Name, Action: r.PostFormValue("action"), Rationale: r.PostFormValue("rationale")}
		for _, l := range r.PostForm["label"] {
			in.Labels = append(in.Labels, model.Label(l))
		}
		res, err = h.rv.DecideMany(r.Context(), anchor, ids, in)
	default:
		err = badInput("op", "bulk_op_unknown", op)
	}
	if err != nil {
		h.formError(w, r, err)
		return
	}
	loc := h.locales[h.lang(r)]
	rows := make([]bulkRow, len(res))
	done := 0
	for i, x := range res {
		rows[i] = bulkRow{CaseID: x.CaseID, Done: x.Done(), Text: loc.T("bulk.done_" + op)}
		if x.Done() {
			done++
		} else {
			rows[i].Text = errText(loc, x.Err)
		}
	}
	h.showCaseWith(w, r, http.StatusOK, &flash{Kind: "ok", Text: loc.T("bulk.summary", done, len(res)-done)}, formState{}, rows)
}

func (h *Handler) appeal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.rv.Appeal(r.Context(), id, user(r).Name, r.PostFormValue("reason")); err != nil {
		h.formError(w, r, err)
		return
	}
	back(w, r, "/cases/"+strconv.FormatInt(id, 10), "appealed")
}

func (h *Handler) addToBank(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, badInput("form", "form_unreadable"))
		return
	}
	added, err := h.rv.AddToBank(r.Context(), id, r.PostFormValue("bank"), model.Label(r.PostFormValue("label")), r.PostForm["signal"], user(r).Name)
	if err != nil {
		h.formError(w, r, err)
		return
	}
	if added == 0 {
		// Skipped duplicates are not additions.
		back(w, r, "/cases/"+strconv.FormatInt(id, 10), "bank_present")
		return
	}
	back(w, r, "/cases/"+strconv.FormatInt(id, 10), "banked")
}

func (h *Handler) issueOrder(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	mins, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("deadline_minutes")))
	if err != nil || mins <= 0 || mins > maxDeadlineMinutes {
		h.formError(w, r, badInput("deadline_minutes", "deadline_minutes", 1, maxDeadlineMinutes))
		return
	}
	req := review.OrderRequest{CaseID: id, Kind: r.PostFormValue("kind"), Platform: r.PostFormValue("platform"), ContentURL: r.PostFormValue("content_url"),
		LegalBasis: r.PostFormValue("legal_basis"), Justification: r.PostFormValue("justification"), Deadline: time.Duration(mins) * time.Minute}
	if _, err := h.rv.IssueOrder(r.Context(), req, user(r).Name); err != nil {
		h.formError(w, r, err)
		return
	}
	back(w, r, "/cases/"+strconv.FormatInt(id, 10), "ordered")
}

// serveMedia serves a locally stored media file of a post. Media that was
// only published elsewhere is never fetched.
func (h *Handler) serveMedia(w http.ResponseWriter, r *http.Request) {
	postID, err := pathID(r, "post")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		h.fail(w, r, badInput("n", "not_number", r.PathValue("n")))
		return
	}
	p, err := h.st.Post(r.Context(), postID)
	if err == nil {
		err = h.sees(r, p.Platform, fmt.Sprintf("post %d", postID))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if n < 0 || n >= len(p.Media) {
		h.errorPage(w, r, http.StatusNotFound, h.locales[h.lang(r)].T("err.no_media"))
		return
	}
	f, err := h.cfg.Media.Open(p.Media[n])
	if err != nil {
		h.errorPage(w, r, http.StatusNotFound, h.locales[h.lang(r)].T("err.media_not_local"))
		return
	}
	defer f.Close()
	if err := h.st.Audit(r.Context(), user(r).Name, "media.view", fmt.Sprintf("post:%d", postID), fmt.Sprintf("media %d sha256=%s", n, p.Media[n].SHA256)); err != nil {
		h.fail(w, r, err)
		return
	}
	writeMedia(w, f, p.Media[n].Path)
}
