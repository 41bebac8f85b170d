package links

import (
	"testing"
	"unicode/utf8"
)

// post is a 280-character mixed Arabic and English post of the kind every
// ingested item looks like: text, a link, punctuation.
const post = "عاجل: بيان جديد من المكتب الإعلامي حول أحداث اليوم في المدينة، " +
	"Breaking: new statement from the media office about today's events. " +
	"التفاصيل الكاملة على قناتنا https://t.me/s/NewsChannel/1234 " +
	"وعلى الموقع www.example.com/news?id=7&utm_source=tg — شاركوا الرابط مع الجميع!! #عاجل #news"

func TestBenchPostLength(t *testing.T) {
	if n := utf8.RuneCountInString(post); n < 270 || n > 290 {
		t.Fatalf("benchmark post is %d characters, want about 280", n)
	}
	if got := Extract(post); len(got) != 2 {
		t.Fatalf("Extract(post) = %q, want 2 links", got)
	}
}

func BenchmarkExtract(b *testing.B) {
	b.SetBytes(int64(len(post)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(post)
	}
}

// BenchmarkExtractNoLinks measures the common case: a post without links.
func BenchmarkExtractNoLinks(b *testing.B) {
	text := "عاجل: بيان جديد من المكتب الإعلامي حول أحداث اليوم في المدينة، Breaking: new statement from the media office about today's events"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(text)
	}
}

func BenchmarkCanonical(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonical("www.Example.com/news?id=7&utm_source=tg"); err != nil {
			b.Fatal(err)
		}
	}
}
