// Package date provides a calendar date without time of day or zone, the
// type every date in datamatch is held in (dates of birth, tenancy dates,
// dates of death). A Date is stored as the number of days since 1970-01-01,
// the representation of Arrow's date32 and Parquet's DATE.
package date

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a proleptic Gregorian calendar date. The zero Date is "no date"
// (null); use IsZero to test for it.
type Date struct {
	days  int32
	valid bool
}

// FromDays returns the date days after 1970-01-01.
func FromDays(days int32) Date { return Date{days: days, valid: true} }

// Of returns the date for year, month and day. It reports false if the
// combination is not a real calendar date (30 February, month 13, ...).
func Of(year int, month time.Month, day int) (Date, bool) {
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || year < 1 || year > 9999 {
		return Date{}, false
	}
	return FromDays(int32(daysFromCivil(year, int(month), day))), true
}

// MustOf is Of for constants known to be valid; it panics otherwise.
func MustOf(year int, month time.Month, day int) Date {
	d, ok := Of(year, month, day)
	if !ok {
		panic(fmt.Sprintf("date: invalid date %04d-%02d-%02d", year, month, day))
	}
	return d
}

// FromTime returns the calendar date of t in t's location. It panics if
// t's year is outside 1 to 9999; a time read from data goes through Of.
func FromTime(t time.Time) Date {
	y, m, d := t.Date()
	return MustOf(y, m, d)
}

// Today returns the current date in the local time zone.
func Today() Date { return FromTime(time.Now()) }

// IsZero reports whether d is the null date.
func (d Date) IsZero() bool { return !d.valid }

// Days returns the number of days since 1970-01-01. It is 0 for the null date.
func (d Date) Days() int32 { return d.days }

// Civil returns the year, month and day of d. All are zero for the null date.
func (d Date) Civil() (year int, month time.Month, day int) {
	if !d.valid {
		return 0, 0, 0
	}
	y, m, dd := civilFromDays(int64(d.days))
	return y, time.Month(m), dd
}

// Year returns d's year, or 0 for the null date.
func (d Date) Year() int { y, _, _ := d.Civil(); return y }

// Month returns d's month, or 0 for the null date.
func (d Date) Month() time.Month { _, m, _ := d.Civil(); return m }

// Day returns d's day of the month, or 0 for the null date.
func (d Date) Day() int { _, _, dd := d.Civil(); return dd }

// AddDays returns d moved by n days. The null date stays null.
func (d Date) AddDays(n int) Date {
	if !d.valid {
		return d
	}
	return FromDays(d.days + int32(n))
}

// Before reports whether d is strictly before e. Null dates are never before
// or after anything.
func (d Date) Before(e Date) bool { return d.valid && e.valid && d.days < e.days }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.valid && e.valid && d.days > e.days }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// String formats d as ISO 8601 (2006-01-02), or "" for the null date.
func (d Date) String() string {
	if !d.valid {
		return ""
	}
	y, m, dd := d.Civil()
	b := make([]byte, 0, 10)
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int(m), 2)
	b = append(b, '-')
	b = appendPadded(b, dd, 2)
	return string(b)
}

// MarshalText implements encoding.TextMarshaler (ISO 8601; null is empty).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for ISO 8601 dates.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := Parse(ISO, string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// daysFromCivil and civilFromDays are Howard Hinnant's algorithms
// (http://howardhinnant.github.io/date_algorithms.html).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}
