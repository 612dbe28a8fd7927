// Package gcpolicy sets how often the garbage collector runs in a
// datamatch process.
//
// Go collects by default once the heap has grown to twice what was live
// after the last collection (GOGC=100). datamatch is a batch job whose
// loading allocates several times what it keeps: a Parquet page is
// decompressed into a new buffer, and only the text its records still
// point at stays live. Collecting half as often, once the heap has grown
// to three times what is live, saves about a twentieth of the CPU time of
// a load for about 100 MiB more peak heap per million rows (measured by
// benchmarks/load).
// Where the heap is large, a link bounds it with a soft memory limit of
// its own (see pipeline.LinkOptions.MemoryLimit), which this does not
// raise.
package gcpolicy

import (
	"os"
	"runtime/debug"
)

// Percent is the garbage collection target datamatch runs with, as a
// GOGC percentage.
const Percent = 200

// Apply sets the garbage collection target to Percent, unless the GOGC
// environment variable chooses one, and returns the function that
// restores the target it replaced.
func Apply() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	prev := debug.SetGCPercent(Percent)
	return func() { debug.SetGCPercent(prev) }
}
