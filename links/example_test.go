package links_test

import (
	"fmt"

	"github.com/marsad/marsad/links"
)

func ExampleCanonical() {
	for _, raw := range []string{
		"HTTPS://WWW.Example.COM:443/a/./b/../c?utm_source=tg&b=2&a=1#top",
		"t.me/s/NewsChannel/1234",
		"tg://resolve?domain=newschannel&post=1234",
		"https://youtu.be/dQw4w9WgXcQ?si=share&t=42",
		"https://mobile.twitter.com/Someone/status/1234567890?s=20",
		"https://مثال.إختبار/",
	} {
		c, err := links.Canonical(raw)
		fmt.Println(c, err)
	}
	// Output:
	// https://example.com/a/c?a=1&b=2 <nil>
	// https://t.me/newschannel/1234 <nil>
	// https://t.me/newschannel/1234 <nil>
	// https://youtube.com/watch?v=dQw4w9WgXcQ <nil>
	// https://x.com/i/status/1234567890 <nil>
	// https://xn--mgbh0fb.xn--kgbechtv/ <nil>
}

func ExampleExtract() {
	text := "التفاصيل على قناتنا https://t.me/s/NewsChannel/1234، وعلى الموقع (www.example.com/news?id=7). راجع bit.ly/abc!"
	for _, u := range links.Extract(text) {
		fmt.Println(u, links.IsShortener(u))
	}
	// Output:
	// https://t.me/s/NewsChannel/1234 false
	// www.example.com/news?id=7 false
	// bit.ly/abc true
}
