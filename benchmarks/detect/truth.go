package detectbench

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/synth"
)

// Pair is an unordered pair of records, the lesser reference first.
type Pair [2]detect.Ref

// NewPair returns the pair of a and b in canonical order.
func NewPair(a, b detect.Ref) Pair {
	if b.Dataset < a.Dataset || b.Dataset == a.Dataset && b.RecordID < a.RecordID {
		a, b = b, a
	}
	return Pair{a, b}
}

// Planted is one row of the truth file.
type Planted struct {
	CaseID string
	Kind   string
	Pair   Pair
}

// Truth is the ground truth of a synthetic population.
type Truth struct {
	// Planted lists every planted case in file order.
	Planted []Planted
	// kinds gives the planted kinds of each pair.
	kinds map[Pair][]string
	// person gives the true person behind each (dataset, record id).
	// A record id held by several rows (planted as a duplicate id) maps to
	// every person behind it.
	person map[detect.Ref][]string
}

// ReadTruth reads the truth files synth.Generate wrote into dir.
func ReadTruth(dir string) (*Truth, error) {
	t := &Truth{kinds: map[Pair][]string{}, person: map[detect.Ref][]string{}}
	cols, err := ReadParquetText(filepath.Join(dir, synth.TruthFile))
	if err != nil {
		return nil, err
	}
	need := []string{"case_id", "kind", "left_dataset", "left_record_id", "right_dataset", "right_record_id"}
	if err := hasColumns(cols, synth.TruthFile, need); err != nil {
		return nil, err
	}
	for i := range cols["kind"] {
		p := Planted{
			CaseID: cols["case_id"][i],
			Kind:   cols["kind"][i],
			Pair: NewPair(
				detect.Ref{Dataset: cols["left_dataset"][i], RecordID: cols["left_record_id"][i]},
				detect.Ref{Dataset: cols["right_dataset"][i], RecordID: cols["right_record_id"][i]}),
		}
		t.Planted = append(t.Planted, p)
		t.kinds[p.Pair] = append(t.kinds[p.Pair], p.Kind)
	}
	people, err := readPeople(filepath.Join(dir, synth.PeopleTruthFile))
	if err != nil {
		return nil, err
	}
	t.person = people
	return t, nil
}

// Kinds returns the planted kinds of the pair of a and b.
func (t *Truth) Kinds(a, b detect.Ref) []string { return t.kinds[NewPair(a, b)] }

// Person returns the true person behind record r, and false if r is not
// one record (unknown, or a record id that several rows share).
func (t *Truth) Person(r detect.Ref) (string, bool) {
	ps := t.person[r]
	if len(ps) != 1 {
		return "", false
	}
	return ps[0], true
}

// SamePerson reports whether a and b are records of one true person.
func (t *Truth) SamePerson(a, b detect.Ref) bool {
	pa, ok := t.Person(a)
	if !ok {
		return false
	}
	pb, ok := t.Person(b)
	return ok && pa == pb
}

// Count returns the number of planted cases of kind.
func (t *Truth) Count(kind string) int {
	n := 0
	for _, p := range t.Planted {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

func readPeople(path string) (map[detect.Ref][]string, error) {
	cols, err := ReadParquetText(path)
	if err != nil {
		return nil, err
	}
	if err := hasColumns(cols, path, []string{"dataset", "record_id", "person_id"}); err != nil {
		return nil, err
	}
	out := make(map[detect.Ref][]string, len(cols["dataset"]))
	for i, ds := range cols["dataset"] {
		id := cols["record_id"][i]
		if id == "" {
			continue
		}
		r := detect.Ref{Dataset: ds, RecordID: id}
		out[r] = append(out[r], cols["person_id"][i])
	}
	return out, nil
}

func hasColumns(cols map[string][]string, name string, need []string) error {
	for _, c := range need {
		if _, ok := cols[c]; !ok {
			return fmt.Errorf("%s: no column %s", name, c)
		}
	}
	return nil
}

// ReadParquetText reads every column of a flat Parquet file as text (see
// arrow.Array.ValueStr), null cells as "".
func ReadParquetText(path string) (map[string][]string, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer tbl.Release()
	out := map[string][]string{}
	for i, f := range tbl.Schema().Fields() {
		vals := make([]string, 0, tbl.NumRows())
		for _, ch := range tbl.Column(i).Data().Chunks() {
			vals = appendText(vals, ch)
		}
		out[f.Name] = vals
	}
	return out, nil
}

func appendText(dst []string, a arrow.Array) []string {
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			dst = append(dst, "")
		} else {
			dst = append(dst, a.ValueStr(i))
		}
	}
	return dst
}
