// Package demo holds marsad's built-in demonstration data: a few dozen
// posts in Arabic, English and French written for the project, the images
// they carry, and two banks that some of them match. It includes news
// reports and counter-speech that quote the same words as the propaganda
// and must not be flagged.
package demo

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/marsad/marsad/internal/model"
)

//go:embed posts.jsonl
var postsJSONL []byte

// PostsJSONL returns the demo posts, one JSON object per line, with media
// paths relative to the folder WriteMedia writes to.
func PostsJSONL() []byte { return postsJSONL }

// Count is how many demo posts there are.
func Count() int { return bytes.Count(postsJSONL, []byte("\n")) }

// Bank is a demo bank with its entries. Entries whose Value is empty and
// whose Type is pdq or sha256 take the hash of the named image.
type Bank struct {
	Bank    model.Bank
	Entries []Entry
}

// Entry is one demo bank entry.
type Entry struct {
	model.BankEntry
	// Image names a demo image whose hash is the value.
	Image string
}

// Banks returns the demo banks.
func Banks() []Bank {
	return []Bank{
		{
			Bank: model.Bank{Name: "demo-partner-hashes", Owner: "Demo partner (hash-sharing consortium)", Enabled: true, AutoAction: true,
				Description: "Known terrorist media and links shared by a partner; the partner allows automatic action on a match."},
			Entries: []Entry{
				{BankEntry: model.BankEntry{Type: model.SignalPDQ, Label: model.Propaganda, Source: "partner"}, Image: "banner-a.png"},
				{BankEntry: model.BankEntry{Type: model.SignalSHA256, Label: model.Propaganda, Source: "partner"}, Image: "banner-b.png"},
				{BankEntry: model.BankEntry{Type: model.SignalURL, Value: "https://t.me/joinchat/AAAAAE9xRaYaSawda", Label: model.Propaganda, Source: "partner"}},
			},
		},
		{
			Bank: model.Bank{Name: "demo-unit-list", Owner: "Demo national unit", Enabled: true,
				Description: "Wallets and channels the unit has confirmed; a human decides every match."},
			Entries: []Entry{
				{BankEntry: model.BankEntry{Type: model.SignalWallet, Value: "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Label: model.Financing, Source: "unit investigation"}},
				{BankEntry: model.BankEntry{Type: model.SignalWallet, Value: "trx:TLyqzVGLV1srkB7dToTAEqgDSfPtXRJZYH", Label: model.Financing, Source: "unit investigation"}},
				{BankEntry: model.BankEntry{Type: model.SignalURL, Value: "https://t.me/raya_sawda_media/102", Label: model.Propaganda, Source: "unit investigation"}},
			},
		},
	}
}

// Images lists the demo images by file name.
var Images = []string{"banner-a.png", "banner-a-reupload.png", "banner-b.png"}

// WriteMedia writes the demo images into dir/media and returns dir.
func WriteMedia(dir string) error {
	md := filepath.Join(dir, "media")
	if err := os.MkdirAll(md, 0o750); err != nil {
		return err
	}
	for _, name := range Images {
		var buf bytes.Buffer
		if err := png.Encode(&buf, Image(name)); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(md, name), buf.Bytes(), 0o640); err != nil {
			return fmt.Errorf("demo media: %w", err)
		}
	}
	return nil
}

// Image draws a demo image. The re-upload is the banner slightly brighter
// and watermarked: a near duplicate that a perceptual hash matches and an
// exact hash does not.
func Image(name string) image.Image {
	const w, h = 480, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	switch name {
	case "banner-a.png", "banner-a-reupload.png":
		re := name == "banner-a-reupload.png"
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := bannerA(x, y, w, h)
				if re {
					v = min(255, v+8)
					if x > w-60 && x < w-10 && y > h-20 && y < h-8 { // a re-uploader's faint watermark
						v = min(255, v+40)
					}
				}
				img.Set(x, y, color.RGBA{uint8(v), uint8(v * 9 / 10), uint8(v * 8 / 10), 255})
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r := math.Hypot(float64(x-w/3), float64(y-h/2))
				v := 128 + 127*math.Sin(r/9)
				g := 128 + 127*math.Cos(float64(x)/23)
				img.Set(x, y, color.RGBA{uint8(v), uint8(g), uint8(255 - v), 255})
			}
		}
	}
	return img
}

func bannerA(x, y, w, h int) int {
	// A dark field with a pale disc, bands and a soft texture: a stand-in
	// for a group's banner.
	dx, dy := float64(x-w/2), float64(y-h/2)
	tex := int(18 * math.Sin(float64(x)/17) * math.Cos(float64(y)/13))
	switch {
	case dx*dx+dy*dy < 70*70:
		return 200 + tex
	case y < h/6 || y > 5*h/6:
		return 60 + (x*40)/w + tex
	case (x/24)%2 == 0 && y > h/6 && y < h/3:
		return 150 + tex
	}
	return 40 + (y*30)/h + tex
}
