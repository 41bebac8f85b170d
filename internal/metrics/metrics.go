// Package metrics holds marsad's Prometheus collectors. A nil *Metrics is
// valid and records nothing, so packages need not check.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of collectors on one registry.
type Metrics struct {
	reg      *prometheus.Registry
	ingested *prometheus.CounterVec
	matches  *prometheus.CounterVec
	cases    prometheus.Counter
	requests *prometheus.HistogramVec
	jpegFall *prometheus.CounterVec

	sourcePosts  *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
	sourceOK     *prometheus.GaugeVec
	sourceUp     *prometheus.GaugeVec
}

// New registers marsad's collectors, with the Go and process collectors,
// on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marsad_posts_ingested_total", Help: "Posts received, by result: created, duplicate or refused.",
		}, []string{"result"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marsad_matches_total", Help: "Bank matches found at ingest, by signal type.",
		}, []string{"type"}),
		cases: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "marsad_cases_opened_total", Help: "Cases opened by the pipeline.",
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "marsad_http_request_duration_seconds", Help: "HTTP requests by route pattern and status code.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5},
		}, []string{"route", "code"}),
		jpegFall: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marsad_pdq_jpeg_fallbacks_total",
			Help: "JPEGs the fast PDQ decoder did not decode and the exact decoder decoded instead, by reason: unsupported (a feature it does not implement) or error (it failed on the file).",
		}, []string{"reason"}),
		sourcePosts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marsad_source_posts_total", Help: "New posts stored from each configured source.",
		}, []string{"source"}),
		sourceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "marsad_source_errors_total", Help: "Failed polls of each configured source.",
		}, []string{"source"}),
		sourceOK: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marsad_source_last_success_timestamp_seconds", Help: "When each source last polled without error.",
		}, []string{"source"}),
		sourceUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "marsad_source_up", Help: "1 if the source's last poll succeeded, 0 if it failed.",
		}, []string{"source"}),
	}
	m.reg.MustRegister(m.ingested, m.matches, m.cases, m.requests, m.jpegFall, m.sourcePosts, m.sourceErrors, m.sourceOK, m.sourceUp,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// StoreHealth is the store's condition as WatchStore reads it.
type StoreHealth struct {
	DiskFull bool // writes are failing for a full disk
	// DiskFullFaults and Unavailable count writes failed by a full disk
	// and by the database's other passing faults.
	DiskFullFaults, Unavailable int64
}

// WatchStore exports the store's condition, read at each scrape:
// marsad_store_disk_full (1 while writes fail for a full disk) and
// marsad_store_write_faults_total by kind (disk_full, unavailable).
func (m *Metrics) WatchStore(read func() StoreHealth) {
	if m != nil {
		m.reg.MustRegister(storeCollector{read})
	}
}

var (
	diskFullDesc = prometheus.NewDesc("marsad_store_disk_full", "1 while the store's writes fail because its disk is full.", nil, nil)
	faultsDesc   = prometheus.NewDesc("marsad_store_write_faults_total", "Store writes failed by the database's passing faults, by kind: disk_full or unavailable (busy, unreachable, restarting).", []string{"kind"}, nil)
)

type storeCollector struct{ read func() StoreHealth }

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- diskFullDesc
	ch <- faultsDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.read()
	full := 0.0
	if h.DiskFull {
		full = 1
	}
	ch <- prometheus.MustNewConstMetric(diskFullDesc, prometheus.GaugeValue, full)
	ch <- prometheus.MustNewConstMetric(faultsDesc, prometheus.CounterValue, float64(h.DiskFullFaults), "disk_full")
	ch <- prometheus.MustNewConstMetric(faultsDesc, prometheus.CounterValue, float64(h.Unavailable), "unavailable")
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where further collectors may be registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Ingested counts one post by result.
func (m *Metrics) Ingested(result string) {
	if m != nil {
		m.ingested.WithLabelValues(result).Inc()
	}
}

// Matched counts bank matches of one signal type.
func (m *Metrics) Matched(signalType string, n int) {
	if m != nil && n > 0 {
		m.matches.WithLabelValues(signalType).Add(float64(n))
	}
}

// CaseOpened counts one case.
func (m *Metrics) CaseOpened() {
	if m != nil {
		m.cases.Inc()
	}
}

// JPEGFallback counts one JPEG decoded by the exact PDQ decoder after the
// fast one did not decode it, for reason "unsupported" or "error".
func (m *Metrics) JPEGFallback(reason string) {
	if m != nil {
		m.jpegFall.WithLabelValues(reason).Inc()
	}
}

// Request observes one HTTP request.
func (m *Metrics) Request(route string, code int, d time.Duration) {
	if m != nil {
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Observe(d.Seconds())
	}
}

// SourcePolled records one poll of a source: new posts stored, or a failure.
func (m *Metrics) SourcePolled(source string, created int, ok bool, at time.Time) {
	if m == nil {
		return
	}
	if !ok {
		m.sourceErrors.WithLabelValues(source).Inc()
		m.sourceUp.WithLabelValues(source).Set(0)
		return
	}
	m.sourcePosts.WithLabelValues(source).Add(float64(created))
	m.sourceOK.WithLabelValues(source).Set(float64(at.Unix()))
	m.sourceUp.WithLabelValues(source).Set(1)
}

// SourceRemoved forgets a removed source's series.
func (m *Metrics) SourceRemoved(source string) {
	if m == nil {
		return
	}
	for _, v := range []interface{ DeleteLabelValues(...string) bool }{m.sourcePosts, m.sourceErrors, m.sourceOK, m.sourceUp} {
		v.DeleteLabelValues(source)
	}
}
