package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/minimise"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/retention"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/vault"
)

// RecordRefPurpose is the purpose the exercise key is derived under for the
// pseudonymised record references that review cases and outputs carry.
const RecordRefPurpose = "record-ref"

// RunRecordOutputs reads the run record at path and returns the outputs it
// lists, each with the retention-until date of its purpose in that record
// (zero when the record does not list the purpose), and the run's own
// files (quarantine lists, data-quality report), dated with the latest of
// its purposes' retention. It implements
// retention.RunRecordReader through retention.RunRecordReaderFunc.
func RunRecordOutputs(path string) ([]retention.Output, error) {
	rec, err := runrecord.Read(path)
	if err != nil {
		return nil, err
	}
	until := map[string]date.Date{}
	for _, p := range rec.Purposes {
		until[p.Name] = p.RetentionUntil
	}
	out := make([]retention.Output, 0, len(rec.Outputs)+len(rec.RunFiles))
	for _, o := range rec.Outputs {
		out = append(out, retention.Output{Path: o.Path, RunID: rec.RunID, Purpose: o.Purpose, RetentionUntil: until[o.Purpose]})
	}
	// The run's own files document how its inputs were handled: they go
	// with the last of its outputs.
	last := rec.RetentionUntil()
	for _, f := range rec.RunFiles {
		out = append(out, retention.Output{Path: f.Path, RunID: rec.RunID, RetentionUntil: last})
	}
	return out, nil
}

// PurgeOptions configure Purge.
type PurgeOptions struct {
	// Config is the exercise config file.
	Config string
	// Today is the date retention is judged against; zero means the
	// current date.
	Today date.Date
	// DryRun reports what would be deleted and changes nothing.
	DryRun bool
	// Operator is recorded as the ledger entry's actor; it defaults to the
	// current user.
	Operator string
	Logger   *slog.Logger
}

// PurgeResult is what a purge did, or in a dry run would do.
type PurgeResult struct {
	Exercise *exercise.Exercise
	Today    date.Date
	DryRun   bool
	// Outputs reports on the run outputs under the exercise's output_dir.
	Outputs retention.Report
	// Vaults reports on the re-identification vaults under
	// state_dir/vaults. Its Kept counts vault files, each of which is
	// listed once per purpose of its run.
	Vaults retention.Report
	// LedgerFile is the exercise's ledger; Entry is the purge entry
	// appended to it, nil when nothing was deleted or refused, or in a
	// dry run.
	LedgerFile string
	Entry      *ledger.Entry
}

// PurgeRecord is the data of a purge ledger entry. It names files, runs,
// purposes, dates and hashes, never a person.
type PurgeRecord struct {
	Today   date.Date     `json:"today"`
	Files   []PurgedFile  `json:"files"`
	Refused []RefusedFile `json:"refused,omitempty"`
}

// PurgedFile is one file a purge deleted.
type PurgedFile struct {
	Kind           string    `json:"kind"` // "output" or "vault"
	Path           string    `json:"path"`
	RunID          string    `json:"run_id,omitempty"`
	Purposes       []string  `json:"purposes"`
	RetentionUntil date.Date `json:"retention_until"`
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
}

// RefusedFile is a due file a purge did not touch.
type RefusedFile struct {
	Kind   string `json:"kind"`
	Path   string `json:"path"`
	RunID  string `json:"run_id,omitempty"`
	Reason string `json:"reason"`
}

// Kinds of purged file.
const (
	PurgedOutput  = "output"
	PurgedVault   = "vault"
	PurgedRunFile = "run_file" // a quarantine list or data-quality report
)

// Purge deletes what an exercise holds past its retention: every output
// that a run record under output_dir lists and whose purpose's retention
// has ended by Today (see retention.Purge: nothing outside output_dir is
// touched, and run records are kept), and the vault of every run all of
// whose purposes with a significant effect have reached the end of their
// retention. Unless DryRun, it appends one ledger entry of kind
// ledger.KindPurge listing each file deleted or refused. A refusal does not
// stop the purge; it is reported in the result and in the returned error.
func Purge(ctx context.Context, o PurgeOptions) (*PurgeResult, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ex, err := exercise.Load(o.Config)
	if err != nil {
		return nil, err
	}
	if ex.OutputDir == "" || ex.StateDir == "" {
		return nil, fmt.Errorf("%s: output_dir and state_dir are required to purge", o.Config)
	}
	if !o.DryRun {
		unlock, err := lockExercise(ex)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	today := o.Today
	if today.IsZero() {
		today = date.Today()
	}
	res := &PurgeResult{
		Exercise: ex, Today: today, DryRun: o.DryRun,
		LedgerFile: filepath.Join(ex.Path(ex.StateDir), LedgerFile),
	}
	outRoot := ex.Path(ex.OutputDir)
	if _, err := os.Stat(outRoot); errors.Is(err, fs.ErrNotExist) {
		// No run has written anything yet.
		res.Outputs = retention.Report{Today: today, DryRun: o.DryRun}
		res.Vaults = res.Outputs
		return res, nil
	}
	if !o.DryRun {
		if err := ledger.CheckWritable(res.LedgerFile); err != nil {
			return nil, fmt.Errorf("nothing purged: %w", err)
		}
	}
	outputs, err := retention.Discover(ctx, outRoot, retention.RunRecordReaderFunc(RunRecordOutputs))
	if err != nil {
		return nil, err
	}
	vaults, purposes, err := vaultOutputs(ctx, outRoot, filepath.Join(ex.Path(ex.StateDir), VaultDir))
	if err != nil {
		return nil, err
	}

	var errs []error
	res.Outputs, err = retention.Purge(ctx, outputs, today, o.DryRun)
	if err != nil {
		errs = append(errs, err)
	}
	res.Vaults, err = retention.Purge(ctx, vaults, today, o.DryRun)
	if err != nil {
		errs = append(errs, err)
	}
	res.Vaults.Kept = heldFiles(vaults, today)
	log.Info("purge", "dry_run", o.DryRun, "outputs_purged", len(res.Outputs.Purged), "vaults_purged", len(res.Vaults.Purged),
		"refused", len(res.Outputs.Refused)+len(res.Vaults.Refused))
	if o.DryRun {
		return res, errors.Join(errs...)
	}

	rec := PurgeRecord{Today: today, Files: []PurgedFile{}}
	for _, p := range res.Outputs.Purged {
		if p.Purpose == "" {
			// A run's own file, kept for all its purposes.
			rec.Files = append(rec.Files, purgedFile(PurgedRunFile, p, purposes[p.RunID]))
			continue
		}
		rec.Files = append(rec.Files, purgedFile(PurgedOutput, p, []string{p.Purpose}))
	}
	for _, p := range res.Vaults.Purged {
		rec.Files = append(rec.Files, purgedFile(PurgedVault, p, purposes[p.RunID]))
	}
	for _, r := range res.Outputs.Refused {
		rec.Refused = append(rec.Refused, refusedFile(PurgedOutput, r))
	}
	for _, r := range res.Vaults.Refused {
		rec.Refused = append(rec.Refused, refusedFile(PurgedVault, r))
	}
	if len(rec.Files) == 0 && len(rec.Refused) == 0 {
		return res, errors.Join(errs...)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	e, err := ledger.Append(context.WithoutCancel(ctx), res.LedgerFile, ledger.Entry{Kind: ledger.KindPurge, Actor: actorOr(o.Operator), Data: data})
	if err != nil {
		errs = append(errs, fmt.Errorf("record purge: %w", err))
	} else {
		res.Entry = &e
	}
	return res, errors.Join(errs...)
}

func purgedFile(kind string, p retention.Purged, purposes []string) PurgedFile {
	return PurgedFile{
		Kind: kind, Path: filepath.Join(p.Root, p.Path), RunID: p.RunID, Purposes: purposes,
		RetentionUntil: p.RetentionUntil, SHA256: p.SHA256, Size: p.Size,
	}
}

func refusedFile(kind string, r retention.Refusal) RefusedFile {
	p := r.Output.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.Output.Root, p)
	}
	return RefusedFile{Kind: kind, Path: p, RunID: r.Output.RunID, Reason: r.Reason}
}

// vaultOutputs lists the vault of every run recorded under outRoot that
// has one in vaultDir, once for each of the run's purposes with a
// significant effect (every purpose, for a run with none), so that
// retention.Purge deletes it only when all of them are due. It also returns
// those purposes by run id, for the ledger.
func vaultOutputs(ctx context.Context, outRoot, vaultDir string) ([]retention.Output, map[string][]string, error) {
	records, err := runRecords(ctx, outRoot)
	if err != nil {
		return nil, nil, err
	}
	var out []retention.Output
	purposes := map[string][]string{}
	seen := map[string]bool{}
	for _, path := range records {
		rec, err := runrecord.Read(path)
		if err != nil {
			return nil, nil, err
		}
		id := rec.RunID
		if id == "" || seen[id] || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
			continue
		}
		seen[id] = true
		name := id + ".age"
		if _, err := os.Lstat(filepath.Join(vaultDir, name)); err != nil {
			continue // no cases were queued, or the vault is already gone
		}
		var ps []runrecord.Purpose
		for _, p := range rec.Purposes {
			if p.SignificantEffect {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			ps = rec.Purposes
		}
		for _, p := range ps {
			out = append(out, retention.Output{Root: vaultDir, Path: name, RunID: id, Purpose: p.Name, RetentionUntil: p.RetentionUntil})
			purposes[id] = append(purposes[id], p.Name)
		}
	}
	return out, purposes, nil
}

// heldFiles counts the distinct files of outputs that are not due.
func heldFiles(outputs []retention.Output, today date.Date) int {
	due := map[string]bool{}
	for _, o := range retention.Due(outputs, today) {
		due[filepath.Join(o.Root, o.Path)] = true
	}
	held := map[string]bool{}
	for _, o := range outputs {
		if p := filepath.Join(o.Root, o.Path); !due[p] {
			held[p] = true
		}
	}
	return len(held)
}

// runRecords returns the run records under root, without following
// symbolic links, in path order.
func runRecords(ctx context.Context, root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Name() == runrecord.FileName && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("run records under %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

// ReviewStore reads an exercise's review queue and decisions log for a
// subject access search, and replaces decision reasons for an erasure. It
// implements rights.ReasonRedactor.
type ReviewStore struct {
	// QueuePath is the queue file; its decisions log is
	// review.DecisionsPath(QueuePath).
	QueuePath string
}

// Cases returns every case of the queue, referring to both its records.
func (s ReviewStore) Cases(ctx context.Context) ([]rights.Case, error) {
	cases, err := review.ReadQueue(s.QueuePath)
	if err != nil {
		return nil, err
	}
	out := make([]rights.Case, 0, len(cases))
	for _, c := range cases {
		out = append(out, rights.Case{
			ID: c.ID, RunID: c.RunID, Purpose: c.Purpose, Rule: c.Rule, Queued: c.Queued,
			Refs: []rights.RecordRef{{Dataset: c.Left.Dataset, Ref: c.Left.Ref}, {Dataset: c.Right.Dataset, Ref: c.Right.Ref}},
		})
	}
	return out, nil
}

// RedactReasons replaces the reasons of the decisions ids with note (see
// review.RedactReasons). It makes ReviewStore a rights.ReasonRedactor.
func (s ReviewStore) RedactReasons(ctx context.Context, ids []string, note string) (int, error) {
	return review.RedactReasons(ctx, review.DecisionsPath(s.QueuePath), ids, note)
}

// Decisions returns every decision of the decisions log in the order they
// were recorded. A log that ends in a partial line is read again under its
// lock, in case a decision was being appended.
func (s ReviewStore) Decisions(ctx context.Context) ([]rights.Decision, error) {
	ds, err := review.LoadDecisions(ctx, review.DecisionsPath(s.QueuePath))
	if err != nil {
		return nil, err
	}
	out := make([]rights.Decision, 0, len(ds))
	for _, d := range ds {
		out = append(out, rights.Decision{ID: d.DecisionID, CaseID: d.CaseID, Outcome: d.Outcome, Reason: d.Reason, Time: d.Time})
	}
	return out, nil
}

// encodedDataset lets a subject access search recognise the subject in a
// partner-encoded dataset, which holds pseudonyms only. Its loader gives
// one placeholder record per row, carrying the record id alone; its
// encoder hands back that row's stored pseudonyms for a placeholder and
// encodes anything else (the subject) with the exercise encoder. The
// subject is so matched pseudonym to pseudonym, and the findings hold no
// clear value, because none exists.
type encodedDataset struct {
	enc  rights.Encoder
	byID map[string]*pseudo.Record
	ids  []string
}

func newEncodedDataset(enc *pseudo.Encoder, name, path string) (*encodedDataset, error) {
	meta, recs, err := pseudo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", name, err)
	}
	if err := enc.Compatible(meta); err != nil {
		return nil, fmt.Errorf("dataset %s: %s: %w", name, path, err)
	}
	d := &encodedDataset{enc: enc, byID: make(map[string]*pseudo.Record, len(recs))}
	for i := range recs {
		id := recs[i].RecordID
		if id == "" {
			continue
		}
		if _, dup := d.byID[id]; dup {
			continue
		}
		d.byID[id] = &recs[i]
		d.ids = append(d.ids, id)
	}
	return d, nil
}

// Load implements rights.Loader.
func (d *encodedDataset) Load(ctx context.Context) ([]person.Record, error) {
	out := make([]person.Record, len(d.ids))
	for i, id := range d.ids {
		out[i].RecordID = id
	}
	return out, ctx.Err()
}

// Encode implements rights.Encoder.
func (d *encodedDataset) Encode(dst *pseudo.Record, src *person.Record) {
	if src.RecordID != "" {
		if p, ok := d.byID[src.RecordID]; ok {
			*dst = *p
			return
		}
	}
	d.enc.Encode(dst, src)
}

// SubjectAccessOptions configure SubjectAccess.
type SubjectAccessOptions struct {
	// Config is the exercise config file.
	Config string
	// Subject is the person the request is about.
	Subject rights.Subject
	// Identity is a reviewer's age identity file. When set, every vault
	// under state_dir/vaults is opened and searched, and each opening is
	// entered in the ledger first; when empty the vaults are not searched.
	Identity string
	// Operator is recorded as the actor of vault openings; it defaults to
	// the current user.
	Operator string
	Logger   *slog.Logger
}

// SubjectAccess searches everything an exercise holds for the subject: its
// input datasets (clear ones loaded and pseudonymised as a run does,
// partner-encoded ones compared by pseudonym), the review queue and its
// decisions (through the record references), every output that a run
// record under output_dir lists, and, with an identity, the vaults. Each
// vault opening is entered in the ledger (kind ledger.KindVaultOpen) before
// the findings are returned; if the ledger cannot take it, no findings are
// returned. Neither errors nor logs carry any value of the subject.
func SubjectAccess(ctx context.Context, o SubjectAccessOptions) (*rights.Findings, error) {
	ex, err := exercise.Load(o.Config)
	if err != nil {
		return nil, err
	}
	rs, err := openRightsSources(ctx, ex, o.Identity, o.Logger)
	if err != nil {
		return nil, err
	}
	f, err := rights.Search(ctx, o.Subject, rs.sources)
	if err != nil {
		return nil, err
	}
	if err := rs.recordOpenings(ctx, o.Operator, "subject_access_request", f); err != nil {
		return nil, fmt.Errorf("no findings given: %w", err)
	}
	rs.log.Info("subject access search", "sources", len(f.Searched), "vaults_opened", len(rs.opened))
	return f, nil
}

// EraseOptions configure Erase.
type EraseOptions struct {
	// Config is the exercise config file.
	Config string
	// Subject is the person the request is about.
	Subject rights.Subject
	// Identity is a reviewer's age identity file, required: the vaults
	// are opened, searched and written anew without the subject's
	// entries, encrypted to the exercise's reviewers.
	Identity string
	// Reference is the landlord's reference for the request; required.
	Reference string
	// DryRun reports what would be erased and changes nothing.
	DryRun bool
	// Reasons also replaces the reasons of the decisions on the subject's
	// review cases with a note of the request (see rights.EraseOptions).
	Reasons bool
	// Operator is recorded as the actor; it defaults to the current user.
	Operator string
	Logger   *slog.Logger
}

// Erase honours a request for erasure (UK GDPR Article 17) in what the
// exercise itself holds: it searches as SubjectAccess does, then removes
// the subject's rows from every output under output_dir and their entries
// from every vault (see rights.Erase) and, with Reasons, the reasons of the
// decisions on their review cases. Input datasets, the review cases and
// the ledger are not changed. The vault openings are entered in the
// ledger first and, unless DryRun, one entry of kind ledger.KindErasure
// records what was removed: paths, counts, digests and decision ids, never
// a clear identifier. The decision that erasure applies (Article 17(3) exempts
// what a legal obligation or a legal claim needs) is the data protection
// officer's, made before this is run.
func Erase(ctx context.Context, o EraseOptions) (*rights.Erasure, *rights.Findings, error) {
	if o.Identity == "" {
		return nil, nil, errors.New("erasure: a reviewer identity is required to write the vaults anew")
	}
	ex, unlock, err := openExercise(o.Config, !o.DryRun)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	// rights.Erase refuses a missing reference before it searches, and so
	// before any vault opening is entered in the ledger.
	rs, err := openRightsSources(ctx, ex, o.Identity, o.Logger)
	if err != nil {
		return nil, nil, err
	}
	e, f, err := rights.Erase(ctx, o.Subject, rs.sources, rights.EraseOptions{Reference: o.Reference, DryRun: o.DryRun, Reasons: o.Reasons})
	errs := []error{err}
	if f != nil {
		if err := rs.recordOpenings(ctx, o.Operator, "erasure_request", f); err != nil {
			errs = append(errs, err)
		}
	}
	// What was erased is recorded even when the erasure stopped part way
	// or the vault openings could not be entered.
	if e != nil && !o.DryRun && (e.RowsErased() > 0 || e.EntriesErased() > 0 || e.ReasonsErased() > 0) {
		data, err := json.Marshal(e)
		if err == nil {
			_, err = ledger.Append(context.WithoutCancel(ctx), rs.ledgerPath, ledger.Entry{Kind: ledger.KindErasure, Actor: actorOr(o.Operator), Data: data})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("record erasure: %w", err))
		}
		rs.log.Info("erasure", "reference", o.Reference, "rows", e.RowsErased(), "vault_entries", e.EntriesErased(),
			"reasons", e.ReasonsErased(), "records_kept", len(e.RecordsKept), "cases_kept", len(e.CasesKept))
	}
	return e, f, errors.Join(errs...)
}

// rightsSources are the sources of a subject access search or an
// erasure, with the vaults opened for it.
type rightsSources struct {
	sources    []rights.Source
	opened     []string // vault files opened
	ledgerPath string
	log        *slog.Logger
}

// openRightsSources lists everything an exercise holds as sources for
// rights.Search: its input datasets (clear ones loaded and pseudonymised
// as a run does, partner-encoded ones compared by pseudonym), the review
// queue and its decisions, every output that a run record under
// output_dir lists, and, with an identity, the vaults, opened so that
// they can also be written anew (see erasableVault).
func openRightsSources(ctx context.Context, ex *exercise.Exercise, identity string, log *slog.Logger) (*rightsSources, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	k, err := key.Load(ex.Path(ex.KeyFile))
	if err != nil {
		return nil, err
	}
	enc := pseudo.NewEncoder(k)
	refs := minimise.NewKeyedRefs(k.Derive(RecordRefPurpose))
	today := ex.RunDate()

	rs := &rightsSources{log: log}
	srcs, err := ex.Sources()
	if err != nil {
		return nil, err
	}
	for _, src := range srcs {
		d, _ := ex.Dataset(src.Name)
		ds := rights.Dataset{Name: src.Name, Role: src.Role, Path: src.Path, Encoder: enc, Ref: refs.Ref}
		if d.Encoded {
			e, err := newEncodedDataset(enc, src.Name, src.Path)
			if err != nil {
				return nil, err
			}
			ds.Records, ds.Encoder = e, e
		} else {
			ds.Records = rights.LoaderFunc(func(ctx context.Context) ([]person.Record, error) {
				recs, _, err := load.ReadAll(ctx, src, load.Options{Today: today, Logger: log})
				return recs, err
			})
		}
		rs.sources = append(rs.sources, ds)
	}

	state := ex.Path(ex.StateDir)
	queuePath := filepath.Join(state, QueueFile)
	if _, err := os.Stat(queuePath); err == nil {
		rs.sources = append(rs.sources, rights.Queue{Name: queuePath, Store: ReviewStore{QueuePath: queuePath}})
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("review queue: %w", err)
	}

	outRoot := ex.Path(ex.OutputDir)
	if _, err := os.Stat(outRoot); err == nil {
		files, err := outputFiles(ctx, outRoot, log)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			rs.sources = append(rs.sources, f)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("output folder: %w", err)
	}

	rs.ledgerPath = filepath.Join(state, LedgerFile)
	if identity != "" {
		if err := ledger.CheckWritable(rs.ledgerPath); err != nil {
			return nil, err
		}
		vaults, err := filepath.Glob(filepath.Join(state, VaultDir, "*.age"))
		if err != nil {
			return nil, err
		}
		sort.Strings(vaults)
		for _, p := range vaults {
			v, err := vault.Open(p, identity)
			if err != nil {
				return nil, err
			}
			store := erasableVault{Vault: v, path: p, recipients: ex.Reviewers}
			rs.sources = append(rs.sources, rights.Vault{Name: p, Store: store, Encoder: enc, Ref: refs.Ref})
			rs.opened = append(rs.opened, p)
		}
	}
	return rs, nil
}

// recordOpenings enters each vault opened in the ledger, with reason and
// the number of entries f found in it.
func (rs *rightsSources) recordOpenings(ctx context.Context, operator, reason string, f *rights.Findings) error {
	found := map[string]int{}
	for _, s := range f.Searched {
		if s.Kind == rights.KindVault {
			found[s.Name] = s.Found
		}
	}
	for _, p := range rs.opened {
		data, err := json.Marshal(sarVaultOpening{Reason: reason, Vault: p, EntriesFound: found[p]})
		if err != nil {
			return err
		}
		runID := strings.TrimSuffix(filepath.Base(p), ".age")
		if _, err := ledger.Append(context.WithoutCancel(ctx), rs.ledgerPath, ledger.Entry{Kind: ledger.KindVaultOpen, RunID: runID, Actor: actorOr(operator), Data: data}); err != nil {
			return fmt.Errorf("the vault opening could not be entered in the audit ledger: %w", err)
		}
	}
	return nil
}

// actorOr returns operator, or the current user when it is empty.
func actorOr(operator string) string {
	if operator != "" {
		return operator
	}
	return currentUser()
}

// erasableVault is an opened vault that an erasure can write anew, to the
// exercise's reviewers as the config now lists them.
type erasableVault struct {
	*vault.Vault
	path       string
	recipients []string
}

// Erase implements rights.VaultEraser.
func (v erasableVault) Erase(keys [][2]string) (int, error) {
	drop := make(map[[2]string]bool, len(keys))
	for _, k := range keys {
		drop[k] = true
	}
	var keep []vault.Entry
	for _, e := range v.Entries() {
		if !drop[[2]string{e.Dataset, e.Record.RecordID}] {
			keep = append(keep, e)
		}
	}
	n := v.Len() - len(keep)
	if n == 0 {
		return 0, nil
	}
	return n, vault.Write(v.path, v.recipients, keep)
}

// sarVaultOpening is the data of the ledger entry for a vault opened for a
// subject access search or an erasure: which vault and how many entries
// were found, never whose.
type sarVaultOpening struct {
	Reason       string `json:"reason"`
	Vault        string `json:"vault"`
	EntriesFound int    `json:"entries_found"`
}

// outputFiles lists the outputs of every run record under root as sources
// of a subject access search. An output listed outside root is left out
// with a warning: only the exercise's own outputs are read.
func outputFiles(ctx context.Context, root string, log *slog.Logger) ([]rights.OutputFile, error) {
	records, err := runRecords(ctx, root)
	if err != nil {
		return nil, err
	}
	var out []rights.OutputFile
	seen := map[string]bool{}
	for _, path := range records {
		rec, err := runrecord.Read(path)
		if err != nil {
			return nil, err
		}
		files := make([]rights.OutputFile, 0, len(rec.Outputs))
		for _, o := range rec.Outputs {
			files = append(files, rights.OutputFile{Path: o.Path, Purpose: o.Purpose, Recipient: o.Recipient, Held: o.Held, Clear: clearFields(o.Fields)})
		}
		// Quarantine lists name the record_ids of the rows set aside.
		for _, f := range rec.RunFiles {
			if f.Kind == runrecord.FileQuarantine {
				files = append(files, rights.OutputFile{Path: f.Path, Recipient: "quarantine"})
			}
		}
		for _, o := range files {
			p, err := recordedPath(root, path, o.Path)
			if err != nil {
				log.Warn("subject access: output not searched", "run_record", path, "output", o.Path, "reason", err.Error())
				continue
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			o.Path, o.RunID = p, rec.RunID
			out = append(out, o)
		}
	}
	return out, nil
}

// recordedPath returns the path of a file the run record at recordPath
// lists as p (relative to the record's folder unless absolute), refusing
// one outside root (see retention.Resolve).
func recordedPath(root, recordPath, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(recordPath), p)
	}
	rel, err := retention.Resolve(root, p)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, rel), nil
}

// clearFields maps the fields of an output that show a clear value of one
// of a case's records to the record's side and the canonical column, so
// that subject access recognises the subject's rows in an output that
// holds no reference, such as the utility provider's request.
func clearFields(fields []string) map[string]rights.ClearField {
	var m map[string]rights.ClearField
	for _, name := range fields {
		f, ok := exercise.LookupOutputField(name)
		if !ok || f.Column == "" || (f.Side != exercise.FromSubject && f.Side != exercise.FromPartner) {
			continue
		}
		if m == nil {
			m = map[string]rights.ClearField{}
		}
		m[name] = rights.ClearField{Side: f.Side.String(), Column: f.Column}
	}
	return m
}

// RestrictionsSummary is what a restrictions file lists.
type RestrictionsSummary struct {
	Exercise *exercise.Exercise
	// File is the restrictions file, "" when the exercise names none.
	File string
	// People counts the people listed under each kind of request (every
	// kind of rights.Kinds is present).
	People map[string]int
	Total  int
}

// CheckRestrictions loads the exercise's restrictions file as a run does,
// pseudonymising it under the exercise key, and counts the people it lists
// by kind. A file that a run would refuse is refused here, with the same
// error.
func CheckRestrictions(ctx context.Context, config string) (*RestrictionsSummary, error) {
	ex, err := exercise.Load(config)
	if err != nil {
		return nil, err
	}
	s := &RestrictionsSummary{Exercise: ex, People: map[string]int{}}
	for _, k := range rights.Kinds {
		s.People[k] = 0
	}
	if ex.RestrictionsFile == "" {
		return s, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k, err := key.Load(ex.Path(ex.KeyFile))
	if err != nil {
		return nil, err
	}
	s.File = ex.Path(ex.RestrictionsFile)
	l, err := rights.LoadList(s.File, pseudo.NewEncoder(k))
	if err != nil {
		return nil, err
	}
	s.People = l.Listed()
	s.Total = l.Len()
	return s, nil
}
