package demo

import (
	"bytes"
	"embed"
	"image"
	"image/color"
	"image/png"
	"net/http"
)

//go:embed sources
var sourceFiles embed.FS

// DemoChannel is the channel the demo's preview fixture shows.
const DemoChannel = "marsad_demo_channel"

// SourceServer serves the demo's sources: a feed at /feed.xml, the public
// preview of DemoChannel at /s/marsad_demo_channel (with ?before= paging)
// and their images, so marsad demo shows collection with no internet.
func SourceServer() http.Handler {
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request, name, typ string) {
		b, err := sourceFiles.ReadFile("sources/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", typ)
		w.Write(bytes.ReplaceAll(b, []byte("BASE/"), []byte("http://"+r.Host+"/")))
	}
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nAllow: /\n"))
	})
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, "feed.xml", "application/rss+xml")
	})
	mux.HandleFunc("GET /s/"+DemoChannel, func(w http.ResponseWriter, r *http.Request) {
		name := "tme-latest.html"
		switch q := r.URL.Query(); {
		case q.Get("before") == "104":
			name = "tme-before104.html"
		case q.Get("before") != "", q.Get("after") != "":
			name = "tme-empty.html"
		}
		serve(w, r, name, "text/html; charset=utf-8")
	})
	mux.HandleFunc("GET /img/{name}", func(w http.ResponseWriter, r *http.Request) {
		seed := len(r.PathValue("name"))
		img := image.NewRGBA(image.Rect(0, 0, 96, 64))
		for y := range 64 {
			for x := range 96 {
				img.Set(x, y, color.RGBA{uint8(x * seed), uint8(y * 3), uint8(128 + seed*(x^y)%100), 255})
			}
		}
		w.Header().Set("Content-Type", "image/png")
		png.Encode(w, img)
	})
	return mux
}
