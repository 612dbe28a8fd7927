package runrecord

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/golden"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

const (
	sumA = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	sumB = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
	sumC = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
)

var (
	started = time.Date(2026, 11, 22, 21, 14, 0, 0, time.UTC)
	ended   = started.Add(5*time.Minute + 32*time.Second)
)

// fixture returns a complete record of a successful run.
func fixture() *Record {
	fraud := Purpose{
		Name: "tenancy_fraud", LawfulBasis: "Article 6(1)(e) public task",
		LawfulBasisRef:     "Prevention of Social Housing Fraud Act 2013",
		Article10Condition: "DPA 2018 Sch 1 para 10", DPIARef: "DPIA-2026-07",
		RetentionPeriod: "6 years", RetentionUntil: date.MustOf(2032, 11, 22), SignificantEffect: true,
	}
	arrears := Purpose{
		Name: "arrears_trace", LawfulBasis: "Article 6(1)(f) legitimate interests",
		LawfulBasisRef: "Rent arrears recovery policy 4.2", LIARef: "LIA-2026-03",
		DPIARef: "DPIA-2026-08", RetentionPeriod: "2 years", RetentionUntil: date.MustOf(2028, 11, 22),
	}
	outcomes := []Outcome{
		{Purpose: "tenancy_fraud", CaseID: "C-1", Queued: true},
		{Purpose: "tenancy_fraud", CaseID: "C-2", Queued: true},
		{Purpose: "tenancy_fraud", CaseID: "C-3", Queued: true},
		{Purpose: "arrears_trace", CaseID: "C-4", Queued: true},
	}
	bands := DefaultBands()
	for _, p := range []float64{0.999, 0.995, 0.95, 0.6, 0.1, 0.2} {
		bands.Add(p, p > 0.9)
	}
	r := &Record{
		RunID: "20261122T211400Z-3f9a2c", Started: started,
		Operator: "jsmith", Host: "batch-01", Version: "0.4.0",
		ConfigPath: "configs/exercise.yaml", ConfigSHA256: sumA, KeyID: "key-2026-11",
		Purposes: []Purpose{fraud, arrears},
		Inputs: []Input{
			{Dataset: "tenancies", Role: person.RoleTenancy, Path: "in/tenancies.parquet", SHA256: sumB,
				RowsIn: 12000, Accepted: 11890, Quarantined: 100, Restricted: 7, Objected: 3,
				Problems: map[string]int64{"dob: not a date": 64, "postcode: not a UK postcode": 36, "ni_number: bad format": 12}},
			{Dataset: "deceased", Role: person.RoleDeceased, Path: "in/deceased.parquet", SHA256: sumC,
				RowsIn: 5000, Accepted: 5000},
		},
		Blocking:   compact(engineBlocking),
		Scoring:    compact(engineScoring),
		Bands:      bands,
		Detections: []Detection{{Name: "dual_tenancy", Purpose: "tenancy_fraud", Pairs: 2, Cases: 2}, {Name: "forwarding_trace", Purpose: "arrears_trace", Pairs: 1, Cases: 1}},
		Outputs: []Output{{Path: "out/review_cases.csv", Recipient: "Tenancy Fraud Team", Purpose: "tenancy_fraud",
			Fields: []string{"case_id", "rule", "match_probability"}, Rows: 3, SHA256: sumA}},
		Assessments: []Assessment{Assess(fraud, outcomes, 10), Assess(arrears, outcomes, 0)},
	}
	r.Finish(ended, nil)
	return r
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	r := fixture()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Read(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if got.Schema != SchemaVersion {
		t.Errorf("schema %d", got.Schema)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, r)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want only run.json", len(entries))
	}
	var raw map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	json.Unmarshal(b, &raw)
	for _, key := range []string{"run_id", "started", "ended", "status", "operator", "host", "datamatch_version",
		"config_path", "config_sha256", "key_id", "purposes", "inputs", "blocking", "scoring", "bands",
		"detections", "outputs", "automated_decision_assessment"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("run.json has no %q", key)
		}
	}
	if raw["started"] != "2026-11-22T21:14:00Z" {
		t.Errorf("started = %v, want RFC 3339 UTC", raw["started"])
	}
}

func TestReadRefuses(t *testing.T) {
	tests := []struct{ name, content string }{
		{"not json", "{"},
		{"other schema", `{"schema":2,"run_id":"x"}`},
		{"no schema", `{"run_id":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), FileName)
			os.WriteFile(p, []byte(tt.content), 0o600)
			if _, err := Read(p); err == nil || !strings.Contains(err.Error(), p) {
				t.Fatalf("Read = %v, want an error naming the file", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *Record)
		want string // part of the error; "" for valid
	}{
		{"complete", func(r *Record) {}, ""},
		{"failed with message", func(r *Record) {
			r.Finish(ended, errors.New("load in/tenancies.parquet: row 7, column dob: not a date"))
			r.Inputs[0].Accepted = 0
			r.Assessments = nil
		}, ""},
		{"bad run id", func(r *Record) { r.RunID = "run-1" }, "run id"},
		{"unknown status", func(r *Record) { r.Status = "done" }, "status"},
		{"failed without message", func(r *Record) { r.Status = StatusFailed }, "no error message"},
		{"succeeded with message", func(r *Record) { r.Error = "x" }, "has an error message"},
		{"ended before started", func(r *Record) { r.Ended = r.Started.Add(-time.Second) }, "out of order"},
		{"no operator", func(r *Record) { r.Operator = "" }, "operator"},
		{"bad config hash", func(r *Record) { r.ConfigSHA256 = "abc" }, "config"},
		{"purpose twice", func(r *Record) { r.Purposes[1].Name = r.Purposes[0].Name }, "declared twice"},
		{"no retention date", func(r *Record) { r.Purposes[0].RetentionUntil = date.Date{} }, "retention"},
		{"unassessed purpose", func(r *Record) { r.Assessments = r.Assessments[:1] }, "no automated-decision assessment"},
		{"assessment of unknown purpose", func(r *Record) { r.Assessments[0].Purpose = "x" }, "not a declared purpose"},
		{"rows unaccounted", func(r *Record) { r.Inputs[0].Accepted-- }, "12000 rows in"},
		{"unknown role", func(r *Record) { r.Inputs[0].Role = "landlord" }, "known role"},
		{"input without hash", func(r *Record) { r.Inputs[1].SHA256 = "" }, "SHA-256 is required"},
		{"blocking not an object", func(r *Record) { r.Blocking = json.RawMessage(`[1]`) }, "blocking"},
		{"band cases over pairs", func(r *Record) { r.Bands[0].Cases = r.Bands[0].Pairs + 1 }, "band"},
		{"detection of unknown purpose", func(r *Record) { r.Detections[0].Purpose = "x" }, "detection"},
		{"output without fields", func(r *Record) { r.Outputs[0].Fields = nil }, "output"},
		{"held output", func(r *Record) { r.Outputs[0].Held, r.Outputs[0].ReleaseFields = true, []string{"forename"} }, ""},
		{"held without its release fields", func(r *Record) { r.Outputs[0].Held = true }, "a held output, and it alone"},
		{"release fields of an output not held", func(r *Record) { r.Outputs[0].ReleaseFields = []string{"forename"} }, "a held output, and it alone"},
		{"released output in a run", func(r *Record) {
			r.Outputs[0].Released = &Released{RunID: r.RunID, Held: "x.csv", Cases: []string{"C-1"}}
		}, "the outputs of a release, and they alone"},
		{"release", func(r *Record) {
			r.Kind = KindRelease
			for i := range r.Outputs {
				r.Outputs[i].Released = &Released{RunID: "20261122T211400Z-3f9a2c", Held: "held/x.csv", Cases: []string{"C-1"}}
			}
		}, ""},
		{"release output without its source", func(r *Record) { r.Kind = KindRelease }, "the outputs of a release, and they alone"},
		{"release that only withdraws", func(r *Record) {
			r.Kind, r.Outputs = KindRelease, nil
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: r.Purposes[0].Name, File: "request.csv", Cases: []string{"C-1"}}}
		}, ""},
		{"withdrawal in a run", func(r *Record) {
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: r.Purposes[0].Name, File: "request.csv", Cases: []string{"C-1"}}}
		}, "only a release withdraws"},
		{"withdrawal of no case", func(r *Record) {
			r.Kind, r.Outputs = KindRelease, nil
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: r.Purposes[0].Name, File: "request.csv"}}
		}, "cases are required"},
		{"withdrawal naming a path", func(r *Record) {
			r.Kind, r.Outputs = KindRelease, nil
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: r.Purposes[0].Name, File: "../request.csv", Cases: []string{"C-1"}}}
		}, "a file name"},
		{"withdrawal for an undeclared purpose", func(r *Record) {
			r.Kind, r.Outputs = KindRelease, nil
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: "x", File: "request.csv", Cases: []string{"C-1"}}}
		}, "not declared"},
		{"unknown kind", func(r *Record) { r.Kind = "rerun" }, "kind"},
		{"run files", func(r *Record) {
			r.RunFiles = []RunFile{
				{Path: "out/quarantine-tenancies.parquet", Kind: FileQuarantine, Dataset: "tenancies", Rows: 100, SHA256: sumB},
				{Path: "out/data-quality.json", Kind: FileDataQuality, SHA256: sumC},
			}
		}, ""},
		{"run file of unknown kind", func(r *Record) {
			r.RunFiles = []RunFile{{Path: "out/x.parquet", Kind: "scratch", SHA256: sumB}}
		}, "kind"},
		{"quarantine list of no dataset", func(r *Record) {
			r.RunFiles = []RunFile{{Path: "out/q.parquet", Kind: FileQuarantine, SHA256: sumB}}
		}, "dataset"},
		{"run file without hash", func(r *Record) {
			r.RunFiles = []RunFile{{Path: "out/data-quality.json", Kind: FileDataQuality}}
		}, "SHA-256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture()
			tt.edit(r)
			err := r.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error mentioning %q", err, tt.want)
			}
			dir := t.TempDir()
			if r.Write(dir) == nil {
				t.Fatal("Write accepted an invalid record")
			}
			if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
				t.Error("Write of an invalid record left a file")
			}
		})
	}
}

func TestRetentionUntil(t *testing.T) {
	r := fixture()
	if got, want := r.RetentionUntil(), date.MustOf(2032, 11, 22); got != want {
		t.Errorf("RetentionUntil = %v, want the latest purpose's %v", got, want)
	}
	r.Purposes[1].RetentionUntil = date.MustOf(2040, 1, 1)
	if got, want := r.RetentionUntil(), date.MustOf(2040, 1, 1); got != want {
		t.Errorf("RetentionUntil = %v, want %v", got, want)
	}
	if got := (&Record{}).RetentionUntil(); !got.IsZero() {
		t.Errorf("RetentionUntil of a record with no purpose = %v, want the zero Date", got)
	}
}

func TestAssess(t *testing.T) {
	p := Purpose{Name: "fraud", SignificantEffect: true}
	tests := []struct {
		name                   string
		outcomes               []Outcome
		objections             int64
		auto, queued           int64
		statementHas, hasNoted []string
	}{
		{"nothing", nil, 0, 0, 0, []string{"no outcome was actioned", "No possible matches were placed", "No people were left out"}, nil},
		{"queued only", []Outcome{
			{Purpose: "fraud", Queued: true}, {Purpose: "fraud", Queued: true}, {Purpose: "other", Queued: true, Actioned: true},
		}, 1, 0, 2, []string{"2 possible matches were placed", "1 person was left out", "legal or similarly significant effect"}, nil},
		{"actioned after decision", []Outcome{
			{Purpose: "fraud", Queued: true, Actioned: true, DecisionID: "D-1"},
		}, 0, 0, 1, []string{"no outcome was actioned", "1 possible match was placed"}, nil},
		{"actioned without decision", []Outcome{
			{Purpose: "fraud", Actioned: true}, {Purpose: "fraud", Actioned: true}, {Purpose: "fraud", Queued: true, Actioned: true},
		}, 1234, 3, 1, []string{"3 outcomes were actioned without a recorded human decision", "must be reviewed", "1,234 people"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Assess(p, tt.outcomes, tt.objections)
			if a.DecidedAutomatically != tt.auto || a.CasesQueuedForReview != tt.queued || a.ObjectionsHonoured != tt.objections {
				t.Errorf("got auto %d queued %d objections %d", a.DecidedAutomatically, a.CasesQueuedForReview, a.ObjectionsHonoured)
			}
			if a.Purpose != "fraud" || !a.SignificantEffect {
				t.Errorf("purpose %q significant %v", a.Purpose, a.SignificantEffect)
			}
			for _, s := range tt.statementHas {
				if !strings.Contains(a.Statement, s) {
					t.Errorf("statement lacks %q:\n%s", s, a.Statement)
				}
			}
		})
	}
	if s := Assess(Purpose{Name: "x"}, nil, 0).Statement; !strings.Contains(s, "not used to take decisions") {
		t.Errorf("statement without significant effect: %s", s)
	}
}

func TestBands(t *testing.T) {
	tests := []struct {
		p    float64
		band int // index in DefaultBands, -1 for none
	}{
		{1, 0}, {0.995, 0}, {0.99, 0}, {0.9899, 1}, {0.9, 1}, {0.8999, 2}, {0.5, 2}, {0.4999, 3}, {0, 3},
		{-0.01, -1}, {1.01, -1}, {math.NaN(), -1}, {math.Inf(1), -1},
	}
	for _, tt := range tests {
		bs := DefaultBands()
		ok := bs.Add(tt.p, true)
		if ok != (tt.band >= 0) {
			t.Errorf("Add(%v) = %v", tt.p, ok)
		}
		for i, b := range bs {
			want := int64(0)
			if i == tt.band {
				want = 1
			}
			if b.Pairs != want || b.Cases != want {
				t.Errorf("Add(%v): band %s has %d pairs %d cases, want %d", tt.p, b.Name, b.Pairs, b.Cases, want)
			}
		}
	}
	bs := DefaultBands()
	bs.Add(0.95, false)
	if bs[1].Pairs != 1 || bs[1].Cases != 0 {
		t.Errorf("a pair that is not a case: %+v", bs[1])
	}
}

func TestNewID(t *testing.T) {
	a := NewID(time.Date(2026, 11, 22, 21, 14, 0, 0, time.FixedZone("X", 3600)))
	if !strings.HasPrefix(a, "20261122T201400Z-") || !idPattern.MatchString(a) {
		t.Errorf("NewID = %q", a)
	}
	later := NewID(time.Date(2026, 11, 22, 21, 14, 1, 0, time.UTC))
	if later <= a {
		t.Errorf("%q does not sort after %q", later, a)
	}
	seen := map[string]bool{}
	for range 50 {
		seen[NewID(started)] = true
	}
	if len(seen) < 45 {
		t.Errorf("only %d distinct ids in 50", len(seen))
	}
}

func TestHash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("abc"), 0o600)
	got, err := Hash(p)
	if err != nil || got != sumA { // FIPS 180-2 test vector
		t.Fatalf("Hash = %s, %v", got, err)
	}
	if _, err := Hash(p + "x"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Hash(missing) = %v", err)
	}
}

func TestPublish(t *testing.T) {
	dir := t.TempDir()
	lpath := filepath.Join(dir, "ledger.jsonl")
	r := fixture()
	e, err := r.Publish(context.Background(), dir, lpath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	sum := sha256.Sum256(b)
	var data struct {
		RecordSHA256 string           `json:"record_sha256"`
		Status       string           `json:"status"`
		Automated    map[string]int64 `json:"decided_automatically"`
		Queued       map[string]int64 `json:"cases_queued_for_review"`
		Inputs       []struct {
			Name   string `json:"name"`
			SHA256 string `json:"sha256"`
			Rows   int64  `json:"rows"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.RecordSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("ledger records run.json hash %s, file hashes to %x", data.RecordSHA256, sum)
	}
	if data.Status != StatusSucceeded || data.Queued["tenancy_fraud"] != 3 || data.Automated["tenancy_fraud"] != 0 {
		t.Errorf("summary %+v", data)
	}
	if len(data.Inputs) != 2 || data.Inputs[0].SHA256 != sumB || data.Inputs[0].Rows != 12000 {
		t.Errorf("inputs %+v", data.Inputs)
	}
	if e.Kind != ledger.KindRun || e.RunID != r.RunID || e.Actor != "jsmith" || e.Seq != 1 {
		t.Errorf("entry %+v", e)
	}
	if n, err := ledger.Verify(lpath); n != 1 || err != nil {
		t.Errorf("Verify = %d, %v", n, err)
	}
}

// The people of a run whose record must not mention them.
var people = []person.Record{
	{RecordID: "T-000123", Forename: "Siobhan", MiddleNames: "Aoife", Surname: "Quinlan-Marsh",
		DOB: date.MustOf(1984, 3, 17), NINumber: "QQ123456C", Address: "14 Larkspur Close, Hexham",
		Postcode: "NE46 3PX", UPRN: "100012345678", Phone: "07700900461", Email: "siobhan.qm@example.org",
		TenancyRef: "TEN-88812", TenancyStart: date.MustOf(2019, 4, 1), Balance: 123456},
	{RecordID: "D-55102", Forename: "Bartholomew", Surname: "Okonkwo-Reyes", DOB: date.MustOf(1950, 12, 2),
		Address: "Flat 3, 9 Quayside Mews, Berwick", Postcode: "TD15 1HE", DateOfDeath: date.MustOf(2025, 6, 30)},
}

// identifiers returns every clear identifier value of people, as text in
// the forms a report could show it.
func identifiers() []string {
	var out []string
	for _, p := range people {
		for _, c := range person.Columns {
			if c.Category != person.Identifier {
				continue
			}
			if v, ok := p.String(c.Name); ok && v != "" {
				out = append(out, v)
			}
			if d := p.DateField(c.Name); d != nil && !d.IsZero() {
				y, m, dd := d.Civil()
				out = append(out, d.String(), strconv.Itoa(y)+"/"+strconv.Itoa(int(m))+"/"+strconv.Itoa(dd))
			}
		}
	}
	return out
}

func TestCarriesNoClearIdentifier(t *testing.T) {
	r := fixture()
	// Build what a run over people would record: problem counts keyed by
	// column, the error of a failed parse of a person's value, counts.
	_, dobErr := date.Parse(date.UKSlash, people[0].DOB.String())
	_, balErr := money.Parse(people[0].Surname)
	r.Inputs[0].Problems = map[string]int64{}
	for _, err := range []error{dobErr, balErr} {
		if err == nil {
			t.Fatal("expected a parse error")
		}
		r.Inputs[0].Problems[err.Error()]++
	}
	r.Finish(ended, errors.Join(
		errors.New("load in/tenancies.parquet: row 7, column dob"), dobErr, balErr))
	r.Inputs[0].Accepted = int64(len(people))

	dir := t.TempDir()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	stored, _ := os.ReadFile(filepath.Join(dir, FileName))
	var rendered bytes.Buffer
	if err := r.Render(&rendered); err != nil {
		t.Fatal(err)
	}
	e, err := r.LedgerEntry(sumA)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"run.json": string(stored), "report": rendered.String(), "ledger entry": string(e.Data)} {
		low := strings.ToLower(text)
		for _, v := range identifiers() {
			if strings.Contains(low, strings.ToLower(v)) {
				t.Errorf("%s carries the identifier %q", name, v)
			}
		}
	}
	// The check itself must be able to fail.
	r.Error = "bad value " + people[1].Surname
	var leaky bytes.Buffer
	r.Render(&leaky)
	if !strings.Contains(leaky.String(), people[1].Surname) {
		t.Fatal("the identifier check cannot see the report")
	}
}

// engineBlocking and engineScoring are parameters as the pipeline records
// them: one linkage's blocking rules, and its threshold, counts and model
// (a field with a related class and a value-weighted level, one without).
const (
	engineBlocking = `{"tenancies-deceased":{"rules":[
		{"name":"ni","generated":1200,"new":1200,"reduction_ratio":0.99999,"skipped_blocks":0,"skipped_pairs":0},
		{"name":"names-lsh","generated":81234,"new":20311,"reduction_ratio":0.9998,"skipped_blocks":2,"skipped_pairs":13743}],
		"comparison_space":539088384,"candidates":21511,"reduction_ratio":0.99996}}`
	engineScoring = `{"tenancies-deceased":{"threshold":0.5,"pairs_compared":21511,"pairs_kept":642,"left":"tenancies","right":"deceased","unlinkable_left":1234,"unlinkable_right":56,"model":{"version":1,
		"fields":[
			{"name":"surname","levels":[{"name":"exact","m":0.9056,"u":0.005778,"r":0.03177},{"name":"else","m":0.0944,"u":0.994222,"r":0.96823},{"name":"null","m":0,"u":0}],"term_frequency":true,"related":true},
			{"name":"dob","levels":[{"name":"exact","m":0.96,"u":0.00002652},{"name":"else","m":0.04,"u":0.99997348},{"name":"null","m":0,"u":0}]}],
		"lambda":0.000001198,"comparison_space":539088384,"expected_matches":645.8,"iterations":112,"converged":true,
		"related":{"prior":1.807e-7,"expected":97.4},"notes":["field phone: level exact weighed against a match; set to no evidence"]}}}`
)

// compact returns s as compact JSON, as a record holds it after a write.
func compact(s string) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string
		edit func(r *Record)
	}{
		{"succeeded", func(r *Record) {}},
		{"release", func(r *Record) {
			r.Kind = KindRelease
			r.Inputs, r.Blocking, r.Scoring, r.Bands, r.Detections, r.RunFiles = nil, nil, nil, nil, nil, nil
			r.Outputs = r.Outputs[:1]
			r.Outputs[0].Released = &Released{RunID: "20261120T080000Z-0a1b2c", Held: "out/20261120T080000Z-0a1b2c/held/request.csv", Cases: []string{"C-00000007", "C-00000011"}}
			r.Withdrawals = []Withdrawal{{Recipient: "utility_provider", Purpose: r.Purposes[0].Name, File: "request.csv", Cases: []string{"C-00000003"}}}
		}},
		{"other_engine", func(r *Record) {
			// Parameters of a shape the report does not know (an older
			// run's, another engine's) are printed as JSON.
			r.Blocking = json.RawMessage(`{"rules":[{"rule":"surname_token & dob_year","pairs":18234},{"rule":"postcode","pairs":40211}]}`)
			r.Scoring = json.RawMessage(`{"lambda":0.00031,"threshold":0.9,"m":{"surname":{"exact":0.91}},"u":{"surname":{"exact":0.002}}}`)
		}},
		{"failed", func(r *Record) {
			r.Finish(started.Add(40*time.Second), errors.New("load in/deceased.parquet: row 4411, column date_of_death: not a date"))
			r.Blocking, r.Scoring, r.Bands, r.Detections, r.Outputs = nil, nil, nil, nil, nil
			r.Inputs = r.Inputs[:1]
			r.Assessments = []Assessment{Assess(r.Purposes[0], []Outcome{{Purpose: "tenancy_fraud", Actioned: true}}, 0)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture()
			tt.edit(r)
			var buf bytes.Buffer
			if err := r.Render(&buf); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "render_"+tt.name+".golden", buf.Bytes())
		})
	}
}

func FuzzRead(f *testing.F) {
	b, _ := json.Marshal(fixture())
	f.Add(b)
	f.Add([]byte(`{"schema":1}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		r, err := decode(content)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := r.Render(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(r)
		if err != nil {
			return // e.g. raw parameters that are not valid JSON
		}
		r2, err := decode(again)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatal("record changes on a second round trip")
		}
	})
}

func FuzzWrap(f *testing.F) {
	f.Add("In this run no outcome was actioned without a recorded human decision.", 20)
	f.Add("a  b\tc\nd", 3)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if width < 1 || width > 200 || !utf8.ValidString(text) {
			return
		}
		var b bytes.Buffer
		wrap(&b, "  ", text, width+2)
		out := b.String()
		if got, want := strings.Fields(out), strings.Fields(text); !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Fatalf("words changed: %q -> %q", want, got)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			body := strings.TrimPrefix(line, "  ")
			if n := utf8.RuneCountInString(body); n > width && strings.Contains(body, " ") {
				t.Fatalf("line of %d runes over width %d: %q", n, width, line)
			}
		}
	})
}
