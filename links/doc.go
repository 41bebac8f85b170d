// Package links finds URLs in free text and reduces them to one canonical
// form, so the same link shared by different accounts, in different spellings,
// becomes the same signal.
//
// # Extraction
//
// [Extract] scans text in any script. It finds
//
//   - URLs with a scheme: http://, https:// and tg:// (the scheme may be glued
//     to the word before it, as in "رابطhttps://t.me/x");
//   - URLs without a scheme, with an ASCII host, that start with "www.", whose host is a known
//     platform or shortener host (t.me, x.com, bit.ly, ...), or whose host ends
//     in a common generic top-level domain (com, org, net, info, io, ...) or in
//     any two-letter country domain.
//
// A URL ends at white space, at bidirectional and zero-width formatting marks
// (common around URLs in Arabic text), at characters that cannot appear in a
// URL (<>"{}|\^`), at emoji and other pictographs, and at quotation marks
// and Arabic punctuation (، ؛ ؟ « »). Other letters, Arabic among them, may
// follow in the path, as they do in internationalised links, so a path glued
// to the next word keeps that word.
// Trailing sentence punctuation (. , ; : ! ? … * and the Arabic marks) is
// stripped, and so is a closing bracket that has no opening partner inside
// the URL, so "(see https://example.com/a_(b))." keeps its balanced pair.
// A host label may not mix Latin and right-to-left letters (RFC 5893), so
// Arabic words glued before or after a host are cut off. Email addresses are
// not URLs. Results are the URLs as written, deduplicated in order of first
// appearance; pass them to [Canonical] for the signal value.
//
// # Canonical form
//
// [Canonical] applies, in order:
//
//   - a missing scheme becomes https (platforms and browsers default to it);
//     an explicit http is kept, because http and https may serve different
//     things on an arbitrary host; platform forms below are always https;
//   - scheme and host are lowercased, internationalised hosts are converted to
//     punycode (IDNA 2008, UTS #46 lookup mapping), a trailing dot and a
//     default port (80 for http, 443 for https) are removed, user information
//     ("user:pass@") is dropped;
//   - a leading "www." is removed when at least two labels remain: for
//     matching, www.example.com and example.com are the same site far more
//     often than not;
//   - percent-encoding is normalised (RFC 3986 section 6.2.2: hex digits
//     upper-cased, unreserved characters decoded, non-ASCII encoded as UTF-8),
//     dot segments are removed and an empty path becomes "/";
//   - the fragment is dropped (it never reaches the server), except that the
//     old "#!/" form of Twitter paths is turned into the path;
//   - tracking parameters are removed (see below) and the remaining query
//     parameters are sorted by key, keeping the order of repeated keys;
//   - platform forms are folded:
//     mobile and alternate hosts (m./mobile./mbasic./touch./web.facebook.com,
//     fb.com; mobile.twitter.com, twitter.com, fxtwitter.com, vxtwitter.com,
//     fixupx.com; m.youtube.com, youtube-nocookie.com; instagr.am; m.tiktok.com;
//     m.vk.com; LANG.m.wikipedia.org) become the main host;
//     every tweet URL becomes https://x.com/i/status/ID (the numeric id names
//     the tweet; the user name in the path is cosmetic), profile URLs become
//     https://x.com/name in lower case;
//     Telegram links on t.me, telegram.me, telegram.dog, NAME.t.me and tg://
//     become https://t.me/name, https://t.me/name/POST (the "s/" web-preview
//     form folded in), https://t.me/+INVITE (joinchat/INVITE and
//     tg://join?invite= folded in) or https://t.me/c/CHANNEL/POST; user names
//     are lowercased, invite hashes keep their case, and only the query
//     parameters that change the target (start, startgroup, startapp,
//     comment, thread) are kept;
//     YouTube video URLs (youtu.be/ID, /shorts/ID, /embed/ID, /live/ID, /v/ID,
//     /watch?v=ID) become https://youtube.com/watch?v=ID with nothing else:
//     the signal is the video, not the start time or playlist.
//
// Tracking parameters removed on every host: any key starting with "utm_",
// and fbclid, gclid, gclsrc, dclid, gbraid, wbraid, msclkid, yclid, ysclid,
// twclid, ttclid, li_fat_id, mc_cid, mc_eid, igshid, igsh, mibextid, _hsenc,
// _hsmi, mkt_tok, oly_anon_id, oly_enc_id, rb_clickid, vero_id, _ga, _gl,
// srsltid and ref_src. Removed on x.com only: s, t, ref_url, src (share-sheet
// markers; elsewhere "s" and "t" are often a search term or a time). Removed
// on youtube.com: si, feature, pp, ab_channel. Removed on facebook.com:
// __cft__[0], __tn__, rdid, share_url, sfnsn, ref. Instagram's share markers
// (igshid, igsh) are in the global list; img_index is kept, as it selects a
// picture. Removed on tiktok.com: _r, _t, is_from_webapp,
// sender_device, is_copy_url, share_app_id, share_item_id, share_link_id,
// tt_from, u_code, timestamp, user_id, sec_user_id, social_sharing. Removed on
// open.spotify.com: si. Key comparison is case-insensitive.
//
// # Shorteners
//
// Links on URL shorteners (bit.ly, t.co, goo.gl, tinyurl.com, ...; see
// [IsShortener]) are canonicalised like any other URL but never expanded:
// following them would contact the shortener, which tells whoever made the
// link that it was looked at, and the target may change. The short URL
// itself is the signal. The hosts taken for shorteners: bit.ly, bitly.com,
// j.mp, t.co, goo.gl, g.co, forms.gle, maps.app.goo.gl, tinyurl.com, tiny.cc,
// tiny.one, ow.ly, is.gd, v.gd, buff.ly, rb.gy, cutt.ly, shorturl.at,
// shorturl.ae, rebrand.ly, t.ly, s.id, lnkd.in, fb.me, amzn.to, amzn.eu,
// dlvr.it, trib.al, wp.me, bl.ink, bit.do, shorte.st, adf.ly, ouo.io, soo.gd,
// clck.ru, vk.cc, x.gd, qr.ae, vm.tiktok.com, vt.tiktok.com, pin.it,
// on.soundcloud.com, spoti.fi, aka.ms, t2m.io, urlz.fr, u.to, tr.im, po.st,
// short.gy, surl.li and linktr.ee (a link-list page rather than a redirect,
// but opaque in the same way).
//
// # Errors
//
// Canonical rejects, with an error naming the problem: empty input, input
// longer than [MaxLength], white space, control characters or invalid UTF-8
// inside the URL, schemes other than http, https and tg (and "scheme:" forms
// such as mailto: and javascript:), a missing host, a port outside 1-65535,
// hosts with empty or over-long labels or characters IDNA refuses (an ASCII
// host may contain underscores, which real subdomains do), invalid
// percent-escapes in the path, and tg:// links without their required
// parameters. tg:// actions with no t.me equivalent are kept as tg:// URLs
// with sorted parameters.
package links
