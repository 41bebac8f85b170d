package pipeline

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

func TestSniffType(t *testing.T) {
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
	ts := make([]byte, 200)
	ts[0], ts[188] = 0x47, 0x47
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"jpeg", jpg.Bytes(), "image"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image"},
		{"gif", []byte("GIF89a......"), "image"},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image"},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), "image"},
		{"mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "video"},
		{"quicktime", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00"), "video"},
		{"3gp", []byte("\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00"), "video"},
		{"matroska", []byte("\x1a\x45\xdf\xa3\x01\x00\x00\x00"), "video"},
		{"flv", []byte("FLV\x01\x05\x00\x00\x00\x09"), "video"},
		{"mpeg-ts", ts, "video"},
		{"pdf named .jpg", []byte("%PDF-1.4\n"), "file"},
		{"text", []byte("hello"), "file"},
	}
	for _, tt := range tests {
		if got := MediaType(tt.data); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
