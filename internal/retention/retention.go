// Package retention deletes run outputs whose retention period has ended.
//
// Every output file a run writes is listed in the run's record (run.json)
// with the purpose it serves and its retention-until date, worked out from
// the purpose's retention period when the run was made. An output is due on
// its retention-until date: on that day the period has fully elapsed. A file
// with no retention-until date is never due; Purge reports it so that the
// omission can be put right.
//
// Purge deletes due files and nothing else. Every file operation goes
// through an os.Root opened on the output root, so that no path, symbolic
// link or concurrent rename can make it touch a file outside that root; on
// top of that, paths with a ".." element, absolute paths outside the root,
// symbolic links and anything but a regular file are refused outright. Each
// file is hashed (SHA-256) before it is removed and the directory that held
// it is synced, and the report lists each deletion for the ledger.
package retention

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
)

// Output is one output file as a run record lists it.
type Output struct {
	// Root is the output root. Nothing outside it is ever touched.
	Root string `json:"root"`
	// Path is the file: relative to Root, or absolute inside Root.
	Path           string    `json:"path"`
	RunID          string    `json:"run_id,omitempty"`
	Purpose        string    `json:"purpose"`
	RetentionUntil date.Date `json:"retention_until"`
}

// fileKey identifies an output's file for grouping its listings. It is a
// lexical identity (absolute root and cleaned path), used only to hold a
// file back while any of its listings is not due.
func (o Output) fileKey() string {
	root, err := filepath.Abs(o.Root)
	if err != nil {
		root = o.Root
	}
	p := o.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return filepath.Clean(p)
}

// Due returns the outputs whose retention has ended by today: those whose
// RetentionUntil is today or earlier. A file listed more than once (by
// several run records) is due only when every listing is dated and due, so
// that a file still needed for one purpose is kept. The order of outputs is
// kept.
func Due(outputs []Output, today date.Date) []Output {
	held := map[string]bool{}
	for _, o := range outputs {
		if !isDue(o, today) {
			held[o.fileKey()] = true
		}
	}
	var out []Output
	for _, o := range outputs {
		if !held[o.fileKey()] {
			out = append(out, o)
		}
	}
	return out
}

func isDue(o Output, today date.Date) bool {
	return !o.RetentionUntil.IsZero() && !today.IsZero() && !today.Before(o.RetentionUntil)
}

// Report says what a purge did.
type Report struct {
	Today  date.Date `json:"today"`
	DryRun bool      `json:"dry_run"`
	// Purged lists the files deleted, or in a dry run the files that would
	// be, one per file.
	Purged []Purged `json:"purged"`
	// Missing lists due files that were already gone.
	Missing []Output `json:"missing"`
	// Kept is the number of outputs not yet due.
	Kept int `json:"kept"`
	// Undated lists outputs with no retention-until date, which are kept.
	Undated []Output `json:"undated"`
	// Refused lists due outputs that were not touched, and why.
	Refused []Refusal `json:"refused"`
}

// Purged is one deleted file, for the ledger.
type Purged struct {
	Root           string    `json:"root"`
	Path           string    `json:"path"` // relative to Root
	RunID          string    `json:"run_id,omitempty"`
	Purpose        string    `json:"purpose"`
	RetentionUntil date.Date `json:"retention_until"`
	SHA256         string    `json:"sha256"` // of the content before deletion
	Size           int64     `json:"size"`
}

// Refusal is a due output that Purge did not delete.
type Refusal struct {
	Output Output `json:"output"`
	Reason string `json:"reason"`
}

// errRefused marks the errors that explain a refusal.
var errRefused = errors.New("refused")

// errSync marks a deletion whose directory could not be synced.
var errSync = errors.New("removed, but syncing its directory failed")

// Purge deletes the output files whose retention has ended by today (see
// Due). With dryRun it deletes nothing and reports what it would delete,
// hashes included. It carries on past an output it refuses or fails to
// delete, and then returns the report together with an error naming each
// such output. A file listed several times is deleted and reported once,
// under the listing with the latest retention-until date.
func Purge(ctx context.Context, outputs []Output, today date.Date, dryRun bool) (Report, error) {
	rep := Report{Today: today, DryRun: dryRun}
	due := Due(outputs, today)
	for _, o := range outputs {
		if o.RetentionUntil.IsZero() {
			rep.Undated = append(rep.Undated, o)
		}
	}
	rep.Kept = len(outputs) - len(due) - len(rep.Undated)

	// One listing per file: the latest.
	latest := map[string]int{}
	var order []string
	for i, o := range due {
		k := o.fileKey()
		j, seen := latest[k]
		if !seen {
			order = append(order, k)
			latest[k] = i
		} else if due[j].RetentionUntil.Before(o.RetentionUntil) {
			latest[k] = i
		}
	}

	roots := map[string]*os.Root{}
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	var errs []error
	for _, k := range order {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		o := due[latest[k]]
		p, err := purgeOne(roots, o, dryRun)
		switch {
		case err == nil:
			rep.Purged = append(rep.Purged, p)
			slog.InfoContext(ctx, "retention: output purged", "path", p.Path, "purpose", p.Purpose,
				"retention_until", p.RetentionUntil.String(), "dry_run", dryRun)
		case errors.Is(err, errSync):
			rep.Purged = append(rep.Purged, p)
			errs = append(errs, fmt.Errorf("purge %s: %w", o.Path, err))
		case errors.Is(err, fs.ErrNotExist):
			rep.Missing = append(rep.Missing, o)
		default:
			rep.Refused = append(rep.Refused, Refusal{Output: o, Reason: err.Error()})
			errs = append(errs, fmt.Errorf("purge %s: %w", o.Path, err))
			slog.InfoContext(ctx, "retention: output not purged", "path", o.Path, "reason", err.Error())
		}
	}
	return rep, errors.Join(errs...)
}

// purgeOne hashes and (unless dryRun) deletes one due output.
func purgeOne(roots map[string]*os.Root, o Output, dryRun bool) (Purged, error) {
	rel, err := Resolve(o.Root, o.Path)
	if err != nil {
		return Purged{}, err
	}
	root, ok := roots[o.Root]
	if !ok {
		root, err = os.OpenRoot(o.Root)
		if err != nil {
			return Purged{}, fmt.Errorf("output root: %w", err)
		}
		roots[o.Root] = root
	}
	info, err := root.Lstat(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Purged{}, fs.ErrNotExist
		}
		return Purged{}, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return Purged{}, fmt.Errorf("%w: a symbolic link", errRefused)
	}
	if !info.Mode().IsRegular() {
		return Purged{}, fmt.Errorf("%w: not a regular file", errRefused)
	}
	sum, size, err := hashFile(root, rel, info)
	if err != nil {
		return Purged{}, err
	}
	p := Purged{Root: o.Root, Path: rel, RunID: o.RunID, Purpose: o.Purpose, RetentionUntil: o.RetentionUntil, SHA256: sum, Size: size}
	if dryRun {
		return p, nil
	}
	if err := root.Remove(rel); err != nil {
		return Purged{}, err
	}
	if err := syncDir(root, filepath.Dir(rel)); err != nil {
		// The file is gone; only the durability of its removal is in doubt.
		return p, fmt.Errorf("%w: %w", errSync, err)
	}
	return p, nil
}

// hashFile returns the SHA-256 and size of the regular file rel, checking
// that it is still the file that was inspected.
func hashFile(root *os.Root, rel string, want fs.FileInfo) (string, int64, error) {
	f, err := root.Open(rel)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	got, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	if !os.SameFile(want, got) {
		return "", 0, fmt.Errorf("%w: the file changed while it was being checked", errRefused)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func syncDir(root *os.Root, dir string) error {
	d, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Resolve checks that path names a file inside root and returns it relative
// to root. It refuses an empty path, a path with a ".." element, the root
// itself, a run record, and an absolute path outside root (compared both as written and
// with root's symbolic links resolved). It is lexical: symbolic links inside
// root are caught when the file is opened through an os.Root.
func Resolve(root, path string) (string, error) {
	if root == "" {
		return "", fmt.Errorf("%w: no output root", errRefused)
	}
	if path == "" {
		return "", fmt.Errorf("%w: empty path", errRefused)
	}
	if strings.ContainsRune(path, 0) {
		return "", fmt.Errorf("%w: a NUL byte in the path", errRefused)
	}
	for _, el := range strings.FieldsFunc(path, isSeparator) {
		if el == ".." {
			return "", fmt.Errorf("%w: the path has a \"..\" element", errRefused)
		}
	}
	var rel string
	if filepath.IsAbs(path) {
		var ok bool
		rel, ok = within(root, path)
		if !ok {
			if real, err := filepath.EvalSymlinks(root); err == nil {
				rel, ok = within(real, path)
			}
		}
		if !ok {
			return "", fmt.Errorf("%w: outside the output root", errRefused)
		}
	} else {
		if filepath.VolumeName(path) != "" || isSeparator(rune(path[0])) {
			return "", fmt.Errorf("%w: outside the output root", errRefused)
		}
		rel = filepath.Clean(path)
	}
	if rel == "." {
		return "", fmt.Errorf("%w: the output root itself", errRefused)
	}
	if filepath.Base(rel) == RunRecordName {
		return "", fmt.Errorf("%w: a run record is part of the audit trail, not an output", errRefused)
	}
	return rel, nil
}

func isSeparator(r rune) bool { return r == '/' || r == filepath.Separator }

// within returns abs relative to root if it lies strictly inside it.
func within(root, abs string) (string, bool) {
	r, err := filepath.Abs(root)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(r, filepath.Clean(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// RunRecordName is the file name of a run record.
const RunRecordName = "run.json"

// RunRecordReader reads the outputs a run record lists. The runrecord
// package is wired in through it: for each output it fills Path (as the
// record has it: relative to the run record's directory, or absolute),
// RunID, Purpose and RetentionUntil; Root is set by Discover.
type RunRecordReader interface {
	Outputs(runRecordPath string) ([]Output, error)
}

// RunRecordReaderFunc adapts a function to RunRecordReader.
type RunRecordReaderFunc func(runRecordPath string) ([]Output, error)

// Outputs calls f.
func (f RunRecordReaderFunc) Outputs(path string) ([]Output, error) { return f(path) }

// Discover finds every run record (a regular file named RunRecordName)
// under root, without following symbolic links, and returns the outputs
// they list with Root set to root and Path made relative to root. A path
// with a ".." element is passed on as written, so that Purge refuses it.
// Outputs are in run-record path order, then in the order each record
// lists them.
func Discover(ctx context.Context, root string, r RunRecordReader) ([]Output, error) {
	var records []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Name() == RunRecordName && d.Type().IsRegular() {
			records = append(records, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("discover outputs under %s: %w", root, err)
	}
	sort.Strings(records)
	var out []Output
	for _, rec := range records {
		outs, err := r.Outputs(rec)
		if err != nil {
			return nil, fmt.Errorf("discover outputs: run record %s: %w", rec, err)
		}
		dir, err := filepath.Rel(root, filepath.Dir(rec))
		if err != nil {
			return nil, fmt.Errorf("discover outputs: run record %s: %w", rec, err)
		}
		for _, o := range outs {
			o.Root = root
			if !filepath.IsAbs(o.Path) && dir != "." {
				// Joined without cleaning, so that a ".." stays visible.
				o.Path = dir + string(filepath.Separator) + o.Path
			}
			out = append(out, o)
		}
	}
	return out, nil
}
