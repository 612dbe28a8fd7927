package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/runrecord"
)

// TestRunCommand runs the built binary on a small synthetic exercise: it
// exits 0, prints the summary, and the files the summary names exist and
// agree with it.
func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := exe(t, dir, "--quiet", "synth", "--seed", "11", "--people", "1500", "--out", "."); code != exitOK {
		t.Fatalf("synth: exit %d: %s", code, errs)
	}
	out, errs, code := exe(t, dir, "--quiet", "run", "--config", "exercise.yaml")
	if code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errs)
	}
	if errs != "" {
		t.Errorf("run --quiet wrote to stderr: %q", errs)
	}
	head := regexp.MustCompile(`^run (\S+) of exercise "synthetic-demo": succeeded in [0-9.]+s \(key dmk1-[0-9a-f]{12}\)\n`).FindStringSubmatch(out)
	if head == nil {
		t.Fatalf("summary does not start with the run line:\n%s", out)
	}
	runID := head[1]
	for _, want := range []string{
		"inputs", "tenancies", "other_landlord", "deceased", "utility_closed",
		"detections", "dual_tenancy", "tenancy_after_death", "duplicate_identity", "arrears_tracing",
		"automated-decision assessment", "decided automatically 0",
		"outputs", "investigator", "recovery_team", "utility_provider", "performance_team",
		"review queue", "vault", "run record", "ledger",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	// The run record, queue and ledger the summary names.
	rec, err := runrecord.Read(filepath.Join(dir, "out", runID, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != runrecord.StatusSucceeded || len(rec.Inputs) != 4 {
		t.Errorf("run.json: status %q, %d inputs; want succeeded, 4", rec.Status, len(rec.Inputs))
	}
	q, err := review.ReadQueue(filepath.Join(dir, "state", "queue.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) cases raised, (\d+) new`).FindStringSubmatch(out)
	if m == nil || m[2] != strconv.Itoa(len(q)) || len(q) == 0 {
		t.Errorf("summary says %v; queue holds %d cases", m, len(q))
	}
	if n, err := ledger.Verify(filepath.Join(dir, "state", "ledger.jsonl")); err != nil || n != 1 {
		t.Errorf("ledger: %d entries, %v; want 1", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "vaults", runID+".age")); err != nil {
		t.Errorf("no vault for the run: %v", err)
	}
}

// TestRunCommandErrors checks the exit codes and messages of a run that
// cannot start: a missing config is a failure (1) with one line naming the
// file, a refused config is a failure naming the purpose and field, and a
// wrong invocation is a usage error (2).
func TestRunCommandErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-exercise.yaml")
	refused := filepath.Join(dir, "refused.yaml")
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "exercises", "refused", "special-without-condition.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(refused, b, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string // in stderr
		// notWant must not be in stderr: a refused run is recorded
		// without error.
		notWant string
	}{
		{"missing config", []string{"run", "--config", missing}, exitFailure, []string{missing}, ""},
		{"refused config", []string{"run", "--config", refused}, exitFailure, []string{`"tenancy_fraud"`, `"ethnicity"`, "refused"}, "record run"},
		{"no config", []string{"run"}, exitUsage, []string{"--config is required"}, ""},
		{"bad flag", []string{"run", "--config", missing, "--bogus"}, exitUsage, []string{"flag provided but not defined: -bogus"}, ""},
		{"extra argument", []string{"run", "--config", missing, "now"}, exitUsage, []string{`unexpected argument "now"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := exe(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
			if tt.notWant != "" && strings.Contains(errs, tt.notWant) {
				t.Errorf("stderr %q has %q", errs, tt.notWant)
			}
			if tt.code == exitFailure {
				lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
				last := lines[len(lines)-1]
				if !strings.HasPrefix(last, "datamatch run: ") {
					t.Errorf("last line of stderr %q is not the error", last)
				}
				if tt.name == "missing config" && len(lines) != 1 {
					t.Errorf("stderr has %d lines, want 1: %q", len(lines), errs)
				}
			}
		})
	}
}
