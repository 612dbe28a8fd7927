package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// datamatch runs the command in-process and returns its output and exit
// code.
func datamatch(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the datamatch binary once per test process and returns its
// path, for the end-to-end tests that run it as a user would.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datamatch-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "datamatch")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Stderr = os.Stderr
		binErr = cmd.Run()
	})
	if binErr != nil {
		t.Fatalf("build datamatch: %v", binErr)
	}
	return binPath
}

// exe runs the built binary in dir and returns its output and exit code.
func exe(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run datamatch: %v", err)
	}
	return out.String(), errb.String(), code
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func TestUsageAndVersion(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{nil, exitUsage, "", "Usage: datamatch"},
		{[]string{"--version"}, exitOK, "datamatch ", ""},
		{[]string{"version"}, exitOK, "datamatch ", ""},
		{[]string{"help"}, exitOK, "Commands:", ""},
		{[]string{"no-such-command"}, exitUsage, "", "unknown command"},
		{[]string{"help", "no-such-command"}, exitUsage, "", "unknown command"},
		{[]string{"--no-such-flag"}, exitUsage, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		out, errs, code := datamatch(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.inStdout) || !strings.Contains(errs, tt.inStderr) {
			t.Errorf("datamatch %q = %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, code, out, errs, tt.code, tt.inStdout, tt.inStderr)
		}
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(prefix []string, cs []*command)
	walk = func(prefix []string, cs []*command) {
		for _, c := range cs {
			name := append(append([]string{}, prefix...), lastWord(c.name))
			out, errs, code := datamatch(t, append([]string{"help"}, name...)...)
			if code != exitOK || out == "" {
				t.Errorf("help %v = %d, %q, %q", name, code, out, errs)
			}
			walk(name, c.subs)
		}
	}
	walk(nil, commands)
}

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}
