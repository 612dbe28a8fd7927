package link

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// encoded is a task's pseudonymised datasets and truth.
type encoded struct {
	left, right []pseudo.Record
	truth       map[[2]int32]bool // (left, right) index pairs
	copyOf      []int32           // left index each right record copies, or -1
	encode      time.Duration     // wall time spent pseudonymising
	// clear holds, per side, each record's normalised names and address,
	// when the task was built with them (see clearComparisons).
	clear [2][]clearText
}

// isTrue reports whether (l, r) is a true pair; cheap enough to call for
// every candidate.
func (e *encoded) isTrue(l, r int32) bool { return e.copyOf[r] == l }

// chunk is the number of clear records made and encoded at a time, so
// that the clear records of a large task are never all in memory.
const chunk = 1 << 14

// build makes and pseudonymises the task's records in parallel, timing
// only the pseudonymisation.
func build(tb testing.TB, task Task) *encoded {
	return buildWith(tb, task, false)
}

// buildWith is build, keeping each record's clear names and address when
// keepClear is set.
func buildWith(tb testing.TB, task Task, keepClear bool) *encoded {
	tb.Helper()
	k, err := key.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	enc := pseudo.NewEncoder(k)
	e := &encoded{
		left:  make([]pseudo.Record, task.N),
		right: make([]pseudo.Record, task.N),
		truth: make(map[[2]int32]bool, task.Matches()),
	}
	truthRight := make([]int32, task.N)
	if keepClear {
		e.clear = [2][]clearText{make([]clearText, task.N), make([]clearText, task.N)}
	}
	var encodeNanos [2]int64 // per side, summed over workers, then scaled
	for side := range 2 {
		g := errgroup.Group{}
		g.SetLimit(runtime.GOMAXPROCS(0))
		perChunk := make([]time.Duration, (task.N+chunk-1)/chunk)
		for c := 0; c*chunk < task.N; c++ {
			g.Go(func() error {
				lo, hi := c*chunk, min((c+1)*chunk, task.N)
				clear := make([]person.Record, hi-lo)
				for i := range clear {
					if side == 0 {
						clear[i] = task.Left(lo + i)
					} else {
						clear[i], truthRight[lo+i] = task.Right(lo + i)
					}
				}
				if keepClear {
					for i := range clear {
						e.clear[side][lo+i] = clearOf(&clear[i])
					}
				}
				start := time.Now()
				dst := e.left
				if side == 1 {
					dst = e.right
				}
				for i := range clear {
					enc.Encode(&dst[lo+i], &clear[i])
				}
				perChunk[c] = time.Since(start)
				return nil
			})
		}
		g.Wait()
		for _, d := range perChunk {
			encodeNanos[side] += int64(d)
		}
	}
	// Chunks are encoded GOMAXPROCS at a time: wall time is the summed
	// time over the workers.
	e.encode = time.Duration((encodeNanos[0] + encodeNanos[1]) / int64(runtime.GOMAXPROCS(0)))
	for r, l := range truthRight {
		if l >= 0 {
			e.truth[[2]int32{l, int32(r)}] = true
		}
	}
	e.copyOf = truthRight
	return e
}

// f1 measures matches against truth.
func f1(ms [][2]int32, truth map[[2]int32]bool) (p, r, f float64) {
	tp := 0
	for _, m := range ms {
		if truth[m] {
			tp++
		}
	}
	if len(ms) > 0 {
		p = float64(tp) / float64(len(ms))
	}
	if len(truth) > 0 {
		r = float64(tp) / float64(len(truth))
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

// peakRSS returns the process's peak resident set size in bytes, from
// /proc/self/status (0 where that is not available).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// sizes are the benchmark sizes per side; 1M runs only when
// DATAMATCH_BENCH_1M is set, so that go test -bench . stays short.
func sizes() []int {
	s := []int{10_000, 100_000}
	if os.Getenv("DATAMATCH_BENCH_1M") != "" {
		s = append(s, 1_000_000)
	}
	return s
}

// BenchmarkLink measures pseudonymisation and linkage end to end. Each
// iteration encodes both sides under a fresh key and links them; making
// the clear records is not timed. Reported: pairs compared per second of
// linkage, precision, recall and F1 at the default threshold against the
// synthetic truth, pair completeness, seconds of pseudonymisation and of
// linkage, and the process's peak RSS (run one size per process, with
// -bench 'Link/n=1000000$', for a clean peak).
func BenchmarkLink(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			task := Task{N: n, Overlap: 0.5, Seed: 1}
			var encodeTotal, linkTotal time.Duration
			var compared int64
			var p, r, f, pc float64
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				e := build(b, task)
				start := time.Now()
				cfg := linkage.Config{Blocking: block.Options{
					Truth:     e.isTrue,
					TrueCount: int64(len(e.truth)),
				}}
				res, err := linkage.Link(context.Background(), e.left, e.right, cfg)
				if err != nil {
					b.Fatal(err)
				}
				linkTotal += time.Since(start)
				encodeTotal += e.encode
				compared += res.Compared
				p, r, f = f1(matchPairs(res.Matches), e.truth)
				pc = res.Blocking.Completeness
				for _, t := range res.Timings {
					b.Logf("n=%d stage %-16s %v", n, t.Stage, t.Duration)
				}
				b.Logf("n=%d encode %v link %v candidates %d P %.4f R %.4f F1 %.4f completeness %.4f; model expects %.0f matches (%d true)",
					n, e.encode, time.Since(start), res.Compared, p, r, f, pc, res.Model.ExpectedMatches, len(e.truth))
			}
			iters := float64(b.N)
			b.ReportMetric(float64(compared)/linkTotal.Seconds(), "pairs/s")
			b.ReportMetric(encodeTotal.Seconds()/iters, "encode-s")
			b.ReportMetric(linkTotal.Seconds()/iters, "link-s")
			b.ReportMetric(p, "precision")
			b.ReportMetric(r, "recall")
			b.ReportMetric(f, "F1")
			b.ReportMetric(pc, "completeness")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peak-MiB")
		})
	}
}

// TestSyntheticQuality links a small synthetic task and checks pair
// completeness and F1 at the default threshold, with and without
// one-to-one assignment.
func TestSyntheticQuality(t *testing.T) {
	task := Task{N: 6000, Overlap: 0.5, Seed: 7}
	e := build(t, task)
	cfg := linkage.Config{
		RandomPairs: 300_000,
		Blocking: block.Options{
			Truth:     e.isTrue,
			TrueCount: int64(len(e.truth)),
		},
	}
	res, err := linkage.Link(context.Background(), e.left, e.right, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Blocking.Rules {
		t.Logf("  rule %-30s generated %8d new %8d true new %5d completeness %.4f", r.Name, r.Generated, r.New, r.TrueNew, r.Completeness)
	}
	p, r, f := f1(matchPairs(res.Matches), e.truth)
	p1, r1, f11 := f1(matchPairs(cluster.OneToOne(res.Matches)), e.truth)
	t.Logf("synthetic n=%d: completeness %.4f; P %.4f R %.4f F1 %.4f; one-to-one P %.4f R %.4f F1 %.4f; model expects %.0f matches (%d true)",
		task.N, res.Blocking.Completeness, p, r, f, p1, r1, f11, res.Model.ExpectedMatches, len(e.truth))
	if res.Blocking.Completeness < 0.99 {
		t.Errorf("pair completeness %.4f below 0.99", res.Blocking.Completeness)
	}
	if f < 0.97 {
		t.Errorf("F1 %.4f at the default threshold", f)
	}
}
