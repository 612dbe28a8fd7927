package gcpolicy

import (
	"os"
	"runtime/debug"
	"testing"
)

// current returns the garbage collection target.
func current() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		env  string // GOGC; "" for unset
		want int
	}{
		{"GOGC unset", "", Percent},
		{"GOGC set", "50", 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := debug.SetGCPercent(70)
			defer debug.SetGCPercent(before)
			t.Setenv("GOGC", tt.env) // restored after the test
			if tt.env == "" {
				os.Unsetenv("GOGC")
			}
			restore := Apply()
			if got := current(); got != tt.want {
				t.Errorf("target %d after Apply, want %d", got, tt.want)
			}
			restore()
			if got := current(); got != 70 {
				t.Errorf("target %d after restore, want 70", got)
			}
		})
	}
}
