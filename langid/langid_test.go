package langid

import (
	"bytes"
	"strings"
	"testing"
)

func TestIdentify(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, want string }{
		{"The police said three people were killed in the attack on Friday", "en"},
		{"La police a annoncé que trois personnes ont été tuées vendredi", "fr"},
		{"Die Polizei sagte, dass drei Menschen getötet wurden", "de"},
		{"قالت الشرطة إن ثلاثة أشخاص قتلوا في الهجوم", "ar"},
		{"شو القصة يا جماعة والله ما فهمت شي", "ar"},
		{"مرتدین صحوات کے دو افراد ہلاک اور دیگر زخمی ہوگئے", "ur"},
		{"پلیس گفت که سه نفر در این حمله کشته شدند", "fa"},
		{"123 456 !!!", Undetermined},
		{"", Undetermined},
		{"😂😂😂", Undetermined},
		{"Полиция сообщила о трёх погибших", Undetermined},
		{"@user https://t.co/abc", Undetermined},
	}
	for _, tt := range tests {
		if got := m.Identify(tt.text); got != tt.want {
			t.Errorf("Identify(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}

func TestTrainAndRoundTrip(t *testing.T) {
	samples := []Sample{
		{"the cat sat on the mat with the dog", "en"},
		{"where is the station and the hotel", "en"},
		{"le chat est sur le tapis avec le chien", "fr"},
		{"où est la gare et l'hôtel", "fr"},
		{"نص عربي لا يدخل النموذج", "ar"}, // ignored: the script decides Arabic
	}
	m, err := Train(samples, TrainOptions{Bits: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Langs(); strings.Join(got, ",") != "en,fr" {
		t.Errorf("languages %v, want [en fr]", got)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ text, want string }{{"the dog and the cat", "en"}, {"le chien et la gare", "fr"}} {
		if a, b := m.Identify(tt.text), m2.Identify(tt.text); a != tt.want || b != tt.want {
			t.Errorf("%q: %s before writing, %s after, want %s", tt.text, a, b, tt.want)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train([]Sample{{"only english here", "en"}}, TrainOptions{}); err == nil {
		t.Error("one language accepted")
	}
	if _, err := Train([]Sample{{"english text", "en"}, {"نص", "ar"}}, TrainOptions{}); err == nil {
		t.Error("a single language with Latin-script samples accepted")
	}
	if _, err := Train(nil, TrainOptions{Bits: 40}); err == nil {
		t.Error("bits 40 accepted")
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "bad magic"},
		{"magic", "NOTLANGID", "bad magic"},
		{"header", magic + "\x10", "model header"},
		{"range", magic + "\x30\x02", "out of range"},
		{"truncated", magic + "\x08\x02\x02en\x02fr" + strings.Repeat("\x00", 8) + "\x00\x00", "weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(magic + "\x08\x02\x02en\x02fr"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(bytes.NewReader(b))
		if err == nil {
			m.Identify("some text to identify")
		}
	})
}

func FuzzIdentify(f *testing.F) {
	m, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "hello world", "مرحبا", "@x http://y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := m.Identify(s)
		if got == "" {
			t.Fatalf("Identify(%q) returned an empty code", s)
		}
	})
}

func BenchmarkIdentify(b *testing.B) {
	m, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{"The police said three people were killed in the attack", "قالت الشرطة إن ثلاثة أشخاص قتلوا في الهجوم"}
	i := 0
	for b.Loop() {
		m.Identify(texts[i%2])
		i++
	}
}
