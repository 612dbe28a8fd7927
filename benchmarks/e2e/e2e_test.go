// Package e2e is the end-to-end scaling benchmark of datamatch link:
// canonical Parquet files in, pseudonymisation, blocking, comparison,
// estimation, scoring, and pairs.parquet out — the whole of pipeline.Link —
// at 10k, 100k and 1M people per side. Each size runs in a child process
// so that its peak memory (VmHWM) is its own; the benchmark prints wall
// time, rows/s, pairs compared per second, peak memory, page faults, F1
// against the synthetic truth, and the stages' timings.
//
//	go test -run '^$' -bench . -benchtime 1x ./benchmarks/e2e
//	DATAMATCH_E2E_SIZES=10000,100000,1000000 go test -run '^$' -bench . -benchtime 1x -timeout 60m ./benchmarks/e2e
//
// DATAMATCH_E2E_CACHE names a directory that keeps the generated input
// files between runs. With DATAMATCH_E2E_PROFILE=1 the child also writes
// a CPU profile of the whole link (cpu.pprof, beside the size's input
// files) and the benchmark prints the functions that took most of it
// (cumulative time, as go tool pprof -top -cum lists them).
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/benchmarks/link"
	"github.com/datamatch/datamatch/internal/gcpolicy"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/pipeline"
)

// result is what the child process reports.
type result struct {
	Rows      int64              `json:"rows"` // rows read, both sides
	Seconds   float64            `json:"seconds"`
	CPU       float64            `json:"cpu_seconds"` // user and system time of the child
	Faults    int64              `json:"page_faults"` // minor page faults of the child
	Compared  int64              `json:"compared"`
	Matches   int                `json:"matches"`
	PeakBytes int64              `json:"peak_bytes"`
	Stages    map[string]float64 `json:"stages"`
	Order     []string           `json:"order"` // Stages' keys, in order
}

// Environment of the child process: the directory of the task's files,
// and the file to write a CPU profile to, if any.
const (
	childEnv   = "DATAMATCH_E2E_CHILD"
	profileEnv = "DATAMATCH_E2E_CPUPROFILE"
)

// TestMain lets the benchmark re-run this binary as the child that links
// two files and reports.
func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		gcpolicy.Apply() // as the datamatch binary does
		if err := child(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func child(dir string) error {
	k, err := key.Generate()
	if err != nil {
		return err
	}
	if path := os.Getenv(profileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	res, err := pipeline.Link(context.Background(), pipeline.LinkOptions{
		Left:    pipeline.Input{Source: load.Source{Name: "left", Path: filepath.Join(dir, "left.parquet"), Role: person.RolePeople}},
		Right:   pipeline.Input{Source: load.Source{Name: "right", Path: filepath.Join(dir, "right.parquet"), Role: person.RolePeople}},
		Encoder: pseudo.NewEncoder(k),
		Linkage: linkage.Config{},
		OutDir:  filepath.Join(dir, "out"),
	})
	if err != nil {
		return err
	}
	r := result{
		Rows:      res.Left.RowsIn + res.Right.RowsIn,
		Seconds:   time.Since(t0).Seconds(),
		Compared:  res.Compared,
		Matches:   len(res.Matches),
		PeakBytes: vmHWM(),
		Stages:    map[string]float64{"ingest": res.Ingest.Seconds()},
		Order:     []string{"ingest"},
	}
	r.CPU, r.Faults = usage()
	for _, t := range res.Timings {
		if _, ok := r.Stages[t.Stage]; !ok {
			r.Order = append(r.Order, t.Stage)
		}
		r.Stages[t.Stage] += t.Duration.Seconds()
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// stages lists the stage timings in order of their start.
func (r *result) stages() string {
	var out []string
	for _, t := range r.Order {
		out = append(out, fmt.Sprintf("%s %.2fs", t, r.Stages[t]))
	}
	return strings.Join(out, ", ")
}

// summarise returns go tool pprof's listing of the functions of the CPU
// profile at path with the most cumulative time, without the goroutine
// wrappers every stack starts with, or why there is none.
func summarise(binary, path string, lines int) string {
	cmd := exec.Command("go", "tool", "pprof", "-top", "-cum", fmt.Sprintf("-nodecount=%d", lines),
		`-hide=^(golang\.org/x/sync/errgroup|runtime\.(main|goexit|systemstack|mcall)$|main\.main$|testing\.)`, binary, path)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("(go tool pprof: %v; inspect the profile by hand)", err)
	}
	var keep []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "File:" || f[0] == "Build" || f[0] == "Type:" || f[0] == "Time:") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n")
}

// usage returns the user and system CPU time the process has used, in
// seconds, and the minor page faults it has taken. Each fault costs
// microseconds on a virtual machine, and a run that takes many more than
// its peak memory in huge pages has lost its heap advice (see
// hugepage.AdviseHeap).
func usage() (cpu float64, faults int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds(), ru.Minflt
}

// vmHWM returns the process's peak resident set size, from /proc.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// prepare writes the task's two canonical files into dir, once.
func prepare(tb testing.TB, dir string, task link.Task) {
	if _, err := os.Stat(filepath.Join(dir, "right.parquet")); err == nil {
		return
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	left := make([]person.Record, task.N)
	for i := range left {
		left[i] = task.Left(i)
	}
	if err := load.Write(filepath.Join(dir, "left.parquet"), left); err != nil {
		tb.Fatal(err)
	}
	right := make([]person.Record, task.N)
	for k := range right {
		right[k], _ = task.Right(k)
	}
	if err := load.Write(filepath.Join(dir, "right.parquet"), right); err != nil {
		tb.Fatal(err)
	}
}

// f1 scores the written pairs against the task's truth: right record k
// copies left record permute(k) for k < Matches.
func f1(tb testing.TB, path string, task link.Task) (p, r, f float64) {
	truth := map[[2]string]bool{}
	for k := 0; k < task.Matches(); k++ {
		rec, l := task.Right(k)
		truth[[2]string{"L" + strconv.Itoa(int(l)), rec.RecordID}] = true
	}
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		tb.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		tb.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer tbl.Release()
	tp, n := 0, 0
	for c := 0; c < len(tbl.Column(0).Data().Chunks()); c++ {
		ls := tbl.Column(0).Data().Chunk(c).(*array.String)
		rs := tbl.Column(1).Data().Chunk(c).(*array.String)
		for i := 0; i < ls.Len(); i++ {
			n++
			if truth[[2]string{ls.Value(i), rs.Value(i)}] {
				tp++
			}
		}
	}
	if n > 0 {
		p = float64(tp) / float64(n)
	}
	r = float64(tp) / float64(len(truth))
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

func sizes() []int {
	s := os.Getenv("DATAMATCH_E2E_SIZES")
	if s == "" {
		return []int{10_000, 100_000}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func BenchmarkLinkEndToEnd(b *testing.B) {
	cache := os.Getenv("DATAMATCH_E2E_CACHE")
	if cache == "" {
		cache = b.TempDir()
	}
	for _, n := range sizes() {
		task := link.Task{N: n, Overlap: 0.5, Seed: 7}
		dir := filepath.Join(cache, fmt.Sprintf("n%d", n))
		prepare(b, dir, task)
		profile := ""
		if os.Getenv("DATAMATCH_E2E_PROFILE") == "1" {
			profile = filepath.Join(dir, "cpu.pprof")
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var r result
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+dir)
				if profile != "" {
					cmd.Env = append(cmd.Env, profileEnv+"="+profile)
				}
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					b.Fatalf("child: %v: %s", err, errb.String())
				}
				if err := json.Unmarshal(out.Bytes(), &r); err != nil {
					b.Fatalf("child output %q: %v", out.String(), err)
				}
			}
			p, rc, f := f1(b, filepath.Join(dir, "out", "pairs.parquet"), task)
			b.ReportMetric(r.Seconds, "wall-s")
			b.ReportMetric(r.CPU, "cpu-s")
			b.ReportMetric(float64(r.Rows)/r.Seconds, "rows/s")
			b.ReportMetric(float64(r.Compared)/r.Seconds, "pairs/s")
			b.ReportMetric(float64(r.PeakBytes)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(r.Faults), "page-faults")
			b.ReportMetric(f, "F1")
			b.Logf("%d x %d on %d cores: %.2fs wall, %.2fs CPU, %.0f rows/s, %d pairs compared, peak %d MiB, %d page faults, P %.4f R %.4f F1 %.4f; stages: %s",
				n, n, runtime.NumCPU(), r.Seconds, r.CPU, float64(r.Rows)/r.Seconds, r.Compared, r.PeakBytes>>20, r.Faults, p, rc, f, r.stages())
			if profile != "" {
				// Printed, not logged: the log of a benchmark is cut
				// to a few lines.
				fmt.Printf("CPU profile of n=%d (%s), top functions by cumulative time:\n%s\n", n, profile, summarise(os.Args[0], profile, 30))
			}
		})
	}
}

// TestSmallEndToEnd runs the child path in-process on a small task so that
// the benchmark's code is exercised by make test.
func TestSmallEndToEnd(t *testing.T) {
	task := link.Task{N: 2000, Overlap: 0.5, Seed: 7}
	dir := t.TempDir()
	prepare(t, dir, task)
	if err := child(dir); err != nil {
		t.Fatal(err)
	}
	p, r, f := f1(t, filepath.Join(dir, "out", "pairs.parquet"), task)
	t.Logf("2000 x 2000: P %.4f R %.4f F1 %.4f", p, r, f)
	if f < 0.95 {
		t.Errorf("F1 %.4f below 0.95 on the small synthetic task", f)
	}
}
