package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/person"
)

// TestEvaluateLink links FEBRL4 at a low threshold, evaluates the pairs
// against the published truth, and checks the sweep against a count made
// here from the same files.
func TestEvaluateLink(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	if _, errs, code := exe(t, dir, "--quiet", "link", "--left", filepath.Join(data, "left.parquet"),
		"--right", filepath.Join(data, "right.parquet"), "--out", "out", "--threshold", "0.05"); code != exitOK {
		t.Fatalf("link: exit %d: %s", code, errs)
	}
	truthFile := filepath.Join(data, "truth.parquet")
	out, errs, code := exe(t, dir, "evaluate", "--pairs", "out/pairs.parquet", "--truth", truthFile, "--json")
	if code != exitOK {
		t.Fatalf("evaluate: exit %d: %s", code, errs)
	}
	var r evaluation
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("evaluate --json: %v\n%s", err, out)
	}
	if r.Task != "link" || r.KeptAt != 0.05 || r.TruePairs != 5000 {
		t.Errorf("task %q, kept at %v, %d true pairs; want link, 0.05, 5000", r.Task, r.KeptAt, r.TruePairs)
	}
	if len(r.Sweep) == 0 || r.Sweep[0].Threshold != 0.05 || r.Best == nil {
		t.Fatalf("sweep %+v", r.Sweep)
	}
	truth, err := detectbench.ReadParquetText(truthFile)
	if err != nil {
		t.Fatal(err)
	}
	isTrue := map[[2]string]bool{}
	for i, l := range truth["left_record_id"] {
		isTrue[[2]string{l, truth["right_record_id"][i]}] = true
	}
	pairs := readPairs(t, filepath.Join(dir, "out", "pairs.parquet"))
	for _, q := range r.Sweep {
		var found, tp int64
		for _, p := range pairs {
			prob, err := strconv.ParseFloat(p.probability, 64)
			if err != nil {
				t.Fatal(err)
			}
			if prob >= q.Threshold {
				found++
				if isTrue[[2]string{p.left, p.right}] {
					tp++
				}
			}
		}
		if q.Found != found || q.True != tp || q.False != found-tp || q.Missed != 5000-tp {
			t.Errorf("threshold %v: %+v; counted %d pairs, %d true", q.Threshold, q, found, tp)
		}
		if q.Threshold == 0.5 && (q.Precision < 0.99 || q.Recall < 0.99) {
			t.Errorf("FEBRL4 at 0.5: %+v", q)
		}
	}
	text, errs, code := exe(t, dir, "evaluate", "--pairs", "out/pairs.parquet", "--truth", truthFile)
	if code != exitOK {
		t.Fatalf("evaluate: exit %d: %s", code, errs)
	}
	for _, want := range []string{"5000 true pairs", "threshold  pairs  true  false  missed  precision  recall      F1", "best F1 at threshold"} {
		if !strings.Contains(text, want) {
			t.Errorf("evaluate's table lacks %q:\n%s", want, text)
		}
	}
}

// TestEvaluateDedupe deduplicates FEBRL4's two files as one, and evaluates
// pairs and clusters against labels (the person number of FEBRL's record
// ids), checking the clusters' figures against a count made here.
func TestEvaluateDedupe(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	all := febrl4AsOne(t, data, filepath.Join(dir, "people.parquet"))
	label := map[string]string{}
	for _, r := range all {
		parts := strings.Split(r.RecordID, "-") // rec-N-org, rec-N-dup-0
		label[r.RecordID] = parts[1]
	}
	writeLabels(t, filepath.Join(dir, "labels.parquet"), all, label)
	if _, errs, code := exe(t, dir, "--quiet", "link", "--dedupe", "--left", "people.parquet", "--out", "out"); code != exitOK {
		t.Fatalf("link --dedupe: exit %d: %s", code, errs)
	}
	out, errs, code := exe(t, dir, "evaluate", "--pairs", "out/pairs.parquet", "--clusters", "out/clusters.parquet",
		"--labels", "labels.parquet", "--label-column", "person", "--json")
	if code != exitOK {
		t.Fatalf("evaluate: exit %d: %s", code, errs)
	}
	var r evaluation
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("evaluate --json: %v\n%s", err, out)
	}
	if r.Task != "dedupe" || r.KeptAt != 0.5 || r.TruePairs != 5000 || r.Clusters == nil {
		t.Fatalf("task %q, kept at %v, %d true pairs, clusters %v; want dedupe, 0.5, 5000, clusters", r.Task, r.KeptAt, r.TruePairs, r.Clusters)
	}
	cols, err := detectbench.ReadParquetText(filepath.Join(dir, "out", "clusters.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]string{}
	for i, id := range cols["record_id"] {
		members[cols["cluster_id"][i]] = append(members[cols["cluster_id"][i]], id)
	}
	var found, tp int64
	for _, m := range members {
		for a := range m {
			for b := a + 1; b < len(m); b++ {
				found++
				if label[m[a]] == label[m[b]] {
					tp++
				}
			}
		}
	}
	c := r.Clusters
	if c.People != len(members) || c.Found != found || c.True != tp || c.Missed != 5000-tp {
		t.Errorf("clusters %+v; counted %d people, %d pairs, %d true", c, len(members), found, tp)
	}
	if c.Precision < 0.99 || c.Recall < 0.99 {
		t.Errorf("FEBRL4 as one file, clustered: %+v", c)
	}
	// Every kept pair is within a cluster: the clusters hold every true
	// pair the pairs do, and more.
	if r.Sweep[0].Threshold != 0.5 || r.Sweep[0].True > c.True {
		t.Errorf("pairs at 0.5 %+v, clusters %+v", r.Sweep[0], c)
	}
}

// writeLabels writes record_id and person (the label of each record) to a
// Parquet file at path.
func writeLabels(t *testing.T, path string, recs []person.Record, label map[string]string) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "record_id", Type: arrow.BinaryTypes.String},
		{Name: "person", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range recs {
		b.Field(0).(*array.StringBuilder).Append(r.RecordID)
		b.Field(1).(*array.StringBuilder).Append(label[r.RecordID])
	}
	rec := b.NewRecord()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEvaluateUsage checks that evaluate refuses what does not hold
// together, before reading the truth.
func TestEvaluateUsage(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	if _, errs, code := exe(t, dir, "--quiet", "link", "--left", filepath.Join(data, "left.parquet"),
		"--right", filepath.Join(data, "right.parquet"), "--out", "out"); code != exitOK {
		t.Fatalf("link: exit %d: %s", code, errs)
	}
	truth := filepath.Join(data, "truth.parquet")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--pairs", "out/pairs.parquet"}, "one of --truth or --labels"},
		{[]string{"--pairs", "out/pairs.parquet", "--truth", truth, "--labels", truth}, "one of --truth or --labels"},
		{[]string{"--pairs", "out/pairs.parquet", "--labels", truth}, "--label-column"},
		{[]string{"--pairs", "out/pairs.parquet", "--truth", truth, "--label-column", "x"}, "go with --labels"},
		{[]string{"--pairs", "out/pairs.parquet", "--truth", truth, "--clusters", "c.parquet"}, "has no clusters"},
		{[]string{"--pairs", "out/pairs.parquet", "--truth", truth, "--dedupe"}, "the pairs of a link"},
	}
	for _, tt := range tests {
		_, errs, code := exe(t, dir, append([]string{"evaluate"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("evaluate %q: exit %d, stderr %q; want %d and %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
	// A truth file without the columns is refused by name.
	_, errs, code := exe(t, dir, "evaluate", "--pairs", "out/pairs.parquet", "--truth", filepath.Join(data, "left.parquet"))
	if code != exitFailure || !strings.Contains(errs, "left_record_id") {
		t.Errorf("truth without its columns: exit %d, stderr %q", code, errs)
	}
}
