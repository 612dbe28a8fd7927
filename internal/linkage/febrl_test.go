package linkage

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/benchdata"
	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/score"
)

// The quality tests below run on the public FEBRL benchmark, which lives
// in the shared data folder beside the repository (shared/data). The
// environment variable DATAMATCH_DATA may name that folder instead.

// febrlRandomPairs is the u sample of the quality tests: smaller than the
// default so that the race detector's build stays within its budget.
const febrlRandomPairs = 300_000

// dataDir finds the shared benchmark data folder.
func dataDir(t testing.TB) string {
	t.Helper()
	d, err := benchdata.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// encode pseudonymises recs under a fresh key.
func encode(t testing.TB, enc *pseudo.Encoder, recs []person.Record) []pseudo.Record {
	t.Helper()
	out := make([]pseudo.Record, len(recs))
	for i := range recs {
		enc.Encode(&out[i], &recs[i])
	}
	return out
}

func newEncoder(t testing.TB) *pseudo.Encoder {
	t.Helper()
	k, err := key.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return pseudo.NewEncoder(k)
}

// readTruth reads FEBRL4's truth.parquet as pairs of record ids.
func readTruth(t testing.TB, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer tbl.Release()
	cols := map[string]int{}
	for i, fl := range tbl.Schema().Fields() {
		cols[fl.Name] = i
	}
	li, lok := cols["left_record_id"]
	ri, rok := cols["right_record_id"]
	if !lok || !rok {
		t.Fatalf("%s: no left_record_id/right_record_id columns", path)
	}
	var out [][2]string
	tr := array.NewTableReader(tbl, 1<<16)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		l, r := stringsOf(t, rec.Column(li)), stringsOf(t, rec.Column(ri))
		for i := range l {
			out = append(out, [2]string{l[i], r[i]})
		}
	}
	return out
}

func stringsOf(t testing.TB, a interface{ Len() int }) []string {
	t.Helper()
	type str interface{ Value(int) string }
	s, ok := a.(str)
	if !ok {
		t.Fatalf("truth column of type %T is not text", a)
	}
	out := make([]string, a.Len())
	for i := range out {
		out[i] = s.Value(i)
	}
	return out
}

// scores summarises a run against truth at every threshold.
type scores struct {
	atDefault, oneToOne quality
	best                quality
	bestThreshold       float64
	bestOneToOne        quality
	bestOneToOneAt      float64
}

// sweep measures matches (kept at a low threshold) at the default
// threshold and at the best threshold, with and without one-to-one.
func sweep(matches []pair.Match, truth map[[2]int32]bool, link bool) scores {
	var s scores
	at := func(th float64, oneToOne bool) quality {
		var kept []pair.Match
		for _, m := range matches {
			if m.Probability >= th {
				kept = append(kept, m)
			}
		}
		if oneToOne {
			kept = cluster.OneToOne(kept)
		}
		return measure(pairsOf(kept), truth)
	}
	s.atDefault = at(DefaultThreshold, false)
	if link {
		s.oneToOne = at(DefaultThreshold, true)
	}
	for _, th := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999} {
		if q := at(th, false); q.f1 > s.best.f1 {
			s.best, s.bestThreshold = q, th
		}
		if link {
			if q := at(th, true); q.f1 > s.bestOneToOne.f1 {
				s.bestOneToOne, s.bestOneToOneAt = q, th
			}
		}
	}
	return s
}

func (q quality) String() string {
	return fmt.Sprintf("P %.4f R %.4f F1 %.4f (tp %d fp %d fn %d)", q.precision, q.rec, q.f1, q.tp, q.fp, q.fn)
}

// readFEBRL4 reads FEBRL4's two files as canonical records, and the true
// pairs by record index.
func readFEBRL4(t *testing.T) (left, right []person.Record, truth map[[2]int32]bool) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(dataDir(t), "febrl4")
	left, _, err := load.ReadAll(ctx, load.Source{Name: "febrl4a", Path: filepath.Join(dir, "left.parquet"), Role: person.RolePeople}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	right, _, err = load.ReadAll(ctx, load.Source{Name: "febrl4b", Path: filepath.Join(dir, "right.parquet"), Role: person.RolePeople}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	li, ri := map[string]int32{}, map[string]int32{}
	for i, r := range left {
		li[r.RecordID] = int32(i)
	}
	for i, r := range right {
		ri[r.RecordID] = int32(i)
	}
	truth = map[[2]int32]bool{}
	for _, p := range readTruth(t, filepath.Join(dir, "truth.parquet")) {
		l, lok := li[p[0]]
		r, rok := ri[p[1]]
		if !lok || !rok {
			t.Fatalf("truth pair %v names a record that was not loaded", p)
		}
		truth[[2]int32{l, r}] = true
	}
	if len(truth) != 5000 {
		t.Fatalf("%d true pairs, want 5000", len(truth))
	}
	return left, right, truth
}

// TestFEBRL4 links FEBRL4's two files, pseudonymised under a fresh key,
// with no labels used for estimation, and checks F1 at the default
// threshold.
func TestFEBRL4(t *testing.T) {
	ctx := context.Background()
	left, right, truth := readFEBRL4(t)
	enc := newEncoder(t)
	pl, pr := encode(t, enc, left), encode(t, enc, right)

	cfg := Config{
		Threshold:   0.01, // keep low-probability pairs too, to sweep thresholds
		RandomPairs: febrlRandomPairs,
		Blocking:    block.Options{Truth: func(l, r int32) bool { return truth[[2]int32{l, r}] }, TrueCount: int64(len(truth))},
	}
	res, err := Link(ctx, pl, pr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := sweep(res.Matches, truth, true)
	logBlocking(t, res.Blocking)
	t.Logf("FEBRL4: %d candidates, model expects %.0f matches (5000 true), %d EM iterations", res.Compared, res.Model.ExpectedMatches, res.Model.Iterations)
	t.Logf("FEBRL4 at default threshold %.2f: %v", DefaultThreshold, s.atDefault)
	t.Logf("FEBRL4 at default threshold, one-to-one: %v", s.oneToOne)
	t.Logf("FEBRL4 best threshold %.3f: %v", s.bestThreshold, s.best)
	t.Logf("FEBRL4 best threshold %.3f, one-to-one: %v", s.bestOneToOneAt, s.bestOneToOne)
	logModel(t, res.Model)
	if res.Blocking.Completeness < 0.99 {
		t.Errorf("pair completeness %.4f below 0.99", res.Blocking.Completeness)
	}
	if s.atDefault.f1 < 0.99 {
		t.Errorf("F1 at the default threshold %.4f below 0.99", s.atDefault.f1)
	}
}

// TestFEBRL4WithoutFields links FEBRL4 with fields removed from both
// files, as partners' files come: no dates of birth; no dates of birth
// or NI numbers (names and addresses); and no postcodes either (names and
// address lines). With no identifier in any pair, a related class of
// relatives took every match for itself: F1 at the default threshold was
// 0.185 without dates of birth and NI numbers, and 0 (no match found)
// without postcodes too. Such a class is now kept only if the match
// class looks more like one person's records than it does (see
// score.Estimate); here it does not. Records lacking a date of birth are
// also sought by their names' Bloom filters alone. Measured now: F1
// 0.997–0.998, 0.969 and 0.894–0.897, each with precision above 0.99.
func TestFEBRL4WithoutFields(t *testing.T) {
	tests := []struct {
		name  string
		strip func(r *person.Record)
		f1    float64
	}{
		{"no dates of birth", func(r *person.Record) { r.DOB = date.Date{} }, 0.99},
		{"names and addresses", func(r *person.Record) { r.DOB, r.NINumber = date.Date{}, "" }, 0.96},
		{"names and address lines", func(r *person.Record) { r.DOB, r.NINumber, r.Postcode = date.Date{}, "", "" }, 0.85},
	}
	left0, right0, truth := readFEBRL4(t)
	for _, tt := range tests {
		left, right := slices.Clone(left0), slices.Clone(right0)
		for _, side := range [][]person.Record{left, right} {
			for i := range side {
				tt.strip(&side[i])
			}
		}
		enc := newEncoder(t)
		res, err := Link(context.Background(), encode(t, enc, left), encode(t, enc, right), Config{
			Threshold:   0.01,
			RandomPairs: febrlRandomPairs,
			Blocking:    block.Options{Truth: func(l, r int32) bool { return truth[[2]int32{l, r}] }, TrueCount: int64(len(truth))},
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		s := sweep(res.Matches, truth, true)
		t.Logf("%s: %d candidates, completeness %.4f, model expects %.0f matches (5000 true); at default threshold: %v",
			tt.name, res.Compared, res.Blocking.Completeness, res.Model.ExpectedMatches, s.atDefault)
		if s.atDefault.precision < 0.99 || s.atDefault.f1 < tt.f1 {
			t.Errorf("%s: at the default threshold: %v; want precision 0.99 and F1 %.2f", tt.name, s.atDefault, tt.f1)
		}
	}
}

func logBlocking(t *testing.T, st *block.Stats) {
	t.Helper()
	for _, r := range st.Rules {
		t.Logf("  rule %-30s generated %8d new %8d reduction %.6f skipped blocks %d true new %5d completeness %.4f",
			r.Name, r.Generated, r.New, r.ReductionRatio, r.SkippedBlocks, r.TrueNew, r.Completeness)
	}
	t.Logf("  blocking: %d candidates of %.0f pairs (reduction %.6f), completeness %.4f", st.Candidates, st.ComparisonSpace, st.ReductionRatio, st.Completeness)
}

func logModel(t *testing.T, m *score.Model) {
	t.Helper()
	for _, f := range m.Fields {
		var b strings.Builder
		for _, l := range f.Levels[:len(f.Levels)-1] {
			fmt.Fprintf(&b, " %s m=%.4f u=%.6f;", l.Name, l.M, l.U)
		}
		t.Logf("  %-12s%s", f.Name, b.String())
	}
	for _, n := range m.Notes {
		t.Logf("  note: %s", n)
	}
}

// readCSV reads the CSV file at path, whose header must name every column
// of cols, and calls row for each record with a function that returns a
// column's value, trimmed of spaces.
func readCSV(t testing.TB, path string, cols []string, row func(v func(col string) string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, h := range cols {
		if _, ok := col[h]; !ok {
			t.Fatalf("%s: no column %s", path, h)
		}
	}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s row %d: %v", path, n, err)
		}
		row(func(h string) string { return strings.TrimSpace(rec[col[h]]) })
	}
}

// readFEBRL reads one of the original FEBRL CSV files into canonical
// records, mapped as the FEBRL4 Parquet files are: address from street
// number, address lines, suburb and state; soc_sec_id as the NI number.
func readFEBRL(t testing.TB, path string) []person.Record {
	t.Helper()
	var out []person.Record
	cols := []string{"rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"}
	readCSV(t, path, cols, func(v func(string) string) {
		p := person.Record{RecordID: v("rec_id"), Forename: v("given_name"), Surname: v("surname"), Postcode: v("postcode"), NINumber: v("soc_sec_id")}
		var addr []string
		for _, h := range []string{"street_number", "address_1", "address_2", "suburb", "state"} {
			if s := v(h); s != "" {
				addr = append(addr, s)
			}
		}
		p.Address = strings.Join(addr, " ")
		if d, err := date.Parse(date.Compact, v("date_of_birth")); err == nil {
			p.DOB = d
		}
		out = append(out, p)
	})
	return out
}

// febrlEntity returns the person number N of a FEBRL record id
// "rec-N-org" or "rec-N-dup-k".
func febrlEntity(t testing.TB, id string) string {
	parts := strings.Split(id, "-")
	if len(parts) < 3 || parts[0] != "rec" {
		t.Fatalf("record id %q is not a FEBRL id", id)
	}
	return parts[1]
}

// TestFEBRLDedupe deduplicates the raw FEBRL 1–3 files and reports F1 of
// the pairs found, directly and through clusters.
func TestFEBRLDedupe(t *testing.T) {
	dir := filepath.Join(dataDir(t), "raw", "febrl")
	tests := []struct {
		file  string
		pairs int
	}{
		{"dataset1.csv", 500},
		{"dataset2.csv", 1934},
		{"dataset3.csv", 6538},
	}
	enc := newEncoder(t)
	for _, tt := range tests {
		recs := readFEBRL(t, filepath.Join(dir, tt.file))
		entity := make([]string, len(recs))
		for i, r := range recs {
			entity[i] = febrlEntity(t, r.RecordID)
		}
		truth := truthOfGroups(entity)
		if len(truth) != tt.pairs {
			t.Fatalf("%s: %d true pairs, want %d", tt.file, len(truth), tt.pairs)
		}
		pr := encode(t, enc, recs)
		cfg := Config{
			Threshold:   0.01,
			RandomPairs: febrlRandomPairs,
			Blocking:    block.Options{Truth: func(l, r int32) bool { return truth[[2]int32{l, r}] }, TrueCount: int64(len(truth))},
		}
		res, err := Dedupe(context.Background(), pr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := sweep(res.Matches, truth, false)
		t.Logf("%s: %d records, %d candidates, completeness %.4f, model expects %.0f matches (%d true)",
			tt.file, len(recs), res.Compared, res.Blocking.Completeness, res.Model.ExpectedMatches, len(truth))
		t.Logf("%s at default threshold: %v", tt.file, s.atDefault)
		t.Logf("%s best threshold %.3f: %v", tt.file, s.bestThreshold, s.best)

		// Clustered at the default threshold: pairs implied by clusters.
		qc := measure(clusteredPairs(len(recs), res.Matches), truth)
		t.Logf("%s clustered at default threshold: %v", tt.file, qc)
		// The 0.99 requirement is FEBRL4's; these files are reported,
		// and guarded with a margin (FEBRL3 measures 0.992–0.993).
		if res.Blocking.Completeness < 0.985 {
			t.Errorf("%s: pair completeness %.4f", tt.file, res.Blocking.Completeness)
		}
		if s.atDefault.f1 < 0.95 {
			t.Errorf("%s: F1 at the default threshold %.4f", tt.file, s.atDefault.f1)
		}
	}
}

// TestFEBRL4CompoundSurnames links FEBRL4 as names and addresses (no date
// of birth, no NI number) after making the surnames of 30% of its true
// pairs compound on one side, as UK records often have them: the left
// record under Smith-Jones and the right under Smith, or the left under
// Jones-Smith, or the two under the parts in the opposite orders. The
// surname's "part" level must be learnt, without labels, as evidence, and
// the changed pairs found. Measured: the level weighs 6.4 bits (m 0.21,
// u 0.0025); recall among the changed pairs at the default threshold is
// 0.887, against 0.869–0.874 before surnames had parts, where the Bloom
// filters' Dice levels alone saw the resemblance; F1 0.961 against 0.959
// (0.969 with no surname changed).
func TestFEBRL4CompoundSurnames(t *testing.T) {
	left, right, truth := readFEBRL4(t)
	var surnames []string
	for _, p := range left {
		if p.Surname != "" {
			surnames = append(surnames, p.Surname)
		}
	}
	pairs := slices.SortedFunc(maps.Keys(truth), func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) })
	rng := rand.New(rand.NewPCG(1, 2))
	changed := map[[2]int32]bool{}
	for _, k := range pairs {
		l, r := &left[k[0]], &right[k[1]]
		if rng.Float64() >= 0.3 || l.Surname == "" || r.Surname == "" {
			continue
		}
		other := surnames[rng.IntN(len(surnames))]
		switch rng.IntN(3) {
		case 0:
			l.Surname = l.Surname + "-" + other
		case 1:
			l.Surname = other + "-" + l.Surname
		case 2:
			l.Surname, r.Surname = l.Surname+"-"+other, other+" "+r.Surname
		}
		changed[k] = true
	}
	for _, side := range [][]person.Record{left, right} {
		for i := range side {
			side[i].DOB, side[i].NINumber = date.Date{}, ""
		}
	}
	enc := newEncoder(t)
	res, err := Link(context.Background(), encode(t, enc, left), encode(t, enc, right), Config{
		Threshold:   DefaultThreshold,
		RandomPairs: febrlRandomPairs,
	})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, m := range res.Matches {
		if changed[[2]int32{m.Left, m.Right}] {
			found++
		}
	}
	q := measure(pairsOf(res.Matches), truth)
	recall := float64(found) / float64(len(changed))
	var part *score.Level
	for i, f := range res.Model.Fields {
		if f.Name == "surname" {
			for j := range f.Levels {
				if f.Levels[j].Name == compare.LevelPart {
					part = &res.Model.Fields[i].Levels[j]
				}
			}
		}
	}
	if part == nil {
		t.Fatal("the model's surname has no part level")
	}
	weight := math.Log2(part.M / part.U)
	t.Logf("%d pairs changed: recall among them %.4f; part level m %.4f u %.6f (%.1f bits); all pairs: %v",
		len(changed), recall, part.M, part.U, weight, q)
	if weight < 4 {
		t.Errorf("part level weighs %.1f bits, want at least 4", weight)
	}
	if recall < 0.87 || q.precision < 0.99 || q.f1 < 0.95 {
		t.Errorf("recall among changed pairs %.4f, all pairs %v; want recall 0.87, precision 0.99, F1 0.95", recall, q)
	}
}
