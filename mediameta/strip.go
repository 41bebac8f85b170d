package mediameta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Strip returns a copy of a JPEG or PNG file without its metadata, the
// picture itself untouched (no re-encoding, so the same pixels), and
// whether anything was removed. Other types are returned as they are.
//
// JPEG: APP1 (EXIF, XMP), APP13 (IPTC, Photoshop), COM, an APP2 that is a
// multi-picture index, and whatever follows the end-of-image marker
// (where phones append further pictures with their own EXIF). APP0 (JFIF),
// the colour profile (APP2 ICC) and APP14 (Adobe colour transform) stay:
// they change how the pixels decode.
//
// PNG: tEXt, iTXt, zTXt and eXIf chunks, and what follows IEND.
func Strip(data []byte) ([]byte, bool, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return stripJPEG(data)
	case bytes.HasPrefix(data, pngSignature):
		return stripPNG(data)
	}
	return data, false, nil
}

// ErrMalformed is returned (wrapped) for a file Strip cannot walk.
var ErrMalformed = errors.New("malformed file")

func stripJPEG(data []byte) ([]byte, bool, error) {
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	inScan := false
	for i < len(data) {
		if data[i] != 0xFF {
			if !inScan {
				return nil, false, fmt.Errorf("jpeg: %w: byte %d is not a marker", ErrMalformed, i)
			}
			// Entropy-coded data: copy up to the next 0xFF.
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 {
				return nil, false, fmt.Errorf("jpeg: %w: no end-of-image marker", ErrMalformed)
			}
			out = append(out, data[i:i+j]...)
			i += j
			continue
		}
		if i+1 >= len(data) {
			return nil, false, fmt.Errorf("jpeg: %w: truncated at byte %d", ErrMalformed, i)
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			out = append(out, 0xFF)
			i++
			continue
		case inScan && (m == 0x00 || m >= 0xD0 && m <= 0xD7): // stuffed byte, restart marker
			out = append(out, 0xFF, m)
			i += 2
			continue
		case m == 0xD9: // end of image: anything after it is dropped
			out = append(out, 0xFF, 0xD9)
			return out, len(out) != len(data), nil
		case m == 0x01 || m >= 0xD0 && m <= 0xD7:
			out = append(out, 0xFF, m)
			i += 2
			continue
		}
		if i+4 > len(data) {
			return nil, false, fmt.Errorf("jpeg: %w: truncated segment at byte %d", ErrMalformed, i)
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil, false, fmt.Errorf("jpeg: %w: segment 0x%02X at byte %d has length %d", ErrMalformed, m, i, n)
		}
		seg := data[i : i+2+n]
		if !dropJPEG(m, seg[4:]) {
			out = append(out, seg...)
		}
		i += 2 + n
		inScan = m == 0xDA // start of scan: entropy-coded data follows
	}
	return nil, false, fmt.Errorf("jpeg: %w: no end-of-image marker", ErrMalformed)
}

func dropJPEG(marker byte, body []byte) bool {
	switch marker {
	case 0xE1, 0xED, 0xFE: // APP1, APP13, COM
		return true
	case 0xE2: // APP2: drop a multi-picture index, keep an ICC profile
		return bytes.HasPrefix(body, []byte("MPF\x00"))
	}
	return false
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func stripPNG(data []byte) ([]byte, bool, error) {
	out := append(make([]byte, 0, len(data)), pngSignature...)
	i := len(pngSignature)
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if n < 0 || n > len(data)-i-12 {
			return nil, false, fmt.Errorf("png: %w: chunk at byte %d has length %d", ErrMalformed, i, n)
		}
		typ := string(data[i+4 : i+8])
		chunk := data[i : i+12+n]
		switch typ {
		case "tEXt", "iTXt", "zTXt", "eXIf":
		default:
			out = append(out, chunk...)
		}
		i += 12 + n
		if typ == "IEND" {
			return out, len(out) != len(data), nil
		}
	}
	return nil, false, fmt.Errorf("png: %w: no IEND chunk", ErrMalformed)
}
