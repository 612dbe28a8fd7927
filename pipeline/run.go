package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/lockfile"
	"github.com/datamatch/datamatch/internal/minimise"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/score"
	"github.com/datamatch/datamatch/internal/vault"
)

// Files in an exercise's state folder.
const (
	LedgerFile = "ledger.jsonl"
	QueueFile  = "queue.jsonl"
	VaultDir   = "vaults" // one vault per run: <run id>.age
	// LockFile is held by a run, a release, an erasure and a purge for as
	// long as they change the exercise's files, so that none of them
	// overlaps another (see ErrBusy).
	LockFile = "exercise.lock"
)

// ErrBusy is returned, at once, by Run, Release, Erase and Purge when
// another of them holds the exercise's LockFile: two nightly runs
// overlapping would send every recipient the same cases twice, and an
// erasure must not miss the outputs of a run writing them meanwhile.
var ErrBusy = errors.New("another run, release, erasure or purge of the exercise is in progress")

// lockExercise takes the exercise's LockFile without waiting, creating its
// state folder if need be.
func lockExercise(ex *exercise.Exercise) (unlock func() error, err error) {
	dir := ex.Path(ex.StateDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFile)
	unlock, err = lockfile.TryLock(path)
	if errors.Is(err, lockfile.ErrLocked) {
		return nil, fmt.Errorf("%w: %s is held", ErrBusy, path)
	}
	return unlock, err
}

// openExercise loads the exercise config at path and, if lock is set,
// takes its lock (see lockExercise). unlock releases the lock; it does
// nothing when none was taken.
func openExercise(path string, lock bool) (ex *exercise.Exercise, unlock func() error, err error) {
	ex, err = exercise.Load(path)
	if err != nil {
		return nil, nil, err
	}
	if !lock {
		return ex, func() error { return nil }, nil
	}
	if unlock, err = lockExercise(ex); err != nil {
		return nil, nil, err
	}
	return ex, unlock, nil
}

// RunOptions configure Run.
type RunOptions struct {
	// Config is the exercise config file.
	Config string
	// Version is datamatch's version, for the run record.
	Version string
	// Operator and Host default to the current user and machine.
	Operator, Host string
	// Now defaults to time.Now.
	Now      func() time.Time
	Progress Progress
	Logger   *slog.Logger
	// MemoryLimit is the soft memory limit the run sets for its duration
	// when the process has none, as LinkOptions.MemoryLimit: zero means
	// one estimated from the row counts of the datasets the purposes use,
	// whose records are all live at once; negative means none.
	MemoryLimit int64
}

// RunResult is what a run did.
type RunResult struct {
	Record   *runrecord.Record
	Exercise *exercise.Exercise
	// RunDir holds run.json, the outputs, quarantine files and the
	// data-quality report.
	RunDir string
	// QueueFile is the review queue; Queued counts the cases this run
	// added to it, Cases every case it raised.
	QueueFile     string
	Queued, Cases int
	// VaultFile holds the clear values of the queued cases' records,
	// encrypted to the reviewers ("" if nothing was queued).
	VaultFile string
	// LedgerFile is the ledger the run was recorded in.
	LedgerFile string
	Outputs    []runrecord.Output
	Results    []detect.Result
	// Datasets are the ingested inputs.
	Datasets []*Dataset
}

// Run runs one exercise: it checks the config before reading any data,
// ingests the datasets its purposes use, matches the pairs of datasets
// their detections need, raises cases, queues those with a significant
// effect for a person to decide, writes each recipient's minimised output,
// and records the run — also when it fails — in run.json and the ledger.
func Run(ctx context.Context, o RunOptions) (res *RunResult, err error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ex, unlock, err := openExercise(o.Config, true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	started := o.Now().UTC()
	rec := &runrecord.Record{
		RunID:      runrecord.NewID(started),
		Started:    started,
		Operator:   o.Operator,
		Host:       o.Host,
		Version:    o.Version,
		ConfigPath: o.Config,
	}
	fillRunner(rec)
	if rec.ConfigSHA256, err = runrecord.Hash(o.Config); err != nil {
		return nil, err
	}
	res = &RunResult{
		Record:     rec,
		Exercise:   ex,
		RunDir:     filepath.Join(ex.Path(ex.OutputDir), rec.RunID),
		QueueFile:  filepath.Join(ex.Path(ex.StateDir), QueueFile),
		LedgerFile: filepath.Join(ex.Path(ex.StateDir), LedgerFile),
	}
	// A run that gets this far is recorded whatever happens next.
	defer func() {
		rec.Finish(o.Now().UTC(), err)
		for _, dir := range []string{res.RunDir, filepath.Dir(res.LedgerFile)} {
			if mkErr := os.MkdirAll(dir, 0o700); mkErr != nil {
				err = errors.Join(err, mkErr)
				return
			}
		}
		if _, pubErr := rec.Publish(context.WithoutCancel(ctx), res.RunDir, res.LedgerFile); pubErr != nil {
			err = errors.Join(err, fmt.Errorf("record run: %w", pubErr))
		}
	}()
	for _, p := range ex.Purposes {
		rec.Purposes = append(rec.Purposes, recordPurpose(ex, &p))
	}
	if err := ex.Validate(); err != nil {
		return res, fmt.Errorf("%s: the exercise is refused before any data is read: %w", o.Config, err)
	}
	if err := os.MkdirAll(ex.Path(ex.StateDir), 0o700); err != nil {
		return res, err
	}
	r := &runner{o: o, ex: ex, res: res, today: ex.RunDate()}
	if err := r.run(ctx); err != nil {
		return res, err
	}
	return res, nil
}

type runner struct {
	o     RunOptions
	ex    *exercise.Exercise
	res   *RunResult
	today date.Date

	key   key.Key
	enc   *pseudo.Encoder
	refs  *minimise.KeyedRefs
	tally *rights.Tally

	datasets map[string]*Dataset
	sources  map[string]load.Source
}

func (r *runner) run(ctx context.Context) error {
	rec := r.res.Record
	var err error
	if r.key, err = key.Load(r.ex.Path(r.ex.KeyFile)); err != nil {
		return err
	}
	rec.KeyID = r.key.ID()
	r.enc = pseudo.NewEncoder(r.key)
	r.refs = minimise.NewKeyedRefs(r.key.Derive("record-ref"))

	var exclusions *rights.List
	if r.ex.RestrictionsFile != "" {
		if exclusions, err = rights.LoadList(r.ex.Path(r.ex.RestrictionsFile), r.enc); err != nil {
			return err
		}
		r.tally = exclusions.NewTally()
	}

	rules, err := r.blockingRules()
	if err != nil {
		return err
	}
	defer prepareHeap(r.o.MemoryLimit, r.usedRows, keyColumns(rules))()
	if err := r.ingest(ctx, exclusions); err != nil {
		return err
	}
	links, err := r.link(ctx, rules)
	if err != nil {
		return err
	}
	results, err := detect.Run(ctx, r.ex, r.today, links)
	if err != nil {
		return err
	}
	r.res.Results = results
	r.recordDetections(links, results)

	outcomes, err := r.queue(ctx, results)
	if err != nil {
		return err
	}
	if err := r.outputs(ctx, results); err != nil {
		return err
	}
	var honoured int64
	if r.tally != nil {
		for _, n := range r.tally.Counts().People {
			honoured += int64(n)
		}
	}
	for _, p := range rec.Purposes {
		rec.Assessments = append(rec.Assessments, runrecord.Assess(p, outcomes, honoured))
	}
	return nil
}

// usedRows returns the number of rows, from the files' footers, of the
// datasets the purposes use.
func (r *runner) usedRows() int64 {
	used := r.ex.UsedDatasets()
	srcs, err := r.ex.Sources()
	if err != nil {
		return 0 // ingest reports it
	}
	var n int64
	for _, src := range srcs {
		if used[src.Name] {
			n += rowCount(src.Path)
		}
	}
	return n
}

// ingest loads and pseudonymises every dataset a purpose uses, two at a
// time, and writes each one's quarantine file and the data-quality report.
func (r *runner) ingest(ctx context.Context, exclusions *rights.List) error {
	srcs, err := r.ex.Sources()
	if err != nil {
		return err
	}
	used := r.ex.UsedDatasets()
	r.sources = map[string]load.Source{}
	r.datasets = map[string]*Dataset{}
	results := make([]*Dataset, len(srcs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for i, src := range srcs {
		if !used[src.Name] {
			continue
		}
		r.sources[src.Name] = src
		d, _ := r.ex.Dataset(src.Name)
		g.Go(func() error {
			var err error
			if d.Encoded {
				results[i], err = IngestEncoded(gctx, src.Name, src.Role, src.Path, r.enc, exclusions, r.tally)
			} else {
				results[i], err = Ingest(gctx, src, IngestOptions{
					Encoder: r.enc, Exclusions: exclusions, Tally: r.tally, Progress: r.o.Progress,
					Load: load.Options{Today: r.today, Logger: r.o.Logger},
				})
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := os.MkdirAll(r.res.RunDir, 0o700); err != nil {
		return err
	}
	quality := map[string]*load.Report{}
	for _, ds := range results {
		if ds == nil {
			continue
		}
		r.datasets[ds.Name] = ds
		r.res.Datasets = append(r.res.Datasets, ds)
		in := runrecord.Input{
			Dataset: ds.Name, Role: ds.Role, Path: ds.Path, SHA256: ds.SHA256,
			RowsIn: ds.RowsIn, Accepted: ds.Accepted, Quarantined: ds.Quarantined,
			Restricted: ds.Restricted, Objected: ds.Objected,
		}
		if ds.Report != nil {
			quality[ds.Name] = ds.Report
			in.Problems = problemCounts(ds.Report)
			if len(ds.Report.Quarantine) > 0 {
				q := filepath.Join(r.res.RunDir, "quarantine-"+ds.Name+".parquet")
				if err := load.WriteQuarantine(q, ds.Report.Quarantine); err != nil {
					return err
				}
				if err := r.runFile(q, runrecord.FileQuarantine, ds.Name, int64(len(ds.Report.Quarantine))); err != nil {
					return err
				}
			}
		}
		r.res.Record.Inputs = append(r.res.Record.Inputs, in)
	}
	b, err := json.MarshalIndent(quality, "", "  ")
	if err != nil {
		return err
	}
	dq := filepath.Join(r.res.RunDir, "data-quality.json")
	if err := writeFile(dq, append(b, '\n')); err != nil {
		return err
	}
	return r.runFile(dq, runrecord.FileDataQuality, "", 0)
}

// runFile lists a file the run wrote about its inputs in the run record,
// so that retention purges it and subject access searches it.
func (r *runner) runFile(path, kind, dataset string, rows int64) error {
	sum, err := runrecord.Hash(path)
	if err != nil {
		return err
	}
	r.res.Record.RunFiles = append(r.res.Record.RunFiles, runrecord.RunFile{Path: path, Kind: kind, Dataset: dataset, Rows: rows, SHA256: sum})
	return nil
}

// problemCounts flattens a data-quality report into "column/problem" counts
// for the run record.
func problemCounts(rep *load.Report) map[string]int64 {
	b, err := json.Marshal(rep)
	if err != nil {
		return nil
	}
	var v struct {
		Fields map[string]map[string]int64 `json:"fields"`
		Rows   map[string]int64            `json:"rows"`
	}
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	out := map[string]int64{}
	for col, ps := range v.Fields {
		for p, n := range ps {
			out[col+"/"+p] = n
		}
	}
	for reason, n := range v.Rows {
		out["row/"+reason] = n
	}
	return out
}

// link matches each pair of datasets that some detection needs, once,
// under the blocking rules.
func (r *runner) link(ctx context.Context, rules []block.Rule) ([]*detect.Linkage, error) {
	type job struct{ subject, partner string }
	var jobs []job
	seen := map[job]bool{}
	for _, p := range r.ex.Purposes {
		for _, d := range p.Detections {
			spec, ok := exercise.Spec(d.Rule)
			if !ok || spec.Subject == "" {
				continue
			}
			for _, s := range p.Datasets {
				for _, q := range p.Datasets {
					sd, pd := r.datasets[s], r.datasets[q]
					if sd == nil || pd == nil || sd.Role != spec.Subject || pd.Role != spec.Partner {
						continue
					}
					if spec.Subject == spec.Partner && s != q {
						continue
					}
					j := job{s, q}
					if !seen[j] {
						seen[j] = true
						jobs = append(jobs, j)
					}
				}
			}
		}
	}
	var links []*detect.Linkage
	blocking := map[string]any{}
	scoring := map[string]runrecord.Scoring{}
	for _, j := range jobs {
		sd, pd := r.datasets[j.subject], r.datasets[j.partner]
		name := j.subject + "-" + j.partner
		cfg := linkage.Config{Threshold: r.ex.Matching.Threshold, Rules: rules, Logger: r.o.Logger}
		modelFile := r.modelFile(name)
		if modelFile != "" && !r.ex.Matching.ReEstimate {
			if m, err := score.Load(modelFile); err == nil {
				cfg.Model = m
			} else if !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("link %s: %w", name, err)
			}
		}
		step := start(r.o.Progress, "match "+name, -1)
		var lr *linkage.Result
		var err error
		if j.subject == j.partner {
			lr, err = linkage.Dedupe(ctx, sd.Records, cfg)
		} else {
			lr, err = linkage.Link(ctx, sd.Records, pd.Records, cfg)
		}
		step.Done()
		if err != nil {
			return nil, fmt.Errorf("link %s: %w", name, err)
		}
		if modelFile != "" {
			if err := lr.Model.Save(modelFile); err != nil {
				return nil, fmt.Errorf("link %s: %w", name, err)
			}
		}
		r.o.Logger.Info("linked", "linkage", name, "compared", lr.Compared, "kept", len(lr.Matches))
		blocking[name] = lr.Blocking
		sc := runrecord.Scoring{Threshold: cfg.Threshold, Compared: lr.Compared, Kept: int64(len(lr.Matches)), Left: sd.Name, Right: pd.Name, Model: lr.Model}
		if u := lr.Unlinkable; u != nil {
			left, right := int64(u[0]), int64(u[1])
			sc.UnlinkableLeft, sc.UnlinkableRight = &left, &right
		}
		scoring[name] = sc
		links = append(links, &detect.Linkage{
			Left:    &detect.Dataset{Name: sd.Name, Role: sd.Role, Records: sd.Records, UnreadTenants: unreadTenants(sd.Report)},
			Right:   &detect.Dataset{Name: pd.Name, Role: pd.Role, Records: pd.Records, UnreadTenants: unreadTenants(pd.Report)},
			Matches: lr.Matches,
		})
	}
	rec := r.res.Record
	var err2 error
	if rec.Blocking, err2 = json.Marshal(blocking); err2 != nil {
		return nil, err2
	}
	if rec.Scoring, err2 = json.Marshal(scoring); err2 != nil {
		return nil, err2
	}
	return links, nil
}

// unreadTenants returns the tenancy references of the rows rep
// quarantined with a tenant's role (see detect.Dataset.UnreadTenants), or
// nil when there are none.
func unreadTenants(rep *load.Report) map[string]bool {
	if rep == nil {
		return nil
	}
	var refs map[string]bool
	for _, q := range rep.Quarantine {
		ref, ok := detect.TenantOf(q.TenancyRef, q.TenancyRole)
		if !ok {
			continue
		}
		if refs == nil {
			refs = map[string]bool{}
		}
		refs[ref] = true
	}
	return refs
}

// blockingRules picks the engine's rules named in the config, in its order.
func (r *runner) blockingRules() ([]block.Rule, error) {
	all := block.DefaultRules()
	if len(r.ex.Matching.Blocking) == 0 {
		return all, nil
	}
	byName := map[string]block.Rule{}
	var names []string
	for _, b := range all {
		byName[b.Name] = b
		names = append(names, b.Name)
	}
	var rules []block.Rule
	for _, n := range r.ex.Matching.Blocking {
		b, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("%s: matching: unknown blocking rule %q (known: %s)", r.ex.File, n, strings.Join(names, ", "))
		}
		rules = append(rules, b)
	}
	return rules, nil
}

// modelFile is where the model of one linkage is saved: the config's
// model_file with the linkage's name before the extension.
func (r *runner) modelFile(name string) string {
	if r.ex.Matching.ModelFile == "" {
		return ""
	}
	p := r.ex.Path(r.ex.Matching.ModelFile)
	ext := filepath.Ext(p)
	return strings.TrimSuffix(p, ext) + "." + name + ext
}

func (r *runner) recordDetections(links []*detect.Linkage, results []detect.Result) {
	rec := r.res.Record
	bands := runrecord.DefaultBands()
	caseKeys := map[[2]detect.Ref]bool{}
	for _, res := range results {
		for _, f := range res.Findings {
			rec.Detections = append(rec.Detections, runrecord.Detection{
				Name: string(f.Rule), Purpose: res.Purpose, Cases: int64(len(f.Cases)), Pairs: pairsOf(links, f.Subject, f.Partner),
			})
			for _, c := range f.Cases {
				caseKeys[[2]detect.Ref{c.Subject.Ref, c.Partner.Ref}] = true
			}
		}
	}
	for _, l := range links {
		for _, m := range l.Matches {
			k := [2]detect.Ref{{Dataset: l.Left.Name, RecordID: l.Left.Records[m.Left].RecordID}, {Dataset: l.Right.Name, RecordID: l.Right.Records[m.Right].RecordID}}
			bands.Add(m.Probability, caseKeys[k])
		}
	}
	rec.Bands = bands
}

func pairsOf(links []*detect.Linkage, subject, partner string) int64 {
	for _, l := range links {
		if l.Left.Name == subject && l.Right.Name == partner {
			return int64(len(l.Matches))
		}
	}
	return 0
}

func (r *runner) ref(x detect.Ref) review.RecordRef {
	return review.RecordRef{Dataset: x.Dataset, Ref: r.refs.Ref(x.Dataset, x.RecordID)}
}

// caseID names a case as the review queue does.
func (r *runner) caseID(purpose string, c *detect.Case) string {
	return review.CaseID(purpose, string(c.Rule), r.ref(c.Subject.Ref), r.ref(c.Partner.Ref))
}

// queue puts every case of a purpose with a significant effect in the
// review queue, and the clear values of their records in this run's vault.
// Nothing else happens to such a case until a reviewer decides it.
func (r *runner) queue(ctx context.Context, results []detect.Result) ([]runrecord.Outcome, error) {
	now := r.o.Now().UTC()
	var cases []review.Case
	var outcomes []runrecord.Outcome
	need := map[detect.Ref]bool{}
	for _, res := range results {
		p, _ := r.ex.Purpose(res.Purpose)
		for _, c := range res.Cases() {
			id := r.caseID(res.Purpose, &c)
			r.res.Cases++
			outcomes = append(outcomes, runrecord.Outcome{Purpose: res.Purpose, CaseID: id, Queued: p.SignificantEffect})
			if !p.SignificantEffect {
				continue
			}
			rc := review.Case{
				ID: id, RunID: r.res.Record.RunID, Purpose: res.Purpose, Rule: string(c.Rule),
				Left: r.ref(c.Subject.Ref), Right: r.ref(c.Partner.Ref),
				MatchProbability: c.Probability, MatchWeight: c.Weight,
				Explanation: c.Explanation, Status: review.StatusPending, Queued: now,
			}
			for _, f := range c.Evidence {
				if f.Date.IsZero() {
					rc.Evidence = append(rc.Evidence, review.Evidence{Name: f.Field, Value: "none"})
				} else {
					rc.Evidence = append(rc.Evidence, review.Evidence{Name: f.Field, Date: f.Date})
				}
			}
			cases = append(cases, rc)
			need[c.Subject.Ref] = true
			need[c.Partner.Ref] = true
		}
	}
	if len(cases) == 0 {
		return outcomes, nil
	}
	added, err := review.Merge(ctx, r.res.QueueFile, cases)
	if err != nil {
		return nil, err
	}
	r.res.Queued = added

	clear, err := r.clearValues(ctx, need)
	if err != nil {
		return nil, err
	}
	var entries []vault.Entry
	keys := make([]detect.Ref, 0, len(clear.recs))
	for k := range clear.recs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Dataset != keys[j].Dataset {
			return keys[i].Dataset < keys[j].Dataset
		}
		return keys[i].RecordID < keys[j].RecordID
	})
	for _, k := range keys {
		entries = append(entries, vault.Entry{Dataset: k.Dataset, Ref: r.refs.Ref(k.Dataset, k.RecordID), Record: clear.recs[k]})
	}
	dir := filepath.Join(r.ex.Path(r.ex.StateDir), VaultDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	r.res.VaultFile = filepath.Join(dir, r.res.Record.RunID+".age")
	if err := vault.Write(r.res.VaultFile, r.ex.Reviewers, entries); err != nil {
		return nil, err
	}
	return outcomes, nil
}

// clearStore holds the clear records an output or the vault needs, re-read
// from the sources after matching: clear values are never held while
// matching runs.
type clearStore struct {
	recs map[detect.Ref]person.Record
}

// Clear implements minimise.Reidentifier.
func (s *clearStore) Clear(dataset, recordID string) (person.Record, bool) {
	p, ok := s.recs[detect.Ref{Dataset: dataset, RecordID: recordID}]
	return p, ok
}

// clearValues re-reads the clear records of need from their sources.
// Records of partner-encoded datasets have no clear values and are left out.
func (r *runner) clearValues(ctx context.Context, need map[detect.Ref]bool) (*clearStore, error) {
	s := &clearStore{recs: map[detect.Ref]person.Record{}}
	byDataset := map[string]map[string]bool{}
	for ref := range need {
		if byDataset[ref.Dataset] == nil {
			byDataset[ref.Dataset] = map[string]bool{}
		}
		byDataset[ref.Dataset][ref.RecordID] = true
	}
	for name, ids := range byDataset {
		ds := r.datasets[name]
		if ds == nil || ds.Encoded {
			continue
		}
		rd, err := load.Open(ctx, r.sources[name], load.Options{Today: r.today})
		if err != nil {
			return nil, err
		}
		_, err = rd.Stream(ctx, func(b *load.Batch) error {
			for _, p := range b.Records {
				if ids[p.RecordID] {
					s.recs[detect.Ref{Dataset: name, RecordID: p.RecordID}] = p
				}
			}
			return nil
		})
		rd.Close()
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// outputs writes every purpose's minimised outputs into the run folder.
func (r *runner) outputs(ctx context.Context, results []detect.Result) error {
	need := map[detect.Ref]bool{}
	for _, res := range results {
		p, _ := r.ex.Purpose(res.Purpose)
		if !listsClearField(p) {
			continue
		}
		for _, c := range res.Cases() {
			need[c.Subject.Ref] = true
			need[c.Partner.Ref] = true
		}
	}
	clear, err := r.clearValues(ctx, need)
	if err != nil {
		return err
	}
	w := &minimise.Writer{
		Dir:     r.res.RunDir,
		Sources: minimise.Sources{Clear: clear, Refs: r.refs, CaseID: r.caseID},
		Log:     r.o.Logger,
	}
	rec := r.res.Record
	for _, res := range results {
		p, _ := r.ex.Purpose(res.Purpose)
		written, err := w.Write(ctx, p, &res)
		if err != nil {
			return err
		}
		for _, wr := range written {
			sum, err := runrecord.Hash(wr.Path)
			if err != nil {
				return err
			}
			out := runrecord.Output{Path: wr.Path, Recipient: wr.Recipient, Purpose: wr.Purpose, Fields: wr.Columns, Rows: int64(wr.Rows), SHA256: sum,
				Held: wr.Held, ReleaseFields: wr.ReleaseFields}
			rec.Outputs = append(rec.Outputs, out)
			r.res.Outputs = append(r.res.Outputs, out)
		}
	}
	return nil
}

func listsClearField(p *exercise.Purpose) bool {
	for _, o := range p.Outputs {
		for _, f := range o.Fields {
			if of, ok := exercise.LookupOutputField(f); ok && of.Clear() {
				return true
			}
		}
	}
	return false
}

func recordPurpose(ex *exercise.Exercise, p *exercise.Purpose) runrecord.Purpose {
	return runrecord.Purpose{
		Name:               p.Name,
		LawfulBasis:        string(p.LawfulBasis),
		LawfulBasisRef:     p.LawfulBasisReference,
		LIARef:             p.LegitimateInterestsAssessment,
		Article9Condition:  p.SpecialCategoryCondition,
		Article10Condition: p.CriminalOffenceCondition,
		DPIARef:            p.DPIAReference,
		RetentionPeriod:    p.Retention.String(),
		RetentionUntil:     p.Retention.AddTo(ex.RunDate()),
		SignificantEffect:  p.SignificantEffect,
	}
}

// fillRunner sets rec's operator, host and version where they are empty:
// the current user, this machine and "dev".
func fillRunner(rec *runrecord.Record) {
	if rec.Operator == "" {
		rec.Operator = currentUser()
	}
	if rec.Host == "" {
		rec.Host, _ = os.Hostname()
	}
	if rec.Version == "" {
		rec.Version = "dev"
	}
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := os.Getenv("USER"); s != "" {
		return s
	}
	return "unknown"
}
