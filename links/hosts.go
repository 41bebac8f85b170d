package links

import "strings"

// Host tables are switch statements rather than package maps so that nothing
// in the package is mutable state; the compiler turns them into a binary
// search over the constants.

// shortener reports whether host (canonical, without "www.") is a URL
// shortener whose links are recorded as written and never expanded.
func shortener(host string) bool {
	switch host {
	case "bit.ly", "bitly.com", "j.mp", "t.co", "goo.gl", "g.co", "forms.gle",
		"maps.app.goo.gl", "tinyurl.com", "tiny.cc", "tiny.one", "ow.ly",
		"is.gd", "v.gd", "buff.ly", "rb.gy", "cutt.ly", "shorturl.at",
		"rebrand.ly", "t.ly", "s.id", "lnkd.in", "fb.me", "amzn.to", "amzn.eu",
		"dlvr.it", "trib.al", "wp.me", "bl.ink", "bit.do", "shorte.st",
		"adf.ly", "ouo.io", "soo.gd", "clck.ru", "vk.cc", "x.gd", "qr.ae",
		"vm.tiktok.com", "vt.tiktok.com", "pin.it", "on.soundcloud.com",
		"spoti.fi", "aka.ms", "shorturl.ae", "t2m.io", "urlz.fr", "u.to",
		"tr.im", "po.st", "short.gy", "surl.li", "linktr.ee":
		return true
	}
	return false
}

// knownHost reports whether a host written without a scheme is certainly a
// URL host, whatever its top-level domain.
func knownHost(host string) bool {
	if shortener(host) {
		return true
	}
	switch host {
	case "t.me", "telegram.me", "telegram.dog", "x.com", "twitter.com",
		"youtu.be", "youtube.com", "facebook.com", "fb.com", "instagram.com",
		"instagr.am", "tiktok.com", "vk.com", "ok.ru", "rumble.com",
		"odysee.com", "archive.org", "archive.ph", "archive.today",
		"justpaste.it", "chat.whatsapp.com", "wa.me", "discord.gg",
		"threads.net", "bsky.app", "gettr.com", "element.io", "matrix.to",
		"rocket.chat", "files.catbox.moe", "mega.nz", "top4top.io",
		"dropbox.com", "drive.google.com", "docs.google.com":
		return true
	}
	return false
}

// genericTLD reports whether a schemeless host ending in tld is taken for a
// URL. Two-letter country domains are accepted separately.
func genericTLD(tld string) bool {
	switch tld {
	case "com", "org", "net", "info", "biz", "edu", "gov", "mil", "int",
		"xyz", "top", "online", "site", "website", "app", "dev", "news",
		"live", "tech", "store", "shop", "blog", "club", "space", "link",
		"click", "page", "world", "media", "press", "video", "tube", "cloud",
		"pro", "name", "mobi", "asia", "icu", "vip", "fun", "one", "life":
		return true
	}
	return false
}

// telegramHost reports whether host serves Telegram links.
func telegramHost(host string) bool {
	switch host {
	case "t.me", "telegram.me", "telegram.dog":
		return true
	}
	return false
}

// foldHost maps mobile, alternate and embed hosts to the platform's main
// host. host is already lowercased and without "www.".
func foldHost(host string) string {
	switch host {
	case "m.facebook.com", "mobile.facebook.com", "mbasic.facebook.com",
		"touch.facebook.com", "web.facebook.com", "free.facebook.com",
		"fb.com", "facebook.com":
		return "facebook.com"
	case "twitter.com", "mobile.twitter.com", "m.twitter.com",
		"mobile.x.com", "m.x.com", "fxtwitter.com", "vxtwitter.com",
		"fixupx.com", "fixvx.com", "twittpr.com", "x.com":
		return "x.com"
	case "m.youtube.com", "youtube-nocookie.com", "youtube.com":
		return "youtube.com"
	case "instagr.am", "m.instagram.com", "instagram.com":
		return "instagram.com"
	case "m.tiktok.com", "tiktok.com":
		return "tiktok.com"
	case "m.vk.com", "vk.com":
		return "vk.com"
	case "telegram.me", "telegram.dog", "t.me":
		return "t.me"
	}
	// LANG.m.wikipedia.org is the mobile view of LANG.wikipedia.org.
	if lang, ok := strings.CutSuffix(host, ".m.wikipedia.org"); ok && lang != "" && !strings.Contains(lang, ".") {
		return lang + ".wikipedia.org"
	}
	// NAME.t.me is Telegram's subdomain form of t.me/NAME; it is folded in
	// canonicalTelegram, which needs the name.
	return host
}

// trackingParam reports whether the query key (lowercased) on host is a
// tracking or share marker that does not change what the URL points to.
func trackingParam(host, key string) bool {
	if strings.HasPrefix(key, "utm_") {
		return true
	}
	switch key {
	case "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid",
		"yclid", "ysclid", "twclid", "ttclid", "li_fat_id", "mc_cid", "mc_eid",
		"igshid", "igsh", "mibextid", "_hsenc", "_hsmi", "mkt_tok",
		"oly_anon_id", "oly_enc_id", "rb_clickid", "vero_id", "_ga", "_gl",
		"srsltid", "ref_src":
		return true
	}
	switch host {
	case "x.com":
		switch key {
		case "s", "t", "ref_url", "src":
			return true
		}
	case "youtube.com":
		switch key {
		case "si", "feature", "pp", "ab_channel":
			return true
		}
	case "facebook.com":
		switch key {
		case "__cft__[0]", "__tn__", "rdid", "share_url", "sfnsn", "ref":
			return true
		}
	case "tiktok.com":
		switch key {
		case "_r", "_t", "is_from_webapp", "sender_device", "is_copy_url",
			"share_app_id", "share_item_id", "share_link_id", "tt_from",
			"u_code", "timestamp", "user_id", "sec_user_id", "social_sharing":
			return true
		}
	case "open.spotify.com":
		return key == "si"
	}
	return false
}
