package review

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/texttable"
)

// RenderCase writes c for a reviewer: its details, the two records side
// by side, the evidence, and the explanation of its score, field by field
// with the level reached and the weight it added, ending with the prior and
// the total.
//
// left and right are the records' clear fields from the
// re-identification vault, by canonical column name; pass nil when the
// vault is not open, and only the pseudonymised refs are shown. Fields are
// listed in the canonical schema's order, then any others by name, and a
// "≠" marks fields whose values differ as matching compares them (see
// differ): a phone written +44 7700 900123 and 07700 900123, or a
// surname in capitals, is not marked, nor is a field missing on one side. Control characters in values are
// shown as spaces.
//
// The status shown is c.Status as given: set it from List's derived
// status to show the live one.
func RenderCase(w io.Writer, c Case, left, right map[string]string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Case %s (%s)\n\n", printable(c.ID), printable(c.Status))
	fields(&b, "  ", [][2]string{
		{"Run", c.RunID},
		{"Purpose", c.Purpose},
		{"Rule", c.Rule},
		{"Probability", strconv.FormatFloat(c.MatchProbability, 'f', 4, 64)},
		{"Match weight", signed(c.MatchWeight)},
		{"Queued", stamp(c.Queued)},
	})

	b.WriteString("\nRecords\n")
	rows := [][]string{{"FIELD", "LEFT", "RIGHT", ""}, {"dataset", c.Left.Dataset, c.Right.Dataset, ""}, {"ref", c.Left.Ref, c.Right.Ref, ""}}
	for _, name := range fieldOrder(left, right) {
		l, r := left[name], right[name]
		mark := ""
		if differ(name, l, r) {
			mark = "≠"
		}
		rows = append(rows, []string{name, dash(l), dash(r), mark})
	}
	table(&b, "  ", rows)
	if left == nil && right == nil {
		b.WriteString("  (clear values are not shown: the vault is not open)\n")
	}

	b.WriteString("\nEvidence\n")
	if len(c.Evidence) == 0 {
		b.WriteString("  (none)\n")
	}
	var ev [][2]string
	for _, e := range c.Evidence {
		v := e.Value
		if !e.Date.IsZero() {
			v = e.Date.String()
		}
		ev = append(ev, [2]string{e.Name, v})
	}
	fields(&b, "  ", ev)

	b.WriteString("\nExplanation\n")
	rows = [][]string{{"FIELD", "LEVEL", "WEIGHT"}}
	sum := 0.0
	for _, x := range c.Explanation {
		rows = append(rows, []string{x.Field, x.Level, signed(x.Weight)})
		sum += x.Weight
	}
	rows = append(rows, []string{"(prior)", "", signed(c.MatchWeight - sum)}, []string{"total", "", signed(c.MatchWeight)})
	table(&b, "  ", rows, 2)

	_, err := w.Write(b.Bytes())
	return err
}

// differ reports whether the values l and r of column name differ. Names,
// NI and passport numbers, genders, postcodes, phones, e-mail addresses and addresses are
// compared in the canonical forms that matching keys (pseudo.Canonical), so
// that case, spacing, accents, punctuation and the way a number is
// written do not count; when neither value has such a form (a name in
// another script, a phone that is not one) and for every other column,
// the values are compared as written, ignoring case and surrounding space.
//
// A value missing on either side is not a difference: it neither supports
// nor weakens the match, and matching gives it no weight. Nor is a gender
// matching cannot read on either side (a title such as Dr, a spelling it
// does not know), which it leaves out the same way; nor are the record
// ids, which two records always differ in.
func differ(name, l, r string) bool {
	if name == person.ColRecordID || strings.TrimSpace(l) == "" || strings.TrimSpace(r) == "" {
		return false
	}
	cl, cr := pseudo.Canonical(name, l), pseudo.Canonical(name, r)
	if name == person.ColGender && (cl == "" || cr == "") {
		return false
	}
	if cl != "" || cr != "" {
		return cl != cr
	}
	return !strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(r))
}

// RenderList writes cases as an aligned table, one case a row: the view
// `datamatch review list` gives.
func RenderList(w io.Writer, cases []CaseStatus) error {
	var b bytes.Buffer
	rows := [][]string{{"CASE", "STATUS", "PURPOSE", "RULE", "PROBABILITY", "QUEUED", "LAST DECIDED BY"}}
	for _, s := range cases {
		by := "-"
		if s.Latest != nil {
			by = s.Latest.Reviewer + " " + s.Latest.Time.UTC().Format("2006-01-02")
		}
		rows = append(rows, []string{s.Case.ID, s.Status, s.Case.Purpose, s.Case.Rule,
			strconv.FormatFloat(s.Case.MatchProbability, 'f', 4, 64), s.Case.Queued.UTC().Format("2006-01-02"), by})
	}
	table(&b, "", rows, 4)
	fmt.Fprintf(&b, "%d %s\n", len(cases), plural(len(cases), "case", "cases"))
	_, err := w.Write(b.Bytes())
	return err
}

// RenderDecisions writes a case's decisions, oldest first, for `datamatch
// review show`.
func RenderDecisions(w io.Writer, decisions []Decision) error {
	var b bytes.Buffer
	b.WriteString("Decisions\n")
	if len(decisions) == 0 {
		b.WriteString("  (none: the case is pending)\n")
	}
	for _, d := range decisions {
		fmt.Fprintf(&b, "  %s  %s  %s by %s", printable(d.DecisionID), stamp(d.Time), printable(d.Outcome), printable(d.Reviewer))
		if d.Supersedes != "" {
			fmt.Fprintf(&b, ", superseding %s", printable(d.Supersedes))
		}
		b.WriteByte('\n')
		wrap(&b, "      ", d.Reason, 76)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// fieldOrder lists the names in left and right: canonical columns in
// schema order, then the rest sorted.
func fieldOrder(left, right map[string]string) []string {
	var names []string
	seen := map[string]bool{}
	for _, col := range person.Columns {
		_, l := left[col.Name]
		_, r := right[col.Name]
		if l || r {
			names = append(names, col.Name)
			seen[col.Name] = true
		}
	}
	var rest []string
	for _, m := range []map[string]string{left, right} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				rest = append(rest, k)
			}
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// fields writes label–value pairs with the values aligned, "-" for empty.
func fields(b *bytes.Buffer, indent string, kv [][2]string) {
	width := 0
	for i, f := range kv {
		kv[i] = [2]string{printable(f[0]), printable(f[1])}
		width = max(width, utf8.RuneCountInString(f[0]))
	}
	for _, f := range kv {
		fmt.Fprintf(b, "%s%s%s  %s\n", indent, f[0], strings.Repeat(" ", width-utf8.RuneCountInString(f[0])), dash(f[1]))
	}
}

// table writes rows, the first a header, as aligned columns (see
// texttable.Write), making every cell printable first.
func table(b *bytes.Buffer, indent string, rows [][]string, right ...int) {
	for _, row := range rows {
		for i, c := range row {
			row[i] = printable(c)
		}
	}
	texttable.Write(b, indent, rows, right...)
}

// wrap writes text, made printable, word-wrapped to width (see
// texttable.Wrap).
func wrap(b *bytes.Buffer, indent, text string, width int) {
	texttable.Wrap(b, indent, printable(text), width)
}

// signed formats a weight with its sign and two decimals.
func signed(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	switch {
	case s == "-0.00":
		return "+0.00"
	case !strings.HasPrefix(s, "-"):
		return "+" + s
	}
	return s
}

// printable replaces control characters (tabs, new lines, terminal escape
// sequences) with spaces, so that a value cannot break the layout or
// drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
