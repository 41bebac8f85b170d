package source

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFromForm(t *testing.T) {
	for _, tt := range []struct {
		name   string
		form   Form
		config string // the JSON configuration built, or
		field  string // the field named by the error, and
		code   string // its code
		every  time.Duration
	}{
		{name: "feed", form: Form{Kind: "feed", Name: "news-ar", Interval: "10m", Values: map[string]string{"url": " https://bulletin.example.org/ar/rss.xml "}},
			config: `{"url":"https://bulletin.example.org/ar/rss.xml"}`, every: 10 * time.Minute},
		{name: "feed without media", form: Form{Kind: "feed", Name: "n", Values: map[string]string{"url": "http://x.example/f", "no_media": "1"}},
			config: `{"no_media":true,"url":"http://x.example/f"}`, every: DefaultInterval},
		{name: "feed url missing", form: Form{Kind: "feed", Name: "n", Values: map[string]string{}}, field: "url", code: "source_required"},
		{name: "feed url ftp", form: Form{Kind: "feed", Name: "n", Values: map[string]string{"url": "ftp://x.example/f"}}, field: "url", code: "source_url"},
		{name: "feed url relative", form: Form{Kind: "feed", Name: "n", Values: map[string]string{"url": "/feed.xml"}}, field: "url", code: "source_url"},
		{name: "telegram", form: Form{Kind: "telegram", Name: "tg", Interval: "1h30m", Values: map[string]string{"channel": "news_channel", "depth": "20"}},
			config: `{"channel":"news_channel","depth":20}`, every: 90 * time.Minute},
		{name: "telegram link", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "https://t.me/s/news_channel?before=10"}},
			config: `{"channel":"news_channel"}`, every: DefaultInterval},
		{name: "telegram at-name, Arabic digits", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "@news_channel", "depth": "٥٠"}},
			config: `{"channel":"news_channel","depth":50}`, every: DefaultInterval},
		{name: "telegram mirror", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "news_channel", "base_url": "http://mirror.unit.lan"}},
			config: `{"base_url":"http://mirror.unit.lan","channel":"news_channel"}`, every: DefaultInterval},
		{name: "telegram bad channel", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "ab"}}, field: "channel", code: "source_channel"},
		{name: "telegram depth word", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "news_channel", "depth": "many"}}, field: "depth", code: "source_range"},
		{name: "telegram depth negative", form: Form{Kind: "telegram", Name: "tg", Values: map[string]string{"channel": "news_channel", "depth": "-1"}}, field: "depth", code: "source_range"},
		{name: "x-search", form: Form{Kind: "x-search", Name: "xs", Interval: "5 min", Values: map[string]string{"query": "from:someone -is:retweet", "max_results": "50", "max_pages": "2"}},
			config: `{"max_pages":2,"max_results":50,"query":"from:someone -is:retweet"}`, every: 5 * time.Minute},
		{name: "x-search no query", form: Form{Kind: "x-search", Name: "xs", Values: map[string]string{"query": "  "}}, field: "query", code: "source_required"},
		{name: "x-search max_results", form: Form{Kind: "x-search", Name: "xs", Values: map[string]string{"query": "q", "max_results": "500"}}, field: "max_results", code: "source_range"},
		{name: "x-search bearer env", form: Form{Kind: "x-search", Name: "xs", Values: map[string]string{"query": "q", "bearer_env": "MY TOKEN"}}, field: "bearer_env", code: "source_env"},
		{name: "kind", form: Form{Kind: "carrier-pigeon", Name: "n"}, field: "kind", code: "source_kind"},
		{name: "name", form: Form{Kind: "feed", Name: "a b", Values: map[string]string{"url": "http://x.example/f"}}, field: "name", code: "source_name"},
		{name: "interval", form: Form{Kind: "feed", Name: "n", Interval: "soon", Values: map[string]string{"url": "http://x.example/f"}}, field: "interval", code: "source_interval"},
		{name: "interval short", form: Form{Kind: "feed", Name: "n", Interval: "1s", Values: map[string]string{"url": "http://x.example/f"}}, field: "interval", code: "source_interval_short"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, err := FromForm(tt.form)
			if tt.code != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field || fe.Code != tt.code || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err %v, want field %s code %s", err, tt.field, tt.code)
				}
				if !strings.HasPrefix(err.Error(), tt.field+": ") {
					t.Errorf("message %q does not start with the field", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(src.Config) != tt.config || src.Interval != tt.every || src.Kind != tt.form.Kind {
				t.Fatalf("source %s %s every %s, want %s every %s", src.Kind, src.Config, src.Interval, tt.config, tt.every)
			}
			// What the form builds, the kind's own check accepts, and
			// FormValues gives back what was typed.
			if err := DefaultKinds()[src.Kind].Check(src.Config); err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			json.Unmarshal(src.Config, &m)
			if got := FormValues(*src); len(got) != len(m) {
				t.Errorf("FormValues = %v, config %v", got, m)
			}
		})
	}
}

// TestFormFieldsCoverConfigs: every field of each kind's configuration
// has a form field, so nothing a collector reads is out of the form's
// reach.
func TestFormFieldsCoverConfigs(t *testing.T) {
	for kind, cfg := range map[string]any{"feed": FeedConfig{}, "telegram": TelegramConfig{}, "x-search": XSearchConfig{}} {
		have := map[string]bool{}
		for _, f := range Fields(kind) {
			have[f.Name] = true
		}
		ty := reflect.TypeOf(cfg)
		for i := range ty.NumField() {
			name, _, _ := strings.Cut(ty.Field(i).Tag.Get("json"), ",")
			if !have[name] {
				t.Errorf("%s: config field %q has no form field", kind, name)
			}
			delete(have, name)
		}
		if len(have) != 0 {
			t.Errorf("%s: form fields the config lacks: %v", kind, have)
		}
	}
}

func TestParseInterval(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		code string
	}{
		{"", DefaultInterval, ""},
		{"15m", 15 * time.Minute, ""},
		{"15m0s", 15 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"90s", 90 * time.Second, ""},
		{"1.5h", 90 * time.Minute, ""},
		{"1 h 30 min", 90 * time.Minute, ""},
		{"1 hour and 30 minutes", 90 * time.Minute, ""},
		{"2 heures", 2 * time.Hour, ""},
		{"1 h et 15 min", 75 * time.Minute, ""},
		{"15 دقيقة", 15 * time.Minute, ""},
		{"١٥ د", 15 * time.Minute, ""},
		{"1 س 30 د", 90 * time.Minute, ""},
		{"ساعة", 0, "source_interval"},
		{"2 ساعات و30 دقيقة", 150 * time.Minute, ""},
		{"30 ثانية", 30 * time.Second, ""},
		{"45 ثوان", 45 * time.Second, ""},
		{"15", 0, "source_interval"},
		{"m", 0, "source_interval"},
		{"100ms", 0, "source_interval"},
		{"15 minx", 0, "source_interval"},
		{"-5m", 0, "source_interval"},
		{"5s", 0, "source_interval_short"},
		{"99999h", 0, "source_interval"},
	} {
		got, err := ParseInterval(tt.in)
		var fe *FieldError
		switch {
		case tt.code != "":
			if !errors.As(err, &fe) || fe.Code != tt.code || fe.Field != "interval" {
				t.Errorf("ParseInterval(%q) = %s, %v; want %s", tt.in, got, err, tt.code)
			}
		case err != nil || got != tt.want:
			t.Errorf("ParseInterval(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatInterval(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute:                  "15m",
		90 * time.Minute:                  "1h30m",
		time.Hour:                         "1h",
		45 * time.Second:                  "45s",
		time.Hour + 5*time.Second:         "1h5s",
		26*time.Hour + time.Minute:        "26h1m",
		10*time.Second + time.Millisecond: "10s",
	} {
		if got := FormatInterval(d); got != want {
			t.Errorf("FormatInterval(%s) = %q, want %q", d, got, want)
		}
		if back, err := ParseInterval(want); err != nil || back != d.Round(time.Second) {
			t.Errorf("ParseInterval(%q) = %s, %v", want, back, err)
		}
	}
}

func TestReasonOf(t *testing.T) {
	for _, tt := range []struct {
		err  string
		want Reason
	}{
		{"", Reason{}},
		{`source "n": get https://x.example/feed.xml: dial tcp: lookup x.example on 127.0.0.53:53: no such host`, Reason{Code: "dns"}},
		{`source "n": get http://127.0.0.1:9/f: dial tcp 127.0.0.1:9: blocked: 127.0.0.1 is not a public address and is not in the allow-list`, Reason{Code: "inside"}},
		{`source "n": get http://10.0.0.1/f: dial tcp 10.0.0.1:80: connect: connection refused`, Reason{Code: "refused"}},
		{`source "n": get https://x.example/f: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, Reason{Code: "timeout"}},
		{`source "n": get https://x.example/f: tls: failed to verify certificate: x509: certificate signed by unknown authority`, Reason{Code: "tls"}},
		{`source "n": feed https://x.example/f: status 404`, Reason{Code: "status", Status: 404}},
		{`source "n": channel c: https://t.me/s/c: status 502`, Reason{Code: "status", Status: 502}},
		{`source "n": x-search https://api.x.com/2/tweets/search/recent: status 401: Unauthorized (check the bearer token and its access level)`, Reason{Code: "unauthorized"}},
		{`source "n": MARSAD_X_BEARER is not set: the X API needs a bearer token`, Reason{Code: "token"}},
		{`source "n": x-search https://api.x.com/...: rate limited (HTTP 429) until 2026-01-01T00:00:00Z`, Reason{Code: "rate_limited"}},
		{`source "n": robots.txt of x.example disallows /feed`, Reason{Code: "robots"}},
		{`source "n": feed https://x.example/f: XML syntax error on line 3: unexpected EOF`, Reason{Code: "parse"}},
		{`source "n": channel c: preview page: no channel history found (not a public channel, or the page layout changed)`, Reason{Code: "no_history"}},
		{`media: get https://x.example/a.jpg: body of 99999999 bytes is over the limit of 26214400`, Reason{Code: "too_large"}},
		{`something else entirely`, Reason{Code: "other"}},
	} {
		if got := ReasonOf(tt.err); got != tt.want {
			t.Errorf("ReasonOf(%q) = %+v, want %+v", tt.err, got, tt.want)
		}
	}
}
