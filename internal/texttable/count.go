package texttable

import (
	"math"
	"strconv"
	"strings"
)

// Thousands formats n with comma thousands separators: 1234567 as
// "1,234,567".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// Count formats a count held as a float (an expected number of pairs, or
// a comparison space, which can pass what an int64 holds only in theory)
// rounded to a whole number with thousands separators; a value that is
// not a count (NaN, negative, too large) in %g form.
func Count(x float64) string {
	if math.IsNaN(x) || x < 0 || x >= math.MaxInt64 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return Thousands(int64(math.Round(x)))
}
