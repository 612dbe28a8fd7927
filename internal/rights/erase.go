package rights

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/pqscan"
	"github.com/datamatch/datamatch/internal/runrecord"
)

// VaultEraser is a VaultStore that can be written anew without some of
// its entries.
type VaultEraser interface {
	VaultStore
	// Erase writes the vault anew without the entries of keys (dataset,
	// record id), atomically, and returns how many entries it removed.
	Erase(keys [][2]string) (int, error)
}

// ReasonRedactor is a CaseStore whose decisions' reasons can be replaced
// by a note.
type ReasonRedactor interface {
	CaseStore
	// RedactReasons replaces the reason of each decision in ids with note
	// and returns how many it replaced; every other part of a decision is
	// kept.
	RedactReasons(ctx context.Context, ids []string, note string) (int, error)
}

// EraseOptions are the options of Erase.
type EraseOptions struct {
	// Reference is the landlord's reference for the request; required.
	Reference string
	// DryRun reports what would be erased and changes nothing.
	DryRun bool
	// Reasons also replaces the reason of every decision on a case about
	// the subject with a note naming the request (each queue's store must
	// be a ReasonRedactor). A reason is written in the reviewer's own words
	// and may name the subject; the outcome, reviewer and time stay, the
	// audit trail of what was decided. Without it the reasons are kept, and
	// the Erasure counts them.
	Reasons bool
}

// Erasure is what Erase removed from an exercise's own files or, in a dry
// run, would remove. It holds paths, counts, record ids and case ids,
// never a clear identifier, so that it can be entered in the ledger.
type Erasure struct {
	Generated time.Time     `json:"generated"`
	Reference string        `json:"reference"` // the landlord's reference for the request
	DryRun    bool          `json:"dry_run"`
	Files     []ErasedFile  `json:"files"`
	Vaults    []ErasedVault `json:"vaults"`
	// RecordsKept are the subject's records in the input datasets: the
	// landlord's and its partners' systems, which datamatch reads and
	// never writes. They must be erased there, or the person listed in
	// the restrictions file, or the next run finds them again.
	RecordsKept []KeptRecord `json:"records_kept"`
	// CasesKept are the review cases about the subject's records. A case
	// holds pseudonymous references and the reviewers' decisions, the
	// audit trail of what was decided; it is kept, and an open one still
	// awaits a decision.
	CasesKept []KeptCase `json:"cases_kept"`
	// Reasons are the decisions whose reasons were replaced by a note
	// (EraseOptions.Reasons), queue by queue.
	Reasons []RedactedReasons `json:"reasons_erased"`
}

// RedactedReasons are the decisions of one queue whose reasons erasure
// replaced.
type RedactedReasons struct {
	Queue     string   `json:"queue"`
	Decisions []string `json:"decisions"` // decision ids
}

// ErasedFile is an output the subject's rows were removed from.
type ErasedFile struct {
	Path      string `json:"path"`
	RunID     string `json:"run_id,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Recipient string `json:"recipient,omitempty"`
	Held      bool   `json:"held,omitempty"` // held for confirmation: never sent
	Rows      int    `json:"rows"`           // rows removed
	// SHA256Before and SHA256After are the file's digests before and
	// after (runrecord.Hash); the run record keeps the digest of the file
	// as the run wrote it. Both are empty in a dry run.
	SHA256Before string `json:"sha256_before,omitempty"`
	SHA256After  string `json:"sha256_after,omitempty"`
}

// ErasedVault is a vault the subject's entries were removed from.
type ErasedVault struct {
	Path    string `json:"path"`
	Entries int    `json:"entries"` // entries removed
}

// KeptRecord is a record about the subject that erasure leaves.
type KeptRecord struct {
	Dataset  string `json:"dataset"`
	RecordID string `json:"record_id"`
	Source   string `json:"source,omitempty"`
}

// KeptCase is a review case about the subject that erasure leaves.
type KeptCase struct {
	Queue  string `json:"queue"`
	ID     string `json:"id"`
	Status string `json:"status"`
	// ReasonsKept counts the decisions on the case whose reasons, in the
	// reviewer's words, were left as written (see EraseOptions.Reasons).
	ReasonsKept int `json:"reasons_kept"`
}

// ReasonNote is the note that replaces an erased decision reason.
func ReasonNote(reference string, when time.Time) string {
	return fmt.Sprintf("[reason erased on request %s, %s]", oneLine(reference), when.UTC().Format(time.DateOnly))
}

// Erase erases the subject from the exercise's own files: it searches
// sources as Search does, then writes every output file with rows about
// the subject anew without them, every vault holding entries about the
// subject (each must be a VaultEraser) anew without those and, if
// o.Reasons, the decisions logs with the reasons of the decisions on the
// subject's cases replaced by ReasonNote. Input datasets and the review
// cases themselves are never changed (see Erasure). It returns the
// search's findings too: an erasure acts only on possible matches, so a
// dry run's findings should be checked first.
//
// Every vault and decisions log to be written is checked to be writable
// through its source before anything is changed. Each file is rewritten
// atomically, so an error leaves it whole; the Erasure returned with an
// error says what was erased before it.
func Erase(ctx context.Context, query Subject, sources []Source, o EraseOptions) (*Erasure, *Findings, error) {
	if strings.TrimSpace(o.Reference) == "" {
		return nil, nil, errors.New("erasure: the request's reference is required")
	}
	s, err := runSearch(ctx, query, sources)
	if err != nil {
		return nil, nil, err
	}
	e := &Erasure{Generated: s.f.Generated, Reference: o.Reference, DryRun: o.DryRun,
		Files: []ErasedFile{}, Vaults: []ErasedVault{}, RecordsKept: []KeptRecord{}, CasesKept: []KeptCase{},
		Reasons: []RedactedReasons{}}
	for _, r := range s.f.Records {
		e.RecordsKept = append(e.RecordsKept, KeptRecord{Dataset: r.Dataset, RecordID: r.RecordID, Source: r.Source})
	}
	reasons := map[string][]string{} // queue → the decisions on the subject's cases
	for _, c := range s.f.Cases {
		kc := KeptCase{Queue: c.Queue, ID: c.ID, Status: c.Status}
		for _, d := range c.Decisions {
			if o.Reasons {
				reasons[c.Queue] = append(reasons[c.Queue], d.ID)
			} else {
				kc.ReasonsKept++
			}
		}
		e.CasesKept = append(e.CasesKept, kc)
	}

	entries := map[string][][2]string{} // vault → its entries about the subject
	for _, r := range s.f.Vault {
		entries[r.Source] = append(entries[r.Source], [2]string{r.Dataset, r.RecordID})
	}
	erasers := map[string]VaultEraser{}
	for _, v := range s.vaults {
		if len(entries[v.Name]) == 0 {
			continue
		}
		er, ok := v.Store.(VaultEraser)
		if !ok {
			return nil, s.f, fmt.Errorf("erasure: vault %s cannot be written anew", v.Name)
		}
		erasers[v.Name] = er
	}
	redactors := map[string]ReasonRedactor{}
	for _, q := range s.queues {
		if len(reasons[q.Name]) == 0 {
			continue
		}
		rr, ok := q.Store.(ReasonRedactor)
		if !ok {
			return nil, s.f, fmt.Errorf("erasure: queue %s: its decisions' reasons cannot be erased", q.Name)
		}
		redactors[q.Name] = rr
	}

	outputs := map[string]OutputFile{}
	for _, out := range s.outputs {
		outputs[out.Path] = out
	}
	for _, ff := range s.f.Files {
		ef := ErasedFile{Path: ff.Path, RunID: ff.RunID, Purpose: ff.Purpose, Recipient: ff.Recipient, Held: ff.Held, Rows: ff.Rows}
		if !o.DryRun {
			n, before, after, err := eraseFile(ctx, ff.Path, s.matcher(outputs[ff.Path]))
			if err != nil {
				return e, s.f, fmt.Errorf("erasure: output %s: %w", ff.Path, err)
			}
			ef.Rows, ef.SHA256Before, ef.SHA256After = n, before, after
		}
		e.Files = append(e.Files, ef)
	}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		ev := ErasedVault{Path: name, Entries: len(entries[name])}
		if !o.DryRun {
			n, err := erasers[name].Erase(entries[name])
			if err != nil {
				return e, s.f, fmt.Errorf("erasure: vault %s: %w", name, err)
			}
			ev.Entries = n
		}
		e.Vaults = append(e.Vaults, ev)
	}
	note := ReasonNote(o.Reference, s.f.Generated)
	for _, name := range slices.Sorted(maps.Keys(reasons)) {
		if !o.DryRun {
			if _, err := redactors[name].RedactReasons(ctx, reasons[name], note); err != nil {
				return e, s.f, fmt.Errorf("erasure: queue %s: %w", name, err)
			}
		}
		e.Reasons = append(e.Reasons, RedactedReasons{Queue: name, Decisions: reasons[name]})
	}
	return e, s.f, nil
}

// RowsErased is the number of output rows e removed (or would remove).
func (e *Erasure) RowsErased() int {
	n := 0
	for _, f := range e.Files {
		n += f.Rows
	}
	return n
}

// EntriesErased is the number of vault entries e removed (or would
// remove).
func (e *Erasure) EntriesErased() int {
	n := 0
	for _, v := range e.Vaults {
		n += v.Entries
	}
	return n
}

// Recipients lists, in order and once each, the recipients that were
// sent a file e removed rows from: each must be told of the erasure
// (Article 19). A held file was never sent, and a file of no purpose (a
// quarantine list) has no recipient.
func (e *Erasure) Recipients() []string {
	var out []string
	for _, f := range e.Files {
		if !f.Held && f.Purpose != "" && f.Recipient != "" && !slices.Contains(out, f.Recipient) {
			out = append(out, f.Recipient)
		}
	}
	slices.Sort(out)
	return out
}

// ReasonsErased is the number of decision reasons e replaced (or would
// replace).
func (e *Erasure) ReasonsErased() int {
	n := 0
	for _, r := range e.Reasons {
		n += len(r.Decisions)
	}
	return n
}

// ReasonsKept is the number of decisions on the subject's cases whose
// reasons e left as written.
func (e *Erasure) ReasonsKept() int {
	n := 0
	for _, c := range e.CasesKept {
		n += c.ReasonsKept
	}
	return n
}

// WriteJSON writes e as indented JSON.
func (e *Erasure) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// eraseFile writes the output at path anew, atomically and with its mode,
// without the rows m recognises. It returns how many it removed and the
// file's SHA-256 before and after.
func eraseFile(ctx context.Context, path string, m *rowMatcher) (removed int, before, after string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, "", "", err
	}
	if before, err = runrecord.Hash(path); err != nil {
		return 0, "", "", err
	}
	var rewrite func(context.Context, string, *rowMatcher, io.Writer) (int, error)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		rewrite = eraseParquet
	case ".csv":
		rewrite = eraseCSV
	default:
		return 0, "", "", errors.New("unknown format: want a .parquet or .csv file")
	}
	err = atomicfile.Write(path, fi.Mode().Perm(), func(w io.Writer) error {
		removed, err = rewrite(ctx, path, m, w)
		return err
	})
	if err != nil {
		return 0, "", "", err
	}
	if after, err = runrecord.Hash(path); err != nil {
		return removed, before, "", err
	}
	return removed, before, after, nil
}

// eraseCSV copies the CSV file at path to w without the rows m
// recognises. Kept rows are written as the output writers write them, so
// a file they wrote keeps its bytes apart from the rows removed.
func eraseCSV(ctx context.Context, path string, m *rowMatcher, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	res, err := readCSV(ctx, path, m, cw.Write, func(rec []string, hit bool) error {
		if hit {
			return nil
		}
		return cw.Write(rec)
	})
	if err != nil {
		return 0, err
	}
	cw.Flush()
	return res.rows, cw.Error()
}

// eraseParquet copies the Parquet file at path to w without the rows m
// recognises, with the same Arrow schema (stored in the file).
func eraseParquet(ctx context.Context, path string, m *rowMatcher, w io.Writer) (int, error) {
	var rw *pqscan.Rewriter
	start := func(schema *arrow.Schema) (err error) {
		rw, err = pqscan.NewRewriter(schema, w)
		return err
	}
	batch := func(rec arrow.Record, hits []bool) error {
		keep := make([]bool, len(hits))
		for i, hit := range hits {
			keep[i] = !hit
		}
		return rw.Write(rec, keep)
	}
	res, err := readParquet(ctx, path, m, start, batch)
	if rw == nil {
		return 0, err
	}
	if err != nil {
		rw.Close()
		return 0, err
	}
	return res.rows, rw.Close()
}
