package hugepage

import (
	"bytes"
	"os"
	"syscall"
)

// advise marks b, whose bounds are huge-page aligned, for huge pages. An
// error (a kernel without transparent huge pages) leaves b as it was, which
// is all advice can do.
func advise(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}

// heapAdviceLimit returns the most AdviseHeap may mark: half the physical
// memory, or 0 when transparent huge pages are turned off ("never") or
// the machine's facts cannot be read.
func heapAdviceLimit() int64 {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		return 0
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit) / 2
}
