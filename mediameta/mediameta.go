// Package mediameta reads the metadata a camera writes into a picture
// (EXIF: where and when it was taken, with what) and removes such metadata
// from a copy of the file without re-encoding it.
//
// Analysts see the metadata: a photograph's GPS position and camera say
// where propaganda was made. What marsad shares outward carries none of it:
// a partner, a platform or a leak must not learn more than the published
// picture shows. It depends on nothing else in marsad.
package mediameta

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Meta is what marsad keeps of a file's EXIF data.
type Meta struct {
	GPS      *GPS   `json:"gps,omitempty"`
	Make     string `json:"make,omitempty"`
	Model    string `json:"model,omitempty"`
	Lens     string `json:"lens,omitempty"`
	Software string `json:"software,omitempty"`
	// Taken is DateTimeOriginal as the camera wrote it
	// ("2024:05:01 13:45:10"): local time of an unknown zone.
	Taken string `json:"taken,omitempty"`
}

// GPS is a position in decimal degrees (south and west negative).
type GPS struct {
	Latitude  float64 `json:"lat"`
	Longitude float64 `json:"lon"`
	// Altitude is in metres above sea level, when recorded.
	Altitude *float64 `json:"alt,omitempty"`
	// Time is the GPS fix's UTC time, when recorded.
	Time time.Time `json:"time,omitzero"`
}

// Empty reports whether m holds nothing worth showing.
func (m *Meta) Empty() bool {
	return m == nil || (m.GPS == nil && m.Make == "" && m.Model == "" && m.Lens == "" && m.Software == "" && m.Taken == "")
}

// maxTextLen bounds one text field: EXIF strings are the sender's.
const maxTextLen = 200

// EXIF tags marsad keeps.
const (
	tagMake             = 0x010F
	tagModel            = 0x0110
	tagSoftware         = 0x0131
	tagDateTime         = 0x0132
	tagExifIFD          = 0x8769
	tagGPSIFD           = 0x8825
	tagDateTimeOriginal = 0x9003
	tagLensModel        = 0xA434
	tagGPSLatitudeRef   = 1
	tagGPSLatitude      = 2
	tagGPSLongitudeRef  = 3
	tagGPSLongitude     = 4
	tagGPSAltitudeRef   = 5
	tagGPSAltitude      = 6
	tagGPSTimeStamp     = 7
	tagGPSDateStamp     = 0x1D
)

// Read returns the EXIF metadata of a JPEG, PNG, TIFF or HEIF file, or
// nil and no error when it has none.
func Read(data []byte) (*Meta, error) {
	block := findEXIF(data)
	if block == nil {
		return nil, nil
	}
	t, off, err := parseTIFF(block)
	if err != nil {
		return nil, fmt.Errorf("exif: %w", err)
	}
	ifd0, err := t.ifd(off)
	if err != nil {
		return nil, fmt.Errorf("exif: %w", err)
	}
	text := func(ifd map[uint16]entry, tag uint16) string {
		s := t.text(ifd[tag])
		s = strings.TrimSpace(strings.ToValidUTF8(strings.TrimRight(s, "\x00"), ""))
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		if len(s) > maxTextLen {
			s = strings.ToValidUTF8(s[:maxTextLen], "")
		}
		return s
	}
	m := &Meta{Make: text(ifd0, tagMake), Model: text(ifd0, tagModel), Software: text(ifd0, tagSoftware)}
	if o, ok := t.offset(ifd0[tagExifIFD]); ok && o != off {
		ex, err := t.ifd(o)
		if err != nil {
			return nil, fmt.Errorf("exif: Exif IFD: %w", err)
		}
		m.Taken, m.Lens = text(ex, tagDateTimeOriginal), text(ex, tagLensModel)
	}
	if m.Taken == "" {
		m.Taken = text(ifd0, tagDateTime)
	}
	if o, ok := t.offset(ifd0[tagGPSIFD]); ok && o != off {
		g, err := t.ifd(o)
		if err != nil {
			return nil, fmt.Errorf("exif: GPS IFD: %w", err)
		}
		m.GPS = gps(t, g, func(tag uint16) string { return text(g, tag) })
	}
	if m.Empty() {
		return nil, nil
	}
	return m, nil
}

func gps(t *tiff, g map[uint16]entry, text func(uint16) string) *GPS {
	lat, ok1 := degrees(t.rationals(g[tagGPSLatitude]), text(tagGPSLatitudeRef), "S")
	lon, ok2 := degrees(t.rationals(g[tagGPSLongitude]), text(tagGPSLongitudeRef), "W")
	if !ok1 || !ok2 || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil
	}
	out := &GPS{Latitude: lat, Longitude: lon}
	if alt := t.rationals(g[tagGPSAltitude]); len(alt) == 1 {
		a := alt[0]
		if ref, ok := g[tagGPSAltitudeRef]; ok && ref.typ == 1 && len(ref.value) == 1 && ref.value[0] == 1 {
			a = -a // below sea level
		}
		out.Altitude = &a
	}
	if d, err := time.Parse("2006:01:02", text(tagGPSDateStamp)); err == nil {
		if hms := t.rationals(g[tagGPSTimeStamp]); len(hms) == 3 && hms[0] < 24 && hms[1] < 60 && hms[2] < 61 {
			secs := hms[0]*3600 + hms[1]*60 + hms[2]
			out.Time = d.Add(time.Duration(secs * float64(time.Second))).UTC()
		}
	}
	return out
}

// degrees turns EXIF's degrees, minutes and seconds into decimal degrees,
// negative when ref is neg.
func degrees(dms []float64, ref, neg string) (float64, bool) {
	if len(dms) != 3 {
		return 0, false
	}
	d := dms[0] + dms[1]/60 + dms[2]/3600
	if strings.EqualFold(ref, neg) {
		d = -d
	}
	return d, true
}

// Position returns the position as "latitude, longitude" in decimal
// degrees, six places (about 10 cm).
func (g *GPS) Position() string {
	return strconv.FormatFloat(g.Latitude, 'f', 6, 64) + ", " + strconv.FormatFloat(g.Longitude, 'f', 6, 64)
}

// AltitudeText returns the altitude in metres, one place, or "" when none
// was recorded.
func (g *GPS) AltitudeText() string {
	if g.Altitude == nil {
		return ""
	}
	return strconv.FormatFloat(*g.Altitude, 'f', 1, 64) + " m"
}
