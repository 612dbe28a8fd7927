package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRelease runs the demo exercise, which holds the utility provider's
// request until a reviewer confirms the case, and releases it with the
// binary once a reviewer has confirmed one.
func TestRelease(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := datamatch(t, "synth", "--seed", "3", "--people", "3000", "--out", dir); code != exitOK {
		t.Fatalf("synth: %s", errs)
	}
	out, errs, code := exe(t, dir, "run", "--config", "exercise.yaml")
	if code != exitOK || !regexp.MustCompile(`utility_provider +\d+ rows held`).MatchString(out) || !strings.Contains(out, "datamatch release") {
		t.Fatalf("run = %d, %q, stderr %q", code, out, errs)
	}
	out, errs, code = exe(t, dir, "release", "--config", "exercise.yaml")
	if code != exitOK || !strings.Contains(out, "nothing to release") {
		t.Fatalf("release before any decision = %d, %q, stderr %q", code, out, errs)
	}

	held, err := filepath.Glob(filepath.Join(dir, "out", "*", "held", "utility-provider-request.csv"))
	if err != nil || len(held) != 1 {
		t.Fatalf("held files %q (%v)", held, err)
	}
	f, err := os.Open(held[0])
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 {
		t.Fatalf("held file: %d rows (%v)", len(rows), err)
	}
	out, errs, code = exe(t, dir, "review", "decide", rows[1][0], "--outcome", "confirmed", "--reason", "account holder confirmed", "--reviewer", "A. Reviewer")
	decision := regexp.MustCompile(`recorded decision (\S+) `).FindStringSubmatch(out)
	if code != exitOK || decision == nil {
		t.Fatalf("review decide = %d, %q, stderr %q", code, out, errs)
	}
	out, errs, code = exe(t, dir, "release", "--config", "exercise.yaml")
	m := regexp.MustCompile(`utility_provider +\S+ +1 +0 +\d+ +0 +(\S+)`).FindStringSubmatch(out)
	if code != exitOK || !strings.HasPrefix(out, "release ") || m == nil {
		t.Fatalf("release = %d, %q, stderr %q", code, out, errs)
	}
	got, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if want := "forename,surname,tenancy_start\n" + strings.Join(rows[1][1:], ",") + "\n"; string(got) != want {
		t.Errorf("released %q, want %q", got, want)
	}
	// The recovery team's file, held too, goes with the same one case.
	m = regexp.MustCompile(`recovery_team +\S+ +1 +0 +\d+ +0 +(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("release sent the recovery team nothing: %q", out)
	}
	f, err = os.Open(m[1])
	if err != nil {
		t.Fatal(err)
	}
	recovery, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recovery) != 2 || strings.Join(recovery[0], ",") != "case_id,match_probability,subject_ref,tenancy_end,balance,forwarding_address,forwarding_postcode" || recovery[1][0] != rows[1][0] {
		t.Errorf("released to the recovery team %q (%v), want the confirmed case %s", recovery, err, rows[1][0])
	}
	if out, _, code := exe(t, dir, "audit", "verify"); code != exitOK || !strings.Contains(out, ", release\n") {
		t.Errorf("audit verify after the release = %d, %q", code, out)
	}
	// For scripts: the same report as JSON.
	out, errs, code = exe(t, dir, "release", "--config", "exercise.yaml", "--dry-run", "--json")
	var rep struct {
		DryRun bool `json:"dry_run"`
		Held   []struct {
			Recipient string `json:"recipient"`
			Released  int    `json:"released"`
			Earlier   int    `json:"earlier"`
		} `json:"held"`
	}
	// Both of the run's held outputs: the recovery team's file and the
	// utility provider's request, each having sent the one confirmed case.
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || !rep.DryRun || len(rep.Held) != 2 {
		t.Fatalf("release --json = %d, %q, stderr %q", code, out, errs)
	}
	for i, want := range []string{"recovery_team", "utility_provider"} {
		if h := rep.Held[i]; h.Recipient != want || h.Released != 0 || h.Earlier != 1 {
			t.Errorf("release --json: held output %d is %+v, want %s's with one case sent earlier", i, h, want)
		}
	}

	// The reviewer reconsiders: the next release says whom to tell, and
	// records it; the one after says nothing more.
	if _, errs, code := exe(t, dir, "review", "decide", rows[1][0], "--outcome", "rejected", "--reason", "a namesake after all",
		"--reviewer", "B. Reviewer", "--supersedes", decision[1]); code != exitOK {
		t.Fatalf("review decide --supersedes: %s", errs)
	}
	out, errs, code = exe(t, dir, "release", "--config", "exercise.yaml")
	record := regexp.MustCompile(`record (\S+run\.json)`).FindStringSubmatch(out)
	if code != exitOK || !strings.Contains(out, "tell the recipient (Article 19): "+rows[1][0]) || record == nil {
		t.Fatalf("release after the case was rejected = %d, %q, stderr %q", code, out, errs)
	}
	if out, errs, code := exe(t, dir, "audit", "show", record[1]); code != exitOK || !strings.Contains(out, "utility_provider, utility-provider-request.csv (arrears_recovery): "+rows[1][0]) {
		t.Errorf("audit show of the withdrawal = %d, %q, stderr %q", code, out, errs)
	}
	out, errs, code = exe(t, dir, "release", "--config", "exercise.yaml")
	if code != exitOK || strings.Contains(out, "Article 19") || !strings.Contains(out, "nothing to release") {
		t.Errorf("release after the withdrawal was recorded = %d, %q, stderr %q", code, out, errs)
	}
}

func TestReleaseUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"release"}, "--config is required"},
		{[]string{"release", "--config", "x.yaml", "extra"}, "takes no arguments"},
	} {
		if _, errs, code := datamatch(t, tt.args...); code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("datamatch %q = %d, %q; want %d, %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
}
