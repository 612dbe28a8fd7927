package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := datamatch(t, "synth", "--seed", "3", "--people", "1000", "--out", dir); code != exitOK {
		t.Fatalf("synth: %s", errs)
	}
	config := filepath.Join(dir, "exercise.yaml")
	out, errs, code := datamatch(t, "check", "--config", config)
	if code != exitOK || !strings.Contains(out, "config valid") || !strings.Contains(out, "tenancies") {
		t.Fatalf("check = %d, %q, %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Fatal("check wrote outputs")
	}
	// The purpose register as a DPO reads it: bases, retention, who
	// decides, and exactly what each recipient gets.
	for _, want := range []string{
		"arrears_recovery: legitimate_interests, kept P6M, significant effect: every case decided by a reviewer",
		"to utility_provider, utility-provider-request.csv: forename, surname, tenancy_start (only cases a reviewer confirmed, by datamatch release)\n",
		"performance_statistics: public_task, kept P2Y, no significant effect",
		"council_tax.parquet  (no purpose may read it",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "tenancies.parquet  (no purpose") {
		t.Errorf("check calls a dataset that purposes read unread:\n%s", out)
	}

	// A key that others can read would refuse the run: so it refuses the
	// check.
	keyFile := filepath.Join(dir, "keys", "exercise.key")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := datamatch(t, "check", "--config", config); code != exitFailure || !strings.Contains(errs, "exercise.key") || !strings.Contains(errs, "chmod 600") {
		t.Fatalf("check with a key readable by others = %d, %q", code, errs)
	}
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}

	// A dataset file that is not Parquet stops the check, naming the file.
	bad := filepath.Join(dir, "data", "deceased.parquet")
	if err := os.WriteFile(bad, []byte("not parquet"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code = datamatch(t, "check", "--config", config)
	if code != exitFailure || !strings.Contains(errs, "deceased.parquet") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("check on a broken file = %d, %q", code, errs)
	}

	if _, _, code := datamatch(t, "check"); code != exitUsage {
		t.Fatalf("check without --config = %d, want %d", code, exitUsage)
	}
}
