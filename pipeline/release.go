package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/minimise"
	"github.com/datamatch/datamatch/internal/release"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/runrecord"
)

// ReleaseOptions configure Release.
type ReleaseOptions struct {
	// Config is the exercise config file.
	Config string
	// DryRun reports what would be released and writes nothing.
	DryRun bool
	// Version is datamatch's version; Operator and Host default to the
	// current user and machine; Now to time.Now. They go in the record.
	Version, Operator, Host string
	Now                     func() time.Time
	Logger                  *slog.Logger
}

// ReleaseResult is what a release did or, in a dry run, would do.
type ReleaseResult struct {
	DryRun bool
	// Held lists every held output found, with what became of its rows.
	Held []HeldOutput
	// Record is the release's record, and Dir the folder of the files it
	// wrote; both are empty when nothing was released or withdrawn.
	Record *runrecord.Record
	Dir    string
}

// HeldOutput is one output a run held back, and what a release did with
// its rows.
type HeldOutput struct {
	RunID     string `json:"run_id"`
	Purpose   string `json:"purpose"`
	Recipient string `json:"recipient"`
	Held      string `json:"held"` // the held file
	// Released counts the rows released now, to Path; Earlier those an
	// earlier release wrote. Awaiting counts the rows whose case has no
	// decision or needs more information, Rejected those a reviewer
	// rejected, which are never released.
	Released int    `json:"released"`
	Earlier  int    `json:"earlier"`
	Awaiting int    `json:"awaiting"`
	Rejected int    `json:"rejected"`
	Path     string `json:"path,omitempty"`
	// Withdrawn lists the cases an earlier release sent whose latest
	// decision is no longer "confirmed": the recipient holds data about a
	// possible match a reviewer has since reconsidered, and must be told
	// (Article 19). A case is listed by the first release to find it, which
	// records the withdrawal; confirmed again, it is released again.
	Withdrawn []string `json:"withdrawn"`
}

// Release writes, for the recipients of the outputs runs held back for
// confirmation (exercise.ReleaseOnConfirmation), the rows of the cases
// reviewers have confirmed since: each held output under output_dir is
// filtered to the rows of confirmed cases that no earlier release sent to
// that recipient's output (a later run holds a case it raised again), with
// exactly the recipient's fields, into a new folder under output_dir.
// A release is recorded as runs are, in its own run.json (of kind
// runrecord.KindRelease, listing the cases each file holds) and an entry
// of kind ledger.KindRelease, so that retention, subject access and
// erasure treat its files as they treat a run's outputs. A case's latest
// decision counts: a case confirmed and then rejected is not released.
// A case sent earlier whose latest decision is no longer "confirmed" is
// withdrawn: listed in HeldOutput.Withdrawn and recorded in the release's
// record, so that the next release neither lists it again nor, unless it
// is confirmed again, sends it. Nothing is written when there is nothing
// to release or withdraw. Release holds the
// exercise's lock, as Run does, unless DryRun.
func Release(ctx context.Context, o ReleaseOptions) (*ReleaseResult, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ex, unlock, err := openExercise(o.Config, !o.DryRun)
	if err != nil {
		return nil, err
	}
	defer unlock()
	started := o.Now().UTC()
	res := &ReleaseResult{DryRun: o.DryRun}
	outRoot := ex.Path(ex.OutputDir)
	paths, err := runRecords(ctx, outRoot)
	if errors.Is(err, fs.ErrNotExist) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}

	// What was held, and what earlier releases took from it.
	type held struct {
		rec *runrecord.Record
		out runrecord.Output
	}
	var helds []held
	// The cases with each recipient, by recipient and file name: sent by
	// a release and not withdrawn since. A case raised again by a later
	// run is in that run's held file too, and must not go twice. Each
	// withdrawal follows a sending and each sending again a withdrawal, so
	// counting both needs no order among the records.
	sent := map[string]map[string]int{}
	key := func(recipient, file string) string { return recipient + "\x00" + filepath.Base(file) }
	count := func(k string, cases []string, n int) {
		if sent[k] == nil {
			sent[k] = map[string]int{}
		}
		for _, c := range cases {
			sent[k][c] += n
		}
	}
	for _, p := range paths {
		rec, err := runrecord.Read(p)
		if err != nil {
			return nil, err
		}
		for _, out := range rec.Outputs {
			switch {
			case out.Held && rec.Status == runrecord.StatusSucceeded:
				// Only the exercise's own files are read.
				hp, err := recordedPath(outRoot, p, out.Path)
				if err != nil {
					return nil, fmt.Errorf("run record %s: held output %s: %w", p, out.Path, err)
				}
				out.Path = hp
				helds = append(helds, held{rec, out})
			case out.Released != nil:
				count(key(out.Recipient, out.Path), out.Released.Cases, 1)
			}
		}
		for _, w := range rec.Withdrawals {
			count(key(w.Recipient, w.File), w.Cases, -1)
		}
	}
	if len(helds) == 0 {
		return res, nil
	}

	status := map[string]string{} // case id → its latest outcome
	queuePath := filepath.Join(ex.Path(ex.StateDir), QueueFile)
	queue, err := review.ReadQueue(queuePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	decisions, err := review.LoadDecisions(ctx, review.DecisionsPath(queuePath))
	if err != nil {
		return nil, err
	}
	for _, s := range review.List(queue, decisions, review.Filter{}) {
		status[s.Case.ID] = s.Status
	}

	rec := &runrecord.Record{
		Kind: runrecord.KindRelease, RunID: runrecord.NewID(started), Started: started,
		Operator: o.Operator, Host: o.Host, Version: o.Version, ConfigPath: o.Config,
	}
	fillRunner(rec)
	if rec.ConfigSHA256, err = runrecord.Hash(o.Config); err != nil {
		return nil, err
	}
	dir := filepath.Join(outRoot, rec.RunID)
	ledgerPath := filepath.Join(ex.Path(ex.StateDir), LedgerFile)
	if !o.DryRun {
		// A file released without its record would be released again.
		if err := ledger.CheckWritable(ledgerPath); err != nil {
			return nil, fmt.Errorf("nothing released: %w", err)
		}
	}
	released := map[string]int64{}  // purpose → cases released
	withdrawn := map[string]int64{} // purpose → cases withdrawn
	var failed error                // the error that stopped the release part way
	purpose := func(h held) {
		// A purpose's files go when the first of the runs they came from
		// must be gone.
		for _, p := range h.rec.Purposes {
			if p.Name != h.out.Purpose {
				continue
			}
			i := slices.IndexFunc(rec.Purposes, func(q runrecord.Purpose) bool { return q.Name == p.Name })
			switch {
			case i < 0:
				rec.Purposes = append(rec.Purposes, p)
			case p.RetentionUntil.Before(rec.Purposes[i].RetentionUntil):
				rec.Purposes[i].RetentionUntil = p.RetentionUntil
			}
		}
	}
	for _, h := range helds {
		ho := HeldOutput{RunID: h.rec.RunID, Purpose: h.out.Purpose, Recipient: h.out.Recipient, Held: h.out.Path, Withdrawn: []string{}}
		if _, err := os.Stat(h.out.Path); errors.Is(err, fs.ErrNotExist) {
			continue // purged at the end of its retention
		}
		k := key(h.out.Recipient, h.out.Path)
		keep := func(id string) bool {
			switch {
			case sent[k][id] > 0:
				ho.Earlier++
				if status[id] != review.OutcomeConfirmed {
					ho.Withdrawn = append(ho.Withdrawn, id)
					count(k, []string{id}, -1)
				}
			case status[id] == review.OutcomeConfirmed:
				return true
			case status[id] == review.OutcomeRejected:
				ho.Rejected++
			default:
				ho.Awaiting++
			}
			return false
		}
		var buf bytes.Buffer
		cases, err := release.Filter(ctx, h.out.Path, h.out.ReleaseFields, keep, &buf)
		if err != nil {
			failed = err
			break
		}
		ho.Released = len(cases)
		count(k, cases, 1)
		if len(cases) > 0 && !o.DryRun {
			ho.Path = filepath.Join(dir, h.rec.RunID, filepath.Base(h.out.Path))
			sum, err := writeReleased(ho.Path, buf.Bytes())
			if err != nil {
				failed = err
				break
			}
			rec.Outputs = append(rec.Outputs, runrecord.Output{
				Path: ho.Path, Recipient: h.out.Recipient, Purpose: h.out.Purpose, Fields: h.out.ReleaseFields,
				Rows: int64(len(cases)), SHA256: sum,
				Released: &runrecord.Released{RunID: h.rec.RunID, Held: h.out.Path, Cases: cases},
			})
			purpose(h)
			released[h.out.Purpose] += int64(len(cases))
			o.Logger.Info("released", "run", h.rec.RunID, "recipient", h.out.Recipient, "file", ho.Path, "rows", len(cases))
		}
		// Recorded only with the report that tells the operator: a
		// withdrawal recorded unreported would never be reported.
		if len(ho.Withdrawn) > 0 {
			rec.Withdrawals = append(rec.Withdrawals, runrecord.Withdrawal{
				Recipient: h.out.Recipient, Purpose: h.out.Purpose, File: filepath.Base(h.out.Path), Cases: ho.Withdrawn,
			})
			withdrawn[h.out.Purpose] += int64(len(ho.Withdrawn))
			purpose(h)
		}
		res.Held = append(res.Held, ho)
	}
	if o.DryRun || len(rec.Outputs) == 0 && len(rec.Withdrawals) == 0 {
		return res, failed
	}
	for _, p := range rec.Purposes {
		st := fmt.Sprintf("%d cases were released to their recipients, each confirmed by a reviewer's recorded decision; no case was released without one.", released[p.Name])
		if n := withdrawn[p.Name]; n > 0 {
			st += fmt.Sprintf(" %d cases released earlier are no longer confirmed; their recipients must be told (Article 19).", n)
		}
		rec.Assessments = append(rec.Assessments, runrecord.Assessment{Purpose: p.Name, SignificantEffect: p.SignificantEffect, Statement: st})
	}
	// What was written is recorded, also when the release stopped part
	// way, so that no file goes twice.
	rec.Finish(o.Now().UTC(), failed)
	if err := os.MkdirAll(dir, 0o700); err != nil { // a release that only withdraws writes no file
		return nil, errors.Join(failed, fmt.Errorf("record release: %w", err))
	}
	if _, err := rec.Publish(context.WithoutCancel(ctx), dir, ledgerPath); err != nil {
		return nil, errors.Join(failed, fmt.Errorf("record release: %w", err))
	}
	res.Record, res.Dir = rec, dir
	return res, failed
}

// writeReleased writes a released file atomically, private to its owner,
// and returns its SHA-256.
func writeReleased(path string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	err := atomicfile.Write(path, minimise.FileMode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("release %s: %w", path, err)
	}
	return runrecord.Hash(path)
}
