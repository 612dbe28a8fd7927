// Package hugepage asks the operating system to back large, long-lived
// slices with huge pages.
//
// A slice of hundreds of megabytes in ordinary 4 KiB pages costs one page
// fault per page when first written, and on a virtual machine a fault costs
// microseconds: for the pseudonymised records of a million-row dataset that
// is most of a second of system time. Linux can back memory with 2 MiB
// transparent huge pages instead, 512 times fewer faults, but when its
// policy is "madvise" (the default of most distributions) it does so only
// for memory a program has marked. The Go runtime does not mark its heap,
// so Advise marks the slices that are worth it, and AdviseHeap marks the
// free heap that a large job's smaller allocations will take.
package hugepage

import (
	"runtime/debug"
	"unsafe"
)

// Size is the huge-page size Advise aligns to.
const Size = 2 << 20

// MinBytes is the smallest capacity, in bytes, that Advise marks: below it
// a slice spans too few huge pages to matter.
const MinBytes = 4 * Size

// Advise asks the kernel to back the whole huge pages inside s's backing
// array (its capacity, not only its length) with transparent huge pages.
// It is advice: the contents of s are unchanged, memory already touched
// stays as it is, and on systems without transparent huge pages, or for
// slices smaller than MinBytes, Advise does nothing. Call it right after
// making a large slice, before writing to it.
func Advise[T any](s []T) {
	var zero T
	n := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if n < MinBytes {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s[:1])))
	first := (start + Size - 1) &^ (Size - 1)
	last := (start + n) &^ (Size - 1)
	if last <= first {
		return
	}
	advise(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s[:1]))), n)[first-start : last-start])
}

// AdviseHeap marks at least n bytes of the Go heap's free address space
// for huge pages, so that the many small and middle-sized objects a run
// allocates next (strings, maps, buffers: everything too small for Advise)
// are faulted in 2 MiB at a time too.
//
// It allocates one n-byte slice, which the runtime maps from fresh address
// space without touching it, advises it, drops it, and returns the pages
// to the runtime and the operating system (debug.FreeOSMemory). The runtime
// keeps the mapping, and with it the advice, and hands out those pages
// first, lowest address first, to the allocations that follow. Nothing is
// made resident: memory is faulted in as it is used, as before, only in
// larger pages. That last point relies on how the Go runtime manages its
// heap on Linux (it neither unmaps nor remaps heap memory it has freed);
// were that to change, AdviseHeap would cost a garbage collection and
// gain nothing, and be no less correct.
//
// AdviseHeap runs a full garbage collection, so call it once, at the start
// of a large job, with n about the memory the job will use. It marks at
// most half of the machine's physical memory, so that the one allocation
// is never what a strict overcommit policy refuses, and no more than the
// soft memory limit (GOMEMLIMIT), which the allocation would otherwise
// press the collector to keep to. It does nothing where
// Advise does nothing, where transparent huge pages are turned off, or
// for n below MinBytes.
func AdviseHeap(n int64) {
	n = min(n, heapAdviceLimit(), debug.SetMemoryLimit(-1))
	if n < MinBytes {
		return
	}
	Advise(make([]byte, n))
	debug.FreeOSMemory()
}
