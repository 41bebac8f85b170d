package ui

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/model"
)

// TestSourcesPageSkipped: the items a source skipped are shown with their
// reasons in each language.
func TestSourcesPageSkipped(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	src := &model.Source{Kind: "feed", Name: "tessalit", Config: []byte(`{"url":"https://commune.example.ml/rss.xml"}`), Interval: time.Hour}
	if err := e.st.AddSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SourceDone(ctx, src.ID, "", 4, "", map[string]int{"duplicate": 2, "empty": 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SourceDone(ctx, src.ID, "", 0, "", map[string]int{"duplicate": 1, "refused": 1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Skipped", "repeated ids: <bdi dir=\"ltr\">3</bdi>", "empty items: <bdi dir=\"ltr\">1</bdi>", "refused on storing: <bdi dir=\"ltr\">1</bdi>", `<bdi dir="ltr">5</bdi>`}},
		{"ar", []string{"العناصر المتخطّاة", "معرّفات مكرّرة: <bdi dir=\"ltr\">3</bdi>", "عناصر فارغة", "رُفضت عند الحفظ"}},
		{"fr", []string{"Éléments ignorés", "identifiants en double: <bdi dir=\"ltr\">3</bdi>", "éléments vides", "refusés à l’enregistrement"}},
	} {
		c := e.client(t)
		c.login("amina")
		c.post("/lang", url.Values{"lang": {tt.lang}, "next": {"/admin/sources"}})
		_, body := c.get("/admin/sources")
		i := strings.Index(body, `id="source-tessalit"`)
		if i < 0 {
			t.Fatalf("%s: no row for the source", tt.lang)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q", tt.lang, w)
			}
		}
	}
}
