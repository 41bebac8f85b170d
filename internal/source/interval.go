package source

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// intervalUnits are the unit words people write after a number, in the
// languages marsad speaks, longest first within each.
var intervalUnits = []struct {
	word string
	unit time.Duration
}{
	{"hours", time.Hour}, {"hour", time.Hour}, {"heures", time.Hour}, {"heure", time.Hour}, {"hrs", time.Hour}, {"hr", time.Hour}, {"h", time.Hour},
	{"minutes", time.Minute}, {"minute", time.Minute}, {"mins", time.Minute}, {"min", time.Minute}, {"m", time.Minute},
	{"seconds", time.Second}, {"second", time.Second}, {"secondes", time.Second}, {"seconde", time.Second}, {"secs", time.Second}, {"sec", time.Second}, {"s", time.Second},
	{"ساعات", time.Hour}, {"ساعة", time.Hour}, {"ساعه", time.Hour}, {"س", time.Hour},
	{"دقائق", time.Minute}, {"دقيقة", time.Minute}, {"دقيقه", time.Minute}, {"د", time.Minute},
	{"ثوان", time.Second}, {"ثواني", time.Second}, {"ثانية", time.Second}, {"ثانيه", time.Second}, {"ث", time.Second},
}

// ParseInterval reads a time between polls as people write it: "15m",
// "1h30m", "90s", "1 h 30 min", "2 heures", "15 دقيقة", "١ س ٣٠ د". Empty
// is DefaultInterval. It refuses an interval shorter than MinInterval
// with a *FieldError naming the field "interval".
func ParseInterval(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return DefaultInterval, nil
	}
	bad := fieldErr("interval", "source_interval", "%q is not a time such as 15m or 1h30m", in)
	rest := strings.ToLower(toASCIIDigits(in))
	var total time.Duration
	parts := 0
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if parts > 0 {
			// "1 h and 30 min", "1 h et 30 min", "ساعة و30 دقيقة"
			for _, and := range []string{",", "and ", "et ", "و"} {
				if after, ok := strings.CutPrefix(rest, and); ok {
					rest = strings.TrimLeftFunc(after, unicode.IsSpace)
					break
				}
			}
		}
		if rest == "" {
			break
		}
		i := strings.IndexFunc(rest, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
		if i <= 0 {
			return 0, bad
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
		var unit time.Duration
		for _, u := range intervalUnits {
			if after, ok := strings.CutPrefix(rest, u.word); ok {
				// A unit ends at a digit, a space or the end: "min" is
				// not the start of "minx".
				if r := []rune(after + " ")[0]; unicode.IsDigit(r) || unicode.IsSpace(r) {
					unit, rest = u.unit, after
					break
				}
			}
		}
		if unit == 0 {
			return 0, bad
		}
		if n > float64(365*24*time.Hour/unit) {
			return 0, bad
		}
		total += time.Duration(n * float64(unit))
		parts++
	}
	if parts == 0 {
		return 0, bad
	}
	if total < MinInterval {
		return 0, fieldErr("interval", "source_interval_short", "%s is shorter than %s", FormatInterval(total), FormatInterval(MinInterval))
	}
	return total.Round(time.Second), nil
}

// FormatInterval writes d as people write it and ParseInterval reads it:
// "15m", "1h30m", "45s", "2h" — not Go's "15m0s".
func FormatInterval(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	d = d.Round(time.Second)
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}
