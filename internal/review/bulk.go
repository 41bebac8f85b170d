package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// MaxBatch bounds how many cases one bulk action touches and how many a
// cluster lists.
const MaxBatch = 200

// BatchResult is what a bulk action did to one case.
type BatchResult struct {
	CaseID int64
	// Outcome is what a decision did; empty for claims and releases.
	Outcome Outcome
	// Err says why the case was skipped (claimed by someone else, already
	// decided, gone); nil when the action was done.
	Err error
}

// Done reports whether the action was done to the case.
func (r BatchResult) Done() bool { return r.Err == nil }

// ClaimMany claims each case of anchor's cluster in caseIDs for reviewer
// by the rules of Claim. A case that cannot be claimed, or is not in the
// cluster, is skipped with its reason.
func (s *Service) ClaimMany(ctx context.Context, anchor int64, caseIDs []int64, reviewer string) ([]BatchResult, error) {
	return s.batch(ctx, "claim", anchor, caseIDs, reviewer, func(id int64) (Outcome, error) {
		_, err := s.Claim(ctx, id, reviewer)
		return "", err
	})
}

// ReleaseMany gives up each claim of anchor's cluster in caseIDs by the
// rules of Release: only the holder's claims are released, or anyone's
// with force (an admin).
func (s *Service) ReleaseMany(ctx context.Context, anchor int64, caseIDs []int64, reviewer string, force bool) ([]BatchResult, error) {
	return s.batch(ctx, "release", anchor, caseIDs, reviewer, func(id int64) (Outcome, error) {
		c, err := s.st.Case(ctx, id)
		if err != nil {
			return "", err
		}
		if c.ClaimedBy == "" {
			return "", conflict("not_claimed", "case %d is not claimed", id)
		}
		_, err = s.Release(ctx, id, reviewer, force)
		return "", err
	})
}

// DecideMany records the same decision (in, whose CaseID is ignored) on
// each case by the rules of Decide. The decision is checked once before
// any case is touched, so a decision without a rationale or labels decides
// nothing; a case claimed by someone else or no longer waiting for a
// decision, or not in anchor's cluster, is skipped with its reason.
func (s *Service) DecideMany(ctx context.Context, anchor int64, caseIDs []int64, in DecisionInput) ([]BatchResult, error) {
	if _, err := CheckDecision(in); err != nil {
		return nil, err
	}
	return s.batch(ctx, "decide", anchor, caseIDs, in.Reviewer, func(id int64) (Outcome, error) {
		one := in
		one.CaseID = id
		_, out, err := s.Decide(ctx, one)
		return out, err
	})
}

// batch applies do to each case once. A refusal the rules explain (a
// conflict, a case not found, a claim of someone else) skips the case; any
// other fault stops the batch and is returned with the results so far.
// Each case touched is audited as part of the batch, whatever befell it.
// Only the cases of anchor's cluster (as Cluster lists them now) are
// acted on; any other is skipped as not_in_cluster, so a hand-made form
// cannot reach cases the reviewer never saw listed.
func (s *Service) batch(ctx context.Context, op string, anchor int64, caseIDs []int64, actor string, do func(int64) (Outcome, error)) ([]BatchResult, error) {
	ids, err := batchIDs(caseIDs)
	if err != nil {
		return nil, err
	}
	cl, err := s.Cluster(ctx, anchor)
	if err != nil {
		return nil, err
	}
	in := make(map[int64]bool, len(cl))
	for _, c := range cl {
		in[c.ID] = true
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = fmt.Sprint(id)
	}
	batch := strings.Join(list, ",")
	out := make([]BatchResult, 0, len(ids))
	for _, id := range ids {
		var o Outcome
		var err error
		if in[id] {
			o, err = do(id)
		} else {
			err = invalid("cases", "not_in_cluster", "case %d is not in the cluster of case %d", id, anchor)
		}
		if err != nil && Status(err) == 0 {
			return out, fmt.Errorf("bulk %s: case %d: %w", op, id, err)
		}
		result := "done"
		if err != nil {
			result = "skipped"
			var e *Error
			if errors.As(err, &e) && e.Code != "" {
				result += ":" + e.Code
			}
		}
		if aerr := s.st.Audit(ctx, actor, "case.bulk_"+op, fmt.Sprintf("case:%d", id), "batch="+batch+" result="+result); aerr != nil {
			return out, aerr
		}
		out = append(out, BatchResult{CaseID: id, Outcome: o, Err: err})
	}
	return out, nil
}

// batchIDs checks and de-duplicates the cases of a batch, keeping their order.
func batchIDs(caseIDs []int64) ([]int64, error) {
	var ids []int64
	for _, id := range caseIDs {
		if id <= 0 {
			return nil, invalid("cases", "case_id_bad", "%d is not a case number", id)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, invalid("cases", "cases_required", "choose at least one case")
	}
	if len(ids) > MaxBatch {
		return nil, invalid("cases", "cases_too_many", "at most %d cases at once", MaxBatch)
	}
	return ids, nil
}

// Cluster lists the cases that go with caseID for bulk work, caseID
// first: for a network case, the cases of the posts its member accounts
// shared; for a post case, the cases of posts that carry the same media
// hash (SHA-256, MD5 or PDQ) or matched the same bank entry (the same
// picture within the match distance). At most MaxBatch cases.
func (s *Service) Cluster(ctx context.Context, caseID int64) ([]model.Case, error) {
	c, err := s.st.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	var posts []int64
	add := func(ids ...int64) {
		for _, id := range ids {
			if id != c.PostID && !slices.Contains(posts, id) && len(posts) < MaxBatch {
				posts = append(posts, id)
			}
		}
	}
	switch {
	case c.Kind == model.CaseNetwork && c.NetworkID != 0:
		n, err := s.st.Network(ctx, c.NetworkID)
		if errors.Is(err, store.ErrNotFound) {
			break // the case outlived its network
		}
		if err != nil {
			return nil, err
		}
		for _, o := range n.Objects {
			for _, pid := range o.Posts {
				if slices.Contains(posts, pid) || len(posts) >= MaxBatch {
					continue
				}
				p, err := s.st.Post(ctx, pid)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, err
				}
				// Outsiders who shared the same item are not the network.
				if slices.Contains(n.Accounts, p.Platform+":"+p.Author) {
					add(pid)
				}
			}
		}
	case c.PostID != 0:
		sigs, err := s.st.Signals(ctx, c.PostID)
		if err != nil {
			return nil, err
		}
		for _, sg := range sigs {
			if sg.Type != model.SignalSHA256 && sg.Type != model.SignalMD5 && sg.Type != model.SignalPDQ {
				continue
			}
			ids, err := s.st.PostsWithSignal(ctx, sg.Type, sg.Value, MaxBatch)
			if err != nil {
				return nil, err
			}
			add(ids...)
		}
		ms, err := s.st.PostMatches(ctx, c.PostID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			ids, err := s.st.PostsMatchingEntry(ctx, m.Entry.ID, MaxBatch)
			if err != nil {
				return nil, err
			}
			add(ids...)
		}
	}
	byPost, err := s.st.CaseIDsByPost(ctx, posts)
	if err != nil {
		return nil, err
	}
	out := []model.Case{*c}
	for _, pid := range posts {
		id, ok := byPost[pid]
		if !ok || id == c.ID || slices.ContainsFunc(out, func(x model.Case) bool { return x.ID == id }) {
			continue
		}
		k, err := s.st.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, nil
}
