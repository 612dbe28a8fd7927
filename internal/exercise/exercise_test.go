package exercise

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/money"
)

const examples = "../../testdata/exercises"

// base is a valid config that the refusal tests change one thing in.
const base = `name: test
state_dir: state
output_dir: out
key_file: exercise.key
reviewers:
  - age198r8dcy52pjlmx428k3pcvnfeaw8qycj5adlg63mmvcz77upp48q8fc6l8
datasets:
  - name: tenancies
    role: tenancy
    path: data/tenancies.parquet
  - name: other
    role: other_landlord
    path: data/other.parquet
  - name: utility
    role: utility_closed
    path: data/utility.parquet
matching:
  threshold: 0.9
purposes:
  - name: fraud
    description: dual tenancy
    lawful_basis: public_task
    lawful_basis_reference: Prevention of Social Housing Fraud Act 2013
    dpia_reference: DPIA-1
    datasets: [tenancies, other]
    fields: [record_id, forename, surname, tenancy_start, tenancy_end]
    detections:
      - rule: dual_tenancy
        thresholds:
          min_probability: 0.9
    retention: P1Y
    significant_effect: true
    outputs:
      - recipient: investigator
        file: fraud.csv
        fields: [case_id, forename, surname, tenancy_start]
  - name: arrears
    description: arrears tracing
    lawful_basis: legitimate_interests
    legitimate_interests_assessment: LIA-1
    dpia_reference: DPIA-2
    datasets: [tenancies, utility]
    fields: [forename, surname, tenancy_start, tenancy_end, balance, forwarding_address]
    detections:
      - rule: arrears_tracing
        thresholds:
          min_arrears: "£500.00"
    retention: P6M
    significant_effect: true
    outputs:
      - recipient: recovery_team
        file: recovery.csv
        fields: [case_id, forename, surname, balance, forwarding_address]
      - recipient: utility_provider
        file: utility.csv
        fields: [forename, surname, tenancy_start]
`

// lineOf returns the 1-based line of the first line of text containing s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("no line contains %q", s)
	return 0
}

func parseValid(t *testing.T, text string) *Exercise {
	t.Helper()
	e, err := Parse([]byte(text), t.TempDir())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return e
}

func TestBaseIsValid(t *testing.T) {
	e := parseValid(t, base)
	if err := e.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestExamplesValidate(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(examples, "*.yaml"))
	if err != nil || len(paths) < 2 {
		t.Fatalf("examples: %v %v", paths, err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			e, err := Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Validate(); err != nil {
				t.Fatalf("Validate:\n%v", err)
			}
			if _, err := e.Sources(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLoadTenancyFraudExample(t *testing.T) {
	e, err := Load(filepath.Join(examples, "tenancy-fraud.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := date.MustOf(2026, time.March, 31); e.Today != want || e.RunDate() != want {
		t.Errorf("today = %v, want %v", e.Today, want)
	}
	abs, _ := filepath.Abs(examples)
	if e.Dir != abs {
		t.Errorf("Dir = %q, want %q", e.Dir, abs)
	}
	if got := e.Path("state"); got != filepath.Join(abs, "state") {
		t.Errorf("Path(state) = %q", got)
	}
	if got := e.Path("/etc/x.key"); got != "/etc/x.key" {
		t.Errorf("Path(abs) = %q", got)
	}
	ten, ok := e.Dataset("tenancies")
	if !ok {
		t.Fatal("no tenancies dataset")
	}
	m := ten.Mapping()
	wantFields := map[string]load.FieldMap{
		"dob":     {From: []string{"DATE_OF_BIRTH"}, Format: "DD/MM/YYYY"},
		"address": {From: []string{"ADDR1", "ADDR2", "TOWN"}},
		"balance": {From: []string{"RENT_BALANCE"}, Format: "pounds"},
		"surname": {From: []string{"LAST_NAME"}},
	}
	for k, want := range wantFields {
		if got := m.Fields[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("mapping %s = %+v, want %+v", k, got, want)
		}
	}
	dec, _ := e.Dataset("deceased")
	if fn := dec.Mapping().FullName; fn == nil || fn.From != "DECEASED_NAME" || fn.Order != load.SurnameFirst {
		t.Errorf("deceased full name = %+v", fn)
	}
	other, _ := e.Dataset("other_landlord")
	if m := other.Mapping(); m.Fields != nil || m.FullName != nil {
		t.Errorf("canonical dataset mapping = %+v, want the zero Mapping", m)
	}
	srcs, err := e.Sources()
	if err != nil {
		t.Fatal(err)
	}
	realDir, _ := filepath.EvalSymlinks(abs)
	if srcs[0].Name != "tenancies" || srcs[0].Path != filepath.Join(realDir, "data", "tenancies.parquet") || srcs[0].Role != "tenancy" {
		t.Errorf("source 0 = %+v", srcs[0])
	}
	arrears, ok := e.Purpose("arrears_recovery")
	if !ok {
		t.Fatal("no arrears_recovery purpose")
	}
	th := arrears.Detections[0].Thresholds
	if th.MinArrears != money.Pence(50000) || !th.Has(MinArrears) || !th.ClosedAfterEnd || th.MinProbability != 0.97 || th.Has(OverlapDays) {
		t.Errorf("arrears thresholds = %+v", th)
	}
	if arrears.Retention != (Period{Months: 6}) {
		t.Errorf("retention = %+v", arrears.Retention)
	}
	stats, _ := e.Purpose("performance_statistics")
	if !stats.IsStatistics() || stats.Outputs[0].FileFormat() != CSV {
		t.Errorf("statistics purpose: %v %v", stats.IsStatistics(), stats.Outputs[0].FileFormat())
	}
}

func TestRefusedExample(t *testing.T) {
	e, err := Load(filepath.Join(examples, "refused", "special-without-condition.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	err = e.Validate()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Validate = %v, want Problems", err)
	}
	text := err.Error()
	for _, want := range []string{
		`purpose "tenancy_fraud": fields: "ethnicity" is special category data; special_category_condition`,
		`purpose "tenancy_fraud": fields: "conviction" is criminal offence data; criminal_offence_condition`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(ps[0].String(), filepath.Join(examples, "refused", "special-without-condition.yaml")+":") {
		t.Errorf("problem %q does not start with the file name", ps[0])
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // text replaced in base
		want     string // a substring of one problem
		at       string // a substring of the line the problem points at; "" to skip
	}{
		{"lawful basis missing", "    lawful_basis: public_task\n", "", `purpose "fraud": lawful_basis: missing`, ""},
		{"lawful basis unknown", "lawful_basis: public_task", "lawful_basis: vital_interest", `purpose "fraud": lawful_basis: unknown basis "vital_interest"`, "vital_interest"},
		{"legitimate interests without assessment", "    legitimate_interests_assessment: LIA-1\n", "", `purpose "arrears": legitimate_interests_assessment: missing`, "lawful_basis: legitimate_interests"},
		{"public task without reference", "    lawful_basis_reference: Prevention of Social Housing Fraud Act 2013\n", "", `purpose "fraud": lawful_basis_reference: missing`, "lawful_basis: public_task"},
		{"special category without condition", "fields: [record_id, forename, surname, tenancy_start, tenancy_end]", "fields: [record_id, forename, surname, tenancy_start, tenancy_end, religion]", `purpose "fraud": fields: "religion" is special category data`, "religion"},
		{"criminal offence without condition", "fields: [record_id, forename, surname, tenancy_start, tenancy_end]", "fields: [record_id, forename, surname, tenancy_start, tenancy_end, conviction]", `purpose "fraud": fields: "conviction" is criminal offence data; criminal_offence_condition`, "conviction"},
		{"condition without an article 9 point", "    dpia_reference: DPIA-1\n", "    dpia_reference: DPIA-1\n    special_category_condition: we are careful\n", `purpose "fraud": special_category_condition: name the Art. 9(2) point`, "we are careful"},
		{"9(2)(g) without schedule 1", "    dpia_reference: DPIA-1\n", "    dpia_reference: DPIA-1\n    special_category_condition: 9(2)(g) substantial public interest\n", `Art. 9(2)(g) also needs its DPA 2018 Schedule 1 condition`, "9(2)(g)"},
		{"criminal condition without schedule 1", "    dpia_reference: DPIA-1\n", "    dpia_reference: DPIA-1\n    criminal_offence_condition: Art. 10\n", `criminal_offence_condition: name the DPA 2018 Schedule 1 condition`, "Art. 10"},
		{"output field not readable", "fields: [case_id, forename, surname, tenancy_start]", "fields: [case_id, forename, surname, tenancy_start, dob]", `purpose "fraud": output "fraud.csv": field "dob" shows dob, which the purpose's fields do not allow`, ""},
		{"output field unknown", "fields: [case_id, forename, surname, tenancy_start]", "fields: [case_id, forename, surname, tenancy_start, shoe_size]", `output "fraud.csv": field "shoe_size" is not a known output field`, ""},
		{"output field listed twice", "fields: [case_id, forename, surname, tenancy_start]", "fields: [case_id, forename, surname, forename]", `output "fraud.csv": field "forename" listed twice`, ""},
		{"detection role not usable", "datasets: [tenancies, other]", "datasets: [tenancies, utility]", `purpose "fraud": detection dual_tenancy: needs a dataset of role other_landlord, and the purpose may use none`, "rule: dual_tenancy"},
		{"dataset not declared", "datasets: [tenancies, other]", "datasets: [tenancies, other, deceased]", `purpose "fraud": datasets: "deceased" is not declared under datasets`, "datasets: [tenancies, other, deceased]"},
		{"legal effect without significant effect", "    retention: P1Y\n    significant_effect: true\n", "    retention: P1Y\n    significant_effect: false\n", `purpose "fraud": detection dual_tenancy: its cases can lead to possession or debt recovery; the purpose must declare significant_effect: true`, "rule: dual_tenancy"},
		{"retention missing", "    retention: P1Y\n", "", `purpose "fraud": retention: missing or zero`, ""},
		{"retention zero", "    retention: P1Y\n", "    retention: P0D\n", `purpose "fraud": retention: missing or zero`, ""},
		{"dpia missing", "    dpia_reference: DPIA-1\n", "", `purpose "fraud": dpia_reference: missing`, ""},
		{"description missing", "    description: dual tenancy\n", "", `purpose "fraud": description: missing`, ""},
		{"threshold for another rule", "          min_probability: 0.9\n", "          min_probability: 0.9\n          min_arrears: \"£1.00\"\n", `detection dual_tenancy: threshold min_arrears does not apply`, "min_arrears"},
		{"required threshold missing", "        thresholds:\n          min_arrears: \"£500.00\"\n", "", `purpose "arrears": detection arrears_tracing: threshold min_arrears: missing`, ""},
		{"probability out of range", "min_probability: 0.9", "min_probability: 1.5", `threshold min_probability: want a probability from 0 to 1`, "min_probability: 1.5"},
		{"zero arrears", `min_arrears: "£500.00"`, `min_arrears: "0"`, `threshold min_arrears: want an amount above £0.00`, "min_arrears"},
		{"overlap below one", "min_probability: 0.9", "overlap_days: 0", `threshold overlap_days: want at least 1 day`, "overlap_days: 0"},
		{"detection reads a field the purpose may not", "fields: [record_id, forename, surname, tenancy_start, tenancy_end]", "fields: [record_id, forename, surname, tenancy_start]", `detection dual_tenancy: reads tenancy_end, which the purpose's fields do not allow`, ""},
		{"unknown rule", "rule: dual_tenancy", "rule: dual_tenancies", `detection "dual_tenancies": unknown rule`, "dual_tenancies"},
		{"utility provider beyond name and start date", "fields: [forename, surname, tenancy_start]", "fields: [forename, surname, tenancy_start, forwarding_address]", `output "utility.csv": field "forwarding_address": a utility_provider receives only forename, middle_names, surname, tenancy_start`, ""},
		{"output file with a directory", "file: fraud.csv", "file: ../fraud.csv", `output "../fraud.csv": file: want a plain file name`, "../fraud.csv"},
		{"output format and extension disagree", "file: fraud.csv", "file: fraud.csv\n        format: parquet", `file: a parquet file's name must end in .parquet`, "file: fraud.csv"},
		{"output format unknown", "file: fraud.csv", "file: fraud.xlsx", `format: missing, and the file name does not end in .parquet or .csv`, ""},
		{"output file written twice", "file: recovery.csv", "file: fraud.csv", `output "fraud.csv": file already written by purpose "fraud"`, ""},
		{"absolute dataset path", "path: data/tenancies.parquet", "path: /etc/passwd", `dataset "tenancies": path: must be relative`, "/etc/passwd"},
		{"dataset path climbing out", "path: data/tenancies.parquet", "path: data/../../x.parquet", `dataset "tenancies": path: climbs out`, "data/../../x.parquet"},
		{"dataset role unknown", "role: utility_closed", "role: gas_board", `dataset "utility": role: unknown role "gas_board"`, "gas_board"},
		{"dataset declared twice", "name: utility\n", "name: other\n", `dataset "other": declared twice`, ""},
		{"unknown canonical column", "    path: data/other.parquet\n", "    path: data/other.parquet\n    columns:\n      shoe_size: SHOE\n", `dataset "other": columns: "shoe_size" is not a canonical column`, "shoe_size"},
		{"unknown date format", "    path: data/other.parquet\n", "    path: data/other.parquet\n    columns:\n      dob: {from: DOB, format: DD/MM/YY}\n", `dataset "other": columns: dob: unknown date format "DD/MM/YY"`, "DD/MM/YY"},
		{"format on a text column", "    path: data/other.parquet\n", "    path: data/other.parquet\n    columns:\n      surname: {from: SN, format: upper}\n", `columns: surname: a text column takes no format`, "SN"},
		{"full name and surname both", "    path: data/other.parquet\n", "    path: data/other.parquet\n    full_name: {from: NAME, order: forename_first}\n    columns:\n      surname: SN\n", `columns: surname is also filled by full_name`, ""},
		{"full name order unknown", "    path: data/other.parquet\n", "    path: data/other.parquet\n    full_name: {from: NAME, order: backwards}\n", `full_name: order: want forename_first or surname_first`, "backwards"},
		{"matching threshold", "threshold: 0.9", "threshold: 1", `matching: threshold: want a match probability above 0 and below 1`, "threshold: 1"},
		{"reviewer not an age recipient", "  - age198r8dcy52pjlmx428k3pcvnfeaw8qycj5adlg63mmvcz77upp48q8fc6l8", "  - ssh-ed25519 AAAA", `reviewers[0]: not an age X25519 recipient`, "ssh-ed25519"},
		{"no reviewer with significant effect", "reviewers:\n  - age198r8dcy52pjlmx428k3pcvnfeaw8qycj5adlg63mmvcz77upp48q8fc6l8\n", "", `reviewers: missing`, ""},
		{"key file missing", "key_file: exercise.key\n", "", "key_file: missing", ""},
		{"output dir is the state dir", "output_dir: out", "output_dir: state", "output_dir: must differ from state_dir", "output_dir: state"},
		{"purpose declared twice", "  - name: arrears\n", "  - name: fraud\n", `purpose "fraud": declared twice`, ""},
		{"statistics field in a case output", "fields: [case_id, forename, surname, tenancy_start]", "fields: [case_id, count]", `field "count" belongs to statistics outputs only`, ""},
		{"release unknown", "file: fraud.csv", "file: fraud.csv\n        release: on_approval", `output "fraud.csv": release: unknown "on_approval"; on_run or on_confirmation`, "on_approval"},
		{"release on confirmation without a reviewer", "    retention: P1Y\n    significant_effect: true\n    outputs:\n      - recipient: investigator\n        file: fraud.csv",
			"    retention: P1Y\n    significant_effect: false\n    outputs:\n      - recipient: investigator\n        file: fraud.csv\n        release: on_confirmation",
			`output "fraud.csv": release: on_confirmation needs a purpose whose cases a reviewer decides`, "on_confirmation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("base lacks %q", tc.old)
			}
			text := strings.Replace(base, tc.old, tc.new, 1)
			e := parseValid(t, text)
			err := e.Validate()
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("Validate = %v, want Problems", err)
			}
			var found *Problem
			for i := range ps {
				if strings.Contains(ps[i].Msg, tc.want) {
					found = &ps[i]
				}
			}
			if found == nil {
				t.Fatalf("no problem contains %q:\n%v", tc.want, err)
			}
			if tc.at != "" {
				if want := lineOf(t, text, tc.at); found.Line != want {
					t.Errorf("problem at line %d, want %d: %v", found.Line, want, found)
				}
			}
		})
	}
}

func TestStatisticsMayBeWithoutSignificantEffect(t *testing.T) {
	text := base + `  - name: stats
    description: counts
    lawful_basis: public_task
    lawful_basis_reference: Housing and Regeneration Act 2008
    dpia_reference: DPIA-3
    datasets: [tenancies, other]
    detections:
      - rule: statistics
        thresholds: {min_probability: 0.5}
    retention: P2Y
    significant_effect: false
    outputs:
      - recipient: performance_team
        file: stats.parquet
        fields: [rule, probability_band, count]
`
	e := parseValid(t, text)
	if err := e.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	bad := strings.Replace(text, "fields: [rule, probability_band, count]", "fields: [rule, count, forename]", 1)
	bad = strings.Replace(bad, "      - rule: statistics\n", "      - rule: statistics\n      - rule: dual_tenancy\n", 1)
	err := parseValid(t, bad).Validate()
	if err == nil {
		t.Fatal("Validate accepted a statistics output with a person field")
	}
	for _, want := range []string{
		`output "stats.parquet": field "forename": a statistics output holds counts only`,
		`purpose "stats": detection dual_tenancy: a purpose that runs statistics outputs counts only`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems lack %q:\n%v", want, err)
		}
	}
}

func TestEncodedPartnerHasNoClearValues(t *testing.T) {
	text := strings.Replace(base, "    path: data/other.parquet\n", "    path: data/other.parquet\n    encoded: true\n", 1)
	text = strings.Replace(text, "fields: [case_id, forename, surname, tenancy_start]", "fields: [case_id, forename, partner_surname, partner_tenancy_start]", 1)
	err := parseValid(t, text).Validate()
	if err == nil || !strings.Contains(err.Error(), `field "partner_surname": partner dataset "other" is partner-encoded`) {
		t.Fatalf("Validate = %v", err)
	}
	if strings.Contains(err.Error(), "partner_tenancy_start") || strings.Contains(err.Error(), `field "forename"`) {
		t.Errorf("attributes and our own fields were refused too:\n%v", err)
	}
}

func TestProblemsAreAllReported(t *testing.T) {
	text := strings.Replace(base, "    lawful_basis: public_task\n", "", 1)
	text = strings.Replace(text, "    retention: P6M\n", "", 1)
	text = strings.Replace(text, "datasets: [tenancies, other]", "datasets: [tenancies, other, nowhere]", 1)
	err := parseValid(t, text).Validate()
	if err == nil {
		t.Fatal("Validate accepted three problems")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%v", len(lines), err)
	}
	ps := err.(Problems)
	for i := 1; i < len(ps); i++ {
		if ps[i].Line < ps[i-1].Line {
			t.Errorf("problems out of config order:\n%v", err)
		}
	}
}

func TestUnknownKeysAreErrorsWithLines(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"top level", "name: test\n", "name: test\ncolour: blue\n", "field colour not found"},
		{"purpose", "    dpia_reference: DPIA-1\n", "    dpia_reference: DPIA-1\n    lawfull_basis: consent\n", "field lawfull_basis not found"},
		{"output", "        file: fraud.csv\n", "        file: fraud.csv\n        columns: [a]\n", "field columns not found"},
		{"thresholds", "          min_probability: 0.9\n", "          min_probability: 0.9\n          max_probability: 1\n", `unknown threshold "max_probability"`},
		{"column mapping", "    path: data/other.parquet\n", "    path: data/other.parquet\n    columns:\n      dob: {from: DOB, layout: YYYYMMDD}\n", "field layout not found in a column mapping"},
		{"bad threshold value", "min_probability: 0.9", "min_probability: high", "threshold min_probability: want a probability"},
		{"bad money", `min_arrears: "£500.00"`, `min_arrears: "five hundred"`, "threshold min_arrears: want an amount"},
		{"bad retention", "retention: P1Y", "retention: 1 year", `period "1 year" does not start with P`},
		{"bad today", "name: test\n", "name: test\ntoday: 31/03/2026\n", "today: want a date as YYYY-MM-DD"},
		{"duplicate key", "name: test\n", "name: test\nname: again\n", `mapping key "name" already defined`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("base lacks %q", tc.old)
			}
			text := strings.Replace(base, tc.old, tc.new, 1)
			_, err := Parse([]byte(text), t.TempDir())
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
			// The new text's last line is where the problem is.
			newLines := strings.Split(strings.TrimSuffix(tc.new, "\n"), "\n")
			marker := newLines[len(newLines)-1]
			if want := "line " + strconv.Itoa(lineOf(t, text, marker)); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		})
	}
}

func TestParseRefusesOddDocuments(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "- a\n- b\n", "name: a\n---\nname: b\n", "name: [\n"} {
		if _, err := Parse([]byte(text), t.TempDir()); err == nil {
			t.Errorf("Parse(%q) accepted it", text)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("Load = %v", err)
	}
}

func TestResolveInside(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "data"), 0o755))
	must(os.WriteFile(filepath.Join(root, "data", "t.parquet"), nil, 0o644))
	must(os.WriteFile(filepath.Join(outside, "secret.parquet"), nil, 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.parquet"), filepath.Join(root, "data", "escape.parquet")))
	must(os.Symlink(outside, filepath.Join(root, "outdir")))
	must(os.Symlink("t.parquet", filepath.Join(root, "data", "alias.parquet")))
	must(os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "dangling.parquet")))
	realRoot, _ := filepath.EvalSymlinks(root)

	tests := []struct {
		rel  string
		want string // "" when refused
	}{
		{"data/t.parquet", filepath.Join(realRoot, "data", "t.parquet")},
		{"./data/../data/t.parquet", filepath.Join(realRoot, "data", "t.parquet")},
		{"data/alias.parquet", filepath.Join(realRoot, "data", "t.parquet")},
		{"data/new/file.parquet", filepath.Join(realRoot, "data", "new", "file.parquet")},
		{"data/escape.parquet", ""},
		{"outdir/secret.parquet", ""},
		{"outdir/not-yet.parquet", ""},
		{"dangling.parquet", ""},
		{"../x.parquet", ""},
		{"data/../../x.parquet", ""},
		{"..", ""},
		{".", ""},
		{"", ""},
		{filepath.Join(root, "data", "t.parquet"), ""},
	}
	for _, tc := range tests {
		got, err := resolveInside(root, tc.rel)
		if tc.want == "" {
			if err == nil {
				t.Errorf("resolveInside(%q) = %q, want refusal", tc.rel, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("resolveInside(%q) = %q, %v; want %q", tc.rel, got, err, tc.want)
		}
	}
}

func FuzzResolveInside(f *testing.F) {
	root := f.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "data"), 0o755); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"data/t.parquet", "../x", "a/../../b", "/etc/passwd", ".", "data/./x/../y", "...", "..data"} {
		f.Add(s)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		got, err := resolveInside(root, rel)
		if err != nil {
			return
		}
		r, err := filepath.Rel(realRoot, got)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, "../") || filepath.IsAbs(r) {
			t.Fatalf("resolveInside(%q) = %q, outside %q", rel, got, realRoot)
		}
	})
}

func TestLawfulBasisArticle(t *testing.T) {
	want := map[LawfulBasis]string{
		Consent: "6(1)(a)", Contract: "6(1)(b)", LegalObligation: "6(1)(c)",
		VitalInterests: "6(1)(d)", PublicTask: "6(1)(e)", LegitimateInterests: "6(1)(f)",
		"public_interest": "",
	}
	for b, a := range want {
		if got := b.Article(); got != a {
			t.Errorf("%s.Article() = %q, want %q", b, got, a)
		}
		if b.Valid() != (a != "") {
			t.Errorf("%s.Valid() = %v", b, b.Valid())
		}
	}
}

func TestThresholdsSet(t *testing.T) {
	var th Thresholds
	if err := th.Set(MinArrears, money.Pence(100)); err != nil || th.MinArrears != 100 || !th.Has(MinArrears) {
		t.Errorf("Set min_arrears: %v %+v", err, th)
	}
	if err := th.Set(OverlapDays, 1.5); err == nil {
		t.Error("Set accepted a float for overlap_days")
	}
	if err := th.Set("max_probability", 1.0); err == nil {
		t.Error("Set accepted an unknown key")
	}
	if th.Has(OverlapDays) {
		t.Error("a refused Set marked the key as set")
	}
}

func TestOutputVocabulary(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range OutputFields {
		if seen[f.Name] {
			t.Errorf("output field %s listed twice", f.Name)
		}
		seen[f.Name] = true
		if _, ok := f.Category(); f.Column != "" && !ok {
			t.Errorf("output field %s shows unknown column %s", f.Name, f.Column)
		}
	}
	for _, name := range []string{"forename", "ethnicity", "forwarding_address", "partner_dob"} {
		f, _ := LookupOutputField(name)
		if !f.Clear() {
			t.Errorf("%s is not clear", name)
		}
	}
	for _, name := range []string{"tenancy_start", "balance", "subject_record_id", "case_id", "account_closed"} {
		f, _ := LookupOutputField(name)
		if f.Clear() {
			t.Errorf("%s is clear", name)
		}
	}
	for _, s := range ruleSpecs {
		if s.Rule != Statistics && !s.LegalEffect {
			t.Errorf("%s has no legal effect", s.Rule)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	if data, err := os.ReadFile(filepath.Join(examples, "tenancy-fraud.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("name: x\ndatasets:\n  - name: a\n    columns:\n      dob: {from: [A, B], format: YYYYMMDD}\n"))
	f.Add([]byte("purposes:\n  - detections:\n      - rule: arrears_tracing\n        thresholds: {min_arrears: '(£1,000.00)', closed_after_end: yes}\n"))
	f.Add([]byte("today: 2024-02-30\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data, dir)
		if err != nil {
			return
		}
		_ = e.Validate()
		for i := range e.Datasets {
			_ = e.Datasets[i].Mapping()
		}
	})
}
