package pdq_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/marsad/marsad/pdq"
)

// card draws a small synthetic picture: a bright disc off centre on a
// diagonal gradient, with a checked texture.
func card(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(255 * (x + y) / (w + h))
			dx, dy := x-w/3, y-h/3
			if dx*dx+dy*dy < w*h/16 {
				v = 255 - v/4
			}
			if (x/10+y/10)%2 == 0 {
				v /= 2
			}
			img.SetNRGBA(x, y, color.NRGBA{v, v / 2, 255 - v, 0xff})
		}
	}
	return img
}

func ExampleHashImage() {
	h, quality := pdq.HashImage(card(200, 150))
	fmt.Println(h, quality)
	fmt.Println("worth matching:", quality >= pdq.MinQuality)
	// Output:
	// 5555ab8aaaaadd0eab8ec58fb88e1d0e8b8ee47ee80efc0e0272027e227e5f81 100
	// worth matching: true
}

// A file is decoded from its bytes; the pixel limit refuses a
// decompression bomb from its header.
func ExampleHashReader() {
	var file bytes.Buffer
	png.Encode(&file, card(200, 150))
	h, quality, err := pdq.HashReader(bytes.NewReader(file.Bytes()), pdq.Options{})
	fmt.Println(h, quality, err)

	_, _, err = pdq.HashReader(bytes.NewReader(file.Bytes()), pdq.Options{MaxPixels: 10_000})
	fmt.Println(err)
	// Output:
	// 5555ab8aaaaadd0eab8ec58fb88e1d0e8b8ee47ee80efc0e0272027e227e5f81 100 <nil>
	// png: image too large: 200x150 is 30000 pixels, limit 10000
}

// The eight dihedral hashes come from one DCT. A mirrored copy of an image
// matches the original's FlipY hash much more closely than its plain hash.
func ExampleHasher_Dihedral() {
	img := card(200, 150)
	d, _ := pdq.NewHasher(pdq.Options{}).Dihedral(img)
	mirrored, _ := pdq.HashImage(pdq.TransformImage(img, pdq.FlipY))
	fmt.Println("to the plain hash:", pdq.Distance(mirrored, d[pdq.Original]))
	fmt.Println("to the flipy hash:", pdq.Distance(mirrored, d[pdq.FlipY]))
	// Output:
	// to the plain hash: 128
	// to the flipy hash: 12
}

// Black bars added around a re-upload move its hash far away; removing
// them first brings it back.
func ExampleUnletterbox() {
	img := card(200, 150)
	boxed := image.NewNRGBA(image.Rect(0, 0, 200, 250))
	for i := 3; i < len(boxed.Pix); i += 4 {
		boxed.Pix[i] = 0xff // opaque black
	}
	for y := 0; y < 150; y++ {
		copy(boxed.Pix[(y+50)*boxed.Stride:], img.Pix[y*img.Stride:(y+1)*img.Stride])
	}
	orig, _ := pdq.HashImage(img)
	plain, _ := pdq.HashImage(boxed)
	cropped, _ := pdq.HashImage(pdq.Unletterbox(boxed, pdq.DefaultBlackThreshold))
	fmt.Println("letterboxed:", pdq.Distance(orig, plain))
	fmt.Println("unletterboxed:", pdq.Distance(orig, cropped))
	// Output:
	// letterboxed: 106
	// unletterboxed: 0
}
