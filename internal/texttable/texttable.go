// Package texttable lays out text for people reading a terminal: aligned
// columns and word-wrapped paragraphs, as the audit and review reports
// print them.
package texttable

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
)

// Write writes rows as aligned columns two spaces apart, each line after
// indent, the columns whose indices are listed in right aligned right.
// Widths count runes. Trailing spaces are trimmed.
func Write(b *bytes.Buffer, indent string, rows [][]string, right ...int) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		line.WriteString(indent)
		for i, c := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if slices.Contains(right, i) {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// Wrap writes text as lines of at most width runes, indent included, each
// line after indent. Words longer than a line are not broken.
func Wrap(b *bytes.Buffer, indent, text string, width int) {
	line := 0
	for i, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case i == 0:
			b.WriteString(indent)
		case line+1+n > width-len(indent):
			b.WriteString("\n" + indent)
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += n
	}
	b.WriteByte('\n')
}
