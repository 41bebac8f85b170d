// Package pdftexttest reads back the strings a PDF written by fpdf draws,
// for tests of what notices and reports print.
package pdftexttest

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// TextOp is a string a PDF draws and where its left edge is, in points.
type TextOp struct {
	X    float64
	Text string
}

// Drawn returns the strings a PDF draws, in order: fpdf writes each as
// "BT x y Td (string) Tj ET", Latin in Windows-1252 and text in an
// embedded TrueType font as UTF-16 (big-endian) codes, which the font's
// CID map turns into glyphs.
func Drawn(pdf []byte) []TextOp {
	var content bytes.Buffer
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1) {
		if zr, err := zlib.NewReader(bytes.NewReader(m[1])); err == nil {
			if inflated, err := io.ReadAll(zr); err == nil && bytes.Contains(inflated, []byte(")Tj")) {
				content.Write(inflated)
			}
		}
	}
	var out []TextOp
	unescape := strings.NewReplacer(`\\`, `\`, `\(`, "(", `\)`, ")", `\r`, "\r")
	for _, m := range regexp.MustCompile(`(?s)BT ([0-9.]+) [0-9.]+ Td \((.*?)\) ?Tj ET`).FindAllSubmatch(content.Bytes(), -1) {
		s := unescape.Replace(string(m[2]))
		if u := fromUTF16(s); u != "" {
			s = u
		}
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		out = append(out, TextOp{X: x, Text: s})
	}
	return out
}

// fromUTF16 decodes s as UTF-16 when it reads as Arabic text, else "".
func fromUTF16(s string) string {
	if len(s)%2 != 0 {
		return ""
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
	}
	r := string(utf16.Decode(u))
	for _, c := range r {
		arabic := (c >= 0x0600 && c <= 0x06FF) || (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF)
		if !arabic && (c < 0x20 || c >= 0x80) {
			return ""
		}
	}
	return r
}
