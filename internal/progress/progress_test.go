package progress

import (
	"bytes"
	"testing"
)

func TestSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	m := New(&buf, false)
	if m.Enabled() {
		t.Fatal("meter enabled on a buffer")
	}
	s := m.Start("loading", 10)
	s.Add(5)
	s.Done()
	if buf.Len() != 0 {
		t.Fatalf("wrote %q to a non-terminal", buf.String())
	}
}

func TestNilMeter(t *testing.T) {
	var m *Meter
	s := m.Start("x", -1)
	s.Add(1)
	s.Done()
}
