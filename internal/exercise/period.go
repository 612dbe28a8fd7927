package exercise

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/datamatch/datamatch/internal/date"
)

// Period is an ISO 8601 duration in calendar units — years, months, weeks
// and days — such as P90D, P6M, P2Y or P1Y6M. Retention periods are
// Periods. Time components (PT12H) and fractions are not accepted: a
// retention period is counted in whole days.
type Period struct {
	Years, Months, Weeks, Days int
}

// maxPeriodDays bounds a Period, roughly 1,000 years, so that adding one to
// any date of interest stays within the calendar.
const maxPeriodDays = 1000 * 366

// ParsePeriod parses an ISO 8601 duration of the form P[nY][nM][nW][nD]:
// the designator P, then at least one component, each a non-negative
// integer followed by its unit letter, in that order, each at most once.
func ParsePeriod(s string) (Period, error) {
	if len(s) == 0 {
		return Period{}, errors.New("empty period: want an ISO 8601 duration such as P90D, P6M or P2Y")
	}
	if s[0] != 'P' {
		return Period{}, fmt.Errorf("period %q does not start with P: want an ISO 8601 duration such as P90D, P6M or P2Y", s)
	}
	var p Period
	rest := s[1:]
	if rest == "" {
		return Period{}, fmt.Errorf("period %q has no components", s)
	}
	const units = "YMWD"
	next := 0 // index in units of the first unit still allowed
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == len(rest) {
			return Period{}, fmt.Errorf("period %q: number without a unit", s)
		}
		unit := rest[i]
		if i == 0 {
			switch unit {
			case 'T':
				return Period{}, fmt.Errorf("period %q: time components are not supported; a retention period is counted in days", s)
			case '.', ',':
				return Period{}, fmt.Errorf("period %q: fractions are not supported", s)
			}
			return Period{}, fmt.Errorf("period %q: unit %q without a number", s, unit)
		}
		if unit == '.' || unit == ',' {
			return Period{}, fmt.Errorf("period %q: fractions are not supported", s)
		}
		if unit == 'T' {
			return Period{}, fmt.Errorf("period %q: time components are not supported; a retention period is counted in days", s)
		}
		u := -1
		for j := 0; j < len(units); j++ {
			if units[j] == unit {
				u = j
			}
		}
		if u < 0 {
			return Period{}, fmt.Errorf("period %q: unknown unit %q; want Y, M, W or D", s, unit)
		}
		if u < next {
			return Period{}, fmt.Errorf("period %q: unit %q repeated or out of order (Y, M, W, D)", s, unit)
		}
		next = u + 1
		if i > 7 {
			return Period{}, fmt.Errorf("period %q is too long", s)
		}
		n, _ := strconv.Atoi(rest[:i])
		switch unit {
		case 'Y':
			p.Years = n
		case 'M':
			p.Months = n
		case 'W':
			p.Weeks = n
		case 'D':
			p.Days = n
		}
		rest = rest[i+1:]
	}
	if p.approxDays() > maxPeriodDays {
		return Period{}, fmt.Errorf("period %q is longer than 1000 years", s)
	}
	return p, nil
}

func (p Period) approxDays() int {
	return p.Years*366 + p.Months*31 + p.Weeks*7 + p.Days
}

// IsZero reports whether p is empty (no period, or P0D).
func (p Period) IsZero() bool { return p == Period{} }

// String formats p in ISO 8601, omitting zero components; the zero Period
// is "P0D".
func (p Period) String() string {
	if p.IsZero() {
		return "P0D"
	}
	b := []byte{'P'}
	for _, c := range []struct {
		n    int
		unit byte
	}{{p.Years, 'Y'}, {p.Months, 'M'}, {p.Weeks, 'W'}, {p.Days, 'D'}} {
		if c.n != 0 {
			b = strconv.AppendInt(b, int64(c.n), 10)
			b = append(b, c.unit)
		}
	}
	return string(b)
}

// AddTo returns the date p after d. Years and months are added first, and
// a day that the resulting month lacks becomes its last day (31 January
// plus P1M is 28 or 29 February); weeks and days are added after that. The
// null date stays null, and a result past the year 9999 is null.
func (p Period) AddTo(d date.Date) date.Date {
	if d.IsZero() {
		return d
	}
	y, m, dd := d.Civil()
	months := int(m) - 1 + p.Months + 12*p.Years
	y += months / 12
	m = time.Month(months%12 + 1)
	if last := lastDay(y, m); dd > last {
		dd = last
	}
	r, ok := date.Of(y, m, dd)
	if !ok {
		return date.Date{}
	}
	return r.AddDays(7*p.Weeks + p.Days)
}

func lastDay(y int, m time.Month) int {
	// The day before the first of the next month.
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// MarshalText implements encoding.TextMarshaler.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalYAML reads a period from a YAML scalar, reporting errors with
// their line.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "want an ISO 8601 duration such as P90D, P6M or P2Y")
	}
	v, err := ParsePeriod(n.Value)
	if err != nil {
		return typeError(n, err.Error())
	}
	*p = v
	return nil
}

// typeError reports a problem at n in the form yaml.v3 gives its own, so
// that it is listed with the decoder's other errors.
func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
}
