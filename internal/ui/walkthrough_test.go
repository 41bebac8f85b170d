package ui

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/marsad/marsad/internal/model"
)

// TestWalkthroughScreenshots saves the screenshots of docs/walkthrough-ar.md:
// the queue, a case, search, a bank, orders and the dashboard as an
// Arabic reviewer sees them over a working day's data, on a laptop
// (1366×768) and a phone (390×844). It runs only when
// MARSAD_WALKTHROUGH names the folder to write to, so that ordinary test
// runs leave the committed pictures alone:
//
//	MARSAD_WALKTHROUGH=$PWD/docs/screenshots go test ./internal/ui -run TestWalkthroughScreenshots
//
// Each page must run right to left and fit the window's width.
func TestWalkthroughScreenshots(t *testing.T) {
	dir := os.Getenv("MARSAD_WALKTHROUGH")
	if dir == "" {
		t.Skip("set MARSAD_WALKTHROUGH to the folder for the walk-through screenshots (docs/screenshots)")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := browser(t)
	defer cancel()
	e := newEnv(t)
	e.seedRich(t)
	e.seedBank(t)

	pages := []struct{ name, path, ready string }{
		{"queue", "/queue?state=all", "#queue"},
		{"case", strings.TrimPrefix(e.caseURL("routed"), e.url), "#post-text"},
		{"search", "/search?q=" + url.QueryEscape("الجهاد"), "#hits"},
		{"banks", "/banks/partner-a", "#bank-about"},
		{"orders", "/orders?show=all", "#orders"},
		{"dashboard", "/dashboard", "#tile-open"},
	}
	step(t, ctx, "log in", loginAs(e.url, "rev2"))
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{
		{"laptop", 1366, 768, nil},
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}},
	} {
		step(t, ctx, "resize to "+size.name, chromedp.EmulateViewport(size.w, size.h, size.opts...))
		for _, p := range pages {
			name := p.name + "-ar-" + size.name
			step(t, ctx, name, chromedp.Navigate(e.url+p.path), chromedp.WaitVisible(css(p.ready)))
			if d := eval[string](t, ctx, `document.documentElement.dir`); d != "rtl" {
				t.Errorf("%s: page direction %q, want rtl", name, d)
			}
			if sw, cw := eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `document.documentElement.clientWidth`); sw > cw {
				t.Errorf("%s: the page is %.0f px wide in a %.0f px window: it scrolls sideways", name, sw, cw)
			}
			buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("%s: screenshot: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+".png"), smallPNG(t, buf), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// smallPNG re-encodes a screenshot with the best compression: Chromium
// favours speed, and the pictures are committed.
func smallPNG(t *testing.T, b []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	if out.Len() > len(b) {
		return b
	}
	return out.Bytes()
}

// seedBank fills partner-a with entries of each kind, so the bank page
// shows what a shared hash list looks like.
func (e *env) seedBank(t *testing.T) {
	t.Helper()
	entries := []model.BankEntry{
		{Type: model.SignalPDQ, Value: strings.Repeat("f0", 32), Label: model.Propaganda, Source: "Partner A export 2026-03"},
		{Type: model.SignalPDQ, Value: strings.Repeat("0f", 32), Label: model.Propaganda, Source: "Partner A export 2026-03"},
		{Type: model.SignalPDQ, Value: strings.Repeat("3c", 32), Label: model.Incitement, Source: "Partner A export 2026-03"},
		{Type: model.SignalSHA256, Value: strings.Repeat("ab", 32), Label: model.Recruitment, Source: "case review"},
		{Type: model.SignalURL, Value: "https://t.me/channel_x/100", Label: model.Incitement, Source: "case review"},
	}
	if _, err := e.st.AddEntries(context.Background(), "partner-a", entries, "amina"); err != nil {
		t.Fatal(err)
	}
}
