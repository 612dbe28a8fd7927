package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/parquet/file"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/synth"
	"github.com/datamatch/datamatch/pipeline"
)

// The acceptance tests share synthetic populations and one run of the demo
// exercise, made on first use: generating data and estimating the model
// dominate their cost.

// Population sizes and seed of the shared fixtures.
const (
	demoSeed   = 20261101
	demoPeople = 3000
)

// fixtureRoot holds the shared populations; TestMain removes it.
var fixtureRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "datamatch-pipeline-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type populationKey struct {
	seed   int64
	people int
}

var (
	populationsMu sync.Mutex
	populations   = map[populationKey]func() (*detectbench.Data, error){}
)

// loadPopulation returns the synthetic population of people rows made
// with seed, generating it once per test process.
func loadPopulation(seed int64, people int) (*detectbench.Data, error) {
	k := populationKey{seed, people}
	populationsMu.Lock()
	get, ok := populations[k]
	if !ok {
		get = sync.OnceValues(func() (*detectbench.Data, error) {
			dir := filepath.Join(fixtureRoot, fmt.Sprintf("population-%d-%d", seed, people))
			return detectbench.Generate(context.Background(), dir, seed, people)
		})
		populations[k] = get
	}
	populationsMu.Unlock()
	return get()
}

// population is loadPopulation for a test.
func population(t testing.TB, seed int64, people int) *detectbench.Data {
	t.Helper()
	d, err := loadPopulation(seed, people)
	if err != nil {
		t.Fatalf("generate %d people (seed %d): %v", people, seed, err)
	}
	return d
}

// exerciseOver makes a fresh exercise folder over the shared demo
// population, its config passed through edit (nil keeps the demo's).
func exerciseOver(t testing.TB, edit func([]byte) []byte) *detectbench.Exercise {
	t.Helper()
	ex, err := detectbench.Share(population(t, demoSeed, demoPeople), t.TempDir(), edit)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// replace returns an edit that replaces old by new in a config, failing t
// if old is not in it exactly once.
func replace(t testing.TB, old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if n := bytes.Count(b, []byte(old)); n != 1 {
			t.Fatalf("demo config has %q %d times, want once", old, n)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

// fixedClock returns a clock that starts at start and advances a second a
// call, so that two runs get different run ids.
func fixedClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

// Run options shared by the tests, so that the operator and host, which
// the run record names, are known values.
const (
	testOperator = "acceptance-operator"
	testHost     = "acceptance-host"
)

// demoRun is the demo exercise run twice over the shared population: first
// as 'datamatch synth' writes it, then again with re_estimate turned off,
// so that the second run reuses the saved model.
type demoRun struct {
	ex            *detectbench.Exercise
	first, second *pipeline.RunResult
	// queuedAfterFirst is the number of lines of the queue after the first
	// run.
	queuedAfterFirst int
	// logs holds everything both runs logged, as JSON lines, at debug
	// level; the first firstLogs bytes are the first run's.
	logs      bytes.Buffer
	firstLogs int
}

var demoOnce = sync.OnceValues(func() (*demoRun, error) {
	d := &demoRun{}
	data, err := loadPopulation(demoSeed, demoPeople)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(fixtureRoot, "demo-")
	if err != nil {
		return nil, err
	}
	if d.ex, err = detectbench.Share(data, dir, nil); err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewJSONHandler(&d.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := fixedClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	opts := pipeline.RunOptions{
		Config: d.ex.Config(), Version: "acceptance", Operator: testOperator, Host: testHost,
		Now: clock, Logger: logger,
	}
	if d.first, err = pipeline.Run(context.Background(), opts); err != nil {
		return nil, fmt.Errorf("first run: %w", err)
	}
	q, err := review.ReadQueue(d.first.QueueFile)
	if err != nil {
		return nil, err
	}
	d.queuedAfterFirst = len(q)
	d.firstLogs = d.logs.Len()
	cfg, err := os.ReadFile(d.ex.Config())
	if err != nil {
		return nil, err
	}
	if bytes.Count(cfg, []byte("re_estimate: true")) != 1 {
		return nil, errors.New("demo config does not say re_estimate: true once")
	}
	cfg = bytes.Replace(cfg, []byte("re_estimate: true"), []byte("re_estimate: false"), 1)
	if err := os.WriteFile(d.ex.Config(), cfg, 0o600); err != nil {
		return nil, err
	}
	if d.second, err = pipeline.Run(context.Background(), opts); err != nil {
		return nil, fmt.Errorf("second run: %w", err)
	}
	return d, nil
})

// demo returns the shared demo runs, making them on first use.
func demo(t testing.TB) *demoRun {
	t.Helper()
	d, err := demoOnce()
	if err != nil {
		t.Fatalf("demo exercise: %v", err)
	}
	return d
}

// parquetRows returns the row count a Parquet file's footer declares.
func parquetRows(t testing.TB, path string) int64 {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.NumRows()
}

// TestRunAccountsForEveryRow checks the run record of the demo exercise
// against the inputs and the review queue, and that a second run of the
// same exercise queues nothing new and extends the ledger.
func TestRunAccountsForEveryRow(t *testing.T) {
	d := demo(t)
	res := d.first
	rec := res.Record
	// The run bounds the heap while it runs, and gives the limit back.
	if os.Getenv("GOMEMLIMIT") == "" {
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Errorf("memory limit %d after the run, want none", got)
		}
	}
	if rec.Status != runrecord.StatusSucceeded || rec.Operator != testOperator || rec.Host != testHost {
		t.Errorf("run record: status %q operator %q host %q", rec.Status, rec.Operator, rec.Host)
	}
	onDisk, err := runrecord.Read(filepath.Join(res.RunDir, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.RunID != rec.RunID || len(onDisk.Inputs) != len(rec.Inputs) {
		t.Errorf("run.json is run %s with %d inputs, want run %s with %d", onDisk.RunID, len(onDisk.Inputs), rec.RunID, len(rec.Inputs))
	}

	// Every dataset a purpose uses is an input; council_tax is used by none.
	used := map[string]bool{}
	for _, p := range res.Exercise.Purposes {
		for _, ds := range p.Datasets {
			used[ds] = true
		}
	}
	rows := map[string]int{}
	for _, ds := range d.ex.Data.Manifest.Datasets {
		rows[ds.Name] = ds.Rows
	}
	var got []string
	var quarantined int64
	for _, in := range onDisk.Inputs {
		got = append(got, in.Dataset)
		if sum := in.Accepted + in.Quarantined + in.Restricted + in.Objected; in.RowsIn != sum {
			t.Errorf("input %s: rows_in %d != accepted %d + quarantined %d + restricted %d + objected %d (= %d)",
				in.Dataset, in.RowsIn, in.Accepted, in.Quarantined, in.Restricted, in.Objected, sum)
		}
		if n := parquetRows(t, in.Path); in.RowsIn != n || in.RowsIn != int64(rows[in.Dataset]) {
			t.Errorf("input %s: rows_in %d, file has %d rows, generator wrote %d", in.Dataset, in.RowsIn, n, rows[in.Dataset])
		}
		quarantined += in.Quarantined
		if in.Restricted+in.Objected != 0 {
			t.Errorf("input %s: %d rows excluded without a restrictions file", in.Dataset, in.Restricted+in.Objected)
		}
	}
	if quarantined == 0 {
		t.Error("no row quarantined: the generator's invalid rows were accepted, and the accounting is not exercised")
	}
	// The quarantine lists and the data-quality report are recorded, so
	// that retention purges them and subject access searches the lists.
	var listed int64
	kinds := map[string]int{}
	for _, f := range onDisk.RunFiles {
		kinds[f.Kind]++
		if sum, err := runrecord.Hash(f.Path); err != nil || sum != f.SHA256 {
			t.Errorf("run file %s: sha256 %s (%v), run record says %s", f.Path, sum, err, f.SHA256)
		}
		if f.Kind == runrecord.FileQuarantine {
			listed += f.Rows
			if n := parquetRows(t, f.Path); n != f.Rows {
				t.Errorf("quarantine list %s: %d rows, run record says %d", f.Path, n, f.Rows)
			}
		}
	}
	if listed != quarantined || kinds[runrecord.FileDataQuality] != 1 {
		t.Errorf("run files list %d quarantined rows (inputs say %d) and %d data-quality reports (want 1)", listed, quarantined, kinds[runrecord.FileDataQuality])
	}
	var want []string
	for name := range used {
		want = append(want, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("run record inputs %v, want the datasets the purposes use %v", got, want)
	}

	// The report of 'audit show' prints the engine's parameters as
	// tables, for every linkage: the shapes the pipeline records are the
	// ones the report reads.
	var report bytes.Buffer
	if err := onDisk.Render(&report); err != nil {
		t.Fatal(err)
	}
	text := report.String()
	for _, want := range []string{"RULE ", "WEIGHT", "Match prior", "tenancies-deceased: threshold"} {
		if !strings.Contains(text, want) {
			t.Errorf("audit report lacks %q", want)
		}
	}
	if strings.Contains(text, `"levels"`) || strings.Contains(text, `"rules"`) {
		t.Error("audit report prints the engine's parameters as JSON")
	}

	// Nothing is decided automatically; every case is queued.
	var queued, cases int64
	for _, a := range onDisk.Assessments {
		if a.DecidedAutomatically != 0 {
			t.Errorf("purpose %s: decided_automatically %d, want 0", a.Purpose, a.DecidedAutomatically)
		}
		queued += a.CasesQueuedForReview
	}
	for i := range res.Results {
		cases += int64(len(res.Results[i].Cases()))
	}
	if len(onDisk.Assessments) != len(res.Exercise.Purposes) {
		t.Errorf("%d assessments for %d purposes", len(onDisk.Assessments), len(res.Exercise.Purposes))
	}
	if cases == 0 {
		t.Fatal("the demo exercise raised no case")
	}
	if queued != int64(res.Queued) || queued != int64(d.queuedAfterFirst) || queued != cases || res.Cases != int(cases) {
		t.Errorf("cases_queued_for_review sums to %d; run queued %d, queue holds %d lines, %d cases raised (result says %d)",
			queued, res.Queued, d.queuedAfterFirst, cases, res.Cases)
	}
	var detected int64
	for _, det := range onDisk.Detections {
		detected += det.Cases
	}
	if detected != cases {
		t.Errorf("run record detections count %d cases, results hold %d", detected, cases)
	}

	// The second run reuses the model, queues nothing new, and is the
	// ledger's second entry.
	second := d.second
	if second.Record.RunID == rec.RunID {
		t.Errorf("both runs have id %s", rec.RunID)
	}
	if second.Queued != 0 {
		t.Errorf("second run queued %d new cases, want 0", second.Queued)
	}
	q, err := review.ReadQueue(second.QueueFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != d.queuedAfterFirst {
		t.Errorf("queue has %d cases after the second run, %d after the first", len(q), d.queuedAfterFirst)
	}
	for _, a := range second.Record.Assessments {
		if a.DecidedAutomatically != 0 {
			t.Errorf("second run, purpose %s: decided_automatically %d", a.Purpose, a.DecidedAutomatically)
		}
	}
	// The matcher logs each stage it runs; estimating u from random pairs
	// is one that a run with a saved model skips.
	if n := stageCount(t, d.logs.Bytes()[:d.firstLogs], "sample-u"); n == 0 {
		t.Error("the first run logged no model estimation")
	}
	if n := stageCount(t, d.logs.Bytes()[d.firstLogs:], "sample-u"); n != 0 {
		t.Errorf("the second run estimated %d models; it should reuse the saved ones", n)
	}
	n, err := ledger.Verify(res.LedgerFile)
	if err != nil || n != 2 {
		t.Fatalf("ledger.Verify = %d, %v; want 2 entries, no error", n, err)
	}
	entries, err := ledger.ReadAll(res.LedgerFile)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{rec.RunID, second.Record.RunID} {
		if e := entries[i]; e.Kind != ledger.KindRun || e.RunID != want || e.Actor != testOperator {
			t.Errorf("ledger entry %d: kind %q run %q actor %q; want %q, %q, %q", i+1, e.Kind, e.RunID, e.Actor, ledger.KindRun, want, testOperator)
		}
	}
}

// stageCount counts the matcher's "linkage stage done" log records of
// stage in JSON-lines logs.
func stageCount(t testing.TB, logs []byte, stage string) int {
	t.Helper()
	n := 0
	for _, line := range bytes.Split(logs, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r struct{ Msg, Stage string }
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		if r.Msg == "linkage stage done" && r.Stage == stage {
			n++
		}
	}
	return n
}

// TestRunRefusedBeforeReading checks that a config that Validate refuses
// stops the run before any dataset, key or model is read, with an error
// that names the purpose and the field, and leaves no output but the
// record of the refused run.
func TestRunRefusedBeforeReading(t *testing.T) {
	refused, err := os.ReadFile(filepath.Join("..", "testdata", "exercises", "refused", "special-without-condition.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// setup writes the config into dir and returns its path.
		setup          func(t *testing.T, dir string) string
		purpose, field string
	}{
		{
			name: "refused example",
			setup: func(t *testing.T, dir string) string {
				// The example names data and a key that do not exist:
				// reading any of them would fail with another error.
				p := filepath.Join(dir, "exercise.yaml")
				if err := os.WriteFile(p, refused, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			},
			purpose: "tenancy_fraud", field: "ethnicity",
		},
		{
			name: "demo reading ethnicity",
			setup: func(t *testing.T, dir string) string {
				ex := exerciseOver(t, replace(t,
					"fields: [record_id, forename, surname, dob, address, postcode, tenancy_ref, tenancy_role, tenancy_start, tenancy_end]",
					"fields: [record_id, forename, surname, dob, address, postcode, tenancy_ref, tenancy_role, tenancy_start, tenancy_end, ethnicity]"))
				return ex.Config()
			},
			purpose: "tenancy_fraud", field: "ethnicity",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.setup(t, t.TempDir())
			prog := &recordingProgress{}
			res, err := pipeline.Run(context.Background(), pipeline.RunOptions{Config: cfg, Progress: prog, Operator: testOperator, Host: testHost})
			if err == nil {
				t.Fatal("Run accepted a config that Validate must refuse")
			}
			var problems exercise.Problems
			if !errors.As(err, &problems) {
				t.Fatalf("error is not the config's problems: %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, `"`+tt.purpose+`"`) || !strings.Contains(msg, `"`+tt.field+`"`) {
				t.Errorf("error does not name purpose %q and field %q: %v", tt.purpose, tt.field, err)
			}
			if len(prog.started) != 0 {
				t.Errorf("stages started before the refusal: %v", prog.started)
			}
			if res == nil || res.Record == nil {
				t.Fatal("no run record for the refused run")
			}
			if res.Record.Status != runrecord.StatusFailed || len(res.Record.Inputs) != 0 || res.Record.KeyID != "" {
				t.Errorf("refused run recorded status %q, %d inputs, key %q; want failed, none, none", res.Record.Status, len(res.Record.Inputs), res.Record.KeyID)
			}
			// Only the record of the refusal may exist: run.json in the run
			// folder, and the ledger with its lock, beside the exercise's.
			ex := res.Exercise
			allowed := map[string]bool{
				filepath.Join(res.RunDir, runrecord.FileName): true,
				res.LedgerFile:           true,
				res.LedgerFile + ".lock": true,
				filepath.Join(ex.Path(ex.StateDir), pipeline.LockFile): true,
			}
			for _, root := range []string{ex.Path(ex.OutputDir), ex.Path(ex.StateDir)} {
				filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
					if err == nil && !e.IsDir() && !allowed[p] {
						t.Errorf("refused run left %s", p)
					}
					return nil
				})
			}
			if n, err := ledger.Verify(res.LedgerFile); err != nil || n != 1 {
				t.Errorf("ledger after the refusal: %d entries, %v; want 1", n, err)
			}
		})
	}
}

// recordingProgress records the stages a run starts.
type recordingProgress struct {
	mu      sync.Mutex
	started []string
}

func (p *recordingProgress) Start(desc string, total int64) pipeline.Step {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = append(p.started, desc)
	return nopStep{}
}

type nopStep struct{}

func (nopStep) Add(int) {}
func (nopStep) Done()   {}

// TestRunHonoursRestrictions lists some of the planted dual tenants in a
// restrictions file, and checks that their records are excluded before
// matching, counted in the run record, and in no case.
func TestRunHonoursRestrictions(t *testing.T) {
	data := population(t, demoSeed, demoPeople)
	truth, err := detectbench.ReadTruth(data.Dir)
	if err != nil {
		t.Fatal(err)
	}
	// Pick planted dual tenancies; take each tenant's identifiers from
	// our own dataset, read as the exercise reads it.
	var listed []detect.Ref
	for _, p := range truth.Planted {
		if p.Kind == synth.KindDualTenancy && len(listed) < 4 {
			for _, r := range p.Pair {
				if r.Dataset == synth.DatasetTenancies {
					listed = append(listed, r)
				}
			}
		}
	}
	if len(listed) < 4 {
		t.Fatalf("only %d planted dual tenancies", len(listed))
	}
	byID := map[string]person.Record{}
	src := sourceOf(t, data, synth.DatasetTenancies)
	recs, _, err := load.ReadAll(context.Background(), src, load.Options{Today: synth.DefaultToday})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		byID[r.RecordID] = r
	}
	var csv strings.Builder
	csv.WriteString("kind,forename,surname,dob,ni_number,postcode,reference,received\n")
	kinds := []string{"objection", "restriction", "objection_automated", "restriction"}
	for i, ref := range listed {
		p, ok := byID[ref.RecordID]
		if !ok {
			t.Fatalf("planted record %s is not among the accepted rows", ref.RecordID)
		}
		dob := ""
		if !p.DOB.IsZero() {
			dob = p.DOB.String()
		}
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%s,%s,DP-TEST-%d,2026-10-01\n", kinds[i], p.Forename, p.Surname, dob, p.NINumber, p.Postcode, i+1)
	}
	// The models the demo run estimated on this population are reused:
	// exclusion happens before matching, whatever the model.
	ex := exerciseOver(t, func(b []byte) []byte {
		b = replace(t, "key_file: keys/exercise.key\n", "key_file: keys/exercise.key\nrestrictions_file: restrictions.csv\n")(b)
		return replace(t, "re_estimate: true", "re_estimate: false")(b)
	})
	if err := os.WriteFile(ex.Path("restrictions.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	copyModels(t, demo(t).ex, ex)
	res, err := pipeline.Run(context.Background(), pipeline.RunOptions{Config: ex.Config(), Operator: testOperator, Host: testHost})
	if err != nil {
		t.Fatal(err)
	}

	var restricted, objected int64
	for _, in := range res.Record.Inputs {
		restricted += in.Restricted
		objected += in.Objected
		if sum := in.Accepted + in.Quarantined + in.Restricted + in.Objected; sum != in.RowsIn {
			t.Errorf("input %s: %d rows in, %d accounted for", in.Dataset, in.RowsIn, sum)
		}
	}
	if restricted == 0 || objected == 0 {
		t.Errorf("excluded %d restricted and %d objected rows; want both above 0", restricted, objected)
	}
	for _, a := range res.Record.Assessments {
		if a.ObjectionsHonoured < int64(len(listed)) {
			t.Errorf("purpose %s: %d objections honoured, want at least %d", a.Purpose, a.ObjectionsHonoured, len(listed))
		}
	}
	excluded := map[detect.Ref]bool{}
	for _, r := range listed {
		excluded[r] = true
	}
	for _, ds := range res.Datasets {
		for _, r := range ds.Records {
			if excluded[detect.Ref{Dataset: ds.Name, RecordID: r.RecordID}] {
				t.Errorf("listed record %s/%s was matched", ds.Name, r.RecordID)
			}
		}
	}
	for i := range res.Results {
		for _, c := range res.Results[i].Cases() {
			if excluded[c.Subject.Ref] || excluded[c.Partner.Ref] {
				t.Errorf("case %s refers to listed record %v / %v", c.ID, c.Subject.Ref, c.Partner.Ref)
			}
		}
	}
}

// sourceOf returns the load.Source of dataset name as the demo exercise
// maps it.
func sourceOf(t testing.TB, data *detectbench.Data, name string) load.Source {
	t.Helper()
	for _, ds := range data.Manifest.Datasets {
		if ds.Name == name {
			return load.Source{Name: ds.Name, Path: filepath.Join(data.Dir, ds.File), Role: ds.Role, Mapping: ds.Mapping}
		}
	}
	t.Fatalf("no dataset %s", name)
	return load.Source{}
}

// copyModels copies the saved models of exercise from into exercise to.
func copyModels(t testing.TB, from, to *detectbench.Exercise) {
	t.Helper()
	models, err := filepath.Glob(from.Path(detectbench.StateDir + "/model.*.json"))
	if err != nil || len(models) == 0 {
		t.Fatalf("no saved models in %s (%v)", from.Path(detectbench.StateDir), err)
	}
	if err := os.MkdirAll(to.Path(detectbench.StateDir), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to.Path(detectbench.StateDir+"/"+filepath.Base(m)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
