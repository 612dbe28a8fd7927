// Package money holds amounts of sterling exactly, as integer pence.
// Rent balances and arrears thresholds are never floating point.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Pence is an amount of money in pence. For rent balances a positive amount
// is owed by the tenant (arrears) and a negative one is credit.
type Pence int64

// ErrSyntax is returned for text that is not an amount of money.
var ErrSyntax = errors.New("money: not an amount")

// Parse reads an amount written as a finance export writes it: an optional
// sign or accounting parentheses, an optional "£" or "GBP", digits with
// optional thousands commas, and at most two decimal places.
// "£1,234.5" is 123450 pence; "(12.00)" and "-12" are -1200.
func Parse(s string) (Pence, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	s = strings.TrimPrefix(s, "£")
	s = strings.TrimPrefix(s, "GBP")
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") && !neg {
		neg, s = true, s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && !hasFrac {
		return 0, ErrSyntax
	}
	if whole == "" {
		whole = "0"
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, ErrSyntax
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, ErrSyntax
			}
		}
		whole = strings.Join(groups, "")
	}
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return 0, ErrSyntax
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if !allDigits(whole) || !allDigits(frac) || len(whole) > 15 {
		return 0, ErrSyntax
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	p := Pence(w*100 + f)
	if neg {
		p = -p
	}
	return p, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats p as pounds with two decimals and no symbol: "1234.50",
// "-0.05". It is the form written to CSV and JSON outputs.
func (p Pence) String() string {
	neg := p < 0
	v := int64(p)
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/100, 10) + "." + twoDigits(v%100)
	if neg {
		s = "-" + s
	}
	return s
}

// Pounds formats p for people: "£1,234.50", "-£12.00".
func (p Pence) Pounds() string {
	neg := p < 0
	v := int64(p)
	if neg {
		v = -v
	}
	w := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("£")
	for i, c := range w {
		if i > 0 && (len(w)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteByte('.')
	b.WriteString(twoDigits(v % 100))
	return b.String()
}

func twoDigits(v int64) string {
	if v < 10 {
		return "0" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}
