package mediameta_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"testing"
	"time"

	"github.com/marsad/marsad/mediameta"
	"github.com/marsad/marsad/mediameta/mediametatest"
)

func TestReadJPEGWithGPS(t *testing.T) {
	m, err := mediameta.Read(mediametatest.JPEGWithGPS(t))
	if err != nil {
		t.Fatal(err)
	}
	if m == nil || m.GPS == nil {
		t.Fatalf("no GPS read: %+v", m)
	}
	if math.Abs(m.GPS.Latitude-mediametatest.Latitude) > 1e-9 || math.Abs(m.GPS.Longitude-mediametatest.Longitude) > 1e-9 {
		t.Errorf("position %v, %v; want %v, %v", m.GPS.Latitude, m.GPS.Longitude, mediametatest.Latitude, mediametatest.Longitude)
	}
	if m.GPS.Altitude == nil || *m.GPS.Altitude != mediametatest.Altitude {
		t.Errorf("altitude %v, want %v", m.GPS.Altitude, mediametatest.Altitude)
	}
	if want := time.Date(2024, 5, 1, 10, 45, 10, 0, time.UTC); !m.GPS.Time.Equal(want) {
		t.Errorf("GPS time %v, want %v", m.GPS.Time, want)
	}
	want := mediameta.Meta{Make: mediametatest.Make, Model: mediametatest.Model, Lens: mediametatest.Lens, Software: mediametatest.Software, Taken: mediametatest.Taken}
	got := *m
	got.GPS = nil
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestReadNone(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, mediametatest.Picture(), nil); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"plain jpeg": buf.Bytes(), "empty": nil, "text": []byte("hello")} {
		m, err := mediameta.Read(data)
		if err != nil || m != nil {
			t.Errorf("%s: got %+v, %v; want nothing", name, m, err)
		}
	}
}

func TestReadPNGeXIf(t *testing.T) {
	m, err := mediameta.Read(mediametatest.PNGWithText(t))
	if err != nil || m == nil || m.GPS == nil || m.Make != mediametatest.Make {
		t.Fatalf("got %+v, %v", m, err)
	}
}

func TestStripJPEG(t *testing.T) {
	orig := mediametatest.JPEGWithGPS(t)
	out, changed, err := mediameta.Strip(orig)
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	if m, err := mediameta.Read(out); m != nil || err != nil {
		t.Errorf("stripped copy still has metadata: %+v, %v", m, err)
	}
	for _, s := range []string{"Exif", "xmpmeta", "Photoshop", "Baghdad", "river", mediametatest.Make} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("stripped copy still holds %q", s)
		}
	}
	samePixels(t, orig, out, jpeg.Decode)
	// Stripping again changes nothing.
	again, changed, err := mediameta.Strip(out)
	if err != nil || changed || !bytes.Equal(again, out) {
		t.Errorf("second strip: changed %v, err %v", changed, err)
	}
}

func TestStripPNG(t *testing.T) {
	orig := mediametatest.PNGWithText(t)
	out, changed, err := mediameta.Strip(orig)
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	if m, err := mediameta.Read(out); m != nil || err != nil {
		t.Errorf("stripped copy still has metadata: %+v, %v", m, err)
	}
	for _, s := range []string{"tEXt", "iTXt", "zTXt", "eXIf", "river", "Baghdad"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("stripped copy still holds %q", s)
		}
	}
	samePixels(t, orig, out, png.Decode)
}

func TestStripOtherTypes(t *testing.T) {
	data := []byte("GIF89a not really")
	out, changed, err := mediameta.Strip(data)
	if err != nil || changed || !bytes.Equal(out, data) {
		t.Errorf("got changed %v, err %v", changed, err)
	}
}

func TestStripBadInput(t *testing.T) {
	orig := mediametatest.JPEGWithGPS(t)
	pngData := mediametatest.PNGWithText(t)
	for name, data := range map[string][]byte{
		"jpeg truncated":      orig[:30],
		"jpeg no end":         orig[:len(orig)/2],
		"jpeg bad length":     {0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2},
		"jpeg garbage header": {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 'x'},
		"png truncated":       pngData[:40],
	} {
		_, _, err := mediameta.Strip(data)
		if !errors.Is(err, mediameta.ErrMalformed) {
			t.Errorf("%s: err %v, want ErrMalformed", name, err)
		}
	}
}

func samePixels(t *testing.T, a, b []byte, decode func(r io.Reader) (image.Image, error)) {
	t.Helper()
	ia, err := decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("stripped copy does not decode: %v", err)
	}
	if ia.Bounds() != ib.Bounds() {
		t.Fatalf("bounds %v, want %v", ib.Bounds(), ia.Bounds())
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				t.Fatalf("pixel %d,%d differs", x, y)
			}
		}
	}
}

func FuzzStrip(f *testing.F) {
	f.Add(mediametatest.JPEGWithGPS(f))
	f.Add(mediametatest.PNGWithText(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, changed, err := mediameta.Strip(data)
		if err != nil {
			return
		}
		if !changed && !bytes.Equal(out, data) {
			t.Fatal("unchanged but different")
		}
		if again, changed2, err := mediameta.Strip(out); err != nil || changed2 || !bytes.Equal(again, out) {
			t.Fatalf("strip is not idempotent: %v %v", changed2, err)
		}
	})
}

func FuzzRead(f *testing.F) {
	f.Add(mediametatest.JPEGWithGPS(f))
	f.Add(mediametatest.EXIF(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = mediameta.Read(data)
	})
}

func TestReadTIFF(t *testing.T) {
	m, err := mediameta.Read(mediametatest.EXIF(t))
	if err != nil || m == nil || m.GPS == nil || m.Lens != mediametatest.Lens {
		t.Fatalf("got %+v, %v", m, err)
	}
}

// TestReadBadInput: hostile counts and offsets give an error, at once,
// without allocating what they claim.
func TestReadBadInput(t *testing.T) {
	le := binary.LittleEndian
	block := func(entries ...[12]byte) []byte {
		b := []byte("II*\x00\x08\x00\x00\x00")
		b = le.AppendUint16(b, uint16(len(entries)))
		for _, e := range entries {
			b = append(b, e[:]...)
		}
		return le.AppendUint32(b, 0)
	}
	ent := func(tag, typ uint16, count, value uint32) (e [12]byte) {
		le.PutUint16(e[0:], tag)
		le.PutUint16(e[2:], typ)
		le.PutUint32(e[4:], count)
		le.PutUint32(e[8:], value)
		return e
	}
	for name, data := range map[string][]byte{
		"huge count":       block(ent(0x010F, 2, 0xFFFFFFFF, 8)),
		"offset past end":  block(ent(0x010F, 2, 100, 0xFFFFFFF0)),
		"GPS IFD past end": block(ent(0x8825, 4, 1, 0x7FFFFFFF)),
		"IFD0 past end":    []byte("II*\x00\xff\xff\x00\x00"),
		"too many entries": append([]byte("II*\x00\x08\x00\x00\x00\xff\xff"), make([]byte, 100)...),
		"jpeg bad exif":    append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10}, []byte("Exif\x00\x00MM\x00*\x7f\xff\xff\xff")...),
	} {
		m, err := mediameta.Read(data)
		if err == nil || m != nil {
			t.Errorf("%s: got %+v, %v; want an error", name, m, err)
		}
	}
}
