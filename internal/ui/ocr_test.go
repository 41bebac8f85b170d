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

// TestCaseShowsTextInImage: the words read on a post's image are on its
// case page beside the (blurred) image, in both languages, with the
// reason of their own kind.
func TestCaseShowsTextInImage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sha := writePNG(t, e.mediaDir+"/poster.png")
	p := model.Post{Platform: "x", SourceID: "poster-1", Media: []model.Media{{Path: "poster.png", Type: "image", SHA256: sha}},
		OCRText: "Kill the unbelievers wherever you find them", PostedAt: time.Now().UTC()}
	c := model.Case{Priority: 77, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{{Kind: model.ReasonTextInImage, Label: model.Incitement, Score: 0.85,
		Detail: "text in image: incitement scored 0.85", Evidence: []string{"unbelievers"}}}}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, heading, kind string }{{"rev1", "Text in the images", "Text in image"}, {"rev2", "النص في الصور", "نص في صورة"}} {
		cl := e.client(t)
		cl.login(u.name)
		code, body := cl.get(fmt.Sprintf("/cases/%d", c.ID))
		if code != 200 {
			t.Fatalf("%s: case page %d", u.name, code)
		}
		i, j := strings.Index(body, `class="reveal blurred"`), strings.Index(body, `id="ocr-text"`)
		if i < 0 || j < i || !strings.Contains(body[j:], "Kill the unbelievers wherever you find them") || !strings.Contains(body[j:], u.heading) {
			t.Fatalf("%s: no OCR text after the blurred image", u.name)
		}
		if !strings.Contains(body, `<span class="kind">`+u.kind+`</span>`) {
			t.Fatalf("%s: reason kind not shown as %q", u.name, u.kind)
		}
	}
}
