package mediameta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The EXIF reader below is written here rather than taken from a library:
// the one tried (go-exif) trusts the value counts in a file and allocated
// gigabytes for a 600-byte hostile EXIF block. This one reads the few
// tags marsad keeps and checks every count and offset against the block.

// Limits on one EXIF block, so hostile input costs little.
const (
	maxIFDEntries = 1000
	maxEXIFBytes  = 1 << 20
)

// findEXIF returns the TIFF-structured EXIF block of a JPEG (APP1
// "Exif"), PNG (eXIf chunk), TIFF file, or HEIF file (its Exif item), or
// nil when there is none.
func findEXIF(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		i := 2
		for i+4 <= len(data) && data[i] == 0xFF {
			m := data[i+1]
			if m == 0xDA || m == 0xD9 { // image data follows: no more metadata
				return nil
			}
			if m == 0xFF || m == 0x01 || m >= 0xD0 && m <= 0xD7 {
				i++
				continue
			}
			n := int(binary.BigEndian.Uint16(data[i+2:]))
			if n < 2 || i+2+n > len(data) {
				return nil
			}
			body := data[i+4 : i+2+n]
			if m == 0xE1 && bytes.HasPrefix(body, []byte("Exif\x00\x00")) {
				return body[6:]
			}
			i += 2 + n
		}
	case bytes.HasPrefix(data, pngSignature):
		i := len(pngSignature)
		for i+12 <= len(data) {
			n := int(binary.BigEndian.Uint32(data[i:]))
			if n < 0 || n > len(data)-i-12 {
				return nil
			}
			if string(data[i+4:i+8]) == "eXIf" {
				return data[i+8 : i+8+n]
			}
			i += 12 + n
		}
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return data
	case len(data) > 12 && string(data[4:8]) == "ftyp":
		// HEIF keeps EXIF in an item whose data starts with "Exif\0\0"
		// after a 4-byte offset; finding that header is enough here.
		if i := bytes.Index(data, []byte("Exif\x00\x00")); i >= 0 {
			return data[i+6:]
		}
	}
	return nil
}

// entry is one IFD entry.
type entry struct {
	typ   uint16
	count uint32
	value []byte // count values of typ, bounds-checked
}

type tiff struct {
	b  []byte
	bo binary.ByteOrder
}

var errTIFF = errors.New("not a valid EXIF (TIFF) block")

func parseTIFF(b []byte) (*tiff, uint32, error) {
	if len(b) > maxEXIFBytes {
		b = b[:maxEXIFBytes]
	}
	if len(b) < 8 {
		return nil, 0, errTIFF
	}
	t := &tiff{b: b}
	switch string(b[:4]) {
	case "II*\x00":
		t.bo = binary.LittleEndian
	case "MM\x00*":
		t.bo = binary.BigEndian
	default:
		return nil, 0, errTIFF
	}
	return t, t.bo.Uint32(b[4:]), nil
}

var typeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// ifd reads the entries of the IFD at off. Entries of unknown type are
// skipped; an entry whose value lies outside the block is an error.
func (t *tiff) ifd(off uint32) (map[uint16]entry, error) {
	if uint64(off)+2 > uint64(len(t.b)) {
		return nil, fmt.Errorf("%w: IFD offset %d beyond the block", errTIFF, off)
	}
	n := int(t.bo.Uint16(t.b[off:]))
	if n > maxIFDEntries || uint64(off)+2+uint64(n)*12 > uint64(len(t.b)) {
		return nil, fmt.Errorf("%w: IFD at %d has %d entries beyond the block", errTIFF, off, n)
	}
	out := make(map[uint16]entry, n)
	for k := range n {
		e := t.b[int(off)+2+12*k:]
		tag, typ, count := t.bo.Uint16(e), t.bo.Uint16(e[2:]), t.bo.Uint32(e[4:])
		size, ok := typeSize[typ]
		if !ok {
			continue
		}
		total := size * uint64(count)
		var v []byte
		if total <= 4 {
			v = e[8 : 8+total]
		} else {
			at := uint64(t.bo.Uint32(e[8:]))
			if at+total > uint64(len(t.b)) {
				return nil, fmt.Errorf("%w: tag 0x%04X value beyond the block", errTIFF, tag)
			}
			v = t.b[at : at+total]
		}
		out[tag] = entry{typ: typ, count: count, value: v}
	}
	return out, nil
}

func (t *tiff) text(e entry) string {
	if e.typ != 2 {
		return ""
	}
	return string(e.value)
}

// rationals returns the unsigned rationals of e as floats, or nil.
func (t *tiff) rationals(e entry) []float64 {
	if e.typ != 5 {
		return nil
	}
	out := make([]float64, e.count)
	for i := range out {
		num, den := t.bo.Uint32(e.value[8*i:]), t.bo.Uint32(e.value[8*i+4:])
		if den == 0 {
			return nil
		}
		out[i] = float64(num) / float64(den)
	}
	return out
}

func (t *tiff) offset(e entry) (uint32, bool) {
	if e.count != 1 {
		return 0, false
	}
	switch e.typ {
	case 4, 13:
		return t.bo.Uint32(e.value), true
	case 3:
		return uint32(t.bo.Uint16(e.value)), true
	}
	return 0, false
}
