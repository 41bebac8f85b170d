package wallet

import (
	"testing"
	"unicode/utf8"
)

// post is a 280-character mixed Arabic and English post carrying one
// address, the shape of a financing appeal.
const post = "ادعموا إخوانكم في المخيمات، كل مساهمة تصل إلى مستحقيها بإذن الله. " +
	"Support the families in the camps, every donation counts. " +
	"USDT TRC20: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t " +
	"للتواصل راسلونا على القناة الخاصة، ولا تنسوا نشر المنشور لكل الإخوة. جزاكم الله خيرا 1445 #تبرع #donate"

func TestBenchPostLength(t *testing.T) {
	if n := utf8.RuneCountInString(post); n < 270 || n > 290 {
		t.Fatalf("benchmark post is %d characters, want about 280", n)
	}
	if got := Find(post); len(got) != 1 {
		t.Fatalf("Find(post) = %v, want one address", got)
	}
}

func BenchmarkFind(b *testing.B) {
	b.SetBytes(int64(len(post)))
	b.ReportAllocs()
	for b.Loop() {
		Find(post)
	}
}

// BenchmarkFindNoAddress measures the common case: a post without addresses.
func BenchmarkFindNoAddress(b *testing.B) {
	text := "ادعموا إخوانكم في المخيمات، كل مساهمة تصل إلى مستحقيها بإذن الله. Support the families in the camps, every donation counts. 1445"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Find(text)
	}
}
