package classifier

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// synthetic returns separable examples: propaganda posts use one vocabulary,
// news posts another, and the rest are chatter.
func synthetic() []Example {
	var exs []Example
	prop := []string{"glory to the soldiers of the caliphate", "the blessed raid humiliated the crusaders", "remaining and expanding brothers"}
	news := []string{"police said the attack killed people", "officials reported an explosion near the market", "the court heard evidence on monday"}
	chat := []string{"lovely weather for a walk", "who is cooking dinner tonight", "the match starts at eight"}
	for i := 0; i < 60; i++ {
		split := SplitTrain
		if i%3 == 1 {
			split = SplitCalib
		}
		if i%6 == 5 {
			split = SplitTest
		}
		for k, set := range [][]string{prop, news, chat} {
			e := Example{Source: "syn", ID: fmt.Sprint(i, k), Text: fmt.Sprintf("%s %d", set[(i/6)%3], i), Lang: "en", Weight: 1, Split: split}
			switch k {
			case 0:
				e.Labels = []Label{Propaganda}
			case 1:
				e.Labels, e.HardNegative = []Label{NewsReporting}, true
			}
			exs = append(exs, e)
		}
	}
	return exs
}

var smallFeatures = FeatureConfig{Bits: 12, CharMin: 3, CharMax: 4, WordBigrams: true}

func trainSmall(t *testing.T) *Model {
	t.Helper()
	m, err := Train(context.Background(), synthetic(), TrainOptions{Features: smallFeatures, Epochs: 20, Seed: 1, Info: Info{Name: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainLearns(t *testing.T) {
	m := trainSmall(t)
	tests := []struct {
		text string
		high Label
	}{
		{"glory to the soldiers of the caliphate", Propaganda},
		{"police said an explosion killed people", NewsReporting},
		{"lovely weather tonight", None},
	}
	for _, tt := range tests {
		r := m.Classify(tt.text)
		best := r.Scores[0]
		for _, s := range r.Scores {
			if s.Score > best.Score {
				best = s
			}
		}
		if best.Label != tt.high {
			t.Errorf("%q: highest score %s (%.2f), want %s", tt.text, best.Label, best.Score, tt.high)
		}
	}
	r := m.Classify("glory to the soldiers of the caliphate")
	if ev := r.Get(Propaganda).Evidence; len(ev) == 0 || ev[0].Weight <= 0 {
		t.Errorf("propaganda evidence = %+v, want positive features", ev)
	}
}

func TestTrainReproducible(t *testing.T) {
	a, b := trainSmall(t), trainSmall(t)
	if !slices.Equal(a.w, b.w) || a.thresholds != b.thresholds || a.platt != b.platt {
		t.Error("two trainings with the same seed gave different models")
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := trainSmall(t)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Info().Name != "test" || got.Features() != smallFeatures || got.thresholds != m.thresholds {
		t.Errorf("decoded model header differs: %+v", got.Info())
	}
	if v := got.Version(); len(v) != len("test-")+12 || !strings.HasPrefix(v, "test-") || m.Version() != "test-unsaved" {
		t.Errorf("versions %q (decoded) and %q (trained)", v, m.Version())
	}
	for _, text := range []string{"glory to the soldiers", "police said", "dinner"} {
		a, b := m.Classify(text), got.Classify(text)
		for i := range a.Scores {
			// Weights are stored as 16-bit integers per label.
			if d := math.Abs(a.Scores[i].Score - b.Scores[i].Score); d > 0.01 {
				t.Errorf("%q %s: %.4f before writing, %.4f after", text, Labels[i], a.Scores[i].Score, b.Scores[i].Score)
			}
		}
	}
}

// encodeRaw builds a model file from a header and weight bytes.
func encodeRaw(t *testing.T, magic string, h any, weights []byte) []byte {
	t.Helper()
	hb, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(magic))
	binary.Write(zw, binary.LittleEndian, uint32(len(hb)))
	zw.Write(hb)
	zw.Write(weights)
	zw.Close()
	return buf.Bytes()
}

func goodHeader() fileHeader {
	return fileHeader{
		Version: fileVersion, Labels: Labels[:], Features: FeatureConfig{Bits: 10, CharMin: 3, CharMax: 4},
		Bias: make([]float32, NumLabels), Platt: make([][2]float32, NumLabels),
		Thresholds: []float64{.5, .5, .5, .5, .5, .5, .5, .5}, Scale: []float32{1, 1, 1, 1, 1, 1, 1, 1},
	}
}

func TestDecodeErrors(t *testing.T) {
	weights := make([]byte, 2*(1<<10)*NumLabels)
	mod := func(f func(h *fileHeader)) fileHeader {
		h := goodHeader()
		f(&h)
		return h
	}
	if _, err := Decode(encodeRaw(t, fileMagic, goodHeader(), weights)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a model file"},
		{"not gzip", []byte("hello"), "not a model file"},
		{"bad magic", encodeRaw(t, "NOTMODEL", goodHeader(), weights), "bad magic"},
		{"version", encodeRaw(t, fileMagic, mod(func(h *fileHeader) { h.Version = 9 }), weights), "version 9"},
		{"labels", encodeRaw(t, fileMagic, mod(func(h *fileHeader) { h.Labels = h.Labels[:3] }), weights), "want 8 labels"},
		{"label order", encodeRaw(t, fileMagic, mod(func(h *fileHeader) {
			h.Labels = append([]Label{Propaganda}, Labels[1:]...)
		}), weights), `label 0 is "propaganda"`},
		{"threshold", encodeRaw(t, fileMagic, mod(func(h *fileHeader) { h.Thresholds = []float64{.5, .5, 2, .5, .5, .5, .5, .5} }), weights), "threshold 2"},
		{"scale", encodeRaw(t, fileMagic, mod(func(h *fileHeader) { h.Scale = []float32{1, 1, 1, 0, 1, 1, 1, 1} }), weights), "scale 0"},
		{"bits", encodeRaw(t, fileMagic, mod(func(h *fileHeader) { h.Features.Bits = 40 }), weights), "bits 40"},
		{"truncated", encodeRaw(t, fileMagic, goodHeader(), weights[:100]), "truncated"},
		{"trailing", encodeRaw(t, fileMagic, goodHeader(), append(weights, 1)), "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	hb, _ := json.Marshal(goodHeader())
	f.Add(append(append([]byte(fileMagic), byte(len(hb)), 0, 0, 0), hb...))
	f.Fuzz(func(t *testing.T, body []byte) {
		// Fuzz the decompressed stream: gzip the input first.
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		m, err := Decode(buf.Bytes())
		if err == nil {
			m.Classify("اختبار test")
		}
	})
}

func TestWithThresholds(t *testing.T) {
	m := trainSmall(t)
	before := m.Thresholds()[Propaganda]
	m2, err := m.WithThresholds(map[Label]float64{Propaganda: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Thresholds()[Propaganda] != 0.99 || m.Thresholds()[Propaganda] != before {
		t.Errorf("thresholds: new %v, original %v (was %v)", m2.Thresholds()[Propaganda], m.Thresholds()[Propaganda], before)
	}
	if r := m2.Classify("x"); r.Get(Propaganda).Threshold != 0.99 {
		t.Errorf("Classify threshold %v, want 0.99", r.Get(Propaganda).Threshold)
	}
	for _, bad := range []map[Label]float64{{"evil": 0.5}, {Propaganda: 1.5}, {Propaganda: math.NaN()}} {
		if _, err := m.WithThresholds(bad); err == nil {
			t.Errorf("WithThresholds(%v) accepted", bad)
		}
	}
}

// The default model must keep telling reports and condemnation from the
// content they quote. The sentences are not in the training templates.
func TestDefaultModel(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		lang    string
		flagged []Label
	}{
		{"Officials said the bomber had posted a video praising the caliphate hours before the blast in the city centre.", "en", nil},
		{"We reject the killers of Daesh: murdering worshippers is not jihad, it is a crime against God and people.", "en", nil},
		{"أفادت مصادر أمنية بمقتل خمسة أشخاص في تفجير استهدف سوقا شعبيا، وتبنى تنظيم داعش الهجوم في بيان.", "ar", nil},
		{"Selon la police, l'assaillant avait prêté allégeance à l'État islamique dans une vidéo diffusée avant l'attaque.", "fr", nil},
		{"Send bitcoin to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 to equip the mujahideen, every cent counts.", "en", []Label{Financing}},
		{"تبرعوا لتجهيز المجاهدين عبر محفظة البيتكوين bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "ar", []Label{Financing}},
		{"Please donate to the children's hospital by bank transfer, every dollar counts.", "en", nil},
	}
	for _, tt := range tests {
		r := m.Classify(tt.text)
		if r.Lang != tt.lang {
			t.Errorf("%q: lang %s, want %s", tt.text, r.Lang, tt.lang)
		}
		if got := r.Flagged(); !slices.Equal(got, tt.flagged) {
			t.Errorf("%q: flagged %v, want %v\n%+v", tt.text, got, tt.flagged, r.Scores)
		}
		for _, l := range tt.flagged {
			if len(r.Get(l).Evidence) == 0 {
				t.Errorf("%q: %s flagged without evidence", tt.text, l)
			}
		}
	}
}

func TestClassifyAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	text := "عاجل: مقتل ١٥ شخصاً في هجوم انتحاري على سوق في #بغداد @reuters https://t.co/x"
	m.Classify(text)
	// The normalised text and the evidence slice; nothing per feature.
	if a := testing.AllocsPerRun(50, func() { m.Classify(text) }); a > 3 {
		t.Errorf("Classify allocates %v times per call, want at most 3", a)
	}
}

// Classify is used from many goroutines at once by the pipeline.
func TestClassifyConcurrent(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Police said 3 people were killed", "تبرعوا للمجاهدين", "Rejoignez le califat", ""}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = m.Classify(s)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			for k := 0; k < 50; k++ {
				i := k % len(texts)
				r := m.Classify(texts[i])
				for li := range r.Scores {
					if r.Scores[li].Score != want[i].Scores[li].Score {
						done <- fmt.Errorf("%q: %s score %v, want %v", texts[i], Labels[li], r.Scores[li].Score, want[i].Scores[li].Score)
						return
					}
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
