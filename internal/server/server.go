// Package server assembles marsad's HTTP surface: the JSON API, the web UI,
// health checks and metrics, behind logging and security headers.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/marsad/marsad/internal/api"
	"github.com/marsad/marsad/internal/metrics"
	"github.com/marsad/marsad/internal/store"
)

// Server holds what the handler needs.
type Server struct {
	Store   *store.Store
	API     *api.API
	Metrics *metrics.Metrics
	Log     *slog.Logger
	// UI serves the web interface at /; nil serves a short index instead.
	UI http.Handler
	// Video says whether videos are hashed (vPDQ): "ok", or why not (no
	// ffmpeg). Empty leaves it out of /healthz.
	Video string
	// OCR says whether text on images is read: "ok", or why not (no
	// Tesseract). Empty leaves it out of /healthz.
	OCR string
}

// Handler returns the whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.API.Routes() {
		mux.Handle(r.Pattern, s.observe(r.Pattern, r.Handler))
	}
	mux.Handle("/api/", s.API.Handler())
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	if s.UI != nil {
		mux.Handle("/", s.UI)
	} else {
		mux.HandleFunc("GET /{$}", index)
	}
	return securityHeaders(s.logRequests(mux))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Store.Ping(ctx); err != nil {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","store":"down"}` + "\n"))
		return
	}
	body := map[string]string{"status": "ok", "store": string(s.Store.Dialect())}
	status := http.StatusOK
	if since := s.Store.Health().DiskFullSince; !since.IsZero() {
		// The database answers, but nothing sent can be stored.
		body["status"], body["disk"], body["disk_full_since"] = "unavailable", "full", since.Format(time.RFC3339)
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "60")
	}
	if s.Video != "" {
		body["video"] = s.Video
	}
	if s.OCR != "" {
		body["ocr"] = s.OCR
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("marsad\n\nAPI:      /api/v1/ (OpenAPI document at /api/v1/openapi.json)\nHealth:   /healthz\nMetrics:  /metrics\n"))
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) observe(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.Metrics.Request(route, sw.code, time.Since(start))
	})
}

func (s *Server) logRequests(h http.Handler) http.Handler {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, r)
		log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.code, "duration", time.Since(start))
	})
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// ListenAndServe serves h on addr until ctx ends, then shuts down
// gracefully. ready, if set, is called with the bound address.
func ListenAndServe(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// StoreHealth reads st's condition for metrics.WatchStore.
func StoreHealth(st *store.Store) func() metrics.StoreHealth {
	return func() metrics.StoreHealth {
		h := st.Health()
		return metrics.StoreHealth{DiskFull: !h.DiskFullSince.IsZero(), DiskFullFaults: h.DiskFull, Unavailable: h.Unavailable}
	}
}
