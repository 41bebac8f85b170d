package ui

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// inlineTypes are the raster image types a browser may show from marsad's
// origin: none of them can carry a script. Everything else (SVG, HTML, XML,
// PDF, video, unknown bytes) is sent as a download.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/bmp": true,
}

// writeMedia sends a stored media file. The type is taken from the bytes,
// never from the file name the poster chose: an SVG named "a.jpg" is still
// an SVG. Raster images are shown inline; anything else is an attachment of
// type application/octet-stream, so it never runs on marsad's origin.
func writeMedia(w http.ResponseWriter, f io.Reader, name string) {
	head := make([]byte, 512)
	k, _ := io.ReadFull(f, head)
	ct := http.DetectContentType(head[:k])
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	if inlineTypes[ct] {
		hd.Set("Content-Type", ct)
		hd.Set("Content-Disposition", "inline")
	} else {
		hd.Set("Content-Type", "application/octet-stream")
		hd.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", attachmentName(name)))
		hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	_, _ = w.Write(head[:k])
	_, _ = io.Copy(w, f)
}

// attachmentName is a safe download name: the base of the stored path,
// without quotes, separators or control characters.
func attachmentName(p string) string {
	n := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, path.Base(p))
	if n == "" || n == "." || n == "_" {
		n = "media"
	}
	return n
}
