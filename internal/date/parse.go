package date

import (
	"fmt"
	"time"
)

// Layout names a textual date format. Layouts are the ones real housing and
// partner exports use; the set is closed so that a config cannot ask for an
// ambiguous or time-bearing format by accident.
type Layout string

// Supported layouts.
const (
	ISO      Layout = "YYYY-MM-DD" // 2006-01-02
	Compact  Layout = "YYYYMMDD"   // 20060102
	UKSlash  Layout = "DD/MM/YYYY" // 02/01/2006
	UKDash   Layout = "DD-MM-YYYY" // 02-01-2006
	UKDot    Layout = "DD.MM.YYYY" // 02.01.2006
	USSlash  Layout = "MM/DD/YYYY" // 01/02/2006
	DayMonth Layout = "D MMM YYYY" // 2 Jan 2006
)

// Layouts lists every supported layout.
var Layouts = []Layout{ISO, Compact, UKSlash, UKDash, UKDot, USSlash, DayMonth}

// Valid reports whether l is a supported layout.
func (l Layout) Valid() bool {
	for _, x := range Layouts {
		if l == x {
			return true
		}
	}
	return false
}

// Parse parses s in layout l. It refuses strings that are not exactly of the
// layout and dates that do not exist (31 April). Surrounding spaces are
// ignored. The error never quotes s, since a date of birth is personal data.
func Parse(l Layout, s string) (Date, error) {
	s = trimSpace(s)
	var y, m, d int
	ok := false
	switch l {
	case ISO:
		y, m, d, ok = fixed(s, "dddd-dd-dd", 0, 5, 8)
	case Compact:
		y, m, d, ok = fixed(s, "dddddddd", 0, 4, 6)
	case UKSlash:
		d, m, y, ok = dmy(s, '/')
	case UKDash:
		d, m, y, ok = dmy(s, '-')
	case UKDot:
		d, m, y, ok = dmy(s, '.')
	case USSlash:
		m, d, y, ok = dmy(s, '/')
	case DayMonth:
		// time.Parse reads the layout but takes years from 0 to 9999; the
		// check below refuses year 0, as for the other layouts.
		t, err := time.Parse("2 Jan 2006", s)
		if err == nil {
			var mm time.Month
			y, mm, d = t.Date()
			m, ok = int(mm), true
		}
	default:
		return Date{}, fmt.Errorf("date: unsupported layout %q", string(l))
	}
	if !ok {
		return Date{}, fmt.Errorf("date: not of the form %s", string(l))
	}
	v, valid := Of(y, time.Month(m), d)
	if !valid {
		return Date{}, fmt.Errorf("date: no such calendar date in form %s", string(l))
	}
	return v, nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// fixed parses a fixed-width numeric pattern where 'd' is a digit and other
// bytes must match exactly; yi, mi, di are the offsets of the fields.
func fixed(s, pattern string, yi, mi, di int) (y, m, d int, ok bool) {
	if len(s) != len(pattern) {
		return 0, 0, 0, false
	}
	for i := 0; i < len(s); i++ {
		if pattern[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return 0, 0, 0, false
			}
		} else if s[i] != pattern[i] {
			return 0, 0, 0, false
		}
	}
	return atoi(s[yi : yi+4]), atoi(s[mi : mi+2]), atoi(s[di : di+2]), true
}

// dmy parses a, b and a four-digit c separated by sep, where a and b have one
// or two digits.
func dmy(s string, sep byte) (a, b, c int, ok bool) {
	parts := [3]string{}
	n := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == sep {
			if n == 3 {
				return 0, 0, 0, false
			}
			parts[n] = s[start:i]
			n++
			start = i + 1
		}
	}
	if n != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return 0, 0, 0, false
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, 0, 0, false
			}
		}
	}
	return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), true
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
