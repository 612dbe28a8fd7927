package hugepage

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

type record struct {
	id string
	_  [10]uint64 // size, so that a slice of them spans huge pages
}

// TestAdviseKeepsContents checks that Advise never changes a slice or
// reaches beyond it, whatever its size and alignment.
func TestAdviseKeepsContents(t *testing.T) {
	for _, n := range []int{0, 1, 1000, MinBytes / 8, MinBytes/8 + 12345} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			s := make([]uint64, n)
			for i := range s {
				s[i] = uint64(i) * 0x9e3779b97f4a7c15
			}
			for _, sub := range [][]uint64{s, s[min(3, n):], s[:n/2]} {
				Advise(sub)
			}
			for i := range s {
				if s[i] != uint64(i)*0x9e3779b97f4a7c15 {
					t.Fatalf("element %d changed", i)
				}
			}
		})
	}
	var nilSlice []record
	Advise(nilSlice)
	recs := make([]record, 0, MinBytes/int(unsafe.Sizeof(record{}))+7)
	Advise(recs)
	recs = append(recs, record{id: "r1"})
	runtime.GC()
	if recs[0].id != "r1" {
		t.Fatal("record lost after Advise and a collection")
	}
}

// TestAdviseMarksMemory checks, on Linux with transparent huge pages,
// that the kernel records the advice on the slice's memory.
func TestAdviseMarksMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Logf("%s: Advise does nothing", runtime.GOOS)
		return
	}
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Logf("no transparent huge pages here (%v): Advise does nothing", err)
		return
	}
	s := make([]byte, 4*MinBytes)
	Advise(s)
	advised, err := advisedRanges()
	if err != nil {
		t.Fatal(err)
	}
	if !within(advised, uintptr(unsafe.Pointer(&s[len(s)/2]))) {
		t.Error("the slice's mapping has no hg in its VmFlags (huge pages advised)")
	}
	runtime.KeepAlive(s)
}

// within reports whether one of ranges holds addr.
func within(ranges [][2]uintptr, addr uintptr) bool {
	for _, r := range ranges {
		if r[0] <= addr && addr < r[1] {
			return true
		}
	}
	return false
}

// mappingRange parses the address range that starts a mapping's header
// line ("7f12a0000000-7f12a4000000 rw-p ...").
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	field, _, _ := strings.Cut(line, " ")
	a, b, found := strings.Cut(field, "-")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(x), uintptr(y), true
}

// TestAdviseHeapMarksLaterAllocations checks, on Linux with transparent
// huge pages, what AdviseHeap relies on: that the objects allocated after
// it, too small for Advise, land mostly in memory advised for huge pages.
func TestAdviseHeapMarksLaterAllocations(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Logf("%s: AdviseHeap does nothing", runtime.GOOS)
		return
	}
	if heapAdviceLimit() == 0 {
		t.Log("transparent huge pages are absent or turned off here: AdviseHeap does nothing")
		return
	}
	const total = 64 << 20
	AdviseHeap(2 * total)
	objs := make([][]byte, 0, total/4096)
	for range cap(objs) {
		objs = append(objs, make([]byte, 4000))
	}
	advised, err := advisedRanges()
	if err != nil {
		t.Fatal(err)
	}
	in := 0
	for _, o := range objs {
		if within(advised, uintptr(unsafe.Pointer(&o[0]))) {
			in++
		}
	}
	if in < len(objs)*3/4 {
		t.Errorf("%d of %d objects allocated after AdviseHeap are in memory advised for huge pages, want at least three quarters", in, len(objs))
	}
	runtime.KeepAlive(objs)
}

// advisedRanges returns the address ranges of the mappings of
// /proc/self/smaps whose VmFlags include hg (huge pages advised).
func advisedRanges() ([][2]uintptr, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][2]uintptr
	var cur [2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			cur = [2]uintptr{lo, hi}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && strings.Contains(" "+rest+" ", " hg ") {
			out = append(out, cur)
		}
	}
	return out, sc.Err()
}
