// Package mediametatest makes pictures carrying camera metadata for tests.
package mediametatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// Known values written by JPEGWithGPS.
const (
	Make     = "Canon"
	Model    = "Canon EOS 80D"
	Lens     = "EF-S18-55mm f/3.5-5.6 IS STM"
	Software = "Adobe Photoshop 24.0"
	Taken    = "2024:05:01 13:45:10"
	// Latitude and Longitude are 33°18'36" N, 44°21'54" E.
	Latitude  = 33.31
	Longitude = 44.365
	Altitude  = 34.5
)

// Picture returns a small image with detail in it.
func Picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8((x ^ y) * 8), 255})
		}
	}
	return img
}

// EXIF returns a TIFF-structured EXIF block with GPS position, camera,
// lens, software and time.
func EXIF(t testing.TB) []byte {
	t.Helper()
	im, err := exifcommon.NewIfdMappingWithStandard()
	if err != nil {
		t.Fatal(err)
	}
	ti := exif.NewTagIndex()
	ib := exif.NewIfdBuilder(im, ti, exifcommon.IfdStandardIfdIdentity, binary.LittleEndian)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(ib.AddStandardWithName("Make", Make))
	must(ib.AddStandardWithName("Model", Model))
	must(ib.AddStandardWithName("Software", Software))
	exifIb, err := exif.GetOrCreateIbFromRootIb(ib, "IFD/Exif")
	must(err)
	must(exifIb.AddStandardWithName("DateTimeOriginal", Taken))
	must(exifIb.AddStandardWithName("LensModel", Lens))
	gps, err := exif.GetOrCreateIbFromRootIb(ib, "IFD/GPSInfo")
	must(err)
	must(gps.AddStandardWithName("GPSVersionID", []byte{2, 2, 0, 0}))
	must(gps.AddStandardWithName("GPSLatitudeRef", "N"))
	must(gps.AddStandardWithName("GPSLatitude", []exifcommon.Rational{{Numerator: 33, Denominator: 1}, {Numerator: 18, Denominator: 1}, {Numerator: 36, Denominator: 1}}))
	must(gps.AddStandardWithName("GPSLongitudeRef", "E"))
	must(gps.AddStandardWithName("GPSLongitude", []exifcommon.Rational{{Numerator: 44, Denominator: 1}, {Numerator: 21, Denominator: 1}, {Numerator: 54, Denominator: 1}}))
	must(gps.AddStandardWithName("GPSAltitudeRef", []byte{0}))
	must(gps.AddStandardWithName("GPSAltitude", []exifcommon.Rational{{Numerator: 345, Denominator: 10}}))
	must(gps.AddStandardWithName("GPSDateStamp", "2024:05:01"))
	must(gps.AddStandardWithName("GPSTimeStamp", []exifcommon.Rational{{Numerator: 10, Denominator: 1}, {Numerator: 45, Denominator: 1}, {Numerator: 10, Denominator: 1}}))
	raw, err := exif.NewIfdByteEncoder().EncodeToExif(ib)
	must(err)
	return raw
}

func segment(marker byte, body []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(body)+2))
	return append(s, body...)
}

// JPEGWithGPS returns a JPEG of Picture carrying EXIF (GPS, camera), XMP,
// IPTC and a comment, and a multi-picture trailer after its end.
func JPEGWithGPS(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	out := append([]byte{}, plain[:2]...)
	out = append(out, segment(0xE1, append([]byte("Exif\x00\x00"), EXIF(t)...))...)
	out = append(out, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>33,18.6N</exif:GPSLatitude></x:xmpmeta>"))...)
	out = append(out, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x5a\x00\x07Baghdad"))...)
	out = append(out, segment(0xFE, []byte("shot by a source near the river"))...)
	out = append(out, plain[2:]...)
	// A phone's second picture after the end, with its own EXIF.
	out = append(out, 0xFF, 0xD8)
	out = append(out, segment(0xE1, append([]byte("Exif\x00\x00"), EXIF(t)...))...)
	out = append(out, 0xFF, 0xD9)
	return out
}

// PNGWithText returns a PNG of Picture carrying tEXt, iTXt, zTXt and eXIf
// chunks before its image data.
func PNGWithText(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture()); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	// The IHDR chunk is 8+4+4+13+4 bytes after the signature.
	at := 8 + 25
	out := append([]byte{}, plain[:at]...)
	out = append(out, pngChunk("tEXt", []byte("Comment\x00shot near the river"))...)
	out = append(out, pngChunk("iTXt", []byte("Location\x00\x00\x00\x00\x00Baghdad"))...)
	out = append(out, pngChunk("zTXt", []byte("Author\x00\x00x\x9c\x03\x00\x00\x00\x00\x01"))...)
	out = append(out, pngChunk("eXIf", EXIF(t))...)
	return append(out, plain[at:]...)
}

func pngChunk(typ string, data []byte) []byte {
	c := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(c, uint32(len(data)))
	copy(c[4:], typ)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc(c[4:]))
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
