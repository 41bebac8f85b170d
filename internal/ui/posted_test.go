package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
)

// TestCaseShowsUnknownTime: a post its source gave no time is shown as of
// unknown time on its case page and in search, in the reviewer's
// language, never as its ingestion time; media the export left out is
// shown as missing with the reason, and a channel post's signature beside
// its author.
func TestCaseShowsUnknownTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := model.Post{Platform: "telegram", SourceID: "undated-1", Author: "channel1700000001", Signature: "Abu Test", Notice: "withheld in DE, FR", Lang: "und", Text: "undated statement",
		Media: []model.Media{{Type: "video", Missing: "File not included. Change data exporting settings to download."}}}
	c := model.Case{Priority: 50, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Label: model.Incitement, Score: 0.9, Detail: "classifier"}}}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, unknown, missing string }{{"rev1", "unknown", "Missing from the export"}, {"rev2", "غير معروف", "غير موجود في ملف التصدير"}} {
		cl := e.client(t)
		cl.login(u.name)
		_, body := cl.get(fmt.Sprintf("/cases/%d", c.ID))
		if !strings.Contains(body, `<span class="when unknown">`+u.unknown+`</span>`) {
			t.Errorf("%s: case page does not say the time is unknown", u.name)
		}
		if strings.Contains(body, `<time datetime=`) {
			t.Errorf("%s: case page shows a time for a post without one", u.name)
		}
		if !strings.Contains(body, u.missing+`: <span dir="auto">File not included.`) {
			t.Errorf("%s: missing media not shown", u.name)
		}
		if !strings.Contains(body, `id="post-signature"><bdi>Abu Test</bdi>`) {
			t.Errorf("%s: channel signature not shown", u.name)
		}
		if strings.Contains(body, "langname.") {
			t.Errorf("%s: an undetermined language is shown as a translation key", u.name)
		}
		if !strings.Contains(body, `id="post-notice" class="warn" dir="ltr">withheld in DE, FR</dd>`) {
			t.Errorf("%s: platform notice not shown", u.name)
		}
		_, body = cl.get("/search?q=undated")
		if !strings.Contains(body, `<span class="when unknown">`+u.unknown+`</span>`) {
			t.Errorf("%s: search does not say the time is unknown", u.name)
		}
	}
}
