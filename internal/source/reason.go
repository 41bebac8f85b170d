package source

import (
	"regexp"
	"strconv"
	"strings"
)

// Reason is why a poll failed, or what went wrong in one that did not,
// as a short code a page translates: the full text of the error, with
// addresses, resolvers and Go's wording, is for the server log only.
type Reason struct {
	// Code is one of dns, refused, timeout, tls, inside, host, robots,
	// status, rate_limited, unauthorized, too_large, not_media, parse,
	// no_history, token, config, media, other.
	Code string
	// Status is the HTTP status of a "status" reason.
	Status int
}

var statusRE = regexp.MustCompile(`status (\d{3})`)

// ReasonOf reads the reason out of a source's last error as stored. The
// stored text is marsad's own wording around the errors of Go's network
// and parsing packages, which say the same things in the same words.
func ReasonOf(lastError string) Reason {
	e := strings.ToLower(lastError)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(e, s) {
				return true
			}
		}
		return false
	}
	switch {
	case e == "":
		return Reason{}
	case has("is not a public address"):
		return Reason{Code: "inside"}
	case has("not in the allow-list"):
		return Reason{Code: "host"}
	case has("robots.txt"):
		return Reason{Code: "robots"}
	case has("no such host", "lookup ", "server misbehaving"):
		return Reason{Code: "dns"}
	case has("connection refused", "connection reset", "network is unreachable", "no route to host"):
		return Reason{Code: "refused"}
	case has("timeout", "deadline exceeded", "timed out"):
		return Reason{Code: "timeout"}
	case has("x509", "tls:", "certificate"):
		return Reason{Code: "tls"}
	case has("rate limited", "status 429"):
		return Reason{Code: "rate_limited"}
	case has("bearer token"):
		if has("is not set") {
			return Reason{Code: "token"}
		}
		return Reason{Code: "unauthorized"}
	case has("over the limit"):
		return Reason{Code: "too_large"}
	case has("not an image or a video"):
		return Reason{Code: "not_media"}
	case has("no channel history"):
		return Reason{Code: "no_history"}
	case has(" config"):
		return Reason{Code: "config"}
	}
	if m := statusRE.FindStringSubmatch(e); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Reason{Code: "status", Status: n}
	}
	switch {
	case has("xml", "syntax error", "invalid character", "unexpected eof", "failed to detect feed", "invalid utf-8", "preview page", "json"):
		return Reason{Code: "parse"}
	case has("media"):
		return Reason{Code: "media"}
	}
	return Reason{Code: "other"}
}
