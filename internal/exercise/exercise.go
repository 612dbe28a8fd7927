// Package exercise reads and checks the config of a data-matching exercise:
// the datasets it loads, how it matches them, and its register of purposes.
// Each purpose names its lawful basis under UK GDPR Article 6(1), the
// Article 9 and Article 10 conditions it relies on, the datasets and
// columns it may use, the detections it runs, how long its results are
// kept, and, for every recipient, the exact fields they receive.
//
// Load reads a config file; Validate checks it before any data is read and
// refuses it with every problem listed. README.md beside this file is the
// config reference.
package exercise

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

// Exercise is one exercise config.
type Exercise struct {
	// Name identifies the exercise in run records and outputs.
	Name string `yaml:"name"`
	// StateDir holds what outlives a run: the ledger, the review queue and
	// reviewers' decisions.
	StateDir string `yaml:"state_dir"`
	// OutputDir receives the output files.
	OutputDir string `yaml:"output_dir"`
	// KeyFile holds the exercise key that pseudonyms are keyed with.
	KeyFile string `yaml:"key_file"`
	// Reviewers are the age X25519 recipients ("age1...") that review
	// material is encrypted to.
	Reviewers []string `yaml:"reviewers"`
	// Today, when set, is the date the run takes as today, for
	// reproducible runs; otherwise the run uses the current date.
	Today date.Date `yaml:"today"`
	// Datasets are the input datasets.
	Datasets []Dataset `yaml:"datasets"`
	// Matching configures the matching engine.
	Matching Matching `yaml:"matching"`
	// RestrictionsFile lists people who restricted processing or objected.
	RestrictionsFile string `yaml:"restrictions_file"`
	// Purposes is the purpose register.
	Purposes []Purpose `yaml:"purposes"`

	// File is the config file's path as given to Load, for messages.
	File string `yaml:"-"`
	// Dir is the absolute directory that relative paths are resolved
	// against: the config file's directory.
	Dir string `yaml:"-"`

	doc *yaml.Node // the parsed document, for line numbers
}

// Dataset is one input dataset.
type Dataset struct {
	// Name identifies the dataset in purposes, cases and outputs.
	Name string `yaml:"name"`
	// Role says what the dataset is.
	Role person.Role `yaml:"role"`
	// Path is the Parquet file, relative to the config file's directory
	// and inside it.
	Path string `yaml:"path"`
	// Encoded marks a file the partner encoded under the exercise key (see
	// internal/pseudo): it holds no clear identifiers, so no clear value of
	// its records can be output.
	Encoded bool `yaml:"encoded"`
	// Columns maps canonical column names to the source columns they are
	// read from. With no Columns and no FullName the file is read as a
	// canonical file, by column name.
	Columns map[string]Column `yaml:"columns"`
	// FullName, when set, fills forename, middle_names and surname from one
	// name column.
	FullName *FullName `yaml:"full_name"`
}

// Column says where one canonical column's value comes from in a source
// file. In YAML it is a column name, a list of column names, or a mapping
// with the keys from (a name or a list) and format.
type Column struct {
	From   []string
	Format string
}

// FullName splits one source column into forename, middle names and
// surname.
type FullName struct {
	From  string `yaml:"from"`
	Order string `yaml:"order"` // load.ForenameFirst or load.SurnameFirst
}

// Matching configures the matching engine.
type Matching struct {
	// Threshold is the match probability, above 0 and below 1, at or above
	// which a compared pair is kept.
	Threshold float64 `yaml:"threshold"`
	// ModelFile holds saved model parameters to reuse.
	ModelFile string `yaml:"model_file"`
	// ReEstimate asks for the parameters to be estimated again even when
	// ModelFile exists.
	ReEstimate bool `yaml:"re_estimate"`
	// Blocking names the blocking rules to use, in order.
	Blocking []string `yaml:"blocking"`
}

// Purpose is one entry of the purpose register.
type Purpose struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// LawfulBasis is the Article 6(1) basis.
	LawfulBasis LawfulBasis `yaml:"lawful_basis"`
	// LawfulBasisReference names the law, DPIA or assessment the basis
	// rests on, such as "Prevention of Social Housing Fraud Act 2013".
	LawfulBasisReference string `yaml:"lawful_basis_reference"`
	// LegitimateInterestsAssessment references the balancing test; required
	// with the legitimate_interests basis.
	LegitimateInterestsAssessment string `yaml:"legitimate_interests_assessment"`
	// SpecialCategoryCondition is the Article 9(2) condition, required
	// when the purpose reads a special-category column.
	SpecialCategoryCondition string `yaml:"special_category_condition"`
	// CriminalOffenceCondition is the Article 10 condition, required when
	// the purpose reads a criminal-offence column.
	CriminalOffenceCondition string `yaml:"criminal_offence_condition"`
	// DPIAReference references the data protection impact assessment.
	DPIAReference string `yaml:"dpia_reference"`
	// Datasets names the datasets the purpose may use.
	Datasets []string `yaml:"datasets"`
	// Fields lists the canonical columns the purpose may read.
	Fields []string `yaml:"fields"`
	// Detections are the rules the purpose runs.
	Detections []Detection `yaml:"detections"`
	// Retention is how long the purpose's results are kept.
	Retention Period `yaml:"retention"`
	// SignificantEffect says that the purpose's cases can lead to a
	// decision with legal or similarly significant effect, which a person
	// then makes (Article 22).
	SignificantEffect bool `yaml:"significant_effect"`
	// Outputs are the files the purpose writes, one per recipient.
	Outputs []Output `yaml:"outputs"`
}

// Detection is one rule a purpose runs, with its thresholds.
type Detection struct {
	Rule       Rule       `yaml:"rule"`
	Thresholds Thresholds `yaml:"thresholds"`
}

// Thresholds are a detection's settings. Keys that are not set keep their
// zero value: every pair the matcher kept, an overlap of at least one day,
// no grace period, any closing date. Has tells which keys were set.
type Thresholds struct {
	MinProbability float64     // min_probability
	OverlapDays    int         // overlap_days
	GraceDays      int         // grace_days
	MinArrears     money.Pence // min_arrears, written as an amount: "£500.00"
	ClosedAfterEnd bool        // closed_after_end

	set map[string]int // keys given, with their lines
}

// Has reports whether the threshold called key was set.
func (t Thresholds) Has(key string) bool {
	_, ok := t.set[key]
	return ok
}

// Set sets the threshold called key to v, which must be of the key's type
// (float64, int, money.Pence or bool). It is for building exercises in
// code; configs set thresholds in YAML.
func (t *Thresholds) Set(key string, v any) error {
	ok := false
	switch key {
	case MinProbability:
		var f float64
		if f, ok = v.(float64); ok {
			t.MinProbability = f
		}
	case OverlapDays:
		var n int
		if n, ok = v.(int); ok {
			t.OverlapDays = n
		}
	case GraceDays:
		var n int
		if n, ok = v.(int); ok {
			t.GraceDays = n
		}
	case MinArrears:
		var p money.Pence
		if p, ok = v.(money.Pence); ok {
			t.MinArrears = p
		}
	case ClosedAfterEnd:
		var b bool
		if b, ok = v.(bool); ok {
			t.ClosedAfterEnd = b
		}
	default:
		return fmt.Errorf("unknown threshold %q", key)
	}
	if !ok {
		return fmt.Errorf("threshold %s: value of type %T", key, v)
	}
	if t.set == nil {
		t.set = map[string]int{}
	}
	t.set[key] = 0
	return nil
}

// UnmarshalYAML reads a thresholds mapping. Unknown keys are errors.
func (t *Thresholds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeError(n, "thresholds: want a mapping of threshold names to values")
	}
	var errs []string
	*t = Thresholds{set: map[string]int{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		bad := func(want string) {
			errs = append(errs, fmt.Sprintf("line %d: threshold %s: want %s", v.Line, k.Value, want))
		}
		if v.Kind != yaml.ScalarNode {
			bad("a single value")
			continue
		}
		switch k.Value {
		case MinProbability:
			f, err := strconv.ParseFloat(v.Value, 64)
			if err != nil {
				bad("a probability from 0 to 1")
				continue
			}
			t.MinProbability = f
		case OverlapDays, GraceDays:
			d, err := strconv.Atoi(v.Value)
			if err != nil {
				bad("a whole number of days")
				continue
			}
			if k.Value == OverlapDays {
				t.OverlapDays = d
			} else {
				t.GraceDays = d
			}
		case MinArrears:
			p, err := money.Parse(v.Value)
			if err != nil {
				bad(`an amount such as "£500.00"`)
				continue
			}
			t.MinArrears = p
		case ClosedAfterEnd:
			var b bool
			if err := v.Decode(&b); err != nil {
				bad("true or false")
				continue
			}
			t.ClosedAfterEnd = b
		default:
			errs = append(errs, fmt.Sprintf("line %d: unknown threshold %q; known: %s, %s, %s, %s, %s",
				k.Line, k.Value, MinProbability, OverlapDays, GraceDays, MinArrears, ClosedAfterEnd))
			continue
		}
		t.set[k.Value] = k.Line
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// Output is one file a purpose writes for one recipient.
type Output struct {
	// Recipient says who receives the file: investigator, recovery_team,
	// utility_provider, performance_team ...
	Recipient string `yaml:"recipient"`
	// File is the file's name in the output directory.
	File string `yaml:"file"`
	// Format is parquet or csv; when empty it is taken from File's
	// extension.
	Format Format `yaml:"format"`
	// Fields are the output's columns, in order: exactly what the
	// recipient may receive.
	Fields []string `yaml:"fields"`
	// Release says when the recipient gets a case: ReleaseOnRun (the
	// default) or ReleaseOnConfirmation.
	Release Release `yaml:"release"`
}

// Release says when an output's rows may go to its recipient.
type Release string

const (
	// ReleaseOnRun writes the output as the run ends: every case the run
	// raised, for a recipient who works on possible matches (an
	// investigator, a review team).
	ReleaseOnRun Release = "on_run"
	// ReleaseOnConfirmation holds the output back: the run writes its rows
	// to a held file, and 'datamatch release' writes, for the recipient,
	// the rows of the cases a reviewer has since confirmed. For a
	// recipient who acts on a case or is told of it, such as a partner
	// asked to confirm an account, no possible match that a reviewer
	// rejected, or has not yet seen, ever leaves.
	ReleaseOnConfirmation Release = "on_confirmation"
)

// Held reports whether o's rows wait for a reviewer's confirmation.
func (o *Output) Held() bool { return o.Release == ReleaseOnConfirmation }

// FileFormat returns o's format: Format, or the one File's extension
// names.
func (o *Output) FileFormat() Format {
	if o.Format != "" {
		return o.Format
	}
	switch filepath.Ext(o.File) {
	case ".parquet":
		return Parquet
	case ".csv":
		return CSV
	}
	return ""
}

// UnmarshalYAML reads a column mapping from a name, a list of names or a
// mapping with the keys from and format.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = Column{From: []string{n.Value}}
		return nil
	case yaml.SequenceNode:
		from, err := names(n)
		if err != nil {
			return err
		}
		*c = Column{From: from}
		return nil
	case yaml.MappingNode:
		var errs []string
		*c = Column{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "from":
				if v.Kind == yaml.ScalarNode {
					c.From = []string{v.Value}
					continue
				}
				from, err := names(v)
				if err != nil {
					var te *yaml.TypeError
					if errors.As(err, &te) {
						errs = append(errs, te.Errors...)
					}
					continue
				}
				c.From = from
			case "format":
				if v.Kind != yaml.ScalarNode {
					errs = append(errs, fmt.Sprintf("line %d: format: want a single value", v.Line))
					continue
				}
				c.Format = v.Value
			default:
				errs = append(errs, fmt.Sprintf("line %d: field %s not found in a column mapping (known: from, format)", k.Line, k.Value))
			}
		}
		if len(errs) > 0 {
			return &yaml.TypeError{Errors: errs}
		}
		return nil
	}
	return typeError(n, "column mapping: want a column name, a list of names, or {from, format}")
}

func names(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, typeError(n, "want a list of column names")
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode {
			return nil, typeError(e, "want a column name")
		}
		out = append(out, e.Value)
	}
	return out, nil
}

// maxConfigSize bounds a config file.
const maxConfigSize = 4 << 20

// Load reads the exercise config at path. It checks the config's syntax
// (unknown keys, wrong types, duplicate keys are errors with line numbers)
// but not its meaning: call Validate for that.
func Load(path string) (*Exercise, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load exercise %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("load exercise %s: %w", path, err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("load exercise %s: larger than %d bytes", path, maxConfigSize)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load exercise %s: %w", path, err)
	}
	e, err := Parse(data, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("load exercise %s: %w", path, err)
	}
	e.File = path
	return e, nil
}

// Parse reads an exercise config from data, resolving relative paths
// against dir.
func Parse(data []byte, dir string) (*Exercise, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, errors.New("empty config")
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: a second YAML document; a config holds one", extra.Line)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("line 1: the config must be a mapping of keys to values")
	}
	// The date type reports errors without a line; check today here so that
	// its error has one.
	if n := lookup(doc.Content[0], "today"); n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null" && n.Value != "" {
		if _, err := date.Parse(date.ISO, n.Value); err != nil {
			return nil, fmt.Errorf("line %d: today: want a date as YYYY-MM-DD", n.Line)
		}
	}
	e := &Exercise{Dir: dir, doc: &doc}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(e); err != nil {
		return nil, err
	}
	return e, nil
}

// lookup returns the value of key in mapping node m, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// line returns the line of the element at path (mapping keys and sequence
// indexes) in the parsed document, or of its nearest ancestor present; 0
// when the exercise was not parsed.
func (e *Exercise) line(path ...any) int {
	if e.doc == nil || len(e.doc.Content) == 0 {
		return 0
	}
	n := e.doc.Content[0]
	ln := n.Line
	for _, step := range path {
		var next *yaml.Node
		switch s := step.(type) {
		case string:
			next = lookup(n, s)
		case int:
			if n.Kind == yaml.SequenceNode && s >= 0 && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			return ln
		}
		n, ln = next, next.Line
	}
	return ln
}

// RunDate returns the date a run takes as today: Today if set, else the
// current local date.
func (e *Exercise) RunDate() date.Date {
	if !e.Today.IsZero() {
		return e.Today
	}
	return date.Today()
}

// Dataset returns the dataset called name.
func (e *Exercise) Dataset(name string) (*Dataset, bool) {
	for i := range e.Datasets {
		if e.Datasets[i].Name == name {
			return &e.Datasets[i], true
		}
	}
	return nil, false
}

// UsedDatasets returns the names of the datasets some purpose may use:
// the ones a run reads. A declared dataset no purpose lists is left
// unread.
func (e *Exercise) UsedDatasets() map[string]bool {
	used := map[string]bool{}
	for _, p := range e.Purposes {
		for _, d := range p.Datasets {
			used[d] = true
		}
	}
	return used
}

// Purpose returns the purpose called name.
func (e *Exercise) Purpose(name string) (*Purpose, bool) {
	for i := range e.Purposes {
		if e.Purposes[i].Name == name {
			return &e.Purposes[i], true
		}
	}
	return nil, false
}

// Reads reports whether p may read the canonical column col.
func (p *Purpose) Reads(col string) bool {
	for _, f := range p.Fields {
		if f == col {
			return true
		}
	}
	return false
}

// Uses reports whether p may use the dataset called name.
func (p *Purpose) Uses(name string) bool {
	for _, d := range p.Datasets {
		if d == name {
			return true
		}
	}
	return false
}

// IsStatistics reports whether p is a statistics purpose: one that runs the
// statistics rule and outputs counts only.
func (p *Purpose) IsStatistics() bool {
	for _, d := range p.Detections {
		if d.Rule == Statistics {
			return true
		}
	}
	return false
}
