package cli

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOnServedDemo runs the real serve command over the demo data
// and drives it in headless Chromium: log in, open the queue and a case
// whose image comes from the blob store, switch to Arabic, and see the
// demo's coordinated network on the Networks page.
func TestBrowserOnServedDemo(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not found: install Debian's chromium to run the browser tests", chromium)
	}
	data := t.TempDir()
	if code, _, errs := run(t, "", "demo", "--no-serve", "--data", data); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "correct horse battery\n", "user", "add", "--data", data, "--role", "reviewer", "rev1"); code != 0 {
		t.Fatal(errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw, _ := os.Pipe()
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &bytes.Buffer{})
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	port := regexp.MustCompile(`http://127\.0\.0\.1:(\d+)`).FindStringSubmatch(line)
	if port == nil {
		t.Fatalf("serve said %q", line)
	}
	base := "http://127.0.0.1:" + port[1]

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	defer cancelT()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	err = chromedp.Do(bctx,
		chromedp.Navigate(base+"/queue"),
		chromedp.WaitVisible(css("#login-form")),
		chromedp.SendKeys(css("#name"), "rev1"),
		chromedp.SendKeys(css("#password"), "correct horse battery"),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("#queue")),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#queue li").length`))
	if err != nil || n < 5 {
		t.Fatalf("queue shows %d demo cases (%v)", n, err)
	}
	// Open the first case with a locally held image and wait for it to load.
	err = chromedp.Do(bctx,
		chromedp.Navigate(base+"/queue?state=all"),
		chromedp.WaitVisible(css("#queue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	ids, _ := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#queue li")].map(li => li.dataset.case)`))
	for _, id := range ids {
		if err := chromedp.Do(bctx, chromedp.Navigate(base+"/cases/"+id), chromedp.WaitVisible(css("#post-text"))); err != nil {
			t.Fatal(err)
		}
		ok, _ := chromedp.Run(bctx, chromedp.Poll[bool](`(() => { const i = document.querySelector(".reveal img"); return i !== null && i.complete && i.naturalWidth > 0 })()`,
			chromedp.WithPollingTimeout(3*time.Second)))
		if ok {
			found = true
			break
		}
	}
	if !found {
		t.Fatal("no demo case showed its image from the blob store")
	}
	if err := chromedp.Do(bctx, chromedp.Click(css("#lang-ar")), chromedp.WaitVisible(css(`html[dir="rtl"] #post-text`))); err != nil {
		t.Fatalf("switch to Arabic: %v", err)
	}
	// The demo's coordinated burst is on the Networks page, drawn, with
	// its accounts and a link to its case.
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/networks"), chromedp.WaitVisible(css("#networks"))); err != nil {
		t.Fatalf("networks page: %v", err)
	}
	nets, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#networks li.netrow")].filter(li => li.querySelector("svg") && li.querySelector("a.net-case")).map(li => li.querySelector(".accounts").textContent)`))
	if err != nil || len(nets) == 0 {
		t.Fatalf("the Networks page shows no demo network (%v)", err)
	}
	if !strings.Contains(nets[0], "telegram:@raya_sawda") || !strings.Contains(nets[0], "x:@nasir_alraya") {
		t.Errorf("the first network lists %q", nets[0])
	}
	cancel()
	<-done
}
