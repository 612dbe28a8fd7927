package hugepage

import "syscall"

// supported reports whether advise can do anything here.
const supported = true

// advise marks b, whose bounds are huge-page aligned, for huge pages. An
// error (a kernel without transparent huge pages) leaves b as it was, which
// is all advice can do.
func advise(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
