// Package progress shows progress bars for long work on an interactive
// terminal, and nothing anywhere else: not under --quiet, not when stderr is
// a file or a pipe, and not in CI. It is the only package besides the
// command layer that writes to the terminal.
package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Meter hands out one bar per stage of work.
type Meter struct {
	w       io.Writer
	enabled bool
	mu      sync.Mutex
}

// New returns a Meter writing to w. Bars are drawn only if w is a terminal,
// quiet is false and the CI environment variable is unset.
func New(w io.Writer, quiet bool) *Meter {
	enabled := !quiet && os.Getenv("CI") == ""
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		enabled = false
	}
	return &Meter{w: w, enabled: enabled}
}

// Enabled reports whether the meter draws anything.
func (m *Meter) Enabled() bool { return m != nil && m.enabled }

// Step tracks one stage. Its methods are safe for concurrent use.
type Step interface {
	// Add records n more units done.
	Add(n int)
	// Done finishes the stage.
	Done()
}

// Start begins a stage described by desc with total units (-1 if unknown).
// On a disabled Meter (or a nil one) it returns a Step that does nothing.
func (m *Meter) Start(desc string, total int64) Step {
	if !m.Enabled() {
		return nop{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(m.w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
	)
	return &bar64{bar: bar}
}

type bar64 struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (b *bar64) Add(n int) {
	b.mu.Lock()
	b.bar.Add(n)
	b.mu.Unlock()
}

func (b *bar64) Done() {
	b.mu.Lock()
	b.bar.Finish()
	b.mu.Unlock()
}

type nop struct{}

func (nop) Add(int) {}
func (nop) Done()   {}
