package source

// This file is the only one that knows the layout of Telegram's public web
// preview (https://t.me/s/NAME). When Telegram changes the page, change
// this file and its fixtures in testdata/telegram, nothing else.

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// tmeMessage is one message as the preview shows it.
type tmeMessage struct {
	Channel       string // the channel's username
	ID            int64
	ChannelTitle  string
	Signature     string // the author's signature, when the channel shows them
	Date          time.Time
	Views         int64
	ForwardedFrom string // the name (or t.me link) of the original channel
	ReplyTo       string // "channel/id" of the message this one answers
	Text          string
	Links         []string
	Photos        []string
	Videos        []string
}

// tmePage is one page of a channel's preview.
type tmePage struct {
	Messages []tmeMessage
	// Before is the id to page back from (the "before" parameter of the
	// older page), 0 when the page offers none.
	Before int64
}

// tmeURL is the preview page of a channel: the newest messages, or those
// before or after an id.
func tmeURL(base, channel string, before, after int64) string {
	u := strings.TrimRight(base, "/") + "/s/" + channel
	switch {
	case before > 0:
		u += "?before=" + strconv.FormatInt(before, 10)
	case after > 0:
		u += "?after=" + strconv.FormatInt(after, 10)
	}
	return u
}

var bgURL = regexp.MustCompile(`background-image:\s*url\(['"]?([^'")]+)['"]?\)`)

// parseTMEPage reads a preview page. A page without the channel history
// is an error, so a changed layout is reported rather than read as empty.
func parseTMEPage(r io.Reader) (tmePage, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return tmePage{}, fmt.Errorf("preview page: %w", err)
	}
	var page tmePage
	history := false
	walk(doc, func(n *html.Node) bool {
		if hasClass(n, "tgme_channel_history") {
			history = true
		}
		if n.Data == "link" && attr(n, "rel") == "prev" {
			page.Before = queryInt(attr(n, "href"), "before")
		}
		if hasClass(n, "tme_messages_more") && page.Before == 0 {
			page.Before, _ = strconv.ParseInt(attr(n, "data-before"), 10, 64)
		}
		if hasClass(n, "tgme_widget_message") && attr(n, "data-post") != "" {
			if m, ok := parseTMEMessage(n); ok {
				page.Messages = append(page.Messages, m)
			}
			return false
		}
		return true
	})
	if !history {
		return tmePage{}, fmt.Errorf("preview page: no channel history found (not a public channel, or the page layout changed)")
	}
	return page, nil
}

func parseTMEMessage(n *html.Node) (tmeMessage, bool) {
	var m tmeMessage
	post := attr(n, "data-post")
	i := strings.LastIndexByte(post, '/')
	if i <= 0 {
		return m, false
	}
	id, err := strconv.ParseInt(post[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return m, false
	}
	m.Channel, m.ID = post[:i], id
	walk(n, func(c *html.Node) bool {
		switch {
		case hasClass(c, "tgme_widget_message_owner_name"):
			m.ChannelTitle = textOf(c)
		case hasClass(c, "tgme_widget_message_from_author"):
			m.Signature = textOf(c)
		case hasClass(c, "tgme_widget_message_forwarded_from_name"):
			m.ForwardedFrom = textOf(c)
			if h := attr(c, "href"); h != "" {
				m.ForwardedFrom = h
			}
			return false
		case hasClass(c, "tgme_widget_message_reply"):
			// The quoted message, with its own author, text and
			// thumbnail: only its link is this message's.
			m.ReplyTo = tmeReplyTo(attr(c, "href"))
			return false
		case hasClass(c, "tgme_widget_message_video_player") || hasClass(c, "tgme_widget_message_roundvideo_player"):
			// A video the preview cannot play (too big) has no <video>,
			// only its thumbnail: keep that, so the post keeps a picture
			// of what it showed.
			var video, thumb string
			walk(c, func(v *html.Node) bool {
				switch {
				case v.Data == "video" && attr(v, "src") != "" && video == "":
					video = attr(v, "src")
				case (hasClass(v, "tgme_widget_message_video_thumb") || hasClass(v, "tgme_widget_message_roundvideo_thumb")) && thumb == "":
					if s := bgURL.FindStringSubmatch(attr(v, "style")); s != nil {
						thumb = s[1]
					}
				}
				return true
			})
			switch {
			case video != "":
				m.Videos = append(m.Videos, video)
			case thumb != "":
				m.Photos = append(m.Photos, thumb)
			}
			return false
		case hasClass(c, "tgme_widget_message_text"):
			m.Text, m.Links = richText(c)
			return false
		case hasClass(c, "tgme_widget_message_photo_wrap"):
			if s := bgURL.FindStringSubmatch(attr(c, "style")); s != nil {
				m.Photos = append(m.Photos, s[1])
			}
		case c.Type == html.ElementNode && c.Data == "video" && attr(c, "src") != "":
			m.Videos = append(m.Videos, attr(c, "src"))
		case hasClass(c, "tgme_widget_message_views"):
			m.Views = parseCount(textOf(c))
		case hasClass(c, "tgme_widget_message_date"):
			walk(c, func(t *html.Node) bool {
				if t.Data == "time" {
					m.Date, _ = time.Parse(time.RFC3339, attr(t, "datetime"))
				}
				return true
			})
			return false
		}
		return true
	})
	return m, true
}

// tmeReplyTo is the message a reply's link points to, named as posts
// are: "channel/id" for https://t.me/channel/id, and "chat/id" for a
// private chat's https://t.me/c/chat/id, as in a Telegram Desktop export.
func tmeReplyTo(href string) string {
	u, err := url.Parse(href)
	if err != nil || (u.Host != "" && u.Host != "t.me" && u.Host != "telegram.me") {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) == 3 && (parts[0] == "s" || parts[0] == "c") {
		parts = parts[1:]
	}
	if len(parts) != 2 || parts[0] == "" {
		return ""
	}
	if id, err := strconv.ParseInt(parts[1], 10, 64); err != nil || id <= 0 {
		return ""
	}
	return parts[0] + "/" + parts[1]
}

// parseCount reads the preview's view counts: "857", "1.2K", "3.4M".
func parseCount(s string) int64 {
	s = strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1e3, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1e6, strings.TrimSuffix(s, "M")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return int64(v * mult)
}

// richText is a message's text with its line breaks, and its links.
func richText(n *html.Node) (string, []string) {
	var b strings.Builder
	var links []string
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.Data == "br":
			b.WriteByte('\n')
		case n.Type == html.ElementNode && n.Data == "a":
			if h := attr(n, "href"); strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") {
				links = append(links, h)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.TrimSpace(b.String()), links
}

func walk(n *html.Node, fn func(*html.Node) bool) {
	if n.Type == html.ElementNode && !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.TrimSpace(b.String())
}

func queryInt(href, key string) int64 {
	i := strings.Index(href, key+"=")
	if i < 0 {
		return 0
	}
	v := href[i+len(key)+1:]
	if j := strings.IndexByte(v, '&'); j >= 0 {
		v = v[:j]
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}
