// Package runrecord defines the run record: the account a datamatch run
// gives of itself, written as run.json in the run's output folder and
// summarised in the audit ledger.
//
// A run record says who ran what, when, under which configuration and key,
// for which purposes and on which lawful bases; which files went in and
// how every row was accounted for; how records were blocked and scored;
// how many pairs and cases each probability band and detection produced;
// which files came out, for whom and with which fields; and, per purpose,
// an assessment of automated decision-making.
//
// A run record holds counts, references and hashes only. It never holds a
// clear personal identifier; its error message, like every datamatch
// error, names files, rows and columns rather than values.
package runrecord

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/texttable"
)

// FileName is the name of the run record in a run's output folder.
const FileName = "run.json"

// SchemaVersion is the version of the run.json layout that this package
// writes and reads.
const SchemaVersion = 1

// Run statuses.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
)

// Record is the record of one run.
type Record struct {
	Schema   int       `json:"schema"`            // SchemaVersion; set by Write
	Kind     string    `json:"kind,omitempty"`    // KindRun or KindRelease
	RunID    string    `json:"run_id"`            // from NewID
	Started  time.Time `json:"started"`           // UTC
	Ended    time.Time `json:"ended"`             // UTC
	Status   string    `json:"status"`            // StatusSucceeded or StatusFailed
	Error    string    `json:"error,omitempty"`   // why a failed run failed; no personal data
	Operator string    `json:"operator"`          // the user who ran it
	Host     string    `json:"host"`              // the machine it ran on
	Version  string    `json:"datamatch_version"` // the datamatch build
	// ConfigPath and ConfigSHA256 identify the exercise configuration.
	ConfigPath   string `json:"config_path"`
	ConfigSHA256 string `json:"config_sha256"`
	// KeyID identifies the pseudonymisation key, never the key itself.
	KeyID    string    `json:"key_id"`
	Purposes []Purpose `json:"purposes"`
	Inputs   []Input   `json:"inputs"`
	// Blocking and Scoring are the engine's parameters as it reports them:
	// blocking rules with their pair counts; the model's m and u
	// probabilities, λ and the threshold. They must be JSON objects.
	Blocking   json.RawMessage `json:"blocking,omitempty"`
	Scoring    json.RawMessage `json:"scoring,omitempty"`
	Bands      []Band          `json:"bands"`
	Detections []Detection     `json:"detections"`
	Outputs    []Output        `json:"outputs"`
	// RunFiles lists the files the run wrote about its inputs rather than
	// for a purpose: each dataset's quarantine list and the data-quality
	// report. They are kept until the last purpose's retention ends.
	RunFiles []RunFile `json:"run_files"`
	// Assessments holds one automated-decision assessment per purpose.
	Assessments []Assessment `json:"automated_decision_assessment"`
	// Withdrawals, in a release's record, list the cases earlier releases
	// sent whose latest decision was no longer "confirmed" when this
	// release ran: their recipients must be told (Article 19).
	Withdrawals []Withdrawal `json:"withdrawals,omitempty"`
}

// Purpose is one purpose of the exercise and its legal footing, as the
// configuration declares it.
type Purpose struct {
	Name string `json:"name"` // e.g. "tenancy_fraud"
	// LawfulBasis is the UK GDPR Article 6 basis, e.g. "Article 6(1)(e)
	// public task"; LawfulBasisRef the statute or policy relied on.
	LawfulBasis    string `json:"lawful_basis"`
	LawfulBasisRef string `json:"lawful_basis_reference"`
	// LIARef references the legitimate-interests assessment, where the
	// basis is legitimate interests.
	LIARef string `json:"legitimate_interests_assessment,omitempty"`
	// Article9Condition and Article10Condition are the conditions relied
	// on for special category and criminal offence data, if any is used.
	Article9Condition  string `json:"article9_condition,omitempty"`
	Article10Condition string `json:"article10_condition,omitempty"`
	DPIARef            string `json:"dpia_reference"`
	// RetentionPeriod is the period as the configuration states it
	// ("6 years"); RetentionUntil the date this run's data must be gone by.
	RetentionPeriod string    `json:"retention_period"`
	RetentionUntil  date.Date `json:"retention_until"`
	// SignificantEffect says whether acting on a result can have a legal
	// or similarly significant effect on the person (UK GDPR Article 22).
	SignificantEffect bool `json:"significant_effect"`
}

// Input accounts for one input dataset. Every row read is exactly one of
// accepted, quarantined (failed validation), excluded because its
// processing is restricted, or excluded because the person objected.
type Input struct {
	Dataset     string      `json:"dataset"`
	Role        person.Role `json:"role"`
	Path        string      `json:"path"`
	SHA256      string      `json:"sha256"`
	RowsIn      int64       `json:"rows_in"`
	Accepted    int64       `json:"accepted"`
	Quarantined int64       `json:"quarantined"`
	Restricted  int64       `json:"excluded_restricted"`
	Objected    int64       `json:"excluded_objected"`
	// Problems counts data-quality problems by kind (e.g.
	// "dob: not a date"). A row may have several.
	Problems map[string]int64 `json:"problems,omitempty"`
}

// Band counts the pairs scored, and the cases raised, in one range of
// match probability: Min ≤ p < Max, or Min ≤ p ≤ 1 when Max is 1.
type Band struct {
	Name  string  `json:"band"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Pairs int64   `json:"pairs"`
	Cases int64   `json:"cases"`
}

// Detection counts the pairs and cases one detection produced.
type Detection struct {
	Name    string `json:"detection"` // e.g. "dual_tenancy"
	Purpose string `json:"purpose"`
	Pairs   int64  `json:"pairs"`
	Cases   int64  `json:"cases"`
}

// Output describes one file the run wrote for a recipient.
type Output struct {
	Path      string   `json:"path"`
	Recipient string   `json:"recipient"`
	Purpose   string   `json:"purpose"`
	Fields    []string `json:"fields"` // the columns it contains, in order
	Rows      int64    `json:"rows"`
	SHA256    string   `json:"sha256"`
	// Held marks an output a run held back for reviewers' confirmation:
	// the file is not the recipient's. Its rows carry their case ids, and
	// a release writes the rows of confirmed cases with exactly
	// ReleaseFields.
	Held          bool     `json:"held,omitempty"`
	ReleaseFields []string `json:"release_fields,omitempty"`
	// Released is set on the outputs of a release record: the held output
	// they were taken from and the cases released.
	Released *Released `json:"released,omitempty"`
}

// Released says where a released output's rows came from.
type Released struct {
	RunID string   `json:"run_id"` // the run that held them
	Held  string   `json:"held"`   // the held output's path
	Cases []string `json:"cases"`  // the case ids released, in file order
}

// Withdrawal names the cases a recipient was sent in an output and must be
// told are no longer confirmed.
type Withdrawal struct {
	Recipient string   `json:"recipient"`
	Purpose   string   `json:"purpose"`
	File      string   `json:"file"`  // the output's file name, as released
	Cases     []string `json:"cases"` // the case ids withdrawn
}

// Kinds of record.
const (
	// KindRun is a matching run's record (Record.Kind is empty).
	KindRun = ""
	// KindRelease is a release's record: the rows of confirmed cases
	// written for recipients from held outputs. It has no inputs, matching
	// or detections; its outputs are the files released.
	KindRelease = "release"
)

// Kinds of run file.
const (
	// FileQuarantine is a dataset's quarantine list: row numbers,
	// record_ids and reasons of the rows set aside.
	FileQuarantine = "quarantine"
	// FileDataQuality is the data-quality report: counts only.
	FileDataQuality = "data_quality"
)

// RunFile is a file a run wrote about its inputs.
type RunFile struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`              // FileQuarantine or FileDataQuality
	Dataset string `json:"dataset,omitempty"` // the dataset a quarantine list is of
	Rows    int64  `json:"rows,omitempty"`    // rows of a quarantine list
	SHA256  string `json:"sha256"`
}

// RetentionUntil returns the date by which the run's own files must be
// gone: the latest of its purposes' retention dates, or the zero Date if
// it has no purpose.
func (r *Record) RetentionUntil() date.Date {
	var until date.Date
	for _, p := range r.Purposes {
		if until.IsZero() || until.Before(p.RetentionUntil) {
			until = p.RetentionUntil
		}
	}
	return until
}

// Assessment is the automated-decision assessment for one purpose. Make it
// with Assess; its figures are derived from what the run did.
type Assessment struct {
	Purpose           string `json:"purpose"`
	SignificantEffect bool   `json:"significant_effect"`
	// DecidedAutomatically counts outcomes actioned without a recorded
	// human decision. datamatch actions nothing on a score alone, so it is
	// 0 unless something is wrong, and Render flags it if not.
	DecidedAutomatically int64 `json:"decided_automatically"`
	// CasesQueuedForReview counts the outcomes placed in the manual-review
	// queue.
	CasesQueuedForReview int64 `json:"cases_queued_for_review"`
	// ObjectionsHonoured counts the people left out of matching because
	// they objected to automated processing or their processing is
	// restricted.
	ObjectionsHonoured int64 `json:"objections_honoured"`
	// Statement explains the figures in plain English.
	Statement string `json:"statement"`
}

// Outcome is one detection result of a run, as the run disposed of it.
type Outcome struct {
	Purpose string
	CaseID  string
	// Queued reports that the outcome was placed in the review queue.
	Queued bool
	// Actioned reports that the outcome was released for action (put in an
	// output that a recipient acts on).
	Actioned bool
	// DecisionID is the recorded human decision the outcome was actioned
	// on, or "".
	DecisionID string
}

// Assess derives the automated-decision assessment for purpose p from the
// run's outcomes (those of other purposes are ignored) and the number of
// people excluded because they objected or their processing is restricted.
func Assess(p Purpose, outcomes []Outcome, objectionsHonoured int64) Assessment {
	a := Assessment{Purpose: p.Name, SignificantEffect: p.SignificantEffect, ObjectionsHonoured: objectionsHonoured}
	for _, o := range outcomes {
		if o.Purpose != p.Name {
			continue
		}
		if o.Queued {
			a.CasesQueuedForReview++
		}
		if o.Actioned && o.DecisionID == "" {
			a.DecidedAutomatically++
		}
	}
	a.Statement = statement(a)
	return a
}

// statement writes the plain-English paragraph of an assessment.
func statement(a Assessment) string {
	var b strings.Builder
	if a.SignificantEffect {
		fmt.Fprintf(&b, "Acting on a match for %s can have a legal or similarly significant effect on the person concerned, so no match is acted on by automated means alone. ", a.Purpose)
	} else {
		fmt.Fprintf(&b, "Matches for %s are not used to take decisions with a legal or similarly significant effect on anyone. ", a.Purpose)
	}
	if a.DecidedAutomatically == 0 {
		b.WriteString("In this run no outcome was actioned without a recorded human decision. ")
	} else {
		fmt.Fprintf(&b, "In this run %s actioned without a recorded human decision, which the safeguards do not allow; %s must be reviewed now. ",
			count(a.DecidedAutomatically, "outcome was", "outcomes were"), pick(a.DecidedAutomatically, "it", "they"))
	}
	fmt.Fprintf(&b, "%s placed in the manual-review queue, where a named reviewer must confirm or reject each one, giving a reason, before anything is done about it; nothing closes a case automatically. ",
		capitalise(count(a.CasesQueuedForReview, "possible match was", "possible matches were")))
	fmt.Fprintf(&b, "%s left out of matching because they had objected to automated processing or their processing was restricted.",
		capitalise(count(a.ObjectionsHonoured, "person was", "people were")))
	return b.String()
}

func count(n int64, one, many string) string {
	if n == 0 {
		return "no " + many
	}
	return fmt.Sprintf("%s %s", texttable.Thousands(n), pick(n, one, many))
}

func pick(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Bands is a set of probability bands, highest first.
type Bands []Band

// DefaultBands returns the bands datamatch reports by default: ≥ 0.99,
// 0.9–0.99, 0.5–0.9 and < 0.5, all with zero counts.
func DefaultBands() Bands {
	return Bands{
		{Name: "≥0.99", Min: 0.99, Max: 1},
		{Name: "0.9–0.99", Min: 0.9, Max: 0.99},
		{Name: "0.5–0.9", Min: 0.5, Max: 0.9},
		{Name: "<0.5", Min: 0, Max: 0.5},
	}
}

// Add counts one pair of match probability p, and one case if isCase, in
// the band p falls in. It reports false, counting nothing, if p is in no
// band.
func (bs Bands) Add(p float64, isCase bool) bool {
	for i := range bs {
		b := &bs[i]
		if p >= b.Min && (p < b.Max || b.Max == 1 && p == 1) {
			b.Pairs++
			if isCase {
				b.Cases++
			}
			return true
		}
	}
	return false
}

// NewID returns a new run id for a run started at t: the UTC time to the
// second and six random hex digits, e.g. "20261122T211400Z-3f9a2c". Ids
// sort in the order runs started.
func NewID(t time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

var (
	idPattern  = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$`)
	sumPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Hash returns the hex SHA-256 of the file at path.
func Hash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Finish records the end of the run at end: succeeded if err is nil, else
// failed with err's message. datamatch errors name files, rows and columns,
// never values, so the message carries no personal data.
func (r *Record) Finish(end time.Time, err error) {
	r.Ended = end.UTC()
	if err == nil {
		r.Status, r.Error = StatusSucceeded, ""
		return
	}
	r.Status, r.Error = StatusFailed, err.Error()
}

// Validate checks that r is complete and consistent: a well-formed run id,
// a known status with an error message exactly when failed, times in
// order, well-formed hashes, purposes named once and each assessed once,
// detections and outputs naming declared purposes, free-form parameters
// that are JSON objects, and, for a run that succeeded, inputs whose rows
// are all accounted for.
func (r *Record) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !idPattern.MatchString(r.RunID) {
		bad("run id %q is not of the form 20261122T211400Z-3f9a2c", r.RunID)
	}
	if r.Kind != KindRun && r.Kind != KindRelease {
		bad("kind %q is neither a run nor %q", r.Kind, KindRelease)
	}
	switch r.Status {
	case StatusSucceeded:
		if r.Error != "" {
			bad("a run that succeeded has an error message")
		}
	case StatusFailed:
		if r.Error == "" {
			bad("a failed run has no error message")
		}
	default:
		bad("status %q is neither %q nor %q", r.Status, StatusSucceeded, StatusFailed)
	}
	if r.Started.IsZero() || r.Ended.IsZero() || r.Ended.Before(r.Started) {
		bad("start and end times are missing or out of order")
	}
	if r.Operator == "" || r.Host == "" || r.Version == "" {
		bad("operator, host and version are required")
	}
	if r.ConfigPath == "" || !sumPattern.MatchString(r.ConfigSHA256) {
		bad("config path and SHA-256 are required")
	}
	purposes := map[string]bool{}
	for _, p := range r.Purposes {
		if p.Name == "" || purposes[p.Name] {
			bad("purpose %q is unnamed or declared twice", p.Name)
		}
		purposes[p.Name] = true
		if p.LawfulBasis == "" || p.DPIARef == "" || p.RetentionPeriod == "" || p.RetentionUntil.IsZero() {
			bad("purpose %s: lawful basis, DPIA reference and retention are required", p.Name)
		}
	}
	assessed := map[string]bool{}
	for _, a := range r.Assessments {
		if !purposes[a.Purpose] || assessed[a.Purpose] {
			bad("assessment for purpose %q: not a declared purpose, or assessed twice", a.Purpose)
		}
		assessed[a.Purpose] = true
		if a.DecidedAutomatically < 0 || a.CasesQueuedForReview < 0 || a.ObjectionsHonoured < 0 || a.Statement == "" {
			bad("assessment for purpose %s: negative count or no statement", a.Purpose)
		}
	}
	if r.Status == StatusSucceeded {
		for name := range purposes {
			if !assessed[name] {
				bad("purpose %s has no automated-decision assessment", name)
			}
		}
	}
	for _, in := range r.Inputs {
		if in.Dataset == "" || !in.Role.Valid() || in.Path == "" {
			bad("input %q: dataset name, a known role and path are required", in.Dataset)
		}
		if in.SHA256 != "" && !sumPattern.MatchString(in.SHA256) {
			bad("input %s: malformed SHA-256", in.Dataset)
		}
		if min(in.RowsIn, in.Accepted, in.Quarantined, in.Restricted, in.Objected) < 0 {
			bad("input %s: negative row count", in.Dataset)
		}
		if r.Status == StatusSucceeded {
			if !sumPattern.MatchString(in.SHA256) {
				bad("input %s: SHA-256 is required", in.Dataset)
			}
			if in.Accepted+in.Quarantined+in.Restricted+in.Objected != in.RowsIn {
				bad("input %s: %d rows in but %d accepted, %d quarantined, %d restricted and %d objected",
					in.Dataset, in.RowsIn, in.Accepted, in.Quarantined, in.Restricted, in.Objected)
			}
		}
	}
	for name, raw := range map[string]json.RawMessage{"blocking": r.Blocking, "scoring": r.Scoring} {
		if len(raw) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			bad("%s parameters are not a JSON object", name)
		}
	}
	for _, b := range r.Bands {
		if !(b.Min >= 0 && b.Min < b.Max && b.Max <= 1) || b.Pairs < 0 || b.Cases < 0 || b.Cases > b.Pairs {
			bad("band %q: bounds or counts out of range", b.Name)
		}
	}
	for _, d := range r.Detections {
		if !purposes[d.Purpose] {
			bad("detection %s: purpose %q is not declared", d.Name, d.Purpose)
		}
	}
	for _, o := range r.Outputs {
		if !purposes[o.Purpose] {
			bad("output %s: purpose %q is not declared", o.Path, o.Purpose)
		}
		if o.Recipient == "" || len(o.Fields) == 0 || !sumPattern.MatchString(o.SHA256) {
			bad("output %s: recipient, fields and SHA-256 are required", o.Path)
		}
		if o.Held != (len(o.ReleaseFields) > 0) {
			bad("output %s: a held output, and it alone, lists the fields it may release", o.Path)
		}
		if (o.Released != nil) != (r.Kind == KindRelease) {
			bad("output %s: the outputs of a release, and they alone, say what they were released from", o.Path)
		}
	}
	for _, w := range r.Withdrawals {
		if r.Kind != KindRelease {
			bad("withdrawal for %s: only a release withdraws cases", w.Recipient)
		}
		if !purposes[w.Purpose] {
			bad("withdrawal for %s: purpose %q is not declared", w.Recipient, w.Purpose)
		}
		if w.Recipient == "" || w.File == "" || filepath.Base(w.File) != w.File || len(w.Cases) == 0 {
			bad("withdrawal for %q: recipient, a file name and cases are required", w.Recipient)
		}
	}
	for _, f := range r.RunFiles {
		if f.Kind != FileQuarantine && f.Kind != FileDataQuality {
			bad("run file %s: kind %q is not %s or %s", f.Path, f.Kind, FileQuarantine, FileDataQuality)
		}
		if f.Kind == FileQuarantine && f.Dataset == "" {
			bad("run file %s: a quarantine list must name its dataset", f.Path)
		}
		if f.Path == "" || !sumPattern.MatchString(f.SHA256) {
			bad("run file %q: path and SHA-256 are required", f.Path)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("run record %s: %w", r.RunID, err)
	}
	return nil
}

// Write validates r and writes it, indented, to dir/run.json atomically.
// It sets Schema, and replaces nil lists with empty ones.
func (r *Record) Write(dir string) error {
	r.Schema = SchemaVersion
	// Empty lists are written as [], not null.
	if r.Purposes == nil {
		r.Purposes = []Purpose{}
	}
	if r.Inputs == nil {
		r.Inputs = []Input{}
	}
	if r.Bands == nil {
		r.Bands = []Band{}
	}
	if r.Detections == nil {
		r.Detections = []Detection{}
	}
	if r.Outputs == nil {
		r.Outputs = []Output{}
	}
	if r.RunFiles == nil {
		r.RunFiles = []RunFile{}
	}
	if r.Assessments == nil {
		r.Assessments = []Assessment{}
	}
	if err := r.Validate(); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("run record %s: %w", r.RunID, err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, FileName), buf.Bytes(), 0o640)
}

// Read reads the run record at path. It refuses unknown schema versions;
// it does not Validate, so that a damaged record can still be shown.
func Read(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run record %s: %w", path, err)
	}
	r, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("read run record %s: %w", path, err)
	}
	return r, nil
}

// decode parses run.json contents.
func decode(b []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("schema version %d, want %d", r.Schema, SchemaVersion)
	}
	// Hold the free-form parameters compact, as the engine gives them.
	for _, raw := range []*json.RawMessage{&r.Blocking, &r.Scoring} {
		if len(*raw) == 0 {
			continue
		}
		var c bytes.Buffer
		if err := json.Compact(&c, *raw); err != nil {
			return nil, err
		}
		*raw = c.Bytes()
	}
	return &r, nil
}

// ledgerSummary is the data of a run's ledger entry.
type ledgerSummary struct {
	RecordSHA256 string           `json:"record_sha256"`
	Status       string           `json:"status"`
	Started      string           `json:"started"`
	Ended        string           `json:"ended"`
	ConfigSHA256 string           `json:"config_sha256"`
	KeyID        string           `json:"key_id"`
	Purposes     []string         `json:"purposes"`
	Inputs       []ledgerFile     `json:"inputs"`
	Outputs      []ledgerFile     `json:"outputs"`
	Automated    map[string]int64 `json:"decided_automatically"`
	Queued       map[string]int64 `json:"cases_queued_for_review"`
	Withdrawn    int64            `json:"cases_withdrawn,omitempty"`
}

type ledgerFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Rows   int64  `json:"rows"`
}

// LedgerEntry returns the ledger entry that summarises r: its status,
// times, configuration and key, the hashes and row counts of its inputs and
// outputs, its automated-decision figures, and recordSHA256, the hash of
// the run.json written for it, which ties the ledger to the record.
func (r *Record) LedgerEntry(recordSHA256 string) (ledger.Entry, error) {
	s := ledgerSummary{
		RecordSHA256: recordSHA256, Status: r.Status,
		Started: r.Started.UTC().Format(time.RFC3339), Ended: r.Ended.UTC().Format(time.RFC3339),
		ConfigSHA256: r.ConfigSHA256, KeyID: r.KeyID,
		Purposes: []string{}, Inputs: []ledgerFile{}, Outputs: []ledgerFile{},
		Automated: map[string]int64{}, Queued: map[string]int64{},
	}
	for _, p := range r.Purposes {
		s.Purposes = append(s.Purposes, p.Name)
	}
	for _, in := range r.Inputs {
		s.Inputs = append(s.Inputs, ledgerFile{Name: in.Dataset, SHA256: in.SHA256, Rows: in.RowsIn})
	}
	for _, o := range r.Outputs {
		s.Outputs = append(s.Outputs, ledgerFile{Name: filepath.Base(o.Path), SHA256: o.SHA256, Rows: o.Rows})
	}
	for _, a := range r.Assessments {
		s.Automated[a.Purpose] = a.DecidedAutomatically
		s.Queued[a.Purpose] = a.CasesQueuedForReview
	}
	for _, w := range r.Withdrawals {
		s.Withdrawn += int64(len(w.Cases))
	}
	data, err := json.Marshal(s)
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("run record %s: ledger entry: %w", r.RunID, err)
	}
	kind := ledger.KindRun
	if r.Kind == KindRelease {
		kind = ledger.KindRelease
	}
	return ledger.Entry{Kind: kind, RunID: r.RunID, Actor: r.Operator, Data: data}, nil
}

// Publish writes r to dir/run.json, then appends its summary to the ledger
// at ledgerPath and returns the entry as written.
func (r *Record) Publish(ctx context.Context, dir, ledgerPath string) (ledger.Entry, error) {
	if err := r.Write(dir); err != nil {
		return ledger.Entry{}, err
	}
	sum, err := Hash(filepath.Join(dir, FileName))
	if err != nil {
		return ledger.Entry{}, err
	}
	e, err := r.LedgerEntry(sum)
	if err != nil {
		return ledger.Entry{}, err
	}
	return ledger.Append(ctx, ledgerPath, e)
}
