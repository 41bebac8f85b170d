// Command genposts writes synthetic text-only posts as JSONL, for measuring
// ingest throughput. The text is benign filler in Arabic, English and French
// with links and hashtags, about as long as a social-media post.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

var words = map[string][]string{
	"ar": strings.Fields("الناس المدينة اليوم الخبر السوق الطريق المدرسة الماء الشمس المساء الصباح الأطفال العمل البيت الكتاب الرياضة المباراة الطقس الحكومة الجامعة المستشفى الطعام السفر العائلة الأصدقاء"),
	"en": strings.Fields("people city today news market road school water sun evening morning children work home book sport match weather government university hospital food travel family friends"),
	"fr": strings.Fields("gens ville aujourd'hui nouvelles marché route école eau soleil soir matin enfants travail maison livre sport match météo gouvernement université hôpital nourriture voyage famille amis"),
}

func main() {
	n := flag.Int("n", 100000, "posts to write")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 0))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	enc := json.NewEncoder(w)
	langs := []string{"ar", "ar", "en", "fr"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < *n; i++ {
		lang := langs[r.IntN(len(langs))]
		ws := words[lang]
		k := 8 + r.IntN(30)
		parts := make([]string, 0, k+2)
		for j := 0; j < k; j++ {
			parts = append(parts, ws[r.IntN(len(ws))])
		}
		if r.IntN(4) == 0 {
			parts = append(parts, fmt.Sprintf("https://example.org/a/%d?utm_source=x", r.IntN(5000)))
		}
		if r.IntN(3) == 0 {
			parts = append(parts, "#"+ws[r.IntN(len(ws))])
		}
		enc.Encode(map[string]any{
			"platform":  "x",
			"source_id": fmt.Sprintf("gen-%d-%d", *seed, i),
			"author":    fmt.Sprintf("acct%d", r.IntN(20000)),
			"lang":      lang,
			"text":      strings.Join(parts, " "),
			"posted_at": t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		})
	}
}
