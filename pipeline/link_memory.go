package pipeline

import (
	"math"
	"runtime/debug"
	"unsafe"

	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/datamatch/datamatch/internal/hugepage"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Memory a link needs, used to set the soft memory limit (see
// LinkOptions.MemoryLimit).
const (
	// recordOverhead is what a record needs beyond its pseudo.Record and
	// its row of blocking keys: its record id and evidence strings, its
	// share of the candidate pairs and of the kept pairs.
	recordOverhead = 160
	// linkHeadroom is the memory a link needs whatever its size: the
	// loaders' batches in flight, the encoder's caches, blocking's sorted
	// key columns, the Parquet writer's buffers.
	linkHeadroom = 384 << 20
)

// memoryLimit returns the soft memory limit for a link of records
// records with cols blocking keys each: what their pseudonymised records,
// keys and pairs take, a quarter more, and a fixed headroom (2.7 GiB for
// two datasets of a million records, whose live heap peaks at about 1.8
// GiB). The limit bounds the heap's
// growth between garbage collections, which otherwise lets it reach twice
// what is live (GOGC=100): with the records of two large datasets live,
// twice is more than the run needs by gigabytes. A limit below what is
// live would make the collector run without pause, so the estimate errs
// high.
func memoryLimit(records int64, cols int) int64 {
	per := int64(unsafe.Sizeof(pseudo.Record{})) + 4*int64(cols) + recordOverhead
	per += per / 4
	if records > (math.MaxInt64-linkHeadroom)/per {
		return math.MaxInt64
	}
	return records*per + linkHeadroom
}

// prepareHeap readies the heap for a link of records() records with cols
// blocking keys each, until the returned function is called. It marks the
// address space the estimate (memoryLimit) covers for huge pages (see
// hugepage.AdviseHeap): a link allocates hundreds of megabytes, and in
// 4 KiB pages their faults took a fifth of its CPU time. Then it applies
// a MemoryLimit option (see LinkOptions.MemoryLimit): a negative option
// sets no limit, zero the estimate, and a positive one itself.
func prepareHeap(option int64, records func() int64, cols int) (restore func()) {
	estimate := memoryLimit(records(), cols)
	hugepage.AdviseHeap(estimate)
	switch {
	case option < 0:
		return func() {}
	case option == 0:
		option = estimate
	}
	return limitMemory(option)
}

// limitMemory sets the process's soft memory limit to limit for the rest
// of a link, unless a limit is already set (GOMEMLIMIT, or a caller's
// debug.SetMemoryLimit), and returns the function that restores it.
func limitMemory(limit int64) (restore func()) {
	prev := debug.SetMemoryLimit(-1)
	if prev != math.MaxInt64 || limit <= 0 || limit == math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}

// rowCount returns the number of rows of the Parquet file at path, from
// its footer, or 0 if it cannot be read (ingest then reports why).
func rowCount(path string) int64 {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0
	}
	defer r.Close()
	return r.NumRows()
}
