package links

import (
	"fmt"
	"net/url"
	"strings"
)

// telegramParams keeps the query parameters that change what a Telegram
// link opens; everything else on a t.me link is presentation (?single,
// ?embed) or tracking.
func telegramParams(ps []param) []param {
	return keep(ps, "start", "startgroup", "startapp", "comment", "thread")
}

// telegram folds a t.me path (after the host) into its canonical form.
// sub is the user name of the NAME.t.me form, or "".
func telegram(segs []string, ps []param, sub string) (canon, error) {
	if sub != "" {
		segs = append([]string{sub}, segs...)
	}
	c := canon{scheme: "https", host: "t.me", path: "/"}
	if len(segs) == 0 {
		return c, nil
	}
	first := segs[0]
	if rest, ok := strings.CutPrefix(first, "%2B"); ok {
		first = "+" + rest
	}
	switch lower := strings.ToLower(first); {
	case lower == "joinchat" && len(segs) >= 2:
		c.path = "/+" + segs[1]
		return c, nil
	case strings.HasPrefix(first, "+") && len(first) > 1:
		c.path = "/" + first
		return c, nil
	case lower == "s" && len(segs) >= 2 && telegramName(segs[1]):
		segs = segs[1:]
	case lower == "c" && len(segs) >= 2:
		c.path = "/c/" + strings.Join(segs[1:], "/")
		c.params = telegramParams(ps)
		return c, nil
	}
	name := segs[0]
	if !telegramName(name) || telegramReserved(strings.ToLower(name)) {
		// addstickers/, share/url, proxy, iv, ...: kept as written.
		c.path = "/" + strings.Join(segs, "/")
		c.params = dropTracking("t.me", ps)
		return c, nil
	}
	c.path = "/" + strings.ToLower(name)
	if len(segs) >= 2 && allDigits(segs[1]) {
		c.path += "/" + segs[1]
	} else if len(segs) >= 2 {
		c.path += "/" + strings.Join(segs[1:], "/")
	}
	c.params = telegramParams(ps)
	return c, nil
}

// telegramName reports whether s has the shape of a Telegram user name:
// ASCII letters, digits and underscores, starting with a letter. Telegram
// requires five characters for new names, but older and auctioned names are
// shorter, so any length up to 32 is taken.
func telegramName(s string) bool {
	if s == "" || len(s) > 32 || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

// telegramReserved reports whether a first path segment on t.me is a
// Telegram function rather than a user name.
func telegramReserved(s string) bool {
	switch s {
	case "addstickers", "addemoji", "addtheme", "addlist", "share", "proxy",
		"socks", "iv", "setlanguage", "login", "confirmphone", "bg", "boost",
		"contact", "invoice", "joinchat", "c", "s", "m", "k", "a", "z",
		"giftcode", "nft":
		return true
	}
	return false
}

// telegramScheme folds a tg:// link into the https://t.me form where one
// exists, and otherwise into a tg:// URL with sorted parameters.
func telegramScheme(u *url.URL) (canon, error) {
	action := strings.ToLower(u.Host)
	if action == "" {
		action = strings.ToLower(strings.Trim(u.Opaque, "/"))
	}
	ps := parseQuery(u.RawQuery)
	switch action {
	case "resolve":
		domain, _ := value(ps, "domain")
		if !telegramName(domain) {
			return canon{}, fmt.Errorf("URL %q: tg://resolve without a valid domain", short(u.String()))
		}
		segs := []string{domain}
		if post, ok := value(ps, "post"); ok && allDigits(post) {
			segs = append(segs, post)
		}
		return telegram(segs, ps, "")
	case "join":
		invite, _ := value(ps, "invite")
		if invite == "" || strings.ContainsAny(invite, "/?#&") {
			return canon{}, fmt.Errorf("URL %q: tg://join without a valid invite", short(u.String()))
		}
		return canon{scheme: "https", host: "t.me", path: "/+" + normEscapes(invite)}, nil
	case "privatepost":
		ch, _ := value(ps, "channel")
		post, _ := value(ps, "post")
		if !allDigits(ch) || !allDigits(post) {
			return canon{}, fmt.Errorf("URL %q: tg://privatepost needs numeric channel and post", short(u.String()))
		}
		return telegram([]string{"c", ch, post}, ps, "")
	case "addstickers":
		if set, _ := value(ps, "set"); telegramName(set) {
			return canon{scheme: "https", host: "t.me", path: "/addstickers/" + set}, nil
		}
	}
	if !telegramName(action) {
		return canon{}, fmt.Errorf("URL %q: tg:// link without an action", short(u.String()))
	}
	c := canon{params: dropTracking("tg", ps)}
	c.opaque = canon{scheme: "tg", host: action, params: c.params}.String()
	return c, nil
}

// twitter folds tweet and profile URLs on x.com; ok is false for any other
// path, which is then canonicalised generically.
func twitter(segs []string) (canon, bool) {
	for k := 1; k+1 < len(segs); k++ {
		if s := strings.ToLower(segs[k]); (s == "status" || s == "statuses") && allDigits(segs[k+1]) {
			id := strings.TrimLeft(segs[k+1], "0")
			if id == "" {
				id = "0"
			}
			return canon{scheme: "https", host: "x.com", path: "/i/status/" + id}, true
		}
	}
	if len(segs) == 1 && twitterHandle(segs[0]) {
		return canon{scheme: "https", host: "x.com", path: "/" + strings.ToLower(segs[0])}, true
	}
	return canon{}, false
}

// twitterHandle reports whether s is an X user name and not a site path.
func twitterHandle(s string) bool {
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "home", "explore", "search", "notifications", "messages", "settings",
		"i", "intent", "share", "login", "logout", "signup", "tos", "privacy",
		"compose", "hashtag":
		return false
	}
	return true
}

// youtubeID returns the video id of a YouTube video URL, or "".
func youtubeID(host string, segs []string, ps []param) string {
	var id string
	switch {
	case host == "youtu.be" && len(segs) >= 1:
		id = segs[0]
	case len(segs) == 1 && strings.EqualFold(segs[0], "watch"):
		id, _ = value(ps, "v")
	case len(segs) >= 2:
		switch strings.ToLower(segs[0]) {
		case "shorts", "embed", "live", "v", "e":
			id = segs[1]
		}
	}
	if len(id) != 11 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !isASCIILetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return ""
		}
	}
	return id
}
