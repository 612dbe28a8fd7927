package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/runrecord"
)

// ranExercise is a synthetic exercise after one run.
type ranExercise struct {
	dir, config string
	record      *runrecord.Record
	runDir      string
	vault       string
	ledger      string
}

// newRanExercise makes a small synthetic exercise and runs it once.
func newRanExercise(t *testing.T) *ranExercise {
	t.Helper()
	dir := t.TempDir()
	if _, errs, code := datamatch(t, "synth", "--people", "1500", "--out", dir); code != exitOK {
		t.Fatalf("synth: %s", errs)
	}
	config := filepath.Join(dir, "exercise.yaml")
	if _, errs, code := datamatch(t, "run", "--config", config); code != exitOK {
		t.Fatalf("run: %s", errs)
	}
	records, err := filepath.Glob(filepath.Join(dir, "out", "*", runrecord.FileName))
	if err != nil || len(records) != 1 {
		t.Fatalf("run records %v, %v; want one", records, err)
	}
	rec, err := runrecord.Read(records[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Outputs) == 0 {
		t.Fatal("the run wrote no outputs")
	}
	return &ranExercise{
		dir: dir, config: config, record: rec, runDir: filepath.Dir(records[0]),
		vault:  filepath.Join(dir, "state", "vaults", rec.RunID+".age"),
		ledger: filepath.Join(dir, "state", "ledger.jsonl"),
	}
}

// outputPath returns where an output of the run is.
func (x *ranExercise) outputPath(o runrecord.Output) string {
	return x.path(o.Path)
}

func (x *ranExercise) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(x.runDir, p)
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// purgeData is the data of a purge ledger entry, as the test reads it.
type purgeData struct {
	Today string `json:"today"`
	Files []struct {
		Kind           string   `json:"kind"`
		Path           string   `json:"path"`
		Purposes       []string `json:"purposes"`
		RetentionUntil string   `json:"retention_until"`
		SHA256         string   `json:"sha256"`
	} `json:"files"`
	Refused []struct {
		Path   string `json:"path"`
		Reason string `json:"reason"`
	} `json:"refused"`
}

func TestPurge(t *testing.T) {
	x := newRanExercise(t)
	if !exists(x.vault) {
		t.Fatal("the run queued nothing, so there is no vault to purge")
	}
	until := map[string]date.Date{}
	var sigLatest, latest date.Date
	for _, p := range x.record.Purposes {
		until[p.Name] = p.RetentionUntil
		if p.SignificantEffect && (sigLatest.IsZero() || p.RetentionUntil.After(sigLatest)) {
			sigLatest = p.RetentionUntil
		}
		if latest.IsZero() || p.RetentionUntil.After(latest) {
			latest = p.RetentionUntil
		}
	}
	sums := map[string]string{}
	for _, o := range x.record.Outputs {
		sums[x.outputPath(o)] = sha256File(t, x.outputPath(o))
	}
	sums[x.vault] = sha256File(t, x.vault)
	if len(x.record.RunFiles) == 0 {
		t.Fatal("the run record lists no run files (quarantine lists, data-quality report)")
	}
	for _, f := range x.record.RunFiles {
		sums[x.path(f.Path)] = sha256File(t, x.path(f.Path))
		if sums[x.path(f.Path)] != f.SHA256 {
			t.Errorf("run file %s: sha256 %s, run record says %s", f.Path, sums[x.path(f.Path)], f.SHA256)
		}
	}

	// dueBy lists the outputs whose purpose's retention has ended by d.
	dueBy := func(d string) []string {
		day, err := date.Parse(date.ISO, d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range x.record.Outputs {
			if u := until[o.Purpose]; !u.IsZero() && !day.Before(u) {
				out = append(out, x.outputPath(o))
			}
		}
		if !day.Before(sigLatest) {
			out = append(out, x.vault)
		}
		// The run's own files go with the last of its outputs.
		if !day.Before(latest) {
			for _, f := range x.record.RunFiles {
				out = append(out, x.path(f.Path))
			}
		}
		slices.Sort(out)
		return out
	}
	shortest := "2100-01-01"
	for _, u := range until {
		if s := u.String(); s < shortest {
			shortest = s
		}
	}
	if got := dueBy(shortest); len(got) == 0 || len(got) >= len(x.record.Outputs) {
		t.Fatalf("the synthetic exercise should have a purpose with a shorter retention: due by %s: %v", shortest, got)
	}

	tests := []struct {
		name    string
		args    []string
		dryRun  bool
		today   string
		removed []string // expected gone after the step (cumulative)
	}{
		{"nothing due", []string{"--dry-run"}, true, "2026-11-01", nil},
		{"dry run, everything due", []string{"--dry-run"}, true, "2100-01-01", nil},
		{"shortest retention ended", nil, false, shortest, dueBy(shortest)},
		{"everything due", nil, false, "2100-01-01", dueBy("2100-01-01")},
		{"again: nothing left", nil, false, "2100-01-01", dueBy("2100-01-01")},
	}
	gone := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := ledger.ReadAll(x.ledger)
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"purge", "--config", x.config, "--today", tt.today}, tt.args...)
			out, errs, code := datamatch(t, args...)
			if code != exitOK {
				t.Fatalf("purge = %d, stderr %q", code, errs)
			}
			// What the step lists: every due file not already gone.
			var want []string
			for _, p := range dueBy(tt.today) {
				if !gone[p] {
					want = append(want, p)
				}
			}
			var purgeLines []string
			for _, l := range strings.Split(out, "\n") {
				if f := strings.TrimSpace(l); strings.HasPrefix(f, "purged ") || strings.HasPrefix(f, "would purge ") {
					purgeLines = append(purgeLines, f)
				}
			}
			listing := strings.Join(purgeLines, "\n")
			for p := range sums {
				listed := strings.Contains(listing, p)
				if listed != slices.Contains(want, p) {
					t.Errorf("stdout lists %s: %v, want %v\n%s", filepath.Base(p), listed, !listed, out)
				}
			}
			for p := range sums {
				shouldExist := !slices.Contains(tt.removed, p)
				if exists(p) != shouldExist {
					t.Errorf("%s exists: %v, want %v", p, exists(p), shouldExist)
				}
			}
			if !exists(filepath.Join(x.runDir, runrecord.FileName)) {
				t.Error("the run record was deleted")
			}
			after, err := ledger.ReadAll(x.ledger)
			if err != nil {
				t.Fatal(err)
			}
			if tt.dryRun || len(want) == 0 {
				if len(after) != len(before) {
					t.Errorf("ledger grew from %d to %d entries", len(before), len(after))
				}
				return
			}
			if len(after) != len(before)+1 {
				t.Fatalf("ledger has %d entries, want %d", len(after), len(before)+1)
			}
			e := after[len(after)-1]
			if e.Kind != ledger.KindPurge {
				t.Fatalf("last ledger entry is %q, want %q", e.Kind, ledger.KindPurge)
			}
			var d purgeData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			var logged []string
			for _, f := range d.Files {
				logged = append(logged, f.Path)
				if f.SHA256 != sums[f.Path] {
					t.Errorf("ledger: %s sha256 %s, want %s", f.Path, f.SHA256, sums[f.Path])
				}
				if len(f.Purposes) == 0 || f.RetentionUntil == "" || f.RetentionUntil > tt.today {
					t.Errorf("ledger: %s purposes %v, retention until %q on %s", f.Path, f.Purposes, f.RetentionUntil, tt.today)
				}
			}
			slices.Sort(logged)
			if !slices.Equal(logged, want) {
				t.Errorf("ledger lists %v, want %v", logged, want)
			}
			if d.Today != tt.today {
				t.Errorf("ledger today %q, want %q", d.Today, tt.today)
			}
			if n, err := ledger.Verify(x.ledger); err != nil || n != len(after) {
				t.Errorf("ledger.Verify = %d, %v", n, err)
			}
			for _, p := range want {
				gone[p] = true
			}
		})
	}
}

func TestPurgeRefusesPathsOutsideOutputDir(t *testing.T) {
	x := newRanExercise(t)
	outside := filepath.Join(t.TempDir(), "outside.csv")
	besideOut := filepath.Join(x.dir, "beside-out.csv") // reached as out/<run>/../../beside-out.csv
	for _, p := range []string{outside, besideOut} {
		if err := os.WriteFile(p, []byte("not an output\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A run record whose outputs point outside output_dir: by an absolute
	// path, by "..", and through a symbolic link.
	b, err := os.ReadFile(filepath.Join(x.runDir, runrecord.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	purpose := x.record.Purposes[0].Name
	raw["run_id"] = "20261101T000000Z-000000"
	raw["outputs"] = []map[string]any{
		{"path": outside, "recipient": "investigator", "purpose": purpose, "fields": []string{"case_id"}, "rows": 1, "sha256": ""},
		{"path": "../../beside-out.csv", "recipient": "investigator", "purpose": purpose, "fields": []string{"case_id"}, "rows": 1, "sha256": ""},
		{"path": "link.csv", "recipient": "investigator", "purpose": purpose, "fields": []string{"case_id"}, "rows": 1, "sha256": ""},
	}
	crafted, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	craftedDir := filepath.Join(x.dir, "out", "crafted")
	if err := os.Mkdir(craftedDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(craftedDir, runrecord.FileName), crafted, 0o600); err != nil {
		t.Fatal(err)
	}
	// A symbolic link inside output_dir to a file outside it.
	if err := os.Symlink(outside, filepath.Join(craftedDir, "link.csv")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
	}{
		{"dry run", []string{"--dry-run"}},
		{"purge", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"purge", "--config", x.config, "--today", "2100-01-01"}, tt.args...)
			out, errs, code := datamatch(t, args...)
			if code != exitFailure {
				t.Fatalf("purge = %d, want %d; stdout %q, stderr %q", code, exitFailure, out, errs)
			}
			wantOneLineErr(t, errs, "refused")
			if n := strings.Count(out, "REFUSED"); n != 3 {
				t.Errorf("stdout has %d refusals, want 3:\n%s", n, out)
			}
			for _, p := range []string{outside, besideOut} {
				b, err := os.ReadFile(p)
				if err != nil || string(b) != "not an output\n" {
					t.Errorf("%s was touched: %q, %v", p, b, err)
				}
			}
			if fi, err := os.Lstat(filepath.Join(craftedDir, "link.csv")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symbolic link was touched: %v", err)
			}
		})
	}
	// The real outputs were purged all the same, and the refusals recorded.
	for _, o := range x.record.Outputs {
		if exists(x.outputPath(o)) {
			t.Errorf("%s was not purged", x.outputPath(o))
		}
	}
	entries, err := ledger.ReadAll(x.ledger)
	if err != nil {
		t.Fatal(err)
	}
	var d purgeData
	if err := json.Unmarshal(entries[len(entries)-1].Data, &d); err != nil {
		t.Fatal(err)
	}
	if want := len(x.record.Outputs) + len(x.record.RunFiles) + 1; len(d.Refused) != 3 || len(d.Files) != want {
		t.Errorf("ledger purge entry: %d files, %d refused; want %d, 3", len(d.Files), len(d.Refused), want)
	}
	if _, err := ledger.Verify(x.ledger); err != nil {
		t.Error(err)
	}
}

func TestPurgeUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"purge"}, "--config is required"},
		{[]string{"purge", "--config", "x.yaml", "--today", "1/2/2027"}, "--today must be a date"},
		{[]string{"purge", "--config", "x.yaml", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		_, errs, code := datamatch(t, tt.args...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("datamatch %q = %d, %q; want %d, %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
}
