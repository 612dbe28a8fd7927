package encodebench

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

const (
	million = 1_000_000
	chunk   = 4096 // records per EncodeBatch call; bounds the output held per worker
)

var (
	onceMillion sync.Once
	millionSrc  []person.Record
)

// millionPeople returns the synthetic population, built once per process
// outside any timer.
func millionPeople() []person.Record {
	onceMillion.Do(func() { millionSrc = people(1, million) })
	return millionSrc
}

// encodeChunked encodes src on workers goroutines, chunk by chunk, into
// one reused output buffer per worker, as a pipeline stage that writes each
// chunk out would. It returns a checksum so the work cannot be elided.
func encodeChunked(ctx context.Context, enc *pseudo.Encoder, src []person.Record, workers int) (uint64, error) {
	var next atomic.Int64
	var sum atomic.Uint64
	g, ctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			dst := make([]pseudo.Record, chunk)
			var local uint64
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(src) {
					break
				}
				hi := min(lo+chunk, len(src))
				enc.EncodeBatch(dst[:hi-lo], src[lo:hi])
				for i := range dst[:hi-lo] {
					local += uint64(dst[i].Surname) ^ uint64(dst[i].AddressCount)
				}
			}
			sum.Add(local)
			return nil
		})
	}
	err := g.Wait()
	return sum.Load(), err
}

// heapPeak samples the bytes of live heap objects until stop is closed.
func heapPeak(stop <-chan struct{}, peak *atomic.Uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkEncode1M pseudonymises and encodes one million synthetic people
// on GOMAXPROCS goroutines with a fresh Encoder (cold caches), and reports
// records/s and the heap the encoding needs beyond its input (peak live
// heap during the run, minus the live heap before it). Goal: 1M records
// in at most 2 s on 2 cores, memory bounded by the chunk size.
func BenchmarkEncode1M(b *testing.B) {
	src := millionPeople()
	k, err := key.Generate()
	if err != nil {
		b.Fatal(err)
	}
	workers := runtime.GOMAXPROCS(0)
	runtime.GC()
	base := heapObjects()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { heapPeak(stop, &peak); close(done) }()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for range b.N {
		enc := pseudo.NewEncoder(k)
		if _, err := encodeChunked(context.Background(), enc, src, workers); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(b.N*len(src))/elapsed.Seconds(), "records/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/1M")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/1M")
	extra := int64(peak.Load()) - int64(base)
	b.ReportMetric(float64(max(extra, 0))/(1<<20), "peak-extra-MiB")
}

// BenchmarkEncodeWarm is BenchmarkEncode1M with caches warmed by a first
// pass, as when one Encoder encodes several datasets of an exercise.
func BenchmarkEncodeWarm(b *testing.B) {
	src := millionPeople()
	k, err := key.Generate()
	if err != nil {
		b.Fatal(err)
	}
	enc := pseudo.NewEncoder(k)
	workers := runtime.GOMAXPROCS(0)
	if _, err := encodeChunked(context.Background(), enc, src, workers); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := encodeChunked(context.Background(), enc, src, workers); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(src))/time.Since(start).Seconds(), "records/s")
}

// cpuTime returns the user and system CPU time the process has used. On a
// shared machine it measures the work done where wall time would measure
// the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
