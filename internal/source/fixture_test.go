package source

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/marsad/marsad/internal/blob"
	"github.com/marsad/marsad/internal/model"
	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/internal/store"
)

// fixture is a local server of feeds and preview pages from testdata.
type fixture struct {
	*httptest.Server
	// hold, when set, blocks requests whose URL contains it until the
	// request ends, as a server that stops answering mid-collection.
	hold  atomic.Value // string
	after atomic.Bool  // serve messages 11 and 12
	hits  atomic.Int64
}

func testPNG(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x*4 + seed), uint8(y * 4), uint8((x ^ y) * seed), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{}
	f.hold.Store("")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("PHOTO/"), []byte(f.URL+"/img/")), []byte("MEDIA/"), []byte(f.URL+"/"))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("GET /img/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Write(testPNG(len(r.PathValue("name"))))
	})
	mux.HandleFunc("GET /s/{channel}", func(w http.ResponseWriter, r *http.Request) {
		name := "latest.html"
		switch {
		case r.PathValue("channel") == "sahel_media_test":
			name = "media.html"
		case r.URL.Query().Get("before") != "":
			name = "before" + r.URL.Query().Get("before") + ".html"
		case r.URL.Query().Get("after") == "10" && f.after.Load():
			name = "after10.html"
		case r.URL.Query().Get("after") != "":
			name = "after12.html"
		}
		if _, err := os.Stat(filepath.Join("testdata/telegram", name)); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(read("telegram/" + name))
	})
	mux.HandleFunc("GET /bad/s/{channel}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body><div class=\"tgme_page\">Please open Telegram to view this post</div></body></html>")
	})
	mux.HandleFunc("GET /feed/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Write(read("feed/" + r.PathValue("name")))
	})
	mux.HandleFunc("GET /private/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Write(read("feed/rss.xml"))
	})
	mux.HandleFunc("GET /endless.mp4", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		buf := make([]byte, 64<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /declared-huge.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10737418240")
		w.Write([]byte("<rss>"))
	})
	mux.HandleFunc("GET /redirect/{to}", func(w http.ResponseWriter, r *http.Request) {
		to := map[string]string{"loopback": "http://127.0.0.1:9/feed.xml", "private": "http://10.0.0.1/feed.xml"}[r.PathValue("to")]
		http.Redirect(w, r, to, http.StatusFound)
	})
	mux.HandleFunc("GET /slow.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if h := f.hold.Load().(string); h != "" && strings.Contains(r.URL.String(), h) {
			<-r.Context().Done()
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fixture) fetcher() *Fetcher {
	return NewFetcher(FetchOptions{AllowAddrs: []string{f.Listener.Addr().String()}, PerHost: rate.Inf, Timeout: 2 * time.Second, MaxMedia: 1 << 20})
}

// testService is a Service over s, fetching from f.
func testService(s *store.Store, f *fixture, dir string) *Service {
	p := &pipeline.Pipeline{Store: s, Blobs: blob.New(filepath.Join(dir, "media"), 1<<20), MaxMediaBytes: 1 << 20}
	return &Service{Store: s, Pipeline: p, Log: slog.New(slog.DiscardHandler), Env: Env{Fetcher: f.fetcher()}, MinBackoff: 50 * time.Millisecond, Reload: 50 * time.Millisecond}
}

func addSource(t testing.TB, svc *Service, kind, name, config string) *model.Source {
	t.Helper()
	src := &model.Source{Kind: kind, Name: name, Config: []byte(config), Interval: time.Minute}
	if err := svc.Add(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return src
}

// pollAll polls a source until it has nothing more at once.
func pollAll(t testing.TB, svc *Service, id int64) (created int) {
	t.Helper()
	for range 50 {
		res, err := svc.PollOnce(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		created += res.Created
		if !res.More {
			return created
		}
	}
	t.Fatal("source never finished")
	return 0
}
