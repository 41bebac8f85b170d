package demo

import (
	"bytes"
	"testing"

	"github.com/marsad/marsad/internal/pipeline"
	"github.com/marsad/marsad/pdq"
)

// The demo relies on the re-upload being a near duplicate of the banner:
// within PDQ's match distance, but not byte-identical.
func TestReuploadIsNearDuplicate(t *testing.T) {
	a, qa := pdq.HashImage(Image("banner-a.png"))
	b, qb := pdq.HashImage(Image("banner-a-reupload.png"))
	c, _ := pdq.HashImage(Image("banner-b.png"))
	if d := pdq.Distance(a, b); d > pdq.MatchDistance || d == 0 {
		t.Fatalf("re-upload at distance %d from the banner, want 1..%d", d, pdq.MatchDistance)
	}
	if d := pdq.Distance(a, c); d <= pdq.MatchDistance {
		t.Fatalf("unrelated image at distance %d", d)
	}
	if qa < pdq.MinQuality || qb < pdq.MinQuality {
		t.Fatalf("quality %d, %d below %d: would not be matched", qa, qb, pdq.MinQuality)
	}
}

func TestPostsDecode(t *testing.T) {
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(PostsJSONL()), []byte("\n")) {
		if _, err := pipeline.DecodePost(line); err != nil {
			t.Errorf("demo post %d: %v", n+1, err)
		}
		n++
	}
	if n != Count() || n < 30 {
		t.Fatalf("%d demo posts, Count() = %d", n, Count())
	}
}
