package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/runrecord"
)

// wantOneLineErr checks that stderr is exactly one line, starting with
// "datamatch ", that contains want.
func wantOneLineErr(t *testing.T, stderr, want string) {
	t.Helper()
	if !strings.HasPrefix(stderr, "datamatch ") || !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr is not one error line: %q", stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not contain %q", stderr, want)
	}
}

// testLedger appends n entries to a new ledger at path and returns them as
// written.
func testLedger(t *testing.T, path string, n int) []ledger.Entry {
	t.Helper()
	var out []ledger.Entry
	for i := range n {
		kind := ledger.KindRun
		if i%2 == 1 {
			kind = ledger.KindPurge
		}
		e, err := ledger.Append(context.Background(), path, ledger.Entry{
			Time:  time.Date(2026, 11, 22, 21, 14, i, 0, time.UTC),
			Kind:  kind,
			RunID: "20261122T211400Z-3f9a2c",
			Actor: "auditor",
			Data:  json.RawMessage(`{"n":` + strconv.Itoa(i) + `}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// flipByte changes one byte of line (1-based) of the file at path.
func flipByte(t *testing.T, path string, line int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	l := lines[line-1]
	i := bytes.Index(l, []byte(`"actor":"`)) + len(`"actor":"`)
	l[i] ^= 0x01
	if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(state, "ledger.jsonl")
	entries := testLedger(t, path, 3)
	lastHash, err := entries[2].LineHash()
	if err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout []string
		inStderr string
	}{
		{"by --ledger", []string{"--ledger", path}, exitOK, []string{"OK, 3 entries", "seq 3", lastHash}, ""},
		{"by --state", []string{"--state", state}, exitOK, []string{"OK, 3 entries", lastHash}, ""},
		{"--ledger overrides --state", []string{"--state", dir, "--ledger", path}, exitOK, []string{"OK, 3 entries"}, ""},
		{"empty ledger", []string{"--ledger", empty}, exitOK, []string{"OK, no entries"}, ""},
		{"missing ledger", []string{"--state", dir}, exitFailure, nil, "no such file"},
		{"argument", []string{"--ledger", path, "extra"}, exitUsage, nil, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := datamatch(t, append([]string{"audit", "verify"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errs)
			}
			for _, s := range tt.inStdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout %q lacks %q", out, s)
				}
			}
			if tt.code == exitFailure {
				wantOneLineErr(t, errs, tt.inStderr)
			} else if !strings.Contains(errs, tt.inStderr) {
				t.Errorf("stderr %q lacks %q", errs, tt.inStderr)
			}
		})
	}
}

func TestAuditVerifyBroken(t *testing.T) {
	for _, line := range []int{1, 2, 4} {
		path := filepath.Join(t.TempDir(), "ledger.jsonl")
		testLedger(t, path, 4)
		flipByte(t, path, line)
		out, errs, code := datamatch(t, "audit", "verify", "--ledger", path)
		if code != exitFailure {
			t.Errorf("line %d altered: exit %d, want %d", line, code, exitFailure)
		}
		n := strconv.Itoa(line)
		wantOneLineErr(t, errs, "line "+n+" (seq "+n+")")
		if !strings.Contains(out, "BROKEN") || !strings.Contains(out, "first bad line: "+n) {
			t.Errorf("line %d altered: stdout %q does not report the break", line, out)
		}
	}
}

func TestAuditLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	entries := testLedger(t, path, 3)

	out, errs, code := datamatch(t, "audit", "log", "--ledger", path)
	if code != exitOK {
		t.Fatalf("audit log = %d, stderr %q", code, errs)
	}
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 1+len(entries) || !strings.HasPrefix(rows[0], "SEQ") {
		t.Fatalf("audit log printed %d lines, want a header and %d entries:\n%s", len(rows), len(entries), out)
	}
	for i, e := range entries {
		f := strings.Fields(rows[i+1])
		if f[0] != strconv.FormatInt(e.Seq, 10) || e.Seq != int64(i+1) || f[2] != e.Kind || f[4] != e.Actor || !strings.HasPrefix(e.Hash, f[5]) || f[6] != string(e.Data) {
			t.Errorf("row %d = %q, want entry seq %d %s by %s hash %s data %s", i+1, rows[i+1], e.Seq, e.Kind, e.Actor, e.Hash, e.Data)
		}
	}

	// A broken chain: the good entries are shown, then the command fails
	// naming the bad line.
	flipByte(t, path, 2)
	out, errs, code = datamatch(t, "audit", "log", "--ledger", path)
	if code != exitFailure {
		t.Errorf("audit log on a broken ledger = %d, want %d", code, exitFailure)
	}
	wantOneLineErr(t, errs, "line 2 (seq 2)")
	if n := strings.Count(out, "\n"); n != 2 || !strings.Contains(out, entries[0].Hash[:12]) {
		t.Errorf("audit log on a ledger broken at line 2 printed %d lines, want the header and entry 1:\n%s", n, out)
	}

	if _, errs, code := datamatch(t, "audit", "log", "--ledger", filepath.Join(t.TempDir(), "none.jsonl")); code != exitFailure {
		t.Errorf("audit log on a missing ledger = %d, want %d", code, exitFailure)
	} else {
		wantOneLineErr(t, errs, "no such file")
	}
}

// testRunRecord returns a complete run record of a run that succeeded.
func testRunRecord() *runrecord.Record {
	started := time.Date(2026, 11, 22, 21, 14, 0, 0, time.UTC)
	fraud := runrecord.Purpose{
		Name: "tenancy_fraud", LawfulBasis: "Article 6(1)(e) public task",
		LawfulBasisRef: "Prevention of Social Housing Fraud Act 2013", DPIARef: "DPIA-2026-07",
		RetentionPeriod: "6 years", RetentionUntil: date.MustOf(2032, 11, 22), SignificantEffect: true,
	}
	sum := strings.Repeat("ab", 32)
	r := &runrecord.Record{
		RunID: "20261122T211400Z-3f9a2c", Started: started,
		Operator: "operator-7", Host: "batch-01", Version: "test",
		ConfigPath: "exercise.yaml", ConfigSHA256: sum, KeyID: "dmk1-0123456789ab",
		Purposes: []runrecord.Purpose{fraud},
		Inputs: []runrecord.Input{{Dataset: "tenancies", Role: person.RoleTenancy, Path: "in/tenancies.parquet", SHA256: sum,
			RowsIn: 10, Accepted: 9, Quarantined: 1}},
		Bands:       runrecord.DefaultBands(),
		Detections:  []runrecord.Detection{{Name: "dual_tenancy", Purpose: "tenancy_fraud", Pairs: 2, Cases: 1}},
		Assessments: []runrecord.Assessment{runrecord.Assess(fraud, []runrecord.Outcome{{Purpose: "tenancy_fraud", CaseID: "C-1", Queued: true}}, 0)},
	}
	r.Finish(started.Add(time.Minute), nil)
	return r
}

func TestAuditShow(t *testing.T) {
	out := t.TempDir()
	r := testRunRecord()
	runDir := filepath.Join(out, r.RunID)
	if err := os.Mkdir(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := r.Write(runDir); err != nil {
		t.Fatal(err)
	}
	runJSON := filepath.Join(runDir, runrecord.FileName)
	raw, err := os.ReadFile(runJSON)
	if err != nil {
		t.Fatal(err)
	}
	var rendered bytes.Buffer
	if err := r.Render(&rendered); err != nil {
		t.Fatal(err)
	}
	notRecord := filepath.Join(out, "notes.json")
	if err := os.WriteFile(notRecord, []byte("{\"schema\": 99}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, when code is 0
		errHas string
	}{
		{"run id", []string{"--runs", out, r.RunID}, exitOK, rendered.String(), ""},
		{"flags after the run id", []string{r.RunID, "--runs", out}, exitOK, rendered.String(), ""},
		{"run folder", []string{runDir}, exitOK, rendered.String(), ""},
		{"run.json", []string{runJSON}, exitOK, rendered.String(), ""},
		{"json", []string{"--json", "--runs", out, r.RunID}, exitOK, string(raw), ""},
		{"json after the run id", []string{runJSON, "--json"}, exitOK, string(raw), ""},
		{"unknown run id", []string{"--runs", out, "20261122T211400Z-000000"}, exitFailure, "", "no run 20261122T211400Z-000000"},
		{"run id under the default folder", []string{"20261122T211400Z-3f9a2c"}, exitFailure, "", "pass --runs"},
		{"not a run id", []string{"--runs", out, "../../etc/passwd"}, exitFailure, "", "not a run id"},
		{"not a run record", []string{notRecord}, exitFailure, "", notRecord},
		{"no run", nil, exitUsage, "", "takes one RUN argument"},
		{"two runs", []string{runJSON, runJSON}, exitUsage, "", "takes one RUN argument"},
		{"unknown flag after the run", []string{runJSON, "--yaml"}, exitUsage, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, errs, code := datamatch(t, append([]string{"audit", "show"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errs)
			}
			switch tt.code {
			case exitOK:
				if stdout != tt.stdout {
					t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tt.stdout)
				}
			case exitFailure:
				wantOneLineErr(t, errs, tt.errHas)
			default:
				if !strings.Contains(errs, tt.errHas) {
					t.Errorf("stderr %q lacks %q", errs, tt.errHas)
				}
			}
		})
	}

	// The rendered record is the run's, not some other text.
	stdout, _, _ := datamatch(t, "audit", "show", runJSON)
	for _, s := range []string{r.RunID, "operator-7", "tenancy_fraud", "Prevention of Social Housing Fraud Act 2013"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("audit show does not mention %q", s)
		}
	}
	var back runrecord.Record
	stdout, _, _ = datamatch(t, "audit", "show", "--json", runJSON)
	if err := json.Unmarshal([]byte(stdout), &back); err != nil || back.RunID != r.RunID {
		t.Errorf("audit show --json is not the run record: %v", err)
	}
}

func TestInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		a, b    string
		wantErr bool
	}{
		{nil, nil, "", "", false},
		{[]string{"C-1"}, []string{"C-1"}, "", "", false},
		{[]string{"C-1", "--a", "x"}, []string{"C-1"}, "x", "", false},
		{[]string{"C-1", "--a", "x", "C-2", "-b=y"}, []string{"C-1", "C-2"}, "x", "y", false},
		{[]string{"--a", "x", "C-1"}, []string{"C-1"}, "x", "", false},
		{[]string{"C-1", "--", "--a", "x"}, []string{"C-1", "--a", "x"}, "", "", false},
		{[]string{"C-1", "--a", "x", "--", "-b"}, []string{"C-1", "-b"}, "x", "", false},
		{[]string{"C-1", "-"}, []string{"C-1", "-"}, "", "", false},
		{[]string{"C-1", "--c"}, nil, "", "", true},
		{[]string{"C-1", "--a"}, nil, "", "", true},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		a := fs.String("a", "", "")
		b := fs.String("b", "", "")
		pos, err := interspersed(fs, tt.args)
		if (err != nil) != tt.wantErr {
			t.Errorf("interspersed(%q) error %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if _, ok := err.(usageError); err != nil && !ok {
			t.Errorf("interspersed(%q) error %T, want a usage error", tt.args, err)
		}
		if err == nil && (!reflect.DeepEqual(pos, tt.pos) || *a != tt.a || *b != tt.b) {
			t.Errorf("interspersed(%q) = %q, a=%q b=%q; want %q, %q, %q", tt.args, pos, *a, *b, tt.pos, tt.a, tt.b)
		}
	}
}

func FuzzInterspersed(f *testing.F) {
	f.Add("C-1\x00--a\x00x")
	f.Add("--a=1\x00C-1\x00-b\x00y\x00C-2")
	f.Add("C-1\x00--\x00--a")
	f.Add("-\x00--b")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("a", "", "")
		fs.String("b", "", "")
		fs.Bool("c", false, "")
		pos, err := interspersed(fs, args)
		if err != nil {
			if _, ok := err.(usageError); !ok {
				t.Fatalf("error %T, want a usage error", err)
			}
			return
		}
		// The positional arguments are args in their order, less flags.
		i := 0
		for _, p := range pos {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("positional %q is not in args %q in order", p, args)
			}
			i++
		}
		if !slices.Contains(args, "--") {
			for _, p := range pos {
				if len(p) > 1 && p[0] == '-' {
					t.Fatalf("flag %q returned as positional from %q", p, args)
				}
			}
		}
	})
}
