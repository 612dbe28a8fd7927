package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/vault"
	"github.com/datamatch/datamatch/pipeline"
)

const reviewRunID = "20261122T211400Z-3f9a2c"

// testCases returns three cases: two for tenancy fraud, one for arrears
// tracing.
func testCases() []review.Case {
	mk := func(purpose, rule, leftSet, rightSet, leftRef, rightRef string, p float64) review.Case {
		return review.Case{
			RunID: reviewRunID, Purpose: purpose, Rule: rule,
			Left:             review.RecordRef{Dataset: leftSet, Ref: leftRef},
			Right:            review.RecordRef{Dataset: rightSet, Ref: rightRef},
			MatchProbability: p, MatchWeight: 9.5,
			Explanation: []pair.Contribution{
				{Field: "surname", Level: "exact", Weight: 6.25},
				{Field: "dob", Level: "exact", Weight: 8.5},
				{Field: "postcode", Level: "else", Weight: -1.75},
			},
			Evidence: []review.Evidence{{Name: "tenancy_start", Date: date.MustOf(2019, 4, 1)}},
			Queued:   time.Date(2026, 11, 22, 21, 15, 0, 0, time.UTC),
		}
	}
	return []review.Case{
		mk("tenancy_fraud", "dual_tenancy", "tenancies", "other_landlord",
			"0a1b2c3d4e5f60718293a4b5c6d7e8f9", "f9e8d7c6b5a4938271605f4e3d2c1b0a", 0.9987),
		mk("tenancy_fraud", "dual_tenancy", "tenancies", "other_landlord",
			"11111111111111111111111111111111", "22222222222222222222222222222222", 0.95),
		mk("arrears_trace", "forwarding_trace", "tenancies", "utility_closed",
			"33333333333333333333333333333333", "44444444444444444444444444444444", 0.91),
	}
}

// reviewState makes a state folder holding a queue of testCases and
// returns it with the cases as queued.
func reviewState(t *testing.T) (string, []review.Case) {
	t.Helper()
	state := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(state, "queue.jsonl")
	if _, err := review.Merge(context.Background(), path, testCases()); err != nil {
		t.Fatal(err)
	}
	cases, err := review.ReadQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	return state, cases
}

// listedIDs returns the case ids in the first column of review list's
// output.
func listedIDs(out string) []string {
	var ids []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "C-") {
			ids = append(ids, f[0])
		}
	}
	return ids
}

func TestReviewList(t *testing.T) {
	state, cases := reviewState(t)
	all := []string{cases[0].ID, cases[1].ID, cases[2].ID}
	tests := []struct {
		name string
		args []string
		code int
		ids  []string
		err  string
	}{
		{"everything", nil, exitOK, all, ""},
		{"pending", []string{"--status", "pending"}, exitOK, all, ""},
		{"open", []string{"--status", "open"}, exitOK, all, ""},
		{"closed", []string{"--status", "closed"}, exitOK, nil, ""},
		{"by purpose", []string{"--purpose", "arrears_trace"}, exitOK, []string{cases[2].ID}, ""},
		{"unknown purpose", []string{"--purpose", "no_such_purpose"}, exitOK, nil, ""},
		{"by rule", []string{"--rule", "dual_tenancy"}, exitOK, all[:2], ""},
		{"by rule and purpose", []string{"--rule", "dual_tenancy", "--purpose", "arrears_trace"}, exitOK, nil, ""},
		{"bad status", []string{"--status", "done"}, exitUsage, nil, "--status must be one of"},
		{"argument", []string{"extra"}, exitUsage, nil, "takes no arguments"},
		{"missing queue", []string{"--state", t.TempDir()}, exitFailure, nil, "no review queue at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"review", "list", "--state", state}, tt.args...)
			out, errs, code := datamatch(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errs)
			}
			if code == exitFailure {
				wantOneLineErr(t, errs, tt.err)
			} else if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q lacks %q", errs, tt.err)
			}
			if code == exitOK && !slices.Equal(listedIDs(out), tt.ids) {
				t.Errorf("listed %q, want %q", listedIDs(out), tt.ids)
			}
		})
	}
	// --queue overrides --state.
	out, _, code := datamatch(t, "review", "list", "--state", t.TempDir(), "--queue", filepath.Join(state, "queue.jsonl"))
	if code != exitOK || !slices.Equal(listedIDs(out), all) {
		t.Errorf("--queue: exit %d, listed %q", code, listedIDs(out))
	}
}

// TestReviewOutcomes decides cases with review decide and checks that
// review outcomes counts them, as text and as JSON, and refuses what
// review list refuses.
func TestReviewOutcomes(t *testing.T) {
	state, cases := reviewState(t)
	for _, d := range []struct{ id, outcome string }{{cases[0].ID, "confirmed"}, {cases[1].ID, "rejected"}} {
		if _, errs, code := datamatch(t, "review", "decide", d.id, "--state", state, "--outcome", d.outcome, "--reason", "checked", "--reviewer", "alice"); code != exitOK {
			t.Fatalf("decide %s: exit %d, stderr %q", d.id, code, errs)
		}
	}

	out, errs, code := datamatch(t, "review", "outcomes", "--state", state)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"Review outcomes: 3 cases, 1 open, 2 closed",
		"Oldest open case: " + cases[2].ID,
		"tenancy_fraud  dual_tenancy",
		"[0.99, 1]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, errs, code = datamatch(t, "review", "outcomes", "--state", state, "--json", "--purpose", "tenancy_fraud")
	if code != exitOK {
		t.Fatalf("--json: exit %d, stderr %q", code, errs)
	}
	var o review.Outcomes
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if len(o.Rules) != 1 || o.Rules[0].Rule != "dual_tenancy" || o.Rules[0].Confirmed != 1 || o.Rules[0].Rejected != 1 ||
		o.Rules[0].ConfirmedShare == nil || *o.Rules[0].ConfirmedShare != 0.5 || o.OldestOpen != "" {
		t.Errorf("--json --purpose tenancy_fraud = %s", out)
	}

	if _, errs, code := datamatch(t, "review", "outcomes", "extra", "--state", state); code != exitUsage || !strings.Contains(errs, "takes no arguments") {
		t.Errorf("an argument: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := datamatch(t, "review", "outcomes", "--state", t.TempDir()); code != exitFailure {
		t.Errorf("no queue: exit %d, stderr %q", code, errs)
	} else {
		wantOneLineErr(t, errs, "no review queue at")
	}
}

// TestReviewImport decides cases in an exported spreadsheet and imports
// it: the decisions are recorded all together and in the ledger, each
// superseding the decision the reviewer saw; a stale file records
// nothing.
func TestReviewImport(t *testing.T) {
	state, cases := reviewState(t)
	queue := filepath.Join(state, "queue.jsonl")
	if _, errs, code := datamatch(t, "review", "decide", cases[0].ID, "--state", state, "--outcome", "needs-more-information", "--reason", "ask", "--reviewer", "amy"); code != exitOK {
		t.Fatalf("decide: %q", errs)
	}
	sheet := filepath.Join(t.TempDir(), "cases.csv")
	if _, errs, code := datamatch(t, "review", "export", "--csv", "--state", state, "--out", sheet); code != exitOK {
		t.Fatalf("export: %q", errs)
	}
	b, err := os.ReadFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The reviewer adds two columns and decides two of the three cases.
	decided := map[string][2]string{cases[0].ID: {"Confirmed", "agreement seen"}, cases[1].ID: {"rejected", "=not the same person"}}
	rows[0] = append(rows[0], "outcome", "reason")
	for i := 1; i < len(rows); i++ {
		d := decided[rows[i][0]]
		rows[i] = append(rows[i], d[0], d[1])
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sheet, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	before := ledgerEntries(t, filepath.Join(state, "ledger.jsonl"))

	out, errs, code := datamatch(t, "review", "import", "--csv", sheet, "--reviewer", "bob", "--state", state)
	if code != exitOK || !strings.Contains(out, "recorded 2 decisions") || !strings.Contains(out, "1 confirmed, 1 rejected") {
		t.Fatalf("import = %d, %q, %q", code, out, errs)
	}
	ds, err := review.ReadDecisions(review.DecisionsPath(queue))
	if err != nil || len(ds) != 3 {
		t.Fatalf("decisions log holds %d decisions (%v), want 3", len(ds), err)
	}
	byCase := map[string]review.Decision{}
	for _, d := range ds[1:] {
		byCase[d.CaseID] = d
	}
	if d := byCase[cases[0].ID]; d.Outcome != review.OutcomeConfirmed || d.Supersedes != ds[0].DecisionID || d.Reviewer != "bob" {
		t.Errorf("case 0: %+v, want confirmed by bob superseding %s", d, ds[0].DecisionID)
	}
	if d := byCase[cases[1].ID]; d.Outcome != review.OutcomeRejected || d.Reason != "=not the same person" || d.Supersedes != "" {
		t.Errorf("case 1: %+v", d)
	}
	after := ledgerEntries(t, filepath.Join(state, "ledger.jsonl"))
	if len(after) != len(before)+2 || after[len(after)-1].Kind != ledger.KindDecision {
		t.Errorf("ledger %d → %d entries, want two decisions more", len(before), len(after))
	}

	// The same file again is stale: case 0 has been decided since.
	_, errs, code = datamatch(t, "review", "import", "--csv", sheet, "--reviewer", "bob", "--state", state)
	if code != exitFailure || !strings.Contains(errs, "nothing recorded") || !strings.Contains(errs, "export again") {
		t.Errorf("stale import = %d, %q", code, errs)
	}
	if ds, _ := review.ReadDecisions(review.DecisionsPath(queue)); len(ds) != 3 {
		t.Errorf("a refused import changed the log: %d decisions", len(ds))
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--reviewer", "bob"}, exitUsage, "--csv FILE is required"},
		{[]string{"--csv", sheet}, exitUsage, "--reviewer NAME is required"},
		{[]string{"--csv", filepath.Join(t.TempDir(), "none.csv"), "--reviewer", "bob"}, exitFailure, "import decisions"},
	} {
		_, errs, code := datamatch(t, append([]string{"review", "import", "--state", state}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("review import %q = %d, %q; want %d, %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
}

// ledgerEntries reads the ledger at path, failing the test if its chain is
// broken.
func ledgerEntries(t *testing.T, path string) []ledger.Entry {
	t.Helper()
	entries, err := ledger.ReadAll(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("ledger: %v", err)
	}
	return entries
}

var decisionIDPattern = regexp.MustCompile(`recorded decision (D-[0-9a-f]{12}) on case (C-[0-9a-f]{12}): ([a-z-]+) \(ledger seq ([0-9]+)\)`)

func TestReviewDecide(t *testing.T) {
	state, cases := reviewState(t)
	queue := filepath.Join(state, "queue.jsonl")
	log := review.DecisionsPath(queue)
	led := filepath.Join(state, "ledger.jsonl")
	c1, c2 := cases[0].ID, cases[1].ID
	const reason = "Same person: the other landlord's file has Mrs Example's signed tenancy"

	decide := func(args ...string) (string, string, int) {
		t.Helper()
		return datamatch(t, append([]string{"review", "decide"}, args...)...)
	}

	// The first decision on a case.
	out, errs, code := decide(c1, "--state", state, "--outcome", "needs-more-information", "--reason", reason, "--reviewer", "alice")
	if code != exitOK {
		t.Fatalf("first decision = %d, stderr %q", code, errs)
	}
	m := decisionIDPattern.FindStringSubmatch(out)
	if m == nil || m[2] != c1 || m[3] != review.OutcomeMoreInfo || m[4] != "1" {
		t.Fatalf("first decision printed %q", out)
	}
	first := m[1]
	decisions, err := review.ReadDecisions(log)
	if err != nil || len(decisions) != 1 {
		t.Fatalf("decisions log holds %d decisions (%v), want 1", len(decisions), err)
	}
	d := decisions[0]
	if d.DecisionID != first || d.CaseID != c1 || d.Outcome != review.OutcomeMoreInfo || d.Reason != reason || d.Reviewer != "alice" || d.Supersedes != "" {
		t.Errorf("recorded %+v", d)
	}
	entries := ledgerEntries(t, led)
	if len(entries) != 1 {
		t.Fatalf("ledger holds %d entries, want 1", len(entries))
	}
	var data map[string]string
	if err := json.Unmarshal(entries[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Kind != ledger.KindDecision || e.Actor != "alice" || e.RunID != reviewRunID ||
		data["decision_id"] != first || data["case_id"] != c1 || data["outcome"] != review.OutcomeMoreInfo {
		t.Errorf("ledger entry %+v, data %v", e, data)
	}
	if b, _ := os.ReadFile(led); bytes.Contains(b, []byte("Mrs Example")) {
		t.Error("the reason, which may hold personal details, is in the ledger")
	}

	// Refusals leave both logs as they were.
	refusals := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"second decision without --supersedes", []string{c1, "--outcome", "confirmed", "--reason", "r", "--reviewer", "bob"},
			exitFailure, "its latest decision is " + first},
		{"superseding a decision that is not the latest", []string{c1, "--outcome", "confirmed", "--reason", "r", "--reviewer", "bob", "--supersedes", "D-000000000000"},
			exitFailure, "--supersedes"},
		{"superseding on a case without decisions", []string{c2, "--outcome", "confirmed", "--reason", "r", "--reviewer", "bob", "--supersedes", first},
			exitFailure, "no decision to supersede"},
		{"unknown case", []string{"C-000000000000", "--outcome", "confirmed", "--reason", "r", "--reviewer", "bob"},
			exitFailure, "no such case"},
		{"bad outcome", []string{c2, "--outcome", "approved", "--reason", "r", "--reviewer", "bob"}, exitUsage, "--outcome must be"},
		{"no reason", []string{c2, "--outcome", "rejected", "--reason", "  ", "--reviewer", "bob"}, exitUsage, "--reason TEXT is required"},
		{"no reviewer", []string{c2, "--outcome", "rejected", "--reason", "r"}, exitUsage, "--reviewer NAME is required"},
		{"no case", []string{"--outcome", "rejected", "--reason", "r", "--reviewer", "bob"}, exitUsage, "takes one CASE argument"},
		{"two cases", []string{c1, c2, "--outcome", "rejected", "--reason", "r", "--reviewer", "bob"}, exitUsage, "takes one CASE argument"},
	}
	logBefore, _ := os.ReadFile(log)
	ledBefore, _ := os.ReadFile(led)
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := decide(append(tt.args, "--state", state)...)
			if code != tt.code || out != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, tt.code)
			}
			if tt.code == exitFailure {
				wantOneLineErr(t, errs, tt.err)
			} else if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q lacks %q", errs, tt.err)
			}
			if b, _ := os.ReadFile(log); !bytes.Equal(b, logBefore) {
				t.Error("the decisions log changed")
			}
			if b, _ := os.ReadFile(led); !bytes.Equal(b, ledBefore) {
				t.Error("the ledger changed")
			}
		})
	}

	// Superseding the latest decision closes the case.
	out, errs, code = decide(c1, "--outcome", "confirmed", "--reason", "Confirmed with the other landlord", "--reviewer", "bob", "--supersedes", first, "--state", state)
	m = decisionIDPattern.FindStringSubmatch(out)
	if code != exitOK || m == nil || m[3] != review.OutcomeConfirmed || m[4] != "2" {
		t.Fatalf("superseding decision = %d, %q, stderr %q", code, out, errs)
	}
	second := m[1]
	entries = ledgerEntries(t, led)
	if len(entries) != 2 || entries[1].Actor != "bob" || !strings.Contains(string(entries[1].Data), `"supersedes":"`+first+`"`) {
		t.Errorf("ledger after the second decision: %+v", entries)
	}

	// A different reviewer rejects the second case, with --queue and
	// --ledger given instead of --state.
	if _, errs, code := decide(c2, "--outcome", "rejected", "--reason", "different people", "--reviewer", "carol",
		"--state", t.TempDir(), "--queue", queue, "--ledger", led); code != exitOK {
		t.Fatalf("decision with --queue and --ledger = %d, %q", code, errs)
	}
	if n := len(ledgerEntries(t, led)); n != 3 {
		t.Errorf("ledger holds %d entries, want 3", n)
	}

	// Status is derived from the decisions.
	for status, want := range map[string][]string{
		"closed":                 {c1, c2},
		"open":                   {cases[2].ID},
		"confirmed":              {c1},
		"rejected":               {c2},
		"pending":                {cases[2].ID},
		"needs-more-information": nil,
	} {
		out, _, _ := datamatch(t, "review", "list", "--state", state, "--status", status)
		if got := listedIDs(out); !slices.Equal(got, want) {
			t.Errorf("list --status %s = %q, want %q", status, got, want)
		}
	}

	// History lists the decisions, oldest first.
	out, errs, code = datamatch(t, "review", "history", c1, "--state", state)
	if code != exitOK {
		t.Fatalf("history = %d, %q", code, errs)
	}
	i, j := strings.Index(out, first), strings.Index(out, second)
	if !strings.HasPrefix(out, "Case "+c1+" (confirmed)") || i < 0 || j < i || !strings.Contains(out, "superseding "+first) ||
		!strings.Contains(out, "alice") || !strings.Contains(out, "bob") {
		t.Errorf("history:\n%s", out)
	}
	out, _, code = datamatch(t, "review", "history", cases[2].ID, "--state", state)
	if code != exitOK || !strings.Contains(out, "(pending)") || !strings.Contains(out, "(none") {
		t.Errorf("history of an undecided case = %d:\n%s", code, out)
	}
	for _, args := range [][]string{{"C-000000000000"}, {c1, "--queue", filepath.Join(t.TempDir(), "q.jsonl")}} {
		_, errs, code := datamatch(t, append([]string{"review", "history", "--state", state}, args...)...)
		if code != exitFailure {
			t.Errorf("history %q = %d, want %d", args, code, exitFailure)
		}
		wantOneLineErr(t, errs, "")
	}
	if _, _, code := datamatch(t, "review", "history", "--state", state); code != exitUsage {
		t.Errorf("history without a case = %d, want %d", code, exitUsage)
	}
}

func TestReviewDecideRefusesBrokenLedger(t *testing.T) {
	state, cases := reviewState(t)
	led := filepath.Join(state, "ledger.jsonl")
	testLedger(t, led, 1)
	f, err := os.OpenFile(led, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":2,"time":"2026`) // a torn write
	f.Close()

	_, errs, code := datamatch(t, "review", "decide", cases[0].ID, "--state", state, "--outcome", "rejected", "--reason", "r", "--reviewer", "alice")
	if code != exitFailure {
		t.Errorf("decide with a torn ledger = %d, want %d", code, exitFailure)
	}
	wantOneLineErr(t, errs, "audit verify")
	if d, _ := review.ReadDecisions(review.DecisionsPath(filepath.Join(state, "queue.jsonl"))); len(d) != 0 {
		t.Errorf("a decision was recorded that the ledger cannot hold: %+v", d)
	}
}

func TestReviewExport(t *testing.T) {
	state, cases := reviewState(t)
	if _, errs, code := datamatch(t, "review", "decide", cases[1].ID, "--state", state,
		"--outcome", "rejected", "--reason", "different dates of birth", "--reviewer", "=cmd|' /C calc'!A0"); code != exitOK {
		t.Fatalf("decide: %q", errs)
	}

	out, errs, code := datamatch(t, "review", "export", "--csv", "--state", state)
	if code != exitOK {
		t.Fatalf("export = %d, %q", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(cases) || !slices.Equal(rows[0], review.ExportColumns) {
		t.Fatalf("export has %d rows, header %q", len(rows), rows[0])
	}
	col := func(name string) int { return slices.Index(review.ExportColumns, name) }
	for i, c := range cases {
		r := rows[i+1]
		if r[col("case_id")] != c.ID || r[col("purpose")] != c.Purpose {
			t.Errorf("row %d = %q, want case %s", i+1, r, c.ID)
		}
	}
	if r := rows[2]; r[col("status")] != "rejected" || r[col("reviewer")] != "'=cmd|' /C calc'!A0" {
		t.Errorf("decided row = %q", r)
	}
	if r := rows[1]; r[col("status")] != "pending" || r[col("reviewer")] != "" {
		t.Errorf("pending row = %q", r)
	}
	for _, c := range cases {
		if strings.Contains(out, c.Left.Ref) || strings.Contains(out, c.Right.Ref) {
			t.Error("the export carries record refs")
		}
	}

	// To a file: atomic, private, the same content.
	path := filepath.Join(t.TempDir(), "cases.csv")
	stdout, errs, code := datamatch(t, "review", "export", "--out", path, "--csv", "--state", state)
	if code != exitOK || stdout != "" {
		t.Fatalf("export --out = %d, stdout %q, stderr %q", code, stdout, errs)
	}
	if b, _ := os.ReadFile(path); string(b) != out {
		t.Errorf("the file differs from standard output:\n%s", b)
	}
	if p := perm(t, path); p != 0o600 {
		t.Errorf("export file mode %04o, want 0600", p)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(left) != 1 {
		t.Errorf("files left beside the export: %q", left)
	}

	// Filtered as review list filters: the pending dual tenancies alone.
	out, errs, code = datamatch(t, "review", "export", "--csv", "--state", state, "--status", "pending", "--rule", "dual_tenancy")
	if code != exitOK {
		t.Fatalf("export --status --rule = %d, %q", code, errs)
	}
	if rows, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || len(rows) != 2 || rows[1][col("case_id")] != cases[0].ID {
		t.Errorf("export of the pending dual tenancies (%v):\n%s", err, out)
	}

	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--state", state}, exitUsage, "--csv"},
		{[]string{"--csv", "--state", state, "--status", "done"}, exitUsage, "--status must be one of"},
		{[]string{"--csv", "--state", state, "extra"}, exitUsage, "takes no arguments"},
		{[]string{"--csv", "--state", t.TempDir()}, exitFailure, "no review queue"},
		{[]string{"--csv", "--state", state, "--out", filepath.Join(t.TempDir(), "no", "such", "dir.csv")}, exitFailure, "export"},
	}
	for _, tt := range tests {
		_, errs, code := datamatch(t, append([]string{"review", "export"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.err) {
			t.Errorf("export %q = %d, %q; want %d, %q", tt.args, code, errs, tt.code, tt.err)
		}
		if code == exitFailure {
			wantOneLineErr(t, errs, tt.err)
		}
	}
}

func TestReviewShowRefusals(t *testing.T) {
	state, cases := reviewState(t)
	dir := t.TempDir()
	identity := filepath.Join(dir, "reviewer.age")
	if _, errs, code := datamatch(t, "keys", "new-reviewer", "--out", identity); code != exitOK {
		t.Fatal(errs)
	}
	shared := filepath.Join(dir, "shared.age")
	if _, errs, code := datamatch(t, "keys", "new-reviewer", "--out", shared); code != exitOK {
		t.Fatal(errs)
	}
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	notVault := filepath.Join(dir, "vault.age")
	if err := os.WriteFile(notVault, []byte("record_id,forename\n1,Alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no identity", []string{cases[0].ID}, exitUsage, "--identity FILE is required"},
		{"no case", []string{"--identity", identity}, exitUsage, "takes one CASE argument"},
		{"unknown case", []string{"C-000000000000", "--identity", identity}, exitFailure, "no such case"},
		{"no vault", []string{cases[0].ID, "--identity", identity}, exitFailure, "vault"},
		{"identity readable by others", []string{cases[0].ID, "--identity", shared, "--vault", notVault}, exitFailure, "group or others"},
		{"not a vault", []string{cases[0].ID, "--identity", identity, "--vault", notVault}, exitFailure, "not an age-encrypted file"},
		{"missing identity file", []string{cases[0].ID, "--identity", filepath.Join(dir, "none.age"), "--vault", notVault}, exitFailure, "identity file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := datamatch(t, append([]string{"review", "show", "--state", state}, tt.args...)...)
			if code != tt.code || out != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, out, tt.code)
			}
			if tt.code == exitFailure {
				wantOneLineErr(t, errs, tt.err)
			} else if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q lacks %q", errs, tt.err)
			}
			if strings.Contains(errs, "Alice") {
				t.Error("the error quotes the file's contents")
			}
			if _, err := os.Stat(filepath.Join(state, "ledger.jsonl")); !os.IsNotExist(err) {
				t.Error("a vault opening was entered in the ledger although nothing was shown")
			}
		})
	}
}

func TestClearFields(t *testing.T) {
	// Built from person.Record's fields directly, so that a change of the
	// canonical schema shows here.
	var got = clearFields(&testPeople()[0].Record)
	want := map[string]string{
		"record_id": "T-1001", "forename": "Ada", "surname": "Quint", "dob": "1961-07-14",
		"ni_number": "QQ123456C", "address": "12 Lark Rise", "postcode": "SK1 3AB",
		"tenancy_ref": "TEN-77", "tenancy_start": "2019-04-01", "balance": "£1,234.50",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("clearFields = %v\nwant %v", got, want)
	}
}

// testPeople returns the vault entries of the records behind the first
// two of testCases.
func testPeople() []vault.Entry {
	cs := testCases()
	return []vault.Entry{
		{Dataset: "tenancies", Ref: cs[0].Left.Ref, Record: person.Record{
			RecordID: "T-1001", Forename: "Ada", Surname: "Quint", DOB: date.MustOf(1961, 7, 14), NINumber: "QQ123456C",
			Address: "12 Lark Rise", Postcode: "SK1 3AB", TenancyRef: "TEN-77", TenancyStart: date.MustOf(2019, 4, 1),
			Balance: money.Pence(123450), Ethnicity: "Declared-Ethnicity-Value",
		}},
		{Dataset: "other_landlord", Ref: cs[0].Right.Ref, Record: person.Record{
			RecordID: "OL-2002", Forename: "Ada", MiddleNames: "Beryl", Surname: "Quint", DOB: date.MustOf(1961, 7, 14),
			Address: "Flat 3, 9 Heron Court", Postcode: "M14 6QT", Phone: "07700 900123", TenancyStart: date.MustOf(2021, 1, 11),
			Religion: "Declared-Religion-Value",
		}},
		{Dataset: "tenancies", Ref: cs[1].Left.Ref, Record: person.Record{
			RecordID: "T-1002", Forename: "Bartholomew", Surname: "Oyelaran", DOB: date.MustOf(1975, 2, 3), Postcode: "SK2 7XY",
		}},
		{Dataset: "other_landlord", Ref: cs[1].Right.Ref, Record: person.Record{
			RecordID: "OL-2003", Forename: "Bartholomew", Surname: "Oyelaran", DOB: date.MustOf(1975, 3, 2), Postcode: "OL9 8ZZ",
		}},
	}
}

// clearValues returns every clear value of people as it could appear in
// text: the string fields and the dates.
func clearValues(people []vault.Entry) []string {
	var out []string
	for _, p := range people {
		r := p.Record
		for _, s := range []string{r.Forename, r.MiddleNames, r.Surname, r.NINumber, r.Address, r.Postcode, r.Phone, r.Ethnicity, r.Religion} {
			if s != "" {
				out = append(out, s)
			}
		}
		out = append(out, r.DOB.String())
	}
	return out
}

func TestReviewEndToEnd(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}

	// A reviewer identity, and one the vault is not encrypted to.
	out, errs, code := exe(t, dir, "keys", "new-reviewer", "--out", "reviewer.age")
	if code != exitOK {
		t.Fatalf("keys new-reviewer = %d, %q", code, errs)
	}
	recipient := strings.TrimSpace(out)
	if _, errs, code := exe(t, dir, "keys", "new-reviewer", "--out", "stranger.age"); code != exitOK {
		t.Fatalf("keys new-reviewer = %d, %q", code, errs)
	}

	// The queue and the vault a run would leave.
	if _, err := review.Merge(context.Background(), filepath.Join(state, "queue.jsonl"), testCases()); err != nil {
		t.Fatal(err)
	}
	cases, err := review.ReadQueue(filepath.Join(state, "queue.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	people := testPeople()
	if err := writeTestVault(t, state, []string{recipient}, people); err != nil {
		t.Fatal(err)
	}
	c := cases[0].ID

	out, errs, code = exe(t, dir, "review", "list")
	if code != exitOK || !slices.Equal(listedIDs(out), []string{cases[0].ID, cases[1].ID, cases[2].ID}) {
		t.Fatalf("review list = %d, %q\n%s", code, errs, out)
	}

	// Show: the case's two records in clear, and only those.
	out, errs, code = exe(t, dir, "review", "show", c, "--identity", "reviewer.age", "--reviewer", "alice")
	if code != exitOK {
		t.Fatalf("review show = %d, %q", code, errs)
	}
	for _, v := range []string{"Ada", "Quint", "1961-07-14", "QQ123456C", "12 Lark Rise", "SK1 3AB",
		"Beryl", "Flat 3, 9 Heron Court", "M14 6QT", "07700 900123", "£1,234.50", "T-1001", "OL-2002", c, "surname", "+6.25"} {
		if !strings.Contains(out, v) {
			t.Errorf("review show does not show %q", v)
		}
	}
	for _, v := range append(clearValues(people[2:]), "Declared-Ethnicity-Value", "Declared-Religion-Value") {
		if strings.Contains(out, v) {
			t.Errorf("review show shows %q, which is not a field of the case's records a reviewer needs", v)
		}
	}
	entries := ledgerEntries(t, filepath.Join(state, "ledger.jsonl"))
	if len(entries) != 1 {
		t.Fatalf("ledger after review show holds %d entries, want 1", len(entries))
	}
	var opening struct {
		CaseID string           `json:"case_id"`
		Left   review.RecordRef `json:"left"`
		Right  review.RecordRef `json:"right"`
	}
	if err := json.Unmarshal(entries[0].Data, &opening); err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Kind != ledger.KindVaultOpen || e.Actor != "alice" || e.RunID != reviewRunID ||
		opening.CaseID != c || opening.Left != cases[0].Left || opening.Right != cases[0].Right {
		t.Errorf("vault opening entry %+v", e)
	}

	// Without --reviewer the opening is entered under $USER.
	t.Setenv("USER", "dora")
	if _, errs, code := exe(t, dir, "review", "show", c, "--identity", "reviewer.age"); code != exitOK {
		t.Fatalf("review show as $USER = %d, %q", code, errs)
	}
	entries = ledgerEntries(t, filepath.Join(state, "ledger.jsonl"))
	if len(entries) != 2 || entries[1].Actor != "dora" {
		t.Errorf("ledger after a second review show: %+v", entries)
	}

	// A wrong identity opens nothing and enters nothing.
	out, errs, code = exe(t, dir, "review", "show", c, "--identity", "stranger.age")
	if code != exitFailure || out != "" {
		t.Errorf("review show with a wrong identity = %d, stdout %q", code, out)
	}
	wantOneLineErr(t, errs, "no identity in stranger.age matches")
	if n := len(ledgerEntries(t, filepath.Join(state, "ledger.jsonl"))); n != 2 {
		t.Errorf("ledger holds %d entries after a failed opening, want 2", n)
	}

	// Decide, be refused without --supersedes, supersede.
	out, errs, code = exe(t, dir, "review", "decide", c, "--outcome", "needs-more-information", "--reason", "ask the other landlord", "--reviewer", "alice")
	m := decisionIDPattern.FindStringSubmatch(out)
	if code != exitOK || m == nil {
		t.Fatalf("review decide = %d, %q, %q", code, out, errs)
	}
	first := m[1]
	out, errs, code = exe(t, dir, "review", "decide", c, "--outcome", "confirmed", "--reason", "confirmed by phone", "--reviewer", "bob")
	if code != exitFailure || out != "" {
		t.Errorf("a second decision without --supersedes = %d, %q", code, out)
	}
	wantOneLineErr(t, errs, first)
	out, errs, code = exe(t, dir, "review", "decide", c, "--outcome", "confirmed", "--reason", "confirmed by phone", "--reviewer", "bob", "--supersedes", first)
	if code != exitOK || !strings.Contains(out, "confirmed") {
		t.Fatalf("review decide --supersedes = %d, %q, %q", code, out, errs)
	}

	out, errs, code = exe(t, dir, "review", "export", "--csv")
	if code != exitOK {
		t.Fatalf("review export = %d, %q", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	col := func(name string) int { return slices.Index(review.ExportColumns, name) }
	if err != nil || len(rows) != 4 || rows[1][0] != c || rows[1][col("status")] != review.OutcomeConfirmed || rows[1][col("reviewer")] != "bob" ||
		!strings.HasPrefix(rows[1][col("latest_decision")], "D-") {
		t.Errorf("review export (%v):\n%s", err, out)
	}

	// The ledger holds two openings and two decisions, and no clear value.
	ledgerPath := filepath.Join(state, "ledger.jsonl")
	b, err := os.ReadFile(ledgerPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range clearValues(people) {
		if bytes.Contains(b, []byte(v)) {
			t.Errorf("the ledger holds the clear value %q", v)
		}
	}
	out, errs, code = exe(t, dir, "audit", "verify")
	if code != exitOK || !strings.Contains(out, "OK, 4 entries") || !strings.Contains(out, "OK, 2 decisions, each as the ledger records it") {
		t.Fatalf("audit verify = %d, %q, %q", code, out, errs)
	}

	// An outcome changed in the decisions log disagrees with the ledger.
	logPath := review.DecisionsPath(filepath.Join(state, "queue.jsonl"))
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(logged, []byte(`"outcome":"confirmed"`), []byte(`"outcome":"rejected"`), 1)
	if bytes.Equal(forged, logged) {
		t.Fatal("no confirmed decision in the log")
	}
	if err := os.WriteFile(logPath, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = exe(t, dir, "audit", "verify")
	if code != exitFailure || !strings.Contains(out, "DISAGREES with the ledger on 1 decisions") || !strings.Contains(out, `outcome is "rejected" in the decisions log, "confirmed" in the ledger`) {
		t.Errorf("audit verify of a forged outcome = %d, %q", code, out)
	}
	wantOneLineErr(t, errs, "1 decisions disagree with the ledger")
	out, errs, code = exe(t, dir, "review", "enter")
	if code != exitFailure || out != "" {
		t.Errorf("review enter over a forged log = %d, %q", code, out)
	}
	wantOneLineErr(t, errs, "disagree")
	if err := os.WriteFile(logPath, logged, 0o600); err != nil {
		t.Fatal(err)
	}

	// A decision in the log whose ledger entry failed: audit verify names
	// it, and review enter enters it, once.
	if out, errs, code := exe(t, dir, "review", "enter"); code != exitOK || !strings.Contains(out, "nothing to enter") {
		t.Errorf("review enter with every decision entered = %d, %q, %q", code, out, errs)
	}
	queue, err := review.ReadQueue(filepath.Join(state, "queue.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	unentered, err := review.Decide(context.Background(), logPath, queue, review.Decision{CaseID: rows[2][0], Outcome: review.OutcomeRejected, Reason: "different people", Reviewer: "cy"})
	if err != nil {
		t.Fatal(err)
	}
	out, _, code = exe(t, dir, "audit", "verify")
	if code != exitFailure || !strings.Contains(out, unentered.DecisionID+": in the decisions log but never entered") || !strings.Contains(out, "'datamatch review enter'") {
		t.Errorf("audit verify with a decision never entered = %d, %q", code, out)
	}
	out, errs, code = exe(t, dir, "review", "enter", "--dry-run")
	if code != exitOK || !strings.Contains(out, "would enter decision "+unentered.DecisionID) {
		t.Errorf("review enter --dry-run = %d, %q, %q", code, out, errs)
	}
	out, errs, code = exe(t, dir, "review", "enter")
	if code != exitOK || !strings.Contains(out, "entered decision "+unentered.DecisionID+" on case "+rows[2][0]+": rejected, by cy") {
		t.Errorf("review enter = %d, %q, %q", code, out, errs)
	}
	if out, errs, code := exe(t, dir, "audit", "verify"); code != exitOK || !strings.Contains(out, "OK, 3 decisions") {
		t.Errorf("audit verify after review enter = %d, %q, %q", code, out, errs)
	}
	if out, _, code := exe(t, dir, "review", "enter"); code != exitOK || !strings.Contains(out, "nothing to enter") {
		t.Errorf("review enter again = %d, %q", code, out)
	}

	flipByte(t, ledgerPath, 2)
	out, errs, code = exe(t, dir, "audit", "verify")
	if code != exitFailure || !strings.Contains(out, "BROKEN") {
		t.Errorf("audit verify of an altered ledger = %d, %q", code, out)
	}
	wantOneLineErr(t, errs, "line 2 (seq 2)")
}

func TestReviewShowVault(t *testing.T) {
	state, cases := reviewState(t)
	identity := filepath.Join(t.TempDir(), "reviewer.age")
	out, errs, code := datamatch(t, "keys", "new-reviewer", "--out", identity)
	if code != exitOK {
		t.Fatal(errs)
	}
	people := testPeople()
	if err := writeTestVault(t, state, []string{strings.TrimSpace(out)}, people); err != nil {
		t.Fatal(err)
	}
	led := filepath.Join(state, "ledger.jsonl")
	show := func(c string) (string, string, int) {
		return datamatch(t, "review", "show", c, "--state", state, "--identity", identity, "--reviewer", "erin")
	}

	// The second case: its own records, not the first case's.
	out, errs, code = show(cases[1].ID)
	if code != exitOK || errs != "" {
		t.Fatalf("review show = %d, stderr %q", code, errs)
	}
	for _, v := range []string{"Bartholomew", "Oyelaran", "1975-02-03", "1975-03-02", "SK2 7XY", "OL9 8ZZ", "(pending)", "Decisions"} {
		if !strings.Contains(out, v) {
			t.Errorf("review show does not show %q", v)
		}
	}
	for _, v := range clearValues(people[:2]) {
		if strings.Contains(out, v) {
			t.Errorf("review show of another case shows %q", v)
		}
	}

	// A case whose records are not in the vault: refs only, said so.
	out, errs, code = show(cases[2].ID)
	if code != exitOK || !strings.Contains(out, cases[2].Left.Ref) || strings.Count(errs, "is not in the vault") != 2 {
		t.Errorf("review show without vault records = %d, stderr %q\n%s", code, errs, out)
	}
	entries := ledgerEntries(t, led)
	if len(entries) != 2 || !strings.Contains(string(entries[0].Data), `"records_shown":2`) || !strings.Contains(string(entries[1].Data), `"records_shown":0`) {
		t.Errorf("ledger: %+v", entries)
	}

	// A ledger that cannot take the opening: nothing is shown.
	f, err := os.OpenFile(led, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":3,`)
	f.Close()
	before, _ := os.ReadFile(led)
	out, errs, code = show(cases[0].ID)
	if code != exitFailure || out != "" {
		t.Errorf("review show with a torn ledger = %d, stdout %q", code, out)
	}
	wantOneLineErr(t, errs, "audit verify")
	if after, _ := os.ReadFile(led); !bytes.Equal(before, after) {
		t.Error("the ledger changed")
	}
}

// writeTestVault writes people to the vault a run with id reviewRunID leaves
// in the state folder.
func writeTestVault(t *testing.T, state string, recipients []string, people []vault.Entry) error {
	t.Helper()
	dir := filepath.Join(state, pipeline.VaultDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return vault.Write(filepath.Join(dir, reviewRunID+".age"), recipients, people)
}
