package pdq

import (
	"bytes"
	"image"
	"image/gif"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// FuzzHashReader feeds arbitrary bytes to the decoder and hasher: an error
// or a hash, never a panic, and every hash consistent with itself.
func FuzzHashReader(f *testing.F) {
	card := testCard(24, 17)
	f.Add(encodePNG(f, card))
	f.Add(encodeJPEG(f, card))
	var g, b, t bytes.Buffer
	gif.Encode(&g, card, nil)
	bmp.Encode(&b, card)
	tiff.Encode(&t, card, nil)
	f.Add(g.Bytes())
	f.Add(b.Bytes())
	f.Add(t.Bytes())
	f.Add(pngHeader(50000, 50000))
	f.Add(encodePNG(f, image.NewGray16(image.Rect(0, 0, 6, 6))))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A small limit keeps hostile headers from costing the fuzzer
		// gigabytes; the limit itself is tested elsewhere.
		opts := Options{MaxPixels: 1 << 20}
		h := NewHasher(opts)
		hash, q, err := h.HashReader(bytes.NewReader(data))
		if err != nil {
			if hash != (Hash{}) || q != 0 {
				t.Fatalf("error %v with hash %v quality %d", err, hash, q)
			}
			return
		}
		if q < 0 || q > 100 {
			t.Fatalf("quality %d out of 0..100", q)
		}
		back, perr := ParseHash(hash.String())
		if perr != nil || back != hash {
			t.Fatalf("hash %v does not round-trip: %v", hash, perr)
		}
		dih, dq, err := h.DihedralReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("decoded once, then failed: %v", err)
		}
		img, _, _ := Decode(bytes.NewReader(data), opts)
		b := img.Bounds()
		// The reference skips the filter only in the single-hash path,
		// for input already 64x64.
		if (b.Dx() != 64 || b.Dy() != 64) && (dih[Original] != hash || dq != q) {
			t.Fatalf("dihedral original %v,%d differs from hash %v,%d", dih[Original], dq, hash, q)
		}
	})
}

// FuzzParseHash: any string either parses to a hash that prints back in
// lower case, or is refused.
func FuzzParseHash(f *testing.F) {
	f.Add("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	f.Add("")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			return
		}
		if !bytes.EqualFold([]byte(h.String()), []byte(s)) {
			t.Fatalf("ParseHash(%q).String() = %q", s, h.String())
		}
	})
}
