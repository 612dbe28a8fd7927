package ledger

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Render writes entries as an aligned table, one entry a row, with the
// data as its compact JSON: the view `datamatch audit show` gives of the
// ledger.
func Render(w io.Writer, entries []Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tKIND\tRUN\tACTOR\tHASH\tDATA")
	for _, e := range entries {
		run := e.RunID
		if run == "" {
			run = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n",
			e.Seq, e.Time.UTC().Format(time.RFC3339), e.Kind, run, e.Actor, short(e.Hash), e.Data)
	}
	return tw.Flush()
}

// short abbreviates a hex hash for display.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// VerifyReport verifies the ledger at path and writes the outcome for a
// person: on success the number of entries and the latest entry's seq,
// time and line hash (the value to keep elsewhere to detect later removal
// of entries from the end); on failure the first bad line and what is
// wrong with it. It returns the entries it verified, for checks that read
// them next, and Verify's error, so that a command can set its exit status
// from it.
func VerifyReport(w io.Writer, path string) ([]Entry, error) {
	entries, err := ReadAll(path)
	var ce *ChainError
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(w, "ledger %s: BROKEN after %d good entries\n", path, len(entries))
		fmt.Fprintf(w, "  first bad line: %d", ce.Line)
		if ce.Seq != 0 {
			fmt.Fprintf(w, " (seq %d)", ce.Seq)
		}
		fmt.Fprintf(w, "\n  problem:        %s\n", ce.Problem)
		return entries, err
	case err != nil:
		return nil, err
	case len(entries) == 0:
		_, werr := fmt.Fprintf(w, "ledger %s: OK, no entries\n", path)
		return entries, werr
	}
	last := entries[len(entries)-1]
	sum, err := last.LineHash()
	if err != nil {
		return entries, err
	}
	_, werr := fmt.Fprintf(w, "ledger %s: OK, %d entries\n  last entry: seq %d, %s, %s\n  line hash:  %s\n",
		path, len(entries), last.Seq, last.Time.UTC().Format(time.RFC3339), last.Kind, sum)
	return entries, werr
}
