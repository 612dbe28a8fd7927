package exercise

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
)

// Problem is one reason an exercise config is refused.
type Problem struct {
	File string // the config file, when known
	Line int    // the line in the config file, 0 when unknown
	// Msg names the purpose, dataset or output and the field concerned.
	Msg string
}

// String formats p as "file:line: msg", leaving out what is unknown.
func (p Problem) String() string {
	switch {
	case p.File != "" && p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	case p.File != "":
		return p.File + ": " + p.Msg
	case p.Line > 0:
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	}
	return p.Msg
}

// Problems is every problem Validate found, in the order of the config.
type Problems []Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// validator collects problems.
type validator struct {
	e        *Exercise
	problems Problems
}

func (v *validator) addf(line int, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: v.e.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// Validate checks the exercise before any data is read and returns
// Problems listing everything wrong, or nil. It refuses, among other
// things, a purpose without a known lawful basis; legitimate interests
// without the assessment's reference; a purpose reading special-category
// or criminal-offence columns without the Article 9 or Article 10
// condition; an output field that is unknown or shows a column the purpose
// may not read; a detection over a dataset role the purpose may not use; an
// undeclared dataset; a rule with legal effect in a purpose that does not
// declare significant_effect; and a missing retention period. Dataset paths
// are checked to stay inside the config file's directory.
func (e *Exercise) Validate() error {
	v := &validator{e: e}
	v.top()
	v.datasets()
	v.matching()
	v.purposes()
	if len(v.problems) == 0 {
		return nil
	}
	// In the order of the config; problems without a line last.
	sort.SliceStable(v.problems, func(i, j int) bool {
		a, b := v.problems[i].Line, v.problems[j].Line
		return a != 0 && (b == 0 || a < b)
	})
	return v.problems
}

func (v *validator) top() {
	e := v.e
	if strings.TrimSpace(e.Name) == "" {
		v.addf(v.e.line("name"), "name: missing")
	}
	for _, k := range []struct{ key, val string }{{"state_dir", e.StateDir}, {"output_dir", e.OutputDir}, {"key_file", e.KeyFile}} {
		if strings.TrimSpace(k.val) == "" {
			v.addf(e.line(k.key), "%s: missing", k.key)
		}
	}
	if e.StateDir != "" && e.OutputDir != "" && e.Path(e.StateDir) == e.Path(e.OutputDir) {
		v.addf(e.line("output_dir"), "output_dir: must differ from state_dir, since outputs are handed to recipients")
	}
	seen := map[string]bool{}
	for i, r := range e.Reviewers {
		if _, err := age.ParseX25519Recipient(r); err != nil {
			v.addf(e.line("reviewers", i), "reviewers[%d]: not an age X25519 recipient (age1...)", i)
		}
		if seen[r] {
			v.addf(e.line("reviewers", i), "reviewers[%d]: listed twice", i)
		}
		seen[r] = true
	}
	significant := false
	for _, p := range e.Purposes {
		significant = significant || p.SignificantEffect
	}
	if significant && len(e.Reviewers) == 0 {
		v.addf(e.line("reviewers"), "reviewers: missing; a purpose with significant_effect needs a person to review its cases")
	}
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (v *validator) datasets() {
	e := v.e
	if len(e.Datasets) == 0 {
		v.addf(e.line("datasets"), "datasets: none declared")
	}
	seen := map[string]bool{}
	for i := range e.Datasets {
		d := &e.Datasets[i]
		at := func(path ...any) int { return e.line(append([]any{"datasets", i}, path...)...) }
		where := fmt.Sprintf("dataset %q", d.Name)
		if d.Name == "" {
			where = fmt.Sprintf("datasets[%d]", i)
			v.addf(at(), "%s: name: missing", where)
		} else if !namePattern.MatchString(d.Name) {
			v.addf(at("name"), "%s: name: use letters, digits, '_', '-' and '.' only", where)
		} else if seen[d.Name] {
			v.addf(at("name"), "%s: declared twice", where)
		}
		seen[d.Name] = true
		if d.Role == "" {
			v.addf(at(), "%s: role: missing; one of %s", where, roleList())
		} else if !d.Role.Valid() {
			v.addf(at("role"), "%s: role: unknown role %q; one of %s", where, d.Role, roleList())
		}
		if _, err := resolveInside(e.Dir, d.Path); err != nil {
			v.addf(at("path"), "%s: path: %v", where, err)
		}
		for _, name := range sortedKeys(d.Columns) {
			c := d.Columns[name]
			col, ok := person.Lookup(name)
			if !ok {
				v.addf(at("columns", name), "%s: columns: %q is not a canonical column", where, name)
				continue
			}
			if len(c.From) == 0 {
				v.addf(at("columns", name), "%s: columns: %s: no source column", where, name)
			}
			for _, f := range c.From {
				if strings.TrimSpace(f) == "" {
					v.addf(at("columns", name), "%s: columns: %s: empty source column name", where, name)
				}
			}
			v.format(at("columns", name), where, col, c.Format)
			if d.FullName != nil && (name == person.ColForename || name == person.ColMiddleNames || name == person.ColSurname) {
				v.addf(at("columns", name), "%s: columns: %s is also filled by full_name; map one or the other", where, name)
			}
		}
		if fn := d.FullName; fn != nil {
			if strings.TrimSpace(fn.From) == "" {
				v.addf(at("full_name"), "%s: full_name: from: missing", where)
			}
			if fn.Order != load.ForenameFirst && fn.Order != load.SurnameFirst {
				v.addf(at("full_name"), "%s: full_name: order: want %s or %s", where, load.ForenameFirst, load.SurnameFirst)
			}
		}
	}
}

func (v *validator) format(line int, where string, col person.Column, format string) {
	if format == "" {
		return
	}
	switch col.Kind {
	case person.Date:
		if !date.Layout(format).Valid() {
			layouts := make([]string, len(date.Layouts))
			for i, l := range date.Layouts {
				layouts[i] = string(l)
			}
			v.addf(line, "%s: columns: %s: unknown date format %q; one of %s", where, col.Name, format, strings.Join(layouts, ", "))
		}
	case person.Money:
		if format != "pounds" && format != "pence" {
			v.addf(line, "%s: columns: %s: unknown money format %q; pounds or pence", where, col.Name, format)
		}
	default:
		v.addf(line, "%s: columns: %s: a text column takes no format", where, col.Name)
	}
}

func (v *validator) matching() {
	e := v.e
	m := e.Matching
	if !(m.Threshold > 0 && m.Threshold < 1) {
		v.addf(e.line("matching", "threshold"), "matching: threshold: want a match probability above 0 and below 1")
	}
	seen := map[string]bool{}
	for i, b := range m.Blocking {
		if strings.TrimSpace(b) == "" {
			v.addf(e.line("matching", "blocking", i), "matching: blocking[%d]: empty rule name", i)
		} else if seen[b] {
			v.addf(e.line("matching", "blocking", i), "matching: blocking: rule %q listed twice", b)
		}
		seen[b] = true
	}
}

func (v *validator) purposes() {
	e := v.e
	if len(e.Purposes) == 0 {
		v.addf(e.line("purposes"), "purposes: none declared; every use of the data needs a registered purpose")
	}
	seen := map[string]bool{}
	files := map[string]string{}
	for i := range e.Purposes {
		p := &e.Purposes[i]
		pv := purposeValidator{validator: v, p: p, i: i, where: fmt.Sprintf("purpose %q", p.Name)}
		if p.Name == "" {
			pv.where = fmt.Sprintf("purposes[%d]", i)
			v.addf(pv.at(), "%s: name: missing", pv.where)
		} else if !namePattern.MatchString(p.Name) {
			v.addf(pv.at("name"), "%s: name: use letters, digits, '_', '-' and '.' only", pv.where)
		} else if seen[p.Name] {
			v.addf(pv.at("name"), "%s: declared twice", pv.where)
		}
		seen[p.Name] = true
		pv.check()
		for j, o := range p.Outputs {
			if o.File == "" {
				continue
			}
			if other, ok := files[o.File]; ok {
				v.addf(pv.at("outputs", j, "file"), "%s: output %q: file already written by %s", pv.where, o.File, other)
			}
			files[o.File] = pv.where
		}
	}
}

type purposeValidator struct {
	*validator
	p     *Purpose
	i     int
	where string
}

func (v *purposeValidator) at(path ...any) int {
	return v.e.line(append([]any{"purposes", v.i}, path...)...)
}

// article9 matches the point of Article 9(2) a condition names.
var article9 = regexp.MustCompile(`9\s*\(\s*2\s*\)\s*\(\s*([a-j])\s*\)`)

// schedule1 matches a reference to a paragraph of Schedule 1 to the Data
// Protection Act 2018.
var schedule1 = regexp.MustCompile(`(?i)(sch\.?|schedule)\s*1\b.*\bpara(graph|\.)?\s*\d+`)

func (v *purposeValidator) check() {
	p := v.p
	if strings.TrimSpace(p.Description) == "" {
		v.addf(v.at(), "%s: description: missing", v.where)
	}
	switch {
	case p.LawfulBasis == "":
		v.addf(v.at(), "%s: lawful_basis: missing; one of %s", v.where, basisList())
	case !p.LawfulBasis.Valid():
		v.addf(v.at("lawful_basis"), "%s: lawful_basis: unknown basis %q; one of %s", v.where, p.LawfulBasis, basisList())
	}
	if (p.LawfulBasis == LegalObligation || p.LawfulBasis == PublicTask) && strings.TrimSpace(p.LawfulBasisReference) == "" {
		v.addf(v.at("lawful_basis"), "%s: lawful_basis_reference: missing; a %s basis must be laid down by law (Art. 6(3)): name the statute", v.where, p.LawfulBasis)
	}
	if p.LawfulBasis == LegitimateInterests && strings.TrimSpace(p.LegitimateInterestsAssessment) == "" {
		v.addf(v.at("lawful_basis"), "%s: legitimate_interests_assessment: missing; legitimate interests need the balancing test's reference", v.where)
	}
	if strings.TrimSpace(p.DPIAReference) == "" {
		v.addf(v.at(), "%s: dpia_reference: missing; matching data from several sources needs a DPIA", v.where)
	}
	if p.Retention.IsZero() {
		v.addf(v.at(), "%s: retention: missing or zero; an ISO 8601 period such as P6M", v.where)
	}
	v.datasets()
	v.fields()
	v.detections()
	v.outputs()
}

func (v *purposeValidator) datasets() {
	p := v.p
	if len(p.Datasets) == 0 {
		v.addf(v.at(), "%s: datasets: none; name the datasets the purpose may use", v.where)
	}
	seen := map[string]bool{}
	for j, name := range p.Datasets {
		if _, ok := v.e.Dataset(name); !ok {
			v.addf(v.at("datasets", j), "%s: datasets: %q is not declared under datasets", v.where, name)
		}
		if seen[name] {
			v.addf(v.at("datasets", j), "%s: datasets: %q listed twice", v.where, name)
		}
		seen[name] = true
	}
}

func (v *purposeValidator) fields() {
	p := v.p
	seen := map[string]bool{}
	for j, f := range p.Fields {
		col, ok := person.Lookup(f)
		if !ok {
			v.addf(v.at("fields", j), "%s: fields: %q is not a canonical column", v.where, f)
			continue
		}
		if seen[f] {
			v.addf(v.at("fields", j), "%s: fields: %q listed twice", v.where, f)
		}
		seen[f] = true
		switch col.Category {
		case person.SpecialCategory:
			if strings.TrimSpace(p.SpecialCategoryCondition) == "" {
				v.addf(v.at("fields", j), "%s: fields: %q is special category data; special_category_condition (Art. 9(2)) is missing", v.where, f)
			}
		case person.CriminalOffence:
			if strings.TrimSpace(p.CriminalOffenceCondition) == "" {
				v.addf(v.at("fields", j), "%s: fields: %q is criminal offence data; criminal_offence_condition (Art. 10) is missing", v.where, f)
			}
		}
	}
	if c := strings.TrimSpace(p.SpecialCategoryCondition); c != "" {
		m := article9.FindStringSubmatch(c)
		switch {
		case m == nil:
			v.addf(v.at("special_category_condition"), "%s: special_category_condition: name the Art. 9(2) point, as in \"9(2)(g)\"", v.where)
		case strings.Contains("bghij", m[1]) && !schedule1.MatchString(c):
			v.addf(v.at("special_category_condition"), "%s: special_category_condition: Art. 9(2)(%s) also needs its DPA 2018 Schedule 1 condition, as in \"Sch.1 para 10\"", v.where, m[1])
		}
	}
	if c := strings.TrimSpace(p.CriminalOffenceCondition); c != "" && !schedule1.MatchString(c) {
		v.addf(v.at("criminal_offence_condition"), "%s: criminal_offence_condition: name the DPA 2018 Schedule 1 condition, as in \"Sch.1 para 10\"", v.where)
	}
}

func (v *purposeValidator) detections() {
	p := v.p
	if len(p.Detections) == 0 {
		v.addf(v.at(), "%s: detections: none; name the rules the purpose runs", v.where)
	}
	seen := map[Rule]bool{}
	stats := p.IsStatistics()
	for j := range p.Detections {
		d := &p.Detections[j]
		at := func(path ...any) int { return v.at(append([]any{"detections", j}, path...)...) }
		spec, ok := Spec(d.Rule)
		if !ok {
			v.addf(at("rule"), "%s: detection %q: unknown rule; one of %s", v.where, d.Rule, ruleList())
			continue
		}
		where := fmt.Sprintf("%s: detection %s", v.where, d.Rule)
		if seen[d.Rule] {
			v.addf(at("rule"), "%s: listed twice", where)
		}
		seen[d.Rule] = true
		if stats && d.Rule != Statistics {
			v.addf(at("rule"), "%s: a purpose that runs statistics outputs counts only; run %s in another purpose", where, d.Rule)
		}
		if spec.LegalEffect && !p.SignificantEffect {
			v.addf(at("rule"), "%s: its cases can lead to possession or debt recovery; the purpose must declare significant_effect: true", where)
		}
		v.thresholds(at, where, spec, d.Thresholds)
		if spec.Subject != "" {
			v.role(at("rule"), where, spec.Subject)
			if spec.Partner != spec.Subject {
				v.role(at("rule"), where, spec.Partner)
			}
		}
		for _, col := range spec.Columns {
			if !p.Reads(col) {
				v.addf(at("rule"), "%s: reads %s, which the purpose's fields do not allow", where, col)
			}
		}
	}
}

func (v *purposeValidator) role(line int, where string, role person.Role) {
	for _, name := range v.p.Datasets {
		if d, ok := v.e.Dataset(name); ok && d.Role == role {
			return
		}
	}
	v.addf(line, "%s: needs a dataset of role %s, and the purpose may use none", where, role)
}

func (v *purposeValidator) thresholds(at func(...any) int, where string, spec RuleSpec, t Thresholds) {
	for _, key := range sortedKeys(t.set) {
		allowed := false
		for _, k := range spec.Thresholds {
			allowed = allowed || k == key
		}
		if !allowed {
			v.addf(at("thresholds", key), "%s: threshold %s does not apply to this rule (it takes %s)", where, key, strings.Join(spec.Thresholds, ", "))
		}
	}
	for _, key := range spec.Required {
		if !t.Has(key) {
			v.addf(at(), "%s: threshold %s: missing", where, key)
		}
	}
	if t.Has(MinProbability) && !(t.MinProbability >= 0 && t.MinProbability <= 1) {
		v.addf(at("thresholds", MinProbability), "%s: threshold %s: want a probability from 0 to 1", where, MinProbability)
	}
	if t.Has(OverlapDays) && t.OverlapDays < 1 {
		v.addf(at("thresholds", OverlapDays), "%s: threshold %s: want at least 1 day", where, OverlapDays)
	}
	if t.Has(GraceDays) && t.GraceDays < 0 {
		v.addf(at("thresholds", GraceDays), "%s: threshold %s: want 0 or more days", where, GraceDays)
	}
	if t.Has(MinArrears) && t.MinArrears <= 0 {
		v.addf(at("thresholds", MinArrears), "%s: threshold %s: want an amount above £0.00", where, MinArrears)
	}
}

func (v *purposeValidator) outputs() {
	p := v.p
	stats := p.IsStatistics()
	for j := range p.Outputs {
		o := &p.Outputs[j]
		at := func(path ...any) int { return v.at(append([]any{"outputs", j}, path...)...) }
		where := fmt.Sprintf("%s: output %q", v.where, o.File)
		if strings.TrimSpace(o.Recipient) == "" {
			v.addf(at(), "%s: recipient: missing", where)
		}
		switch {
		case o.File == "":
			v.addf(at(), "%s: file: missing", where)
		case filepath.Base(o.File) != o.File || o.File == "." || o.File == ".." || strings.ContainsAny(o.File, `/\`) || strings.HasPrefix(o.File, "."):
			v.addf(at("file"), "%s: file: want a plain file name, written in the output directory", where)
		}
		f := o.FileFormat()
		switch {
		case o.Format != "" && !o.Format.Valid():
			v.addf(at("format"), "%s: format: unknown format %q; parquet or csv", where, o.Format)
		case f == "":
			v.addf(at(), "%s: format: missing, and the file name does not end in .parquet or .csv", where)
		case filepath.Ext(o.File) != "."+string(f):
			v.addf(at("file"), "%s: file: a %s file's name must end in .%s", where, f, f)
		}
		if len(o.Fields) == 0 {
			v.addf(at(), "%s: fields: none; list exactly what the recipient may receive", where)
		}
		switch o.Release {
		case "", ReleaseOnRun:
		case ReleaseOnConfirmation:
			if stats || !p.SignificantEffect {
				v.addf(at("release"), "%s: release: %s needs a purpose whose cases a reviewer decides (significant_effect: true)", where, o.Release)
			}
		default:
			v.addf(at("release"), "%s: release: unknown %q; %s or %s", where, o.Release, ReleaseOnRun, ReleaseOnConfirmation)
		}
		limit, limited := RecipientLimit(o.Recipient)
		seen := map[string]bool{}
		for k, name := range o.Fields {
			fat := at("fields", k)
			if seen[name] {
				v.addf(fat, "%s: field %q listed twice", where, name)
			}
			seen[name] = true
			of, ok := LookupOutputField(name)
			if !ok {
				v.addf(fat, "%s: field %q is not a known output field", where, name)
				continue
			}
			if stats && !StatisticsField(name) {
				v.addf(fat, "%s: field %q: a statistics output holds counts only (rule, probability_band, count)", where, name)
				continue
			}
			if !stats && of.Side == FromStatistics {
				v.addf(fat, "%s: field %q belongs to statistics outputs only", where, name)
				continue
			}
			if limited && !contains(limit, name) {
				v.addf(fat, "%s: field %q: a %s receives only %s", where, name, o.Recipient, strings.Join(limit, ", "))
			}
			if of.Column == "" {
				continue
			}
			if !p.Reads(of.Column) {
				v.addf(fat, "%s: field %q shows %s, which the purpose's fields do not allow", where, name, of.Column)
			}
			if of.Side == FromPartner && of.Clear() {
				for _, ds := range v.partnerDatasets() {
					if ds.Encoded {
						v.addf(fat, "%s: field %q: partner dataset %q is partner-encoded and holds no clear values", where, name, ds.Name)
					}
				}
			}
		}
	}
}

// partnerDatasets returns the purpose's datasets that its detections use
// as partners.
func (v *purposeValidator) partnerDatasets() []*Dataset {
	var out []*Dataset
	for _, name := range v.p.Datasets {
		d, ok := v.e.Dataset(name)
		if !ok {
			continue
		}
		for _, det := range v.p.Detections {
			if spec, ok := Spec(det.Rule); ok && spec.Partner == d.Role && spec.Partner != "" {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func roleList() string {
	s := make([]string, len(person.Roles))
	for i, r := range person.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func basisList() string {
	s := make([]string, len(LawfulBases))
	for i, b := range LawfulBases {
		s[i] = string(b)
	}
	return strings.Join(s, ", ")
}

func ruleList() string {
	s := make([]string, len(Rules))
	for i, r := range Rules {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
