package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/minimise"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/vault"
)

// queuedTenant finds a tenant of the tenancies dataset who is in a queued
// case, preferring a case whose purpose writes a CSV output, and returns
// the clear record, its ref and the case.
func queuedTenant(t *testing.T, x *ranExercise) (person.Record, string, review.Case) {
	t.Helper()
	ex, recs := tenancyRecords(t, x)
	k, err := key.Load(ex.Path(ex.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	refs := minimise.NewKeyedRefs(k.Derive("record-ref"))
	cases, err := review.ReadQueue(filepath.Join(x.dir, "state", "queue.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	csvPurpose := map[string]bool{}
	for _, o := range x.record.Outputs {
		if strings.HasSuffix(o.Path, ".csv") {
			csvPurpose[o.Purpose] = true
		}
	}
	byRef := map[string]review.Case{}
	for _, c := range cases {
		for _, r := range []review.RecordRef{c.Left, c.Right} {
			if old, ok := byRef[r.Ref]; r.Dataset == "tenancies" && (!ok || !csvPurpose[old.Purpose] && csvPurpose[c.Purpose]) {
				byRef[r.Ref] = c
			}
		}
	}
	var best *person.Record
	var bestRef string
	for i := range recs {
		r := &recs[i]
		if r.Forename == "" || len(r.Surname) < 3 || r.DOB.IsZero() {
			continue
		}
		ref := refs.Ref("tenancies", r.RecordID)
		c, ok := byRef[ref]
		if !ok {
			continue
		}
		if best == nil || csvPurpose[c.Purpose] && !csvPurpose[byRef[bestRef].Purpose] {
			best, bestRef = r, ref
		}
	}
	if best == nil {
		t.Fatal("no tenant with a name and date of birth is in a queued case")
	}
	return *best, bestRef, byRef[bestRef]
}

// tenancyRecords loads the exercise's tenancies dataset as a run does.
func tenancyRecords(t *testing.T, x *ranExercise) (*exercise.Exercise, []person.Record) {
	t.Helper()
	ex, err := exercise.Load(x.config)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := ex.Sources()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		if src.Name == "tenancies" {
			recs, _, err := load.ReadAll(context.Background(), src, load.Options{Today: ex.RunDate()})
			if err != nil {
				t.Fatal(err)
			}
			return ex, recs
		}
	}
	t.Fatal("the exercise has no tenancies dataset")
	return nil, nil
}

// TestRightsSARFindsUtilityRequest asks for the subject access of a
// tenant named in the utility provider's request, an output of a name and
// a tenancy start date with no reference: the search must still report
// that their data went to the utility provider. The demo holds the request
// until a reviewer confirms the case, so the tenant's case is confirmed
// and released first; the held file is reported as not sent.
func TestRightsSARFindsUtilityRequest(t *testing.T) {
	x := newRanExercise(t)
	var held string
	for _, o := range x.record.Outputs {
		if o.Recipient == "utility_provider" && o.Held {
			held = x.outputPath(o)
		}
	}
	if held == "" {
		t.Fatal("the run held no output for the utility provider")
	}
	b, err := os.ReadFile(held)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) < 2 || !slices.Equal(rows[0], []string{"case_id", "forename", "surname", "tenancy_start"}) {
		t.Fatalf("held request %s: %d rows, header %v, %v", held, len(rows), rows[0], err)
	}
	_, recs := tenancyRecords(t, x)
	var tenant *person.Record
	var caseID string
	for _, row := range rows[1:] {
		for i := range recs {
			r := &recs[i]
			if r.Forename == row[1] && r.Surname == row[2] && r.TenancyStart.String() == row[3] && !r.DOB.IsZero() {
				tenant, caseID = r, row[0]
			}
		}
		if tenant != nil {
			break
		}
	}
	if tenant == nil {
		t.Fatal("no row of the request is a tenant with a date of birth")
	}
	if _, errs, code := datamatch(t, "review", "decide", caseID, "--state", filepath.Join(x.dir, "state"), "--outcome", "confirmed",
		"--reason", "account holder confirmed", "--reviewer", "A. Reviewer"); code != exitOK {
		t.Fatalf("review decide: %s", errs)
	}
	if _, errs, code := datamatch(t, "--quiet", "release", "--config", x.config); code != exitOK {
		t.Fatalf("release: %s", errs)
	}
	requests, err := filepath.Glob(filepath.Join(x.dir, "out", "*", x.record.RunID, "utility-provider-request.csv"))
	if err != nil || len(requests) != 1 {
		t.Fatalf("released requests %q (%v); want one", requests, err)
	}
	request := requests[0]

	out := filepath.Join(x.dir, "sar-utility")
	if _, errs, code := datamatch(t, "rights", "sar", "--config", x.config, "--forename", tenant.Forename, "--surname", tenant.Surname,
		"--dob", tenant.DOB.String(), "--out", out); code != exitOK {
		t.Fatalf("rights sar = %d, stderr %q", code, errs)
	}
	b, err = os.ReadFile(filepath.Join(out, "subject-access.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f rights.Findings
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(f.Files, func(ff rights.FileFinding) bool {
		return ff.Path == request && ff.Recipient == "utility_provider" && !ff.Held && ff.Rows >= 1 && slices.Contains(ff.MatchedOn, "clear_fields")
	}) {
		t.Errorf("findings lack the utility provider's request %s: %+v", request, f.Files)
	}
	if !slices.ContainsFunc(f.Files, func(ff rights.FileFinding) bool {
		return ff.Path == held && ff.Recipient == "utility_provider" && ff.Held && ff.Rows >= 1
	}) {
		t.Errorf("findings lack the held request %s: %+v", held, f.Files)
	}
}

func TestRightsSAR(t *testing.T) {
	x := newRanExercise(t)
	tenant, ref, c := queuedTenant(t, x)

	// The CSV outputs that hold the tenant's ref or case id, read as bytes.
	var wantFiles []string
	for _, o := range x.record.Outputs {
		p := x.outputPath(o)
		if !strings.HasSuffix(p, ".csv") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(ref)) || bytes.Contains(b, []byte(c.ID)) {
			wantFiles = append(wantFiles, p)
		}
	}
	if len(wantFiles) == 0 {
		t.Fatalf("no CSV output holds case %s (%s) or its tenant's ref", c.ID, c.Purpose)
	}

	tests := []struct {
		name      string
		binary    bool
		withVault bool
	}{
		{"in process, no vault", false, false},
		{"built binary, with the vault", true, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outDir := filepath.Join(x.dir, "sar", string(rune('a'+i)))
			args := []string{"rights", "sar", "--config", x.config, "--forename", tenant.Forename, "--surname", tenant.Surname,
				"--dob", tenant.DOB.String(), "--out", outDir}
			if tt.withVault {
				args = append(args, "--identity", filepath.Join(x.dir, "keys", "reviewer.identity"))
			}
			before, err := ledger.ReadAll(x.ledger)
			if err != nil {
				t.Fatal(err)
			}
			var out, errs string
			var code int
			if tt.binary {
				out, errs, code = exe(t, x.dir, args...)
			} else {
				out, errs, code = datamatch(t, args...)
			}
			if code != exitOK {
				t.Fatalf("rights sar = %d, stderr %q", code, errs)
			}
			for _, s := range []string{out, errs} {
				if strings.Contains(s, tenant.Surname) || strings.Contains(s, tenant.DOB.String()) {
					t.Errorf("the subject's identifiers were printed: %q", s)
				}
			}
			if !strings.Contains(out, "tenancies") || !strings.Contains(out, "review cases") {
				t.Errorf("stdout lacks the places searched:\n%s", out)
			}

			jsonPath := filepath.Join(outDir, "subject-access.json")
			for _, p := range []string{jsonPath, filepath.Join(outDir, "subject-access.txt")} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("%s mode %v, want 0600", p, fi.Mode().Perm())
				}
			}
			b, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			var f rights.Findings
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(f.Records, func(r rights.RecordFinding) bool {
				return r.Dataset == "tenancies" && r.RecordID == tenant.RecordID && r.Ref == ref
			}) {
				t.Errorf("findings lack tenancies record %s: %+v", tenant.RecordID, f.Records)
			}
			if !slices.ContainsFunc(f.Cases, func(fc rights.CaseFinding) bool { return fc.ID == c.ID }) {
				t.Errorf("findings lack case %s", c.ID)
			}
			var files []string
			for _, ff := range f.Files {
				files = append(files, ff.Path)
			}
			for _, p := range wantFiles {
				if !slices.Contains(files, p) {
					t.Errorf("findings lack output %s; have %v", p, files)
				}
			}
			searchedDataset := false
			for _, s := range f.Searched {
				searchedDataset = searchedDataset || s.Kind == rights.KindDataset && s.Name == "tenancies" && s.Found > 0
			}
			if !searchedDataset {
				t.Errorf("tenancies not reported as searched with a finding: %+v", f.Searched)
			}
			// The quarantine lists the run recorded are searched too.
			quarantines := 0
			for _, rf := range x.record.RunFiles {
				if rf.Kind != runrecord.FileQuarantine {
					continue
				}
				quarantines++
				p := x.path(rf.Path)
				if !slices.ContainsFunc(f.Searched, func(s rights.Searched) bool {
					return s.Kind == rights.KindOutput && s.Name == p && s.Status == "searched"
				}) {
					t.Errorf("quarantine list %s not reported as searched: %+v", p, f.Searched)
				}
			}
			if quarantines == 0 {
				t.Error("the run recorded no quarantine list to search")
			}

			after, err := ledger.ReadAll(x.ledger)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.withVault {
				if len(f.Vault) != 0 || len(after) != len(before) {
					t.Errorf("without --identity: %d vault findings, ledger %d → %d entries", len(f.Vault), len(before), len(after))
				}
				return
			}
			if !slices.ContainsFunc(f.Vault, func(r rights.RecordFinding) bool {
				return r.Dataset == "tenancies" && r.RecordID == tenant.RecordID
			}) {
				t.Errorf("findings lack the tenant's vault entry: %+v", f.Vault)
			}
			if len(after) != len(before)+1 || after[len(after)-1].Kind != ledger.KindVaultOpen {
				t.Errorf("ledger %d → %d entries, want one %s entry", len(before), len(after), ledger.KindVaultOpen)
			} else if bytes.Contains(after[len(after)-1].Data, []byte(tenant.Surname)) {
				t.Error("the ledger entry names the subject")
			}
			if _, err := ledger.Verify(x.ledger); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRightsErase erases a tenant in a queued case from a real run's
// outputs and vault: a dry run changes nothing, the erasure removes their
// rows and entries and nothing else, a subject access search afterwards
// finds none, and the ledger records it without naming them.
func TestRightsErase(t *testing.T) {
	x := newRanExercise(t)
	tenant, _, c := queuedTenant(t, x)
	identity := filepath.Join(x.dir, "keys", "reviewer.identity")
	args := []string{"rights", "erase", "--config", x.config, "--forename", tenant.Forename, "--surname", tenant.Surname,
		"--dob", tenant.DOB.String(), "--identity", identity, "--reference", "ER-0042"}
	outputs := func() map[string][]byte {
		m := map[string][]byte{}
		for _, o := range x.record.Outputs {
			b, err := os.ReadFile(x.outputPath(o))
			if err != nil {
				t.Fatal(err)
			}
			m[x.outputPath(o)] = b
		}
		b, err := os.ReadFile(x.vault)
		if err != nil {
			t.Fatal(err)
		}
		m[x.vault] = b
		return m
	}
	sar := func(name string) rights.Findings {
		t.Helper()
		out := filepath.Join(x.dir, name)
		if _, errs, code := datamatch(t, "rights", "sar", "--config", x.config, "--forename", tenant.Forename, "--surname", tenant.Surname,
			"--dob", tenant.DOB.String(), "--identity", identity, "--out", out); code != exitOK {
			t.Fatalf("rights sar = %d, stderr %q", code, errs)
		}
		b, err := os.ReadFile(filepath.Join(out, "subject-access.json"))
		if err != nil {
			t.Fatal(err)
		}
		var f rights.Findings
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// A reviewer's reason names the tenant.
	reason := "spoke to " + tenant.Forename + " " + tenant.Surname + " at the office"
	if _, errs, code := datamatch(t, "review", "decide", c.ID, "--state", filepath.Join(x.dir, "state"), "--outcome", "rejected",
		"--reason", reason, "--reviewer", "A. Reviewer"); code != exitOK {
		t.Fatalf("review decide = %d, stderr %q", code, errs)
	}
	decisionsLog := review.DecisionsPath(filepath.Join(x.dir, "state", "queue.jsonl"))
	found := sar("sar-before")
	if len(found.Files) == 0 || len(found.Vault) == 0 {
		t.Fatalf("the tenant of case %s is in %d outputs and %d vault entries; want some of both", c.ID, len(found.Files), len(found.Vault))
	}
	before := outputs()

	out, errs, code := datamatch(t, append(args, "--dry-run", "--json")...)
	if code != exitOK {
		t.Fatalf("dry run = %d, stderr %q", code, errs)
	}
	var dry rights.Erasure
	if err := json.Unmarshal([]byte(out), &dry); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if !dry.DryRun || len(dry.Files) != len(found.Files) || dry.EntriesErased() != len(found.Vault) {
		t.Errorf("dry run: %+v; the search found %d files and %d vault entries", dry, len(found.Files), len(found.Vault))
	}
	if dry.ReasonsKept() != 1 || dry.ReasonsErased() != 0 {
		t.Errorf("without --reasons: %d reasons kept and %d erased; want 1 and 0", dry.ReasonsKept(), dry.ReasonsErased())
	}
	for p, b := range outputs() {
		if !bytes.Equal(b, before[p]) {
			t.Errorf("the dry run changed %s", p)
		}
	}
	entries, err := ledger.ReadAll(x.ledger)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(entries, func(e ledger.Entry) bool { return e.Kind == ledger.KindErasure }) {
		t.Error("the dry run entered an erasure in the ledger")
	}

	out, errs, code = exe(t, x.dir, append(args, "--reasons")...)
	if code != exitOK {
		t.Fatalf("rights erase = %d, stderr %q", code, errs)
	}
	for _, s := range []string{out, errs} {
		if strings.Contains(s, tenant.Surname) || strings.Contains(s, tenant.DOB.String()) {
			t.Errorf("the subject's identifiers were printed: %q", s)
		}
	}
	if !strings.Contains(out, "ER-0042") || !strings.Contains(out, "Removed from outputs") {
		t.Errorf("report:\n%s", out)
	}
	after := outputs()
	changed := 0
	for p, b := range after {
		if !bytes.Equal(b, before[p]) {
			changed++
		}
	}
	if changed != len(found.Files)+1 { // and the vault
		t.Errorf("%d files changed, want the %d outputs found and the vault", changed, len(found.Files))
	}
	for _, ff := range found.Files {
		if strings.HasSuffix(ff.Path, ".csv") {
			if got, want := bytes.Count(after[ff.Path], []byte("\n")), bytes.Count(before[ff.Path], []byte("\n"))-ff.Rows; got != want {
				t.Errorf("%s has %d lines after erasure, want %d", ff.Path, got, want)
			}
		}
	}

	if again := sar("sar-after"); len(again.Files) != 0 || len(again.Vault) != 0 || len(again.Records) != len(found.Records) {
		t.Errorf("after erasure the search finds %d files, %d vault entries and %d records; want 0, 0 and %d",
			len(again.Files), len(again.Vault), len(again.Records), len(found.Records))
	}
	entries, err = ledger.ReadAll(x.ledger)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(entries, func(e ledger.Entry) bool { return e.Kind == ledger.KindErasure })
	if i < 0 {
		t.Fatal("no erasure entry in the ledger")
	}
	if d := entries[i].Data; !bytes.Contains(d, []byte("ER-0042")) || bytes.Contains(d, []byte(tenant.Surname)) || bytes.Contains(d, []byte(tenant.DOB.String())) {
		t.Errorf("ledger entry %s", d)
	}
	// The decision stands, its reason replaced by a note of the request.
	ds, err := review.ReadDecisions(decisionsLog)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].CaseID != c.ID || ds[0].Outcome != review.OutcomeRejected || ds[0].Reviewer != "A. Reviewer" ||
		!strings.Contains(ds[0].Reason, "ER-0042") || !bytes.Contains(entries[i].Data, []byte(ds[0].DecisionID)) {
		t.Errorf("decisions after erasure: %+v", ds)
	}
	if b, err := os.ReadFile(decisionsLog); err != nil || bytes.Contains(b, []byte(tenant.Surname)) {
		t.Errorf("the decisions log still names the tenant (%v)", err)
	}
	if _, err := ledger.Verify(x.ledger); err != nil {
		t.Error(err)
	}
	// Reviewers can still open the vault, which keeps everyone else.
	v, err := vault.Open(x.vault, identity)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Lookup("tenancies", tenant.RecordID); ok || v.Len() == 0 {
		t.Errorf("the vault after erasure holds %d entries, the tenant's among them: %v", v.Len(), ok)
	}
}

func TestRightsSARUsage(t *testing.T) {
	const secret = "1970-13-45" // not a date; must not be echoed
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rights", "sar", "--forename", "A", "--surname", "B", "--out", "d"}, "--config is required"},
		{[]string{"rights", "sar", "--config", "x.yaml", "--forename", "A", "--surname", "B"}, "--out DIR is required"},
		{[]string{"rights", "sar", "--config", "x.yaml", "--out", "d"}, "--forename and --surname"},
		{[]string{"rights", "sar", "--config", "x.yaml", "--forename", "A", "--surname", "B", "--dob", secret, "--out", "d"}, "--dob must be a date"},
		{[]string{"rights", "check-restrictions"}, "--config is required"},
		{[]string{"rights", "erase", "--config", "x.yaml", "--forename", "A", "--surname", "B", "--reference", "R"}, "--identity FILE is required"},
		{[]string{"rights", "erase", "--config", "x.yaml", "--forename", "A", "--surname", "B", "--identity", "i"}, "--reference REF is required"},
		{[]string{"rights", "erase", "--config", "x.yaml", "--identity", "i", "--reference", "R"}, "--forename and --surname"},
		{[]string{"rights", "erase", "--config", "x.yaml", "--forename", "A", "--surname", "B", "--dob", secret, "--identity", "i", "--reference", "R"}, "--dob must be a date"},
	}
	for _, tt := range tests {
		_, errs, code := datamatch(t, tt.args...)
		if code != exitUsage || !strings.Contains(errs, tt.want) || strings.Contains(errs, secret) {
			t.Errorf("datamatch %q = %d, %q; want %d, %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
}

func TestRightsCheckRestrictions(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := datamatch(t, "synth", "--people", "200", "--out", dir); code != exitOK {
		t.Fatalf("synth: %s", errs)
	}
	config := filepath.Join(dir, "exercise.yaml")
	base, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	withList := func(t *testing.T, csv string) string {
		t.Helper()
		list := filepath.Join(dir, "restrictions.csv")
		if err := os.WriteFile(list, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, "exercise-restricted.yaml")
		if err := os.WriteFile(cfg, append(append([]byte(nil), base...), "\nrestrictions_file: restrictions.csv\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	const header = "kind,forename,surname,dob,ni_number,postcode,reference,received\n"
	tests := []struct {
		name   string
		csv    string // "" leaves the config without a restrictions file
		code   int
		counts map[string]int
		inErr  string
	}{
		{"no list", "", exitOK, nil, ""},
		{"three kinds", header +
			"restriction,Ann,Ash,1980-01-02,,,R-1,2026-01-01\n" +
			"objection,Bob,Birch,1975-03-04,,AB1 2CD,R-2,\n" +
			"Objection-Automated,Cy,Cedar,1990-05-06,,,R-3,\n" +
			"objection,,,,JA123456C,,R-4,\n",
			exitOK, map[string]int{rights.Restriction: 1, rights.Objection: 2, rights.ObjectionAutomated: 1}, ""},
		{"unusable row", header + "objection,Zed,Secretname,,,,R-5,\n", exitFailure, nil, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config
			if tt.csv != "" {
				cfg = withList(t, tt.csv)
			}
			out, errs, code := datamatch(t, "rights", "check-restrictions", "--config", cfg)
			if code != tt.code {
				t.Fatalf("check-restrictions = %d, want %d; stderr %q", code, tt.code, errs)
			}
			if tt.code != exitOK {
				wantOneLineErr(t, errs, tt.inErr)
				if strings.Contains(errs, "Secretname") {
					t.Errorf("error quotes the list: %q", errs)
				}
				return
			}
			if tt.counts == nil {
				if !strings.Contains(out, "no restrictions_file") {
					t.Errorf("stdout %q", out)
				}
				return
			}
			total := 0
			for kind, n := range tt.counts {
				total += n
				if !containsFields(out, kind, itoa(n)) {
					t.Errorf("stdout lacks %s %d:\n%s", kind, n, out)
				}
			}
			if !strings.Contains(out, itoa(total)+" people listed") {
				t.Errorf("stdout lacks the total %d:\n%s", total, out)
			}
			for _, name := range []string{"Ash", "Birch", "Cedar", "JA123456C"} {
				if strings.Contains(out+errs, name) {
					t.Errorf("output quotes the list (%s)", name)
				}
			}
		})
	}
}

// containsFields reports whether some line of s consists of exactly the
// given fields.
func containsFields(s string, fields ...string) bool {
	for _, l := range strings.Split(s, "\n") {
		if slices.Equal(strings.Fields(l), fields) {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
