package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestCaseShowsReplyAndForward: a post that answers another and was
// forwarded says so on one line of its case page, in the reviewer's
// language; a post that is neither has no such line.
func TestCaseShowsReplyAndForward(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	caseOf := func(p model.Post) int64 {
		t.Helper()
		p.PostedAt = time.Now().UTC()
		c := model.Case{Priority: 50, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Label: model.Incitement, Score: 0.9, Detail: "classifier"}}}
		if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	both := caseOf(model.Post{Platform: "telegram", SourceID: "1700000001/3", Text: "رد على البيان", ReplyTo: "1700000001/2", ForwardedFrom: "Canal Exemple FR"})
	plain := caseOf(model.Post{Platform: "telegram", SourceID: "1700000001/9", Text: "plain"})
	for _, u := range []struct{ name, reply, fwd string }{{"rev1", "in reply to", "forwarded from"}, {"rev2", "ردًّا على", "منقول عن"}} {
		cl := e.client(t)
		cl.login(u.name)
		_, body := cl.get(fmt.Sprintf("/cases/%d", both))
		i := strings.Index(body, `id="post-thread"`)
		if i < 0 {
			t.Fatalf("%s: no reply/forward line", u.name)
		}
		line := body[i : i+strings.Index(body[i:], "</dd>")]
		if !strings.Contains(line, u.reply+" <code>1700000001/2</code>") || !strings.Contains(line, u.fwd+" <bdi>Canal Exemple FR</bdi>") {
			t.Errorf("%s: line = %s", u.name, line)
		}
		if _, body := cl.get(fmt.Sprintf("/cases/%d", plain)); strings.Contains(body, `id="post-thread"`) {
			t.Errorf("%s: a post that is neither reply nor forward shows the line", u.name)
		}
	}
}
