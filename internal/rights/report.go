package rights

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
)

// WriteJSON writes f as indented JSON, the machine-readable subject access
// report.
func (f *Findings) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// Render writes f as a readable text report: the sources searched, then
// each record, vault entry, case and file found, with the fields held.
func (f *Findings) Render(w io.Writer) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	p("SUBJECT ACCESS SEARCH\n")
	p("Generated\t%s\n", f.Generated.UTC().Format(time.RFC3339))
	p("Searched for\t%s\n", f.Subject.describe())
	p("\nEvery finding is a possible match on the identifiers above. Check each one\n")
	p("before disclosure: a record of another person must not be disclosed.\n")

	p("\nSOURCES SEARCHED (%d)\n", len(f.Searched))
	p("  kind\tname\tstatus\tfound\n")
	for _, s := range f.Searched {
		p("  %s\t%s\t%s\t%d\n", s.Kind, s.Name, s.Status, s.Found)
	}

	records := func(title string, xs []RecordFinding) {
		p("\n%s (%d)\n", title, len(xs))
		for _, r := range xs {
			p("  %s, record %s\n", r.Dataset, r.RecordID)
			if r.Role != "" {
				p("    role\t%s\n", r.Role)
			}
			if r.Source != "" {
				p("    held in\t%s\n", r.Source)
			}
			if r.Ref != "" {
				p("    reference in cases\t%s\n", r.Ref)
			}
			p("    matched on\t%s\n", r.MatchedOn)
			for _, fl := range r.Fields {
				p("    %s\t%s\t(%s)\n", fl.Name, fl.Value, fl.Category)
			}
		}
	}
	records("RECORDS IN INPUT DATASETS", f.Records)
	records("ENTRIES IN THE RE-IDENTIFICATION VAULT", f.Vault)

	p("\nREVIEW CASES (%d)\n", len(f.Cases))
	for _, c := range f.Cases {
		p("  case %s\n", c.ID)
		p("    queue\t%s\n", c.Queue)
		p("    run\t%s\n", c.RunID)
		p("    purpose\t%s\n", c.Purpose)
		p("    rule\t%s\n", c.Rule)
		p("    status\t%s\n", c.Status)
		p("    queued\t%s\n", formatTime(c.Queued))
		for _, r := range c.Refs {
			p("    record\t%s %s\n", r.Dataset, r.Ref)
		}
		for _, d := range c.Decisions {
			p("    decision\t%s\t%s\t%s\n", formatTime(d.Time), d.Outcome, oneLine(d.Reason))
		}
	}

	p("\nOUTPUT FILES (%d)\n", len(f.Files))
	for _, o := range f.Files {
		p("  %s\n", o.Path)
		p("    run\t%s\n", o.RunID)
		p("    purpose\t%s\n", o.Purpose)
		if o.Held {
			p("    recipient\t%s (held for a reviewer's confirmation: not sent)\n", o.Recipient)
		} else {
			p("    recipient\t%s\n", o.Recipient)
		}
		p("    format\t%s\n", o.Format)
		p("    rows about the subject\t%d\n", o.Rows)
		p("    matched on\t%s\n", strings.Join(o.MatchedOn, ", "))
		p("    fields held\t%s\n", strings.Join(o.Columns, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// Render writes e as a readable text report: what was removed from each
// output and vault, and what erasure leaves, with what to do about it.
func (e *Erasure) Render(w io.Writer) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }

	verb := "Removed"
	if e.DryRun {
		p("ERASURE (DRY RUN: NOTHING WAS CHANGED)\n")
		verb = "Would remove"
	} else {
		p("ERASURE\n")
	}
	p("Reference\t%s\n", oneLine(e.Reference))
	p("Generated\t%s\n", e.Generated.UTC().Format(time.RFC3339))
	if e.DryRun {
		p("\nEach finding is a possible match: 'datamatch rights sar' with the same\n")
		p("identifiers shows every one, to check before erasing.\n")
	}

	p("\n%s from outputs: %s in %s\n", verb, count(e.RowsErased(), "row"), count(len(e.Files), "file"))
	if len(e.Files) > 0 {
		p("  rows\trecipient\tfile\n")
	}
	for _, f := range e.Files {
		recipient := f.Recipient
		if f.Held {
			recipient += " (held, not sent)"
		}
		p("  %d\t%s\t%s\n", f.Rows, recipient, f.Path)
	}
	if rs := e.Recipients(); len(rs) > 0 {
		p("  Tell each recipient sent these rows of the erasure (Article 19): %s.\n", strings.Join(rs, ", "))
	}
	p("\n%s from re-identification vaults: %s in %s\n", verb, count(e.EntriesErased(), "entry"), count(len(e.Vaults), "vault"))
	for _, v := range e.Vaults {
		p("  %d\t%s\n", v.Entries, v.Path)
	}
	if len(e.Vaults) > 0 && !e.DryRun {
		p("  Each vault was encrypted anew to the reviewers the exercise config lists now.\n")
	}

	p("\nKept: %s in input datasets\n", count(len(e.RecordsKept), "record"))
	for _, r := range e.RecordsKept {
		p("  %s\trecord %s\t%s\n", r.Dataset, r.RecordID, r.Source)
	}
	if len(e.RecordsKept) > 0 {
		p("  These are the landlord's and its partners' own systems, which datamatch\n")
		p("  never writes: erase the records there, or list the person in the\n")
		p("  restrictions file, or the next run will find them again.\n")
	}
	p("\nKept: %s\n", count(len(e.CasesKept), "review case"))
	for _, c := range e.CasesKept {
		p("  %s\t%s\n", c.ID, c.Status)
	}
	if len(e.CasesKept) > 0 {
		p("  A case holds pseudonymous references and the decisions on it: the audit\n")
		p("  trail of what was decided. An open case still needs a reviewer's decision.\n")
	}
	if n := e.ReasonsErased(); n > 0 {
		verb := "Replaced"
		if e.DryRun {
			verb = "Would replace"
		}
		p("\n%s the reasons of %s on these cases with a note of this request;\n", verb, count(n, "decision"))
		p("the outcome, reviewer and time of each stay.\n")
	}
	if n := e.ReasonsKept(); n > 0 {
		p("\nKept: the reasons of %s on these cases, in the reviewers' own words,\n", count(n, "decision"))
		p("which may name the person ('datamatch rights sar' shows each one).\n")
		p("--reasons replaces them with a note of the request.\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// count writes n with noun, plural unless n is 1 ("entry" becomes
// "entries").
func count(n int, noun string) string {
	if n != 1 {
		if strings.HasSuffix(noun, "y") {
			noun = noun[:len(noun)-1] + "ies"
		} else {
			noun += "s"
		}
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// WriteFiles writes the JSON report to jsonPath and the text report to
// textPath, each atomically and readable by the owner only: they hold the
// subject's personal data.
func (f *Findings) WriteFiles(jsonPath, textPath string) error {
	write := func(path string, fn func(io.Writer) error) error {
		af, err := atomicfile.Create(path, 0o600)
		if err != nil {
			return fmt.Errorf("subject access report: %w", err)
		}
		defer af.Abort()
		if err := fn(af); err != nil {
			return fmt.Errorf("subject access report %s: %w", path, err)
		}
		if err := af.Commit(); err != nil {
			return fmt.Errorf("subject access report: %w", err)
		}
		return nil
	}
	if err := write(jsonPath, f.WriteJSON); err != nil {
		return err
	}
	return write(textPath, f.Render)
}

func (s Subject) describe() string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+" "+v)
		}
	}
	add(ColForename, s.Forename)
	add(ColSurname, s.Surname)
	add(ColDOB, s.DOB.String())
	add(ColNINumber, s.NINumber)
	add(ColPassport, s.Passport)
	add(ColPostcode, s.Postcode)
	return strings.Join(parts, ", ")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
