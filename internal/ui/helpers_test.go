package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/marsad/marsad/internal/action"
	"github.com/marsad/marsad/internal/auth"
	"github.com/marsad/marsad/internal/evidence"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/netguard"
	"github.com/marsad/marsad/internal/source"
	"github.com/marsad/marsad/internal/store"
	"github.com/marsad/marsad/internal/store/storetest"
	"github.com/marsad/marsad/internal/textmodel"
)

// password is every test user's password.
const password = "correct horse battery"

// injection is post text that must render as inert text.
const injection = `<script>document.title="pwned"</script><img src=x onerror=alert(1)> ' OR 1=1; DROP TABLE posts;--`

// env is a running UI over a seeded store.
type env struct {
	st    *store.Store
	url   string
	srv   *httptest.Server
	cases map[string]int64 // by seed name
	hook  *webhookSink
	// models is the live text model and its trainer (no built-in
	// training data unless a test sets Base).
	models *textmodel.Service
	// mediaDir holds the media files posts name by path.
	mediaDir string
	// signer is the public key evidence bundles are signed with.
	signer ed25519.PublicKey
}

// webhookSink records webhook deliveries.
type webhookSink struct {
	srv  *httptest.Server
	got  chan http.Header
	body chan []byte
}

// newEnv starts the UI on a loopback port over a fresh SQLite store seeded
// through the store API: users of every role, a bank, and cases.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, storetest.SQLite(t), false)
}

// newEnvOn seeds st and serves the UI over it; secure sets the Secure
// attribute on cookies, as in production.
func newEnvOn(t testing.TB, st *store.Store, secure bool) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	media := filepath.Join(dir, "media")
	if err := os.MkdirAll(media, 0o750); err != nil {
		t.Fatal(err)
	}
	flagSHA := writePNG(t, filepath.Join(media, "flag.png"))
	key, err := evidence.LoadOrCreateKey(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	keeper := evidence.NewKeeper(st, evidence.Media{Dir: media}, key)
	a, err := auth.New(st, auth.Config{InsecureCookies: !secure, Params: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// The test's webhook receiver is on loopback: the unit lists it, as a
	// unit lists its own receiver inside its network.
	loopback, err := netguard.Parse("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	guard := netguard.New(loopback)
	acts := action.New(st, keeper, action.Config{BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxAttempts: 3, Guard: guard})
	models, err := textmodel.NewService(ctx, st, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Store: st, Auth: a, Actions: acts, Evidence: keeper, Media: evidence.Media{Dir: media}, Issuer: "Test Unit", Models: models, Sources: &source.Service{Store: st}, Guard: guard})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, cases: map[string]int64{}, models: models, mediaDir: media, signer: key.Public().(ed25519.PublicKey)}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	// "localhost" rather than 127.0.0.1: browsers treat it as a secure
	// context, as they will treat the real deployment behind TLS.
	e.url = "http://localhost:" + portOf(e.srv.URL)
	for _, u := range []struct{ name, role, lang string }{{"amina", "admin", "en"}, {"rev1", "reviewer", "en"}, {"rev2", "reviewer", "ar"}, {"ana", "analyst", "en"}} {
		if _, err := a.CreateUser(ctx, u.name, u.role, password, u.lang, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateBank(ctx, &model.Bank{Name: "partner-a", Owner: "Partner A", Enabled: true}, "test"); err != nil {
		t.Fatal(err)
	}
	e.hook = &webhookSink{got: make(chan http.Header, 16), body: make(chan []byte, 16)}
	e.hook.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		e.hook.got <- r.Header.Clone()
		e.hook.body <- b.Bytes()
	}))
	t.Cleanup(e.hook.srv.Close)
	if err := st.SetSetting(ctx, action.SettingWebhookURL, e.hook.srv.URL, "test", false); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, action.SettingWebhookSecret, "0123456789abcdef-secret", "test", true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	seed := []struct {
		name string
		post model.Post
		c    model.Case
	}{
		{"incite", model.Post{Platform: "telegram", SourceID: "t-100", Author: "channel_x", Lang: "ar", URL: "https://t.me/channel_x/100",
			Text:  "انفروا إلى الجهاد واقتلوا الكفار في كل مكان",
			Links: []string{"https://example.org/join"}, Media: []model.Media{{Path: "flag.png", Type: "image", SHA256: flagSHA}}, PostedAt: now.Add(-2 * time.Hour)},
			model.Case{Priority: 90, Labels: []model.Label{model.Incitement}, Reasons: []model.Reason{
				{Kind: "score", Label: model.Incitement, Score: 0.93, Detail: "text model: incitement 0.93", Evidence: []string{"انفروا", "اقتلوا الكفار"}},
				{Kind: "match", Label: model.Propaganda, Bank: "partner-a", EntryID: 1, Distance: 4, Detail: "pdq matched partner-a"}}}},
		{"news", model.Post{Platform: "rss", SourceID: "n-7", Author: "newsdesk", Lang: "en", URL: "https://news.example/attack-report",
			Text: "Reporters describe how the group's propaganda videos call to attack; police say the channel was removed.", PostedAt: now.Add(-5 * time.Hour)},
			model.Case{Priority: 40, Labels: []model.Label{model.Propaganda}, Reasons: []model.Reason{{Kind: "score", Label: model.Propaganda, Score: 0.61, Detail: "text model: propaganda 0.61", Evidence: []string{"propaganda videos", "attack"}}}}},
		{"inject", model.Post{Platform: "x", SourceID: "x-1", Author: "acct<b>bold</b>", Lang: "en", URL: "https://x.example/1", Text: injection, PostedAt: now.Add(-time.Hour)},
			model.Case{Priority: 60, Labels: []model.Label{model.Recruitment}, Reasons: []model.Reason{{Kind: "rule", Label: model.Recruitment, Detail: `rule <i>x</i>`, Evidence: []string{"script"}}}}},
		{"fr", model.Post{Platform: "telegram", SourceID: "t-200", Author: "channel_x", Lang: "fr", Text: "Rejoignez-nous, envoyez vos dons", PostedAt: now.Add(-3 * time.Hour)},
			model.Case{Priority: 55, Labels: []model.Label{model.Financing}, Reasons: []model.Reason{{Kind: "rule", Label: model.Financing, Detail: "wallet address", Evidence: []string{"dons"}}}}},
	}
	for _, s := range seed {
		p := s.post
		c := s.c
		sigs := []model.Signal{{Type: model.SignalURL, Value: p.URL}}
		for _, m := range p.Media {
			sigs = append(sigs, model.Signal{Type: model.SignalSHA256, Value: m.SHA256})
		}
		an := store.Analysis{Signals: sigs, Case: &c, Scores: []model.Score{{Label: c.Labels[0], Score: 0.8, Threshold: 0.5, Model: "test-1", Evidence: c.Reasons[0].Evidence}}}
		if _, _, err := st.SavePost(ctx, &p, an); err != nil {
			t.Fatal(err)
		}
		e.cases[s.name] = c.ID
	}
	return e
}

func portOf(u string) string {
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == ':' {
			return u[i+1:]
		}
	}
	return ""
}

// writePNG writes a small image and returns its SHA-256.
func writePNG(t testing.TB, path string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:])
}

func (e *env) caseURL(name string) string { return fmt.Sprintf("%s/cases/%d", e.url, e.cases[name]) }

// client is a browser-like HTTP client that keeps cookies and does not
// follow redirects, so tests see every 303.
type client struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

func (e *env) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.url, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) { c.t.Helper(); return c.do("GET", path, nil) }

// post sends a form with the last seen CSRF token unless form sets one.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	return c.do("POST", path, form)
}

func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, k := range c.c.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// login signs in as name and fails the test if that does not work.
func (c *client) login(name string) {
	c.t.Helper()
	c.get("/login")
	code, body := c.post("/login", url.Values{"name": {name}, "password": {password}, "next": {"/queue"}})
	if code != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303\n%s", name, code, body)
	}
	if code, _ := c.get("/queue"); code != http.StatusOK {
		c.t.Fatalf("queue after login as %s: status %d", name, code)
	}
}
