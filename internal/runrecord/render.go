package runrecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/texttable"
)

// Render writes r as a report for a person: the view `datamatch audit
// show` gives. Sections are aligned for a fixed-width terminal; run.json
// remains the record for machines.
func (r *Record) Render(w io.Writer) error {
	var b bytes.Buffer
	title := "Run"
	if r.Kind == KindRelease {
		title = "Release"
	}
	fmt.Fprintf(&b, "%s %s: %s\n", title, r.RunID, strings.ToUpper(r.Status))
	if r.Error != "" {
		fmt.Fprintf(&b, "  Error: %s\n", r.Error)
	}
	b.WriteByte('\n')
	duration := ""
	if !r.Started.IsZero() && !r.Ended.IsZero() {
		duration = " (" + r.Ended.Sub(r.Started).Round(time.Second).String() + ")"
	}
	fields(&b, "  ", [][2]string{
		{"Started", stamp(r.Started)},
		{"Ended", stamp(r.Ended) + duration},
		{"Operator", r.Operator},
		{"Host", r.Host},
		{"Version", r.Version},
		{"Config", r.ConfigPath},
		{"Config SHA-256", r.ConfigSHA256},
		{"Key id", r.KeyID},
	})

	section(&b, "Purposes")
	for _, p := range r.Purposes {
		fmt.Fprintf(&b, "  %s\n", p.Name)
		basis := p.LawfulBasis
		if p.LawfulBasisRef != "" {
			basis += " (" + p.LawfulBasisRef + ")"
		}
		fields(&b, "    ", [][2]string{
			{"Lawful basis", basis},
			{"LIA", p.LIARef},
			{"Article 9 condition", p.Article9Condition},
			{"Article 10 condition", p.Article10Condition},
			{"DPIA", p.DPIARef},
			{"Retention", p.RetentionPeriod + ", until " + p.RetentionUntil.String()},
			{"Significant effect", yesNo(p.SignificantEffect)},
		})
	}

	// A release reads no input and matches nothing.
	if r.Kind != KindRelease {
		r.renderMatching(&b)
	}

	section(&b, "Outputs")
	for i, o := range r.Outputs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %s\n", o.Path)
		kv := [][2]string{
			{"Recipient", o.Recipient},
			{"Purpose", o.Purpose},
			{"Rows", texttable.Thousands(o.Rows)},
			{"Fields", strings.Join(o.Fields, ", ")},
			{"SHA-256", o.SHA256},
		}
		if o.Held {
			kv = append(kv, [2]string{"Held", "not the recipient's: released on confirmation, with " + strings.Join(o.ReleaseFields, ", ")})
		}
		if o.Released != nil {
			kv = append(kv, [2]string{"Released", fmt.Sprintf("%d confirmed cases from run %s (%s)", len(o.Released.Cases), o.Released.RunID, o.Released.Held)})
		}
		fields(&b, "    ", kv)
	}
	if len(r.Outputs) == 0 {
		b.WriteString("  (none)\n")
	}

	if len(r.Withdrawals) > 0 {
		section(&b, "Withdrawn: sent earlier, no longer confirmed; tell the recipient (Article 19)")
		for _, w := range r.Withdrawals {
			fmt.Fprintf(&b, "  %s, %s (%s): %s\n", w.Recipient, w.File, w.Purpose, strings.Join(w.Cases, ", "))
		}
	}

	if len(r.RunFiles) > 0 {
		section(&b, "Run files (kept until "+r.RetentionUntil().String()+")")
		rows := [][]string{{"File", "Kind", "Dataset", "Rows"}}
		for _, f := range r.RunFiles {
			n := ""
			if f.Kind == FileQuarantine {
				n = texttable.Thousands(f.Rows)
			}
			rows = append(rows, []string{f.Path, f.Kind, f.Dataset, n})
		}
		table(&b, "  ", rows, 3)
	}

	section(&b, "Automated-decision assessment")
	for i, a := range r.Assessments {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "  %s\n", a.Purpose)
		auto := texttable.Thousands(a.DecidedAutomatically)
		if a.DecidedAutomatically != 0 {
			auto += "   <-- WARNING: actioned without a human decision"
		}
		fields(&b, "    ", [][2]string{
			{"Significant effect", yesNo(a.SignificantEffect)},
			{"Decided automatically", auto},
			{"Cases queued for review", texttable.Thousands(a.CasesQueuedForReview)},
			{"Objections honoured", texttable.Thousands(a.ObjectionsHonoured)},
		})
		b.WriteByte('\n')
		wrap(&b, "    ", a.Statement, 76)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func section(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, "\n%s\n", title)
}

// fields writes label–value pairs with the values aligned, writing "-" for
// an empty value.
func fields(b *bytes.Buffer, indent string, kv [][2]string) {
	width := 0
	for _, f := range kv {
		width = max(width, utf8.RuneCountInString(f[0]))
	}
	for _, f := range kv {
		v := f[1]
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(b, "%s%s%s  %s\n", indent, f[0], strings.Repeat(" ", width-utf8.RuneCountInString(f[0])), v)
	}
}

// table writes rows, the first of them a header, as aligned columns (see
// texttable.Write). A header alone is written as "(none)".
func table(b *bytes.Buffer, indent string, rows [][]string, right ...int) {
	if len(rows) == 1 {
		b.WriteString(indent + "(none)\n")
		return
	}
	texttable.Write(b, indent, rows, right...)
}

// wrap writes text word-wrapped to width (see texttable.Wrap).
func wrap(b *bytes.Buffer, indent, text string, width int) {
	texttable.Wrap(b, indent, text, width)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// renderMatching writes the sections of a matching run: its inputs, the
// engine's parameters, its pairs and cases by band, and its detections.
func (r *Record) renderMatching(b *bytes.Buffer) {
	section(b, "Inputs")
	rows := [][]string{{"DATASET", "ROLE", "ROWS IN", "ACCEPTED", "QUARANTINED", "RESTRICTED", "OBJECTED"}}
	for _, in := range r.Inputs {
		rows = append(rows, []string{in.Dataset, string(in.Role), texttable.Thousands(in.RowsIn), texttable.Thousands(in.Accepted),
			texttable.Thousands(in.Quarantined), texttable.Thousands(in.Restricted), texttable.Thousands(in.Objected)})
	}
	table(b, "  ", rows, 2, 3, 4, 5, 6)
	if len(r.Inputs) > 0 {
		b.WriteByte('\n')
		rows = [][]string{{"DATASET", "FILE", "SHA-256"}}
		for _, in := range r.Inputs {
			rows = append(rows, []string{in.Dataset, in.Path, in.SHA256})
		}
		table(b, "  ", rows)
	}
	var problems [][]string
	for _, in := range r.Inputs {
		kinds := make([]string, 0, len(in.Problems))
		for k := range in.Problems {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			problems = append(problems, []string{in.Dataset, k, texttable.Thousands(in.Problems[k])})
		}
	}
	if len(problems) > 0 {
		b.WriteString("\n  Data-quality problems\n")
		table(b, "    ", append([][]string{{"DATASET", "PROBLEM", "COUNT"}}, problems...), 2)
	}

	for _, p := range []struct {
		title  string
		raw    json.RawMessage
		render func(*bytes.Buffer, json.RawMessage) bool
	}{{"Blocking", r.Blocking, renderBlocking}, {"Scoring", r.Scoring, renderScoring}} {
		section(b, p.title)
		if len(p.raw) == 0 {
			b.WriteString("  (none recorded)\n")
			continue
		}
		if p.render(b, p.raw) {
			continue
		}
		var out bytes.Buffer
		if err := json.Indent(&out, p.raw, "  ", "  "); err != nil {
			b.WriteString("  (not valid JSON)\n")
			continue
		}
		b.WriteString("  ")
		b.Write(out.Bytes())
		b.WriteByte('\n')
	}

	section(b, "Pairs and cases by match probability")
	rows = [][]string{{"BAND", "PAIRS", "CASES"}}
	for _, band := range r.Bands {
		rows = append(rows, []string{band.Name, texttable.Thousands(band.Pairs), texttable.Thousands(band.Cases)})
	}
	table(b, "  ", rows, 1, 2)

	section(b, "Detections")
	rows = [][]string{{"DETECTION", "PURPOSE", "PAIRS", "CASES"}}
	for _, d := range r.Detections {
		rows = append(rows, []string{d.Name, d.Purpose, texttable.Thousands(d.Pairs), texttable.Thousands(d.Cases)})
	}
	table(b, "  ", rows, 2, 3)
}
