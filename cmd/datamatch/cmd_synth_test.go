package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/datamatch/datamatch/internal/synth"
)

// synthDataFiles are the files 'datamatch synth' writes into DIR/data.
var synthDataFiles = []string{
	"tenancies.parquet", "other_landlord.parquet", "deceased.parquet",
	"utility_closed.parquet", "council_tax.parquet",
	synth.TruthFile, synth.PeopleTruthFile, synth.ManifestFile,
}

// TestSynthCommand runs the built binary: synth writes every data file,
// the demo exercise with its key and reviewer identity, and the same seed
// gives byte-identical data files while another seed does not.
func TestSynthCommand(t *testing.T) {
	root := t.TempDir()
	run := func(name, seed string) string {
		dir := filepath.Join(root, name)
		out, errs, code := exe(t, root, "--quiet", "synth", "--seed", seed, "--people", "1500", "--out", dir)
		if code != exitOK {
			t.Fatalf("synth --seed %s: exit %d: %s", seed, code, errs)
		}
		for _, want := range []string{"synthetic data (seed " + seed + ", 1500 people)", "tenancies", "planted cases", "dual_tenancy", "exercise config"} {
			if !strings.Contains(out, want) {
				t.Errorf("synth output lacks %q:\n%s", want, out)
			}
		}
		return dir
	}
	a, b, c := run("a", "7"), run("b", "7"), run("c", "8")

	for _, name := range synthDataFiles {
		pa, pb, pc := filepath.Join(a, "data", name), filepath.Join(b, "data", name), filepath.Join(c, "data", name)
		ba, err := os.ReadFile(pa)
		if err != nil {
			t.Fatalf("synth did not write %s: %v", name, err)
		}
		bb, err := os.ReadFile(pb)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two runs with seed 7", name)
		}
		if bc, err := os.ReadFile(pc); err == nil && bytes.Equal(ba, bc) {
			t.Errorf("%s is the same for seeds 7 and 8", name)
		}
	}

	// The manifest's row counts are the files' own.
	var m synth.Manifest
	mb, err := os.ReadFile(filepath.Join(a, "data", synth.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Datasets) != 5 || m.People != 1500 || m.Seed != 7 {
		t.Errorf("manifest: %d datasets, %d people, seed %d", len(m.Datasets), m.People, m.Seed)
	}
	for _, ds := range m.Datasets {
		r, err := file.OpenParquetFile(filepath.Join(a, "data", ds.File), false)
		if err != nil {
			t.Fatal(err)
		}
		if n := r.NumRows(); n != int64(ds.Rows) || n == 0 {
			t.Errorf("%s: manifest says %d rows, file has %d", ds.File, ds.Rows, n)
		}
		r.Close()
	}

	// The exercise and its secrets, readable by the owner only.
	for _, p := range []string{"exercise.yaml", "keys/exercise.key", "keys/reviewer.identity"} {
		fi, err := os.Stat(filepath.Join(a, p))
		if err != nil {
			t.Errorf("synth did not write %s: %v", p, err)
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group or others", p, fi.Mode().Perm())
		}
	}
	cfg, err := os.ReadFile(filepath.Join(a, "exercise.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"key_file: keys/exercise.key", "path: data/tenancies.parquet", "- age1"} {
		if !bytes.Contains(cfg, []byte(want)) {
			t.Errorf("exercise.yaml lacks %q", want)
		}
	}

	// --exercise=false writes the data only.
	d := filepath.Join(root, "data-only")
	if _, errs, code := exe(t, root, "--quiet", "synth", "--seed", "7", "--people", "200", "--out", d, "--exercise=false"); code != exitOK {
		t.Fatalf("synth --exercise=false: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(d, "exercise.yaml")); !os.IsNotExist(err) {
		t.Errorf("synth --exercise=false wrote exercise.yaml (%v)", err)
	}
}

// TestSynthUsage checks that synth's usage errors exit 2 with a message
// and write nothing.
func TestSynthUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"synth"}, "--out is required"},
		{[]string{"synth", "--out", out, "--people", "0"}, "--people must be at least 1"},
		{[]string{"synth", "--out", out, "--today", "01/11/2026"}, "--today"},
		{[]string{"synth", "--out", out, "extra"}, `unexpected argument "extra"`},
		{[]string{"synth", "--out", out, "--no-such-flag"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		_, errs, code := datamatch(t, tt.args...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("datamatch %q = exit %d, stderr %q; want exit %d and %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused synth created %s", out)
	}
}
