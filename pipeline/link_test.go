package pipeline

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"

	"github.com/datamatch/datamatch/benchmarks/link"
	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// TestLinkKeysFromIngest checks that the blocking keys Link computes as
// the records are encoded give the very candidates and matches that
// blocking finds computing them itself, also when rows were quarantined
// (so that record indexes and row numbers differ).
func TestLinkKeysFromIngest(t *testing.T) {
	dir := t.TempDir()
	task := link.Task{N: 1500, Overlap: 0.5, Seed: 3}
	left := make([]person.Record, task.N)
	for i := range left {
		left[i] = task.Left(i)
	}
	// Rows the loader quarantines, here and there.
	for _, i := range []int{0, 700, 1499} {
		left[i].RecordID = left[i+1-2*(i/1499)].RecordID
	}
	right := make([]person.Record, task.N)
	for k := range right {
		right[k], _ = task.Right(k)
	}
	lp, rp := filepath.Join(dir, "left.parquet"), filepath.Join(dir, "right.parquet")
	if err := load.Write(lp, left); err != nil {
		t.Fatal(err)
	}
	if err := load.Write(rp, right); err != nil {
		t.Fatal(err)
	}
	k, err := key.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cfg := linkage.Config{RandomPairs: 50_000}
	res, err := Link(context.Background(), LinkOptions{
		Left:        Input{Source: load.Source{Name: "left", Path: lp, Role: person.RolePeople}},
		Right:       Input{Source: load.Source{Name: "right", Path: rp, Role: person.RolePeople}},
		Encoder:     pseudo.NewEncoder(k),
		Linkage:     cfg,
		OutDir:      filepath.Join(dir, "out"),
		MemoryLimit: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Left.Quarantined != 3 || len(res.Left.Records) != task.N-3 {
		t.Fatalf("left: %d quarantined, %d records; want 3 and %d", res.Left.Quarantined, len(res.Left.Records), task.N-3)
	}
	want, err := linkage.Link(context.Background(), res.Left.Records, res.Right.Records, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Matches) < task.Matches()/2 {
		t.Fatalf("%d matches: the test needs the task's", len(want.Matches))
	}
	if !reflect.DeepEqual(res.Blocking, want.Blocking) {
		t.Errorf("blocking with keys from ingest %+v, computing them %+v", res.Blocking, want.Blocking)
	}
	if !reflect.DeepEqual(res.Matches, want.Matches) {
		t.Errorf("%d matches with keys from ingest, %d computing them, or they differ", len(res.Matches), len(want.Matches))
	}
	// The keys came from ingest: a sink kept them, for the records kept.
	sink := &keySink{rules: block.DefaultRules()}
	ds, err := Ingest(context.Background(), load.Source{Name: "left", Path: lp, Role: person.RolePeople}, IngestOptions{Encoder: pseudo.NewEncoder(k), sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if sink.keys == nil || sink.keys.Len() != len(ds.Records) {
		t.Errorf("ingest kept no key table for its %d records", len(ds.Records))
	}
	last := res.Timings[len(res.Timings)-1]
	if last.Stage != "write" || last.Duration <= 0 {
		t.Errorf("last stage %+v, want the writing of the outputs", last)
	}
}

func TestMemoryLimit(t *testing.T) {
	per := memoryLimit(1, 30) - memoryLimit(0, 30)
	if per <= 0 || memoryLimit(0, 30) != linkHeadroom {
		t.Fatalf("a record needs %d bytes, no records %d", per, memoryLimit(0, 30))
	}
	// Two datasets of a million people must fit the run's 3 GiB goal,
	// with the heap they need (about 1.8 GiB) well inside the limit. The
	// end-to-end benchmark's peak at that size was 2.8–2.9 GiB.
	if l := memoryLimit(2_000_000, 30); l > 2900<<20 || l < 2200<<20 {
		t.Errorf("limit for 2M records %d MiB", l>>20)
	}
	if memoryLimit(2_000_000, 60) <= memoryLimit(2_000_000, 30) {
		t.Error("more keys per record do not raise the limit")
	}
	if l := memoryLimit(math.MaxInt64/4, 30); l != math.MaxInt64 {
		t.Errorf("overflowing estimate gives %d", l)
	}
}

func TestLimitMemoryKeepsASetLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)

	debug.SetMemoryLimit(math.MaxInt64)
	restore := limitMemory(3 << 30)
	if got := debug.SetMemoryLimit(-1); got != 3<<30 {
		t.Errorf("limit %d while linking, want %d", got, 3<<30)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after linking, want none", got)
	}

	debug.SetMemoryLimit(5 << 30) // as GOMEMLIMIT would
	restore = limitMemory(3 << 30)
	if got := debug.SetMemoryLimit(-1); got != 5<<30 {
		t.Errorf("a set limit was replaced by %d", got)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 5<<30 {
		t.Errorf("a set limit became %d", got)
	}
}

// TestKeySinkDropsKeysOfScreenedRecords checks that a key table is given
// up when records were dropped after encoding, whose indexes it would
// then mistake, and cut to the records kept otherwise.
func TestKeySinkDropsKeysOfScreenedRecords(t *testing.T) {
	recs := make([]pseudo.Record, 10)
	for i := range recs {
		recs[i].NINumber = pseudo.Token(i + 1)
	}
	for _, kept := range []bool{true, false} {
		s := &keySink{rules: block.DefaultRules()}
		if err := s.start(12); err != nil {
			t.Fatal(err)
		}
		s.add(0, recs[:4])
		s.add(4, recs[4:])
		s.finish(len(recs), kept)
		switch {
		case kept && (s.keys == nil || s.keys.Len() != len(recs)):
			t.Errorf("kept records: key table %v", s.keys)
		case !kept && s.keys != nil:
			t.Error("screened records: the key table was kept")
		}
	}
}
