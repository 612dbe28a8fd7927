//go:build !linux

package hugepage

func advise([]byte) {}

func heapAdviceLimit() int64 { return 0 }
