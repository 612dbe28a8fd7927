package minimise

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

const examples = "../../testdata/exercises"

func d(y int, m time.Month, day int) date.Date { return date.MustOf(y, m, day) }

// vault is a Reidentifier over a map.
type vault map[detect.Ref]person.Record

func (v vault) Clear(dataset, recordID string) (person.Record, bool) {
	r, ok := v[detect.Ref{Dataset: dataset, RecordID: recordID}]
	return r, ok
}

// world is synthetic data that makes every rule of an exercise find a case.
type world struct {
	links []*detect.Linkage
	clear vault
}

// newWorld builds, for each dataset of e by role, records and matches that
// make each rule find exactly one case.
func newWorld(e *exercise.Exercise) world {
	w := world{clear: vault{}}
	byRole := map[person.Role][]*detect.Dataset{}
	for _, ds := range e.Datasets {
		dd := &detect.Dataset{Name: ds.Name, Role: ds.Role}
		switch ds.Role {
		case person.RoleTenancy:
			dd.Records = []pseudo.Record{
				{RecordID: "T0", TenancyRef: "R0", TenancyRole: "lead", TenancyStart: d(2020, 1, 1)},
				{RecordID: "T1", TenancyRef: "R1", TenancyRole: "lead", TenancyStart: d(2018, 4, 1), TenancyEnd: d(2025, 6, 30), Balance: 123456},
				{RecordID: "T2", TenancyRef: "R2", TenancyRole: "lead", TenancyStart: d(2024, 1, 1)},
			}
		case person.RoleOtherLandlord:
			dd.Records = []pseudo.Record{{RecordID: "O0", TenancyRef: "X9", TenancyStart: d(2025, 1, 1)}}
		case person.RoleDeceased:
			dd.Records = []pseudo.Record{{RecordID: "D0", DateOfDeath: d(2025, 1, 1)}}
		case person.RoleUtilityClosed:
			dd.Records = []pseudo.Record{{RecordID: "U0", TenancyEnd: d(2025, 7, 15)}}
		}
		for _, r := range dd.Records {
			c := person.Record{RecordID: r.RecordID, Forename: "=cmd|' /C calc'!A0", Surname: "Smith-" + r.RecordID,
				MiddleNames: "Ann", DOB: d(1980, 2, 29), Address: "1 High Street, Stockport", Postcode: "SK1 3NQ",
				ForwardingAddress: "2 Low Road, Leeds", ForwardingPostcode: "LS1 1AA", Disability: "yes", Ethnicity: "declined",
				Conviction: "none"}
			if !ds.Encoded {
				w.clear[detect.Ref{Dataset: ds.Name, RecordID: r.RecordID}] = c
			}
		}
		byRole[ds.Role] = append(byRole[ds.Role], dd)
	}
	for _, ours := range byRole[person.RoleTenancy] {
		w.links = append(w.links, &detect.Linkage{Left: ours, Right: ours, Matches: []pair.Match{m(0, 2)}})
		for _, p := range byRole[person.RoleOtherLandlord] {
			w.links = append(w.links, &detect.Linkage{Left: ours, Right: p, Matches: []pair.Match{m(0, 0)}})
		}
		for _, p := range byRole[person.RoleDeceased] {
			w.links = append(w.links, &detect.Linkage{Left: p, Right: ours, Matches: []pair.Match{m(0, 0)}})
		}
		for _, p := range byRole[person.RoleUtilityClosed] {
			w.links = append(w.links, &detect.Linkage{Left: ours, Right: p, Matches: []pair.Match{m(1, 0)}})
		}
	}
	return w
}

func m(l, r int32) pair.Match {
	return pair.Match{Left: l, Right: r, Probability: 0.999, Weight: 14.25,
		Explanation: []pair.Contribution{{Field: "surname", Level: "exact", Weight: 9.5}, {Field: "dob", Level: "null", Weight: 0}, {Field: "postcode", Level: "different", Weight: -3.25}}}
}

// readColumns returns the column names, Arrow types and row count of an
// output file.
func readColumns(t *testing.T, path string) ([]string, []arrow.DataType, int) {
	t.Helper()
	switch filepath.Ext(path) {
	case ".csv":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs[0], nil, len(recs) - 1
	case ".parquet":
		tbl := readParquet(t, path)
		defer tbl.Release()
		var names []string
		var types []arrow.DataType
		for _, f := range tbl.Schema().Fields() {
			names = append(names, f.Name)
			types = append(types, f.Type)
		}
		return names, types, int(tbl.NumRows())
	}
	t.Fatalf("unknown output %s", path)
	return nil, nil, 0
}

func readParquet(t *testing.T, path string) arrow.Table {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestExampleOutputsHaveExactlyTheAllowedColumns(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(examples, "*.yaml"))
	if len(paths) < 2 {
		t.Fatalf("examples: %v", paths)
	}
	outputs := 0
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			e, err := exercise.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Validate(); err != nil {
				t.Fatal(err)
			}
			w := newWorld(e)
			today := d(2026, 3, 31)
			results, err := detect.Run(context.Background(), e, today, w.links)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			wr := &Writer{Dir: dir, Sources: Sources{Clear: w.clear, Refs: NewKeyedRefs([]byte("k"))}}
			for i := range e.Purposes {
				pur := &e.Purposes[i]
				written, err := wr.Write(context.Background(), pur, &results[i])
				if err != nil {
					t.Fatal(err)
				}
				if len(written) != len(pur.Outputs) {
					t.Fatalf("purpose %s: %d files written, want %d", pur.Name, len(written), len(pur.Outputs))
				}
				for j, o := range pur.Outputs {
					outputs++
					// A held output is not the recipient's: it carries each
					// row's case besides, which its release drops.
					path, want := filepath.Join(dir, o.File), o.Fields
					if o.Held() {
						path, want = filepath.Join(dir, HeldDir, o.File), HeldFields(o.Fields)
						if !written[j].Held || !slices.Equal(written[j].ReleaseFields, o.Fields) || written[j].Path != path {
							t.Errorf("%s: written %+v, want held for release with exactly %v", o.File, written[j], o.Fields)
						}
					}
					names, types, rows := readColumns(t, path)
					if !reflect.DeepEqual(names, want) {
						t.Errorf("%s: columns %v, want exactly %v", o.File, names, want)
					}
					if rows == 0 || rows != written[j].Rows {
						t.Errorf("%s: %d rows, written %d", o.File, rows, written[j].Rows)
					}
					for k, typ := range types {
						kind, _ := KindOf(names[k])
						if !arrow.TypeEqual(typ, kind.arrowType()) {
							t.Errorf("%s: column %s is %v, want %v", o.File, names[k], typ, kind.arrowType())
						}
					}
					st, err := os.Stat(path)
					if err != nil || st.Mode().Perm() != FileMode {
						t.Errorf("%s: mode %v, %v", o.File, st.Mode(), err)
					}
				}
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
	if outputs < 5 {
		t.Errorf("only %d outputs checked", outputs)
	}
}

func TestSpecialCategoryRefusedAtWriteTime(t *testing.T) {
	e, err := exercise.Load(filepath.Join(examples, "refused", "special-without-condition.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Validate() == nil {
		t.Fatal("Validate accepted special-category fields without a condition")
	}
	// Written anyway, as if Validate had been skipped.
	w := newWorld(e)
	results, err := detect.Run(context.Background(), e, d(2026, 3, 31), w.links)
	if err != nil {
		t.Fatal(err)
	}
	if len(results[0].Cases()) == 0 {
		t.Fatal("no case to write")
	}
	dir := t.TempDir()
	wr := &Writer{Dir: dir, Sources: Sources{Clear: w.clear, Refs: NewKeyedRefs([]byte("k"))}}
	_, err = wr.Write(context.Background(), &e.Purposes[0], &results[0])
	if err == nil {
		t.Fatal("Write wrote special-category data without an Art. 9 condition")
	}
	for _, want := range []string{"field ethnicity is special category data", "field conviction is criminal offence data"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestConditionRemovedAfterValidate(t *testing.T) {
	e, err := exercise.Load(filepath.Join(examples, "tenancy-fraud.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.Purpose("tenancy_fraud")
	p.SpecialCategoryCondition = " "
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), `"disability" is special category data`) {
		t.Fatalf("Validate = %v", err)
	}
	w := newWorld(e)
	results, err := detect.Run(context.Background(), e, d(2026, 3, 31), w.links)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wr := &Writer{Dir: dir, Sources: Sources{Clear: w.clear, Refs: NewKeyedRefs([]byte("k"))}}
	if _, err := wr.Write(context.Background(), p, &results[0]); err == nil || !strings.Contains(err.Error(), "field disability is special category data and the purpose has no Art. 9(2) condition") {
		t.Fatalf("Write = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestCheck(t *testing.T) {
	p := &exercise.Purpose{
		Name:                     "p",
		Fields:                   []string{"forename", "surname", "tenancy_start", "forwarding_address", "religion"},
		Detections:               []exercise.Detection{{Rule: exercise.ArrearsTracing}},
		SpecialCategoryCondition: "9(2)(g) Sch.1 para 8",
	}
	tests := []struct {
		name   string
		o      exercise.Output
		reason string // "" when allowed
	}{
		{"allowed", exercise.Output{Recipient: "recovery_team", File: "a.csv", Fields: []string{"case_id", "forename", "forwarding_address"}}, ""},
		{"special with a condition", exercise.Output{Recipient: "investigator", File: "a.csv", Fields: []string{"religion"}}, ""},
		{"not readable", exercise.Output{Recipient: "recovery_team", File: "a.csv", Fields: []string{"dob"}}, "field dob shows dob, which the purpose may not read"},
		{"unknown", exercise.Output{Recipient: "recovery_team", File: "a.csv", Fields: []string{"shoe_size"}}, "field shoe_size is not an output field"},
		{"utility provider", exercise.Output{Recipient: "utility_provider", File: "a.csv", Fields: []string{"forename", "forwarding_address"}}, "field forwarding_address is beyond what a utility_provider may receive"},
		{"statistics field", exercise.Output{Recipient: "x", File: "a.csv", Fields: []string{"count"}}, "field count belongs to statistics outputs only"},
		{"twice", exercise.Output{Recipient: "x", File: "a.csv", Fields: []string{"forename", "forename"}}, "field forename listed twice"},
		{"no fields", exercise.Output{Recipient: "x", File: "a.csv"}, "no fields"},
		{"bad format", exercise.Output{Recipient: "x", File: "a.xlsx", Fields: []string{"case_id"}}, "unknown format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(p, &tc.o)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Check = %v, want %q", err, tc.reason)
			}
		})
	}
	stats := &exercise.Purpose{Name: "s", Detections: []exercise.Detection{{Rule: exercise.Statistics}}}
	if err := Check(stats, &exercise.Output{File: "s.csv", Fields: []string{"rule", "forename"}}); err == nil || !strings.Contains(err.Error(), "field forename: a statistics output holds counts only") {
		t.Errorf("statistics Check = %v", err)
	}
}

// oneCase is a dual-tenancy case with known values.
func oneCase() (*exercise.Purpose, *detect.Result) {
	p := &exercise.Purpose{
		Name:       "fraud",
		Fields:     []string{"record_id", "forename", "surname", "dob", "tenancy_start", "tenancy_end", "balance"},
		Detections: []exercise.Detection{{Rule: exercise.DualTenancy}},
	}
	c := detect.Case{
		ID: "dual_tenancy-abc", Rule: exercise.DualTenancy, Probability: 0.9875, Weight: 12.5,
		Explanation: []pair.Contribution{{Field: "surname", Level: "exact", Weight: 9.5}, {Field: "postcode", Level: "different", Weight: -3.25}},
		Subject:     detect.Party{Ref: detect.Ref{Dataset: "tenancies", RecordID: "T0"}, TenancyStart: d(2020, 1, 1), Balance: -1200},
		Partner:     detect.Party{Ref: detect.Ref{Dataset: "other", RecordID: "O0"}, TenancyStart: d(2026, 3, 1)},
		Evidence: []detect.Fact{{Field: "tenancy_start", Date: d(2020, 1, 1)}, {Field: "tenancy_end"},
			{Field: "partner_tenancy_start", Date: d(2026, 3, 1)}, {Field: "partner_tenancy_end"}},
		OverlapDays: 31,
	}
	return p, &detect.Result{Purpose: "fraud", Findings: []detect.Findings{{Rule: exercise.DualTenancy, Cases: []detect.Case{c}}}}
}

func TestCellValues(t *testing.T) {
	p, r := oneCase()
	o := &exercise.Output{Recipient: "investigator", File: "x.csv", Fields: []string{
		"case_id", "match_probability", "match_weight", "explanation", "evidence", "overlap_days", "days_after_death",
		"subject_record_id", "forename", "dob", "tenancy_start", "tenancy_end", "balance", "subject_ref"}}
	clear := vault{{Dataset: "tenancies", RecordID: "T0"}: {Forename: "+44 7700 900123", DOB: d(1980, 2, 29)}}
	refs := NewKeyedRefs([]byte("key"))
	tab, err := Build(p, o, r, Sources{Clear: clear, Refs: refs})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"dual_tenancy-abc", "0.9875", "12.5",
		"surname:exact:+9.50; postcode:different:-3.25",
		"tenancy_start=2020-01-01; tenancy_end=none; partner_tenancy_start=2026-03-01; partner_tenancy_end=none; overlap_days=31",
		"31", "", "T0", "'+44 7700 900123", "1980-02-29", "2020-01-01", "", "-12.00", refs.Ref("tenancies", "T0"),
	}
	var buf bytes.Buffer
	if err := tab.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recs[0], o.Fields) {
		t.Errorf("header %v", recs[0])
	}
	if !reflect.DeepEqual(recs[1], want) {
		t.Errorf("row\n got %q\nwant %q", recs[1], want)
	}

	// The same cells in Parquet, typed.
	path := filepath.Join(t.TempDir(), "x.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteParquet(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tbl := readParquet(t, path)
	defer tbl.Release()
	col := func(name string) arrow.Array {
		idx := tbl.Schema().FieldIndices(name)
		return tbl.Column(idx[0]).Data().Chunk(0)
	}
	if v := col("match_probability").(*array.Float64).Value(0); v != 0.9875 {
		t.Errorf("match_probability %v", v)
	}
	if v := col("dob").(*array.Date32).Value(0); v != arrow.Date32(d(1980, 2, 29).Days()) {
		t.Errorf("dob %v", v)
	}
	if a := col("tenancy_end"); !a.IsNull(0) {
		t.Error("tenancy_end is not null")
	}
	if v := col("balance").(*array.Decimal128).Value(0); v != decimal128.FromI64(-1200) {
		t.Errorf("balance %v", v)
	}
	if a := col("days_after_death"); !a.IsNull(0) {
		t.Error("days_after_death is not null for a dual tenancy")
	}
	if v := col("overlap_days").(*array.Int64).Value(0); v != 31 {
		t.Errorf("overlap_days %v", v)
	}
	if v := col("forename").(*array.String).Value(0); v != "+44 7700 900123" {
		t.Errorf("forename in Parquet %q: the CSV guard belongs to CSV only", v)
	}
}

func TestBuildNeedsItsSources(t *testing.T) {
	p, r := oneCase()
	clearOut := &exercise.Output{File: "x.csv", Fields: []string{"forename"}}
	if _, err := Build(p, clearOut, r, Sources{}); err == nil {
		t.Error("Build filled a clear field with no Reidentifier")
	}
	if _, err := Build(p, clearOut, r, Sources{Clear: vault{}}); err == nil || !strings.Contains(err.Error(), "no clear record for dataset tenancies record T0") {
		t.Errorf("Build with an unknown record: %v", err)
	}
	if _, err := Build(p, &exercise.Output{File: "x.csv", Fields: []string{"subject_ref"}}, r, Sources{}); err == nil {
		t.Error("Build made a ref with no Pseudonymiser")
	}
	// Attributes and case fields need neither.
	tab, err := Build(p, &exercise.Output{File: "x.csv", Fields: []string{"case_id", "tenancy_start", "partner_tenancy_start"}}, r, Sources{})
	if err != nil || tab.Rows() != 1 {
		t.Fatalf("Build = %v", err)
	}
	if s, ok := tab.Text(0, 2); !ok || s != "2026-03-01" {
		t.Errorf("partner_tenancy_start %q", s)
	}
	if s, _ := tab.Text(0, 0); s != "dual_tenancy-abc" {
		t.Errorf("case_id %q, want the case's own ID", s)
	}
	// The review queue's case IDs, when wired.
	queueID := func(purpose string, c *detect.Case) string { return "C-" + purpose + "-" + c.Subject.RecordID }
	tab, err = Build(p, &exercise.Output{File: "x.csv", Fields: []string{"case_id"}}, r, Sources{CaseID: queueID})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := tab.Text(0, 0); s != "C-fraud-T0" {
		t.Errorf("case_id %q, want the queue's ID", s)
	}
}

func TestEvidenceNeedsReadableColumns(t *testing.T) {
	p, r := oneCase()
	p.Fields = []string{"tenancy_start"} // tenancy_end is not readable
	_, err := Build(p, &exercise.Output{File: "x.csv", Fields: []string{"evidence"}}, r, Sources{})
	if err == nil || !strings.Contains(err.Error(), "evidence tenancy_end shows tenancy_end, which the purpose may not read") {
		t.Fatalf("Build = %v", err)
	}
}

func TestStatisticsOutput(t *testing.T) {
	p := &exercise.Purpose{Name: "stats", Detections: []exercise.Detection{{Rule: exercise.Statistics}},
		Outputs: []exercise.Output{{Recipient: "performance_team", File: "s.parquet", Fields: []string{"count", "rule", "probability_band"}}}}
	tab := detect.Tabulate([]detect.Findings{{Rule: exercise.ArrearsTracing}})
	r := &detect.Result{Purpose: "stats", Table: &tab}
	dir := t.TempDir()
	written, err := (&Writer{Dir: dir}).Write(context.Background(), p, r)
	if err != nil {
		t.Fatal(err)
	}
	tbl := readParquet(t, written[0].Path)
	defer tbl.Release()
	if tbl.NumRows() != int64(len(tab.Cells)) || tbl.NumCols() != 3 {
		t.Fatalf("%d rows %d columns", tbl.NumRows(), tbl.NumCols())
	}
	counts := tbl.Column(0).Data().Chunk(0).(*array.String)
	rules := tbl.Column(1).Data().Chunk(0).(*array.String)
	for i := 0; i < counts.Len(); i++ {
		if counts.Value(i) != detect.Suppressed || rules.Value(i) != "arrears_tracing" {
			t.Errorf("row %d: %s %s", i, rules.Value(i), counts.Value(i))
		}
	}
	if _, err := Build(p, &p.Outputs[0], &detect.Result{}, Sources{}); err == nil {
		t.Error("Build wrote statistics without a table")
	}
}

func TestParquetIsDeterministic(t *testing.T) {
	p, r := oneCase()
	o := &exercise.Output{File: "x.parquet", Fields: []string{"case_id", "match_probability", "tenancy_start", "balance", "evidence"}}
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		tab, err := Build(p, o, r, Sources{})
		if err != nil {
			t.Fatal(err)
		}
		if err := tab.WriteParquet(buf); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
		t.Error("equal tables gave different Parquet files")
	}
}

func TestGuard(t *testing.T) {
	tests := map[string]string{
		"":              "",
		"Smith":         "Smith",
		"=1+2":          "'=1+2",
		"+441234":       "'+441234",
		"-2":            "'-2",
		"@SUM(A1)":      "'@SUM(A1)",
		"\tx":           "'\tx",
		"\rx":           "'\rx",
		"\nx":           "'\nx",
		"O'Brien":       "O'Brien",
		"'quoted":       "'quoted",
		" =not-leading": " =not-leading",
	}
	for in, want := range tests {
		if got := Guard(in); got != want {
			t.Errorf("Guard(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzGuard(f *testing.F) {
	for _, s := range []string{"", "=cmd", "+1", "-1", "@a", "\t", "plain", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if g != "" && strings.IndexByte("=+-@\t\r\n", g[0]) >= 0 {
			t.Fatalf("Guard(%q) = %q starts with a formula character", s, g)
		}
		if g != s && g != "'"+s {
			t.Fatalf("Guard(%q) = %q changed more than a leading apostrophe", s, g)
		}
		if g == s && s != "" && strings.IndexByte("=+-@\t\r\n", s[0]) >= 0 {
			t.Fatalf("Guard(%q) left it unguarded", s)
		}
	})
}

func TestKeyedRefs(t *testing.T) {
	a, b := NewKeyedRefs([]byte("one")), NewKeyedRefs([]byte("two"))
	r := a.Ref("tenancies", "T0")
	if len(r) != 32 || strings.Trim(r, "0123456789abcdef") != "" {
		t.Errorf("ref %q is not 32 hex digits", r)
	}
	if r != a.Ref("tenancies", "T0") {
		t.Error("refs are not stable")
	}
	if r == b.Ref("tenancies", "T0") || r == a.Ref("tenancies", "T1") || a.Ref("ab", "c") == a.Ref("a", "bc") {
		t.Error("distinct records or keys share a ref")
	}
}

func TestKindsCoverTheVocabulary(t *testing.T) {
	for _, f := range exercise.OutputFields {
		k, ok := KindOf(f.Name)
		if !ok {
			t.Errorf("no kind for %s", f.Name)
		}
		if col, ok := person.Lookup(f.Column); ok && col.Kind == person.Date && k != Date {
			t.Errorf("%s shows a date column but is %v", f.Name, k)
		}
	}
	if _, ok := KindOf("shoe_size"); ok {
		t.Error("KindOf knows an unknown field")
	}
	// Every case field has a value: an output of all of them builds.
	p, r := oneCase()
	p.Fields = nil
	for _, c := range person.Columns {
		p.Fields = append(p.Fields, c.Name)
	}
	p.SpecialCategoryCondition = "9(2)(g) Sch.1 para 6"
	p.CriminalOffenceCondition = "Sch.1 para 10"
	var all []string
	for _, f := range exercise.OutputFields {
		if f.Side != exercise.FromStatistics {
			all = append(all, f.Name)
		}
	}
	v := vault{{Dataset: "tenancies", RecordID: "T0"}: {Forename: "A"}, {Dataset: "other", RecordID: "O0"}: {Forename: "B"}}
	tab, err := Build(p, &exercise.Output{File: "all.csv", Fields: all}, r, Sources{Clear: v, Refs: NewKeyedRefs(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tab.Names(), all) {
		t.Errorf("columns %v", tab.Names())
	}
	if tab.Schema().NumFields() != len(all) {
		t.Error("schema width")
	}
}
