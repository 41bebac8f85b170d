package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/mediameta"
	"github.com/marsad/marsad/mediameta/mediametatest"
)

// TestCaseShowsEXIF: the analyst sees where and with what a photo was
// taken, with translated labels, as plain text (no map link).
func TestCaseShowsEXIF(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	meta, err := mediameta.Read(mediametatest.JPEGWithGPS(t))
	if err != nil || meta == nil {
		t.Fatal(meta, err)
	}
	p := model.Post{Platform: "x", SourceID: "photo-1", Media: []model.Media{{URL: "https://example.com/p.jpg", Type: "image", EXIF: meta}},
		Text: "photo", PostedAt: time.Now().UTC()}
	c := model.Case{Priority: 50, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Label: model.Propaganda, Score: 0.9}}}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, gps, camera string }{{"rev1", "GPS position", "Camera"}, {"rev2", "موقع GPS", "الكاميرا"}} {
		cl := e.client(t)
		cl.login(u.name)
		code, body := cl.get(fmt.Sprintf("/cases/%d", c.ID))
		if code != 200 {
			t.Fatalf("%s: case page %d", u.name, code)
		}
		i := strings.Index(body, `id="media-exif-0"`)
		if i < 0 {
			t.Fatalf("%s: no metadata block", u.name)
		}
		block := body[i:]
		block = block[:strings.Index(block, "</dl>")]
		for _, want := range []string{u.gps, u.camera, "33.310000, 44.365000", "34.5 m", "2024-05-01 10:45:10 UTC", mediametatest.Model, mediametatest.Lens, mediametatest.Software, mediametatest.Taken} {
			if !strings.Contains(block, want) {
				t.Errorf("%s: metadata block lacks %q", u.name, want)
			}
		}
		if strings.Contains(block, "href") {
			t.Errorf("%s: metadata block links out: %s", u.name, block)
		}
	}
}

// TestEvidenceListShowsEXIF: the evidence page says which preserved
// records hold a GPS position and camera.
func TestEvidenceListShowsEXIF(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	meta, err := mediameta.Read(mediametatest.JPEGWithGPS(t))
	if err != nil || meta == nil {
		t.Fatal(meta, err)
	}
	p := model.Post{Platform: "x", SourceID: "photo-2", Media: []model.Media{{URL: "https://example.com/p.jpg", Type: "image", EXIF: meta}},
		Text: "photo", PostedAt: time.Now().UTC()}
	c := model.Case{Priority: 50, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Label: model.Propaganda, Score: 0.9}}}
	if _, _, err := e.st.SavePost(ctx, &p, store.Analysis{Case: &c}); err != nil {
		t.Fatal(err)
	}
	ev := &store.Evidence{CaseID: c.ID, PostID: p.ID, CapturedBy: "rev1", CapturedAt: time.Now().UTC().Truncate(time.Microsecond), Platform: "x", SourceID: "photo-2",
		ManifestSHA256: strings.Repeat("a", 64)}
	if err := e.st.SaveEvidence(ctx, ev); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, gps string }{{"amina", "GPS position"}, {"rev2", "موقع GPS"}} {
		cl := e.client(t)
		cl.login(u.name)
		code, body := cl.get("/evidence")
		if code != 200 {
			t.Fatalf("%s: evidence page %d", u.name, code)
		}
		i := strings.Index(body, `class="small evidence-exif"`)
		if i < 0 {
			t.Fatalf("%s: no metadata on the evidence page", u.name)
		}
		line := body[i:]
		line = line[:strings.Index(line, "</div>")]
		for _, want := range []string{u.gps, "33.310000, 44.365000", mediametatest.Model, mediametatest.Taken} {
			if !strings.Contains(line, want) {
				t.Errorf("%s: evidence line lacks %q: %s", u.name, want, line)
			}
		}
	}
}
