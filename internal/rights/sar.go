package rights

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Subject is the person a subject access request is about, as they
// identified themselves. Empty strings and the zero date are unknown.
type Subject struct {
	Forename string    `json:"forename,omitempty"`
	Surname  string    `json:"surname,omitempty"`
	DOB      date.Date `json:"dob,omitzero"`
	NINumber string    `json:"ni_number,omitempty"`
	Passport string    `json:"passport_number,omitempty"`
	Postcode string    `json:"postcode,omitempty"`
}

func (s Subject) record() person.Record {
	return person.Record{Forename: s.Forename, Surname: s.Surname, DOB: s.DOB, NINumber: s.NINumber, Passport: s.Passport, Postcode: s.Postcode}
}

// Source is one place Search looks: a Dataset, a Queue, an OutputFile or a
// Vault (or a pointer to one).
type Source interface {
	sourceKind() string
}

// Source kinds, as they appear in Findings.Searched.
const (
	KindDataset = "dataset"
	KindQueue   = "queue"
	KindOutput  = "output"
	KindVault   = "vault"
)

// Loader reads a dataset's records in clear. The pipeline's loader is wired
// in through it.
type Loader interface {
	Load(ctx context.Context) ([]person.Record, error)
}

// LoaderFunc adapts a function to Loader.
type LoaderFunc func(ctx context.Context) ([]person.Record, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context) ([]person.Record, error) { return f(ctx) }

// RefFunc returns the pseudonymised reference by which review cases and
// outputs refer to a dataset's record.
type RefFunc func(dataset, recordID string) string

// Dataset is an input dataset of an exercise.
type Dataset struct {
	Name    string      // the dataset's name in the exercise
	Role    person.Role // what the dataset is
	Path    string      // the file, for the report
	Records Loader      // reads the dataset
	Encoder Encoder     // the exercise's encoder, to recognise the subject
	Ref     RefFunc     // the exercise's record references; nil if it has none
}

func (d Dataset) sourceKind() string { return KindDataset }

// RecordRef is a pseudonymised reference to a record of a dataset.
type RecordRef struct {
	Dataset string `json:"dataset"`
	Ref     string `json:"ref"`
}

// Case is a review case as the queue holds it.
type Case struct {
	ID      string
	RunID   string
	Purpose string
	Rule    string
	Refs    []RecordRef // the records the case is about
	Queued  time.Time
}

// Decision is a reviewer's decision on a case.
type Decision struct {
	ID      string
	CaseID  string
	Outcome string
	Reason  string
	Time    time.Time
}

// CaseStore reads a review queue and its decisions log. The review package
// is wired in through it.
type CaseStore interface {
	Cases(ctx context.Context) ([]Case, error)
	// Decisions returns every decision, in the order they were made.
	Decisions(ctx context.Context) ([]Decision, error)
}

// Queue is a review queue with its decisions.
type Queue struct {
	Name  string // the queue's file, for the report
	Store CaseStore
}

func (q Queue) sourceKind() string { return KindQueue }

// OutputFile is an output a run record lists. Its format is taken from its
// extension: ".parquet" or ".csv". A file that no longer exists (purged at
// the end of its retention) is reported as missing.
type OutputFile struct {
	Path      string
	RunID     string
	Purpose   string
	Recipient string
	// Held marks an output held back for reviewers' confirmation: its
	// recipient has not been sent it (see exercise.ReleaseOnConfirmation).
	Held bool
	// Clear names the columns that hold clear values of a case's records
	// (output column → field). A row is about the subject when it holds one
	// of the subject's refs, case ids or record ids, or when its clear
	// values are those of one of the subject's records found elsewhere.
	Clear map[string]ClearField
}

func (o OutputFile) sourceKind() string { return KindOutput }

// VaultStore is the re-identification vault, opened with a reviewer's
// identity.
type VaultStore interface {
	Lookup(dataset, recordID string) (person.Record, bool)
}

// VaultRanger is implemented by a VaultStore that can list its entries.
// Search then recognises the subject in every entry, including those whose
// input dataset is no longer available.
type VaultRanger interface {
	Range(fn func(dataset string, r person.Record) bool)
}

// Vault is an opened re-identification vault.
type Vault struct {
	Name    string // the vault's file, for the report
	Store   VaultStore
	Encoder Encoder // the exercise's encoder, used with VaultRanger
	Ref     RefFunc // the exercise's record references, for entries found by Range; may be nil
}

func (v Vault) sourceKind() string { return KindVault }

// Findings is the result of a subject access search.
type Findings struct {
	Generated time.Time       `json:"generated"`
	Subject   Subject         `json:"subject"`
	Searched  []Searched      `json:"searched"`
	Records   []RecordFinding `json:"records"`
	Vault     []RecordFinding `json:"vault"`
	Cases     []CaseFinding   `json:"cases"`
	Files     []FileFinding   `json:"files"`
}

// Searched says how one source was searched.
type Searched struct {
	Kind   string `json:"kind"`   // KindDataset, KindQueue, KindOutput or KindVault
	Name   string `json:"name"`   // dataset name or file
	Status string `json:"status"` // "searched", or "missing" for a file that no longer exists
	Found  int    `json:"found"`  // records, cases or matching rows found
}

// Field is one value held about the subject.
type Field struct {
	Name     string `json:"name"`     // canonical column name
	Category string `json:"category"` // person.Category of the column
	Value    string `json:"value"`
}

// RecordFinding is one record, in an input dataset or in the vault, that
// may be about the subject.
type RecordFinding struct {
	Dataset   string      `json:"dataset"`
	Role      person.Role `json:"role,omitempty"`
	Source    string      `json:"source,omitempty"` // the file or vault it was found in
	RecordID  string      `json:"record_id"`
	Ref       string      `json:"ref,omitempty"`
	MatchedOn string      `json:"matched_on"` // a Rule's name, or "record_id" for a vault entry of a record found
	Fields    []Field     `json:"fields"`
}

// CaseFinding is a review case about one of the subject's records.
type CaseFinding struct {
	Queue     string            `json:"queue"`
	ID        string            `json:"id"`
	RunID     string            `json:"run_id"`
	Purpose   string            `json:"purpose"`
	Rule      string            `json:"rule"`
	Status    string            `json:"status"` // "pending", or the latest decision's outcome
	Queued    time.Time         `json:"queued"`
	Refs      []RecordRef       `json:"refs"` // the subject's records the case refers to
	Decisions []DecisionFinding `json:"decisions"`
}

// DecisionFinding is a decision on a case about the subject. The reviewer
// is left out: it is the landlord's staff member, not the subject's data.
type DecisionFinding struct {
	ID      string    `json:"decision_id"`
	Outcome string    `json:"outcome"`
	Reason  string    `json:"reason"`
	Time    time.Time `json:"time"`
}

// FileFinding is an output file with rows about the subject.
type FileFinding struct {
	Path      string   `json:"path"`
	RunID     string   `json:"run_id"`
	Purpose   string   `json:"purpose"`
	Recipient string   `json:"recipient"`
	Held      bool     `json:"held,omitempty"` // held for confirmation: not sent to the recipient
	Format    string   `json:"format"`
	Columns   []string `json:"columns"`    // the fields the file holds
	Rows      int      `json:"rows"`       // rows that refer to the subject
	MatchedOn []string `json:"matched_on"` // what the rows held: "ref", "case_id", "record_id"
}

// Search finds every record, case and file in sources that may be about the
// subject. Input datasets are searched first (every record is pseudonymised
// with the dataset's Encoder and recognised by the restriction rules), then
// the vaults (entries of the records found, and any entry recognised as the
// subject), then the queues (cases referring to the refs of the records
// found), then the output files (rows holding those refs, case ids or
// record ids). A source that cannot be read fails the search: an incomplete
// answer to a subject access request must not look complete.
func Search(ctx context.Context, query Subject, sources []Source) (*Findings, error) {
	s, err := runSearch(ctx, query, sources)
	if err != nil {
		return nil, err
	}
	return s.f, nil
}

// runSearch is Search, returning its state for Erase.
func runSearch(ctx context.Context, query Subject, sources []Source) (*search, error) {
	s := &search{query: query, f: &Findings{Generated: time.Now().UTC(), Subject: query}}
	var datasets []Dataset
	var vaults []Vault
	var queues []Queue
	var files []OutputFile
	for _, src := range sources {
		switch v := src.(type) {
		case Dataset:
			datasets = append(datasets, v)
		case *Dataset:
			datasets = append(datasets, *v)
		case Vault:
			vaults = append(vaults, v)
		case *Vault:
			vaults = append(vaults, *v)
		case Queue:
			queues = append(queues, v)
		case *Queue:
			queues = append(queues, *v)
		case OutputFile:
			files = append(files, v)
		case *OutputFile:
			files = append(files, *v)
		default:
			return nil, fmt.Errorf("subject access: unknown source type %T", src)
		}
	}
	for _, d := range datasets {
		if err := s.dataset(ctx, d); err != nil {
			return nil, err
		}
	}
	for _, v := range vaults {
		if err := s.vault(v); err != nil {
			return nil, err
		}
	}
	for _, q := range queues {
		if err := s.queue(ctx, q); err != nil {
			return nil, err
		}
	}
	if err := s.files(ctx, files); err != nil {
		return nil, err
	}
	s.f.sort()
	s.vaults, s.queues, s.outputs = vaults, queues, files
	slog.InfoContext(ctx, "subject access search done",
		"sources", len(s.f.Searched), "records", len(s.f.Records), "vault_entries", len(s.f.Vault),
		"cases", len(s.f.Cases), "files", len(s.f.Files))
	return s, nil
}

// search is the state of one Search.
type search struct {
	query Subject
	f     *Findings
	// Values identifying the subject's records, found so far.
	refs    map[RecordRef]bool
	ids     map[string]bool // record ids
	caseIDs map[string]bool
	found   map[[2]string]bool // (dataset, record id) of records found
	// What output rows are recognised by, once the records are found.
	values map[string]string   // ref, case id or record id → which it is
	people []map[string]string // comparable clear values of each record found
	// The vaults, queues and output files searched.
	vaults  []Vault
	queues  []Queue
	outputs []OutputFile
}

// matcher returns the row matcher of an output file.
func (s *search) matcher(o OutputFile) *rowMatcher {
	return &rowMatcher{values: s.values, clear: o.Clear, people: s.people}
}

// subjectIndex returns the subject's match keys under enc.
func (s *search) subjectIndex(enc Encoder) (*index, error) {
	if enc == nil {
		return nil, errors.New("no encoder")
	}
	var p pseudo.Record
	rec := s.query.record()
	enc.Encode(&p, &rec)
	if !keyable(&p) {
		return nil, fmt.Errorf("not enough identifiers to recognise the subject (need %s or %s; or %s and %s with %s or %s; or %s, %s and %s)",
			ColNINumber, ColPassport, ColSurname, ColDOB, ColForename, ColPostcode, ColForename, ColDOB, ColPostcode)
	}
	x := newIndex()
	x.add(0, &p)
	return x, nil
}

func (s *search) note(kind, name, status string, found int) {
	s.f.Searched = append(s.f.Searched, Searched{Kind: kind, Name: name, Status: status, Found: found})
}

func (s *search) remember(dataset, recordID, ref string) {
	if s.refs == nil {
		s.refs, s.ids, s.caseIDs, s.found = map[RecordRef]bool{}, map[string]bool{}, map[string]bool{}, map[[2]string]bool{}
	}
	s.found[[2]string{dataset, recordID}] = true
	if recordID != "" {
		s.ids[recordID] = true
	}
	if ref != "" {
		s.refs[RecordRef{Dataset: dataset, Ref: ref}] = true
	}
}

// chunk is the number of records a worker encodes at a time.
const chunk = 4096

func (s *search) dataset(ctx context.Context, d Dataset) error {
	if d.Records == nil {
		return fmt.Errorf("subject access: dataset %s: no loader", d.Name)
	}
	x, err := s.subjectIndex(d.Encoder)
	if err != nil {
		return fmt.Errorf("subject access: dataset %s: %w", d.Name, err)
	}
	recs, err := d.Records.Load(ctx)
	if err != nil {
		return fmt.Errorf("subject access: dataset %s: %w", d.Name, err)
	}
	hits := make([]Rule, len(recs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(recs); lo += chunk {
		hi := min(lo+chunk, len(recs))
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			var p pseudo.Record
			for i := lo; i < hi; i++ {
				p = pseudo.Record{}
				d.Encoder.Encode(&p, &recs[i])
				x.each(&p, func(r Rule, _ []int32) bool {
					hits[i] = r
					return false
				})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("subject access: dataset %s: %w", d.Name, err)
	}
	n := 0
	for i, r := range hits {
		if r == 0 {
			continue
		}
		n++
		rec := &recs[i]
		var ref string
		if d.Ref != nil {
			ref = d.Ref(d.Name, rec.RecordID)
		}
		s.remember(d.Name, rec.RecordID, ref)
		s.f.Records = append(s.f.Records, RecordFinding{
			Dataset: d.Name, Role: d.Role, Source: d.Path, RecordID: rec.RecordID, Ref: ref,
			MatchedOn: r.String(), Fields: fieldsOf(rec),
		})
	}
	s.note(KindDataset, d.Name, "searched", n)
	return nil
}

func (s *search) vault(v Vault) error {
	if v.Store == nil {
		return fmt.Errorf("subject access: vault %s: not opened", v.Name)
	}
	seen := map[[2]string]bool{}
	n := 0
	add := func(dataset string, rec *person.Record, matchedOn string) {
		k := [2]string{dataset, rec.RecordID}
		if seen[k] {
			return
		}
		seen[k] = true
		n++
		s.f.Vault = append(s.f.Vault, RecordFinding{
			Dataset: dataset, Source: v.Name, RecordID: rec.RecordID, MatchedOn: matchedOn, Fields: fieldsOf(rec),
		})
	}
	keys := make([][2]string, 0, len(s.found))
	for k := range s.found {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
	})
	for _, k := range keys {
		if rec, ok := v.Store.Lookup(k[0], k[1]); ok {
			add(k[0], &rec, "record_id")
		}
	}
	if rg, ok := v.Store.(VaultRanger); ok {
		x, err := s.subjectIndex(v.Encoder)
		if err != nil {
			return fmt.Errorf("subject access: vault %s: %w", v.Name, err)
		}
		var p pseudo.Record
		var found [][2]string
		rg.Range(func(dataset string, rec person.Record) bool {
			p = pseudo.Record{}
			v.Encoder.Encode(&p, &rec)
			x.each(&p, func(r Rule, _ []int32) bool {
				add(dataset, &rec, r.String())
				found = append(found, [2]string{dataset, rec.RecordID})
				return false
			})
			return true
		})
		// Vault entries recognised directly identify records whose cases
		// and outputs must be searched too.
		for _, k := range found {
			if !s.found[k] {
				var ref string
				if v.Ref != nil {
					ref = v.Ref(k[0], k[1])
				}
				s.remember(k[0], k[1], ref)
			}
		}
	}
	s.note(KindVault, v.Name, "searched", n)
	return nil
}

func (s *search) queue(ctx context.Context, q Queue) error {
	if q.Store == nil {
		return fmt.Errorf("subject access: queue %s: no store", q.Name)
	}
	cases, err := q.Store.Cases(ctx)
	if err != nil {
		return fmt.Errorf("subject access: queue %s: %w", q.Name, err)
	}
	decisions, err := q.Store.Decisions(ctx)
	if err != nil {
		return fmt.Errorf("subject access: queue %s: decisions: %w", q.Name, err)
	}
	byCase := map[string][]Decision{}
	for _, d := range decisions {
		byCase[d.CaseID] = append(byCase[d.CaseID], d)
	}
	n := 0
	for _, c := range cases {
		var mine []RecordRef
		for _, r := range c.Refs {
			if s.refs[r] || r.Dataset == "" && s.hasRef(r.Ref) {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		n++
		if s.caseIDs == nil {
			s.caseIDs = map[string]bool{}
		}
		s.caseIDs[c.ID] = true
		cf := CaseFinding{Queue: q.Name, ID: c.ID, RunID: c.RunID, Purpose: c.Purpose, Rule: c.Rule,
			Status: "pending", Queued: c.Queued, Refs: mine}
		for _, d := range byCase[c.ID] {
			cf.Decisions = append(cf.Decisions, DecisionFinding{ID: d.ID, Outcome: d.Outcome, Reason: d.Reason, Time: d.Time})
			cf.Status = d.Outcome
		}
		s.f.Cases = append(s.f.Cases, cf)
	}
	s.note(KindQueue, q.Name, "searched", n)
	return nil
}

func (s *search) hasRef(ref string) bool {
	for r := range s.refs {
		if r.Ref == ref {
			return true
		}
	}
	return false
}

// fileWorkers bounds how many output files are read at once.
const fileWorkers = 2

func (s *search) files(ctx context.Context, files []OutputFile) error {
	// The clear values of each record found, a dataset's record and its
	// vault entry taken together.
	s.people = nil
	byRecord := map[[2]string]map[string]string{}
	for _, fs := range [][]RecordFinding{s.f.Records, s.f.Vault} {
		for _, r := range fs {
			if len(r.Fields) == 0 {
				continue
			}
			k := [2]string{r.Dataset, r.RecordID}
			p, ok := byRecord[k]
			if !ok {
				p = map[string]string{}
				if r.RecordID != "" {
					byRecord[k] = p
				}
				s.people = append(s.people, p)
			}
			for col, v := range comparableFields(r.Fields) {
				if _, held := p[col]; !held {
					p[col] = v
				}
			}
		}
	}
	s.values = map[string]string{}
	for id := range s.ids {
		s.values[id] = "record_id"
	}
	for id := range s.caseIDs {
		s.values[id] = "case_id"
	}
	for r := range s.refs {
		s.values[r.Ref] = "ref"
	}
	results := make([]fileResult, len(files))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fileWorkers)
	for i, o := range files {
		g.Go(func() error {
			r, err := scanFile(gctx, o.Path, s.matcher(o))
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					results[i] = fileResult{missing: true}
					return nil
				}
				return fmt.Errorf("subject access: output %s: %w", o.Path, err)
			}
			results[i] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, o := range files {
		r := results[i]
		if r.missing {
			s.note(KindOutput, o.Path, "missing", 0)
			continue
		}
		s.note(KindOutput, o.Path, "searched", r.rows)
		if r.rows == 0 {
			continue
		}
		s.f.Files = append(s.f.Files, FileFinding{Path: o.Path, RunID: o.RunID, Purpose: o.Purpose, Recipient: o.Recipient, Held: o.Held,
			Format: r.format, Columns: r.columns, Rows: r.rows, MatchedOn: r.matchedOn})
	}
	return nil
}

// fieldsOf lists the non-null fields of r in canonical column order,
// leaving out record_id (reported on its own).
func fieldsOf(r *person.Record) []Field {
	var out []Field
	for _, c := range person.Columns {
		if c.Name == person.ColRecordID {
			continue
		}
		var v string
		switch c.Kind {
		case person.String:
			v, _ = r.String(c.Name)
		case person.Date:
			if d := r.DateField(c.Name); d != nil {
				v = d.String()
			}
		case person.Money:
			if c.Name == person.ColBalance && r.Balance != 0 {
				v = r.Balance.String()
			}
		}
		if v != "" {
			out = append(out, Field{Name: c.Name, Category: c.Category.String(), Value: v})
		}
	}
	return out
}

func (f *Findings) sort() {
	rec := func(xs []RecordFinding) {
		sort.SliceStable(xs, func(i, j int) bool {
			if xs[i].Dataset != xs[j].Dataset {
				return xs[i].Dataset < xs[j].Dataset
			}
			return xs[i].RecordID < xs[j].RecordID
		})
	}
	rec(f.Records)
	rec(f.Vault)
	sort.SliceStable(f.Cases, func(i, j int) bool { return f.Cases[i].ID < f.Cases[j].ID })
	sort.SliceStable(f.Files, func(i, j int) bool { return f.Files[i].Path < f.Files[j].Path })
}
