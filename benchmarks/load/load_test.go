package loadbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/parquet/compress"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/gcpolicy"
	"github.com/datamatch/datamatch/internal/load"
)

const (
	million  = 1_000_000
	rowGroup = 128 << 10
)

var runDate = date.MustOf(2026, time.March, 15)

var (
	dir     string
	files   = map[[2]int]string{}
	filesMu sync.Mutex
)

func TestMain(m *testing.M) {
	var err error
	dir, err = os.MkdirTemp("", "loadbench-")
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// peopleFile returns a file of n synthetic rows in row groups of rg rows,
// written once per process: zstd-compressed, as exports usually are, for
// files of a million rows or more, and snappy for the quicker small ones.
func peopleFile(tb testing.TB, n, rg int) string {
	tb.Helper()
	filesMu.Lock()
	defer filesMu.Unlock()
	key := [2]int{n, rg}
	if p, ok := files[key]; ok {
		return p
	}
	p := filepath.Join(dir, fmt.Sprintf("people-%d-%d.parquet", n, rg))
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	codec := compress.Codecs.Snappy
	if n >= million {
		codec = compress.Codecs.Zstd
	}
	if err := writePeople(f, n, rg, 1, codec); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	files[key] = p
	return p
}

// stream loads path once and returns the rows accepted.
func stream(ctx context.Context, path string, par int) (*load.Report, error) {
	r, err := load.Open(ctx, load.Source{Name: "people", Path: path}, load.Options{Today: runDate, Parallelism: par})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var sink uint64
	rep, err := r.Stream(ctx, func(b *load.Batch) error {
		for i := range b.Records {
			sink += uint64(len(b.Records[i].Surname))
		}
		return nil
	})
	_ = sink
	return rep, err
}

// TestGenerated checks that the synthetic rows are all valid, so that the
// benchmark measures the common path and not quarantine.
func TestGenerated(t *testing.T) {
	p := peopleFile(t, 2_000, 500)
	rep, err := stream(context.Background(), p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RowsIn != 2_000 || rep.Accepted != 2_000 {
		t.Fatalf("report %+v", rep.Report.Summary())
	}
	if s := rep.Report.Summary(); len(s.FieldProblems) != 0 {
		t.Fatalf("synthetic data has field problems: %+v", s.FieldProblems)
	}
}

// heapPeak samples the bytes of live heap objects until stop is closed.
func heapPeak(stop <-chan struct{}, done chan<- uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	var peak uint64
	for {
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
		select {
		case <-stop:
			done <- peak
			return
		case <-t.C:
		}
	}
}

// BenchmarkLoad1M streams a one-million-row canonical file (23 columns,
// 16 filled, zstd, row groups of 131,072 rows) through Open and Stream
// with every core, reporting rows/s, CPU time and the peak live heap: once
// with the garbage collection target the datamatch binary runs with
// (gcpolicy.Percent), and once with Go's default, for comparison.
func BenchmarkLoad1M(b *testing.B) {
	for _, percent := range []int{gcpolicy.Percent, 100} {
		b.Run(fmt.Sprintf("gogc=%d", percent), func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(percent))
			benchmarkLoad(b)
		})
	}
}

func benchmarkLoad(b *testing.B) {
	p := peopleFile(b, million, rowGroup)
	fi, _ := os.Stat(p)
	b.SetBytes(fi.Size())
	runtime.GC()
	b.ResetTimer()
	stop := make(chan struct{})
	done := make(chan uint64)
	go heapPeak(stop, done)
	var rows atomic.Int64
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rep, err := stream(context.Background(), p, 0)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Accepted != million {
			b.Fatalf("accepted %d of %d rows", rep.Accepted, million)
		}
		rows.Add(rep.RowsIn)
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	peak := <-done
	b.StopTimer()
	b.ReportMetric(float64(rows.Load())/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	// CPU seconds per million rows: unlike rows/s, it hardly depends on
	// what else the machine is running.
	b.ReportMetric(cpu.Seconds()/(float64(rows.Load())/million), "cpu-s/Mrows")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
