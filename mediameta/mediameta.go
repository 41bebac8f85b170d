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
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
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

// Read returns the EXIF metadata of a JPEG, TIFF or HEIF file, or nil and
// no error when it has none.
func Read(data []byte) (m *Meta, err error) {
	// The library reports some malformed input by panicking.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("exif: malformed: %v", r)
		}
	}()
	raw, err := exif.SearchAndExtractExif(data)
	if errors.Is(err, exif.ErrNoExif) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("exif: %w", err)
	}
	tags, _, err := exif.GetFlatExifData(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("exif: %w", err)
	}
	m = &Meta{}
	byName := map[string]exif.ExifTag{}
	for _, t := range tags {
		// The first IFD is the picture's; IFD1 describes the thumbnail.
		if t.IfdPath == "IFD1" {
			continue
		}
		if _, ok := byName[t.TagName]; !ok {
			byName[t.TagName] = t
		}
	}
	text := func(name string) string {
		t, ok := byName[name]
		if !ok {
			return ""
		}
		s, _ := t.Value.(string)
		s = strings.TrimSpace(strings.ToValidUTF8(strings.TrimRight(s, "\x00"), ""))
		if len(s) > maxTextLen {
			s = s[:maxTextLen]
		}
		return s
	}
	m.Make, m.Model, m.Software = text("Make"), text("Model"), text("Software")
	m.Lens, m.Taken = text("LensModel"), text("DateTimeOriginal")
	if m.Taken == "" {
		m.Taken = text("DateTime")
	}
	m.GPS = gps(byName, text)
	if m.Empty() {
		return nil, nil
	}
	return m, nil
}

func gps(byName map[string]exif.ExifTag, text func(string) string) *GPS {
	lat, ok1 := degrees(byName["GPSLatitude"].Value, text("GPSLatitudeRef"), "S")
	lon, ok2 := degrees(byName["GPSLongitude"].Value, text("GPSLongitudeRef"), "W")
	if !ok1 || !ok2 || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return nil
	}
	g := &GPS{Latitude: lat, Longitude: lon}
	if rs, ok := byName["GPSAltitude"].Value.([]exifcommon.Rational); ok && len(rs) == 1 && rs[0].Denominator != 0 {
		alt := float64(rs[0].Numerator) / float64(rs[0].Denominator)
		if ref, ok := byName["GPSAltitudeRef"].Value.([]byte); ok && len(ref) == 1 && ref[0] == 1 {
			alt = -alt // below sea level
		}
		g.Altitude = &alt
	}
	if d, err := time.Parse("2006:01:02", text("GPSDateStamp")); err == nil {
		if rs, ok := byName["GPSTimeStamp"].Value.([]exifcommon.Rational); ok && len(rs) == 3 {
			var secs float64
			for i, r := range rs {
				if r.Denominator == 0 {
					return g
				}
				secs += float64(r.Numerator) / float64(r.Denominator) * [3]float64{3600, 60, 1}[i]
			}
			g.Time = d.Add(time.Duration(secs * float64(time.Second))).UTC()
		}
	}
	return g
}

// degrees turns EXIF's degrees, minutes and seconds into decimal degrees,
// negative when ref is neg.
func degrees(v any, ref, neg string) (float64, bool) {
	rs, ok := v.([]exifcommon.Rational)
	if !ok || len(rs) != 3 {
		return 0, false
	}
	var d float64
	for i, r := range rs {
		if r.Denominator == 0 {
			return 0, false
		}
		d += float64(r.Numerator) / float64(r.Denominator) / [3]float64{1, 60, 3600}[i]
	}
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
