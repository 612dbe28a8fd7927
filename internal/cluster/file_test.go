package cluster

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// clusterRow is one row of a clusters file.
type clusterRow struct {
	record, cluster string
	size            int32
}

// readClusters reads a clusters file whole.
func readClusters(t *testing.T, p string) []clusterRow {
	t.Helper()
	rdr, err := file.OpenParquetFile(p, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var names []string
	for _, f := range tbl.Schema().Fields() {
		names = append(names, f.Name)
	}
	if want := []string{"record_id", "cluster_id", "cluster_size"}; !slices.Equal(names, want) {
		t.Fatalf("columns %v, want %v", names, want)
	}
	var rows []clusterRow
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	for tr.Next() {
		rec := tr.Record()
		ids := rec.Column(0).(*array.String)
		cids := rec.Column(1).(*array.String)
		sizes := rec.Column(2).(*array.Int32)
		for i := range int(rec.NumRows()) {
			rows = append(rows, clusterRow{ids.Value(i), cids.Value(i), sizes.Value(i)})
		}
	}
	return rows
}

func TestWriteFile(t *testing.T) {
	id := func(i int32) string { return "r" + strconv.Itoa(int(i)) }
	tests := []struct {
		name     string
		n        int
		clusters [][]int32
		want     []clusterRow
	}{
		{"empty", 0, nil, nil},
		{"no clusters", 2, nil, []clusterRow{{"r0", "r0", 1}, {"r1", "r1", 1}}},
		{
			"clusters and singletons", 6, [][]int32{{1, 3, 4}, {2, 5}},
			[]clusterRow{{"r0", "r0", 1}, {"r1", "r1", 3}, {"r2", "r2", 2}, {"r3", "r1", 3}, {"r4", "r1", 3}, {"r5", "r2", 2}},
		},
	}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "clusters.parquet")
		if err := WriteFile(p, tt.n, tt.clusters, id); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := readClusters(t, p); !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %v, want %v", tt.name, got, tt.want)
		}
		of, err := ReadFile(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: ReadFile: %v", tt.name, err)
		}
		if len(of) != len(tt.want) {
			t.Errorf("%s: ReadFile: %d records, want %d", tt.name, len(of), len(tt.want))
		}
		for _, w := range tt.want {
			if of[w.record] != w.cluster {
				t.Errorf("%s: ReadFile: record %s in cluster %q, want %q", tt.name, w.record, of[w.record], w.cluster)
			}
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", tt.name, fi.Mode().Perm())
		}
	}
}

// TestWriteFileManyRowGroups writes more records than one row group holds
// and checks that every record is there once, in order.
func TestWriteFileManyRowGroups(t *testing.T) {
	n := 2*batchRows + 7
	clusters := [][]int32{{0, int32(n - 1)}, {batchRows - 1, batchRows}}
	p := filepath.Join(t.TempDir(), "clusters.parquet")
	if err := WriteFile(p, n, clusters, func(i int32) string { return strconv.Itoa(int(i)) }); err != nil {
		t.Fatal(err)
	}
	rows := readClusters(t, p)
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.record != strconv.Itoa(i) {
			t.Fatalf("row %d is record %s", i, r.record)
		}
	}
	if r := rows[n-1]; r.cluster != "0" || r.size != 2 {
		t.Errorf("last record: %+v, want cluster 0 of size 2", r)
	}
	if r := rows[batchRows]; r.cluster != strconv.Itoa(batchRows-1) || r.size != 2 {
		t.Errorf("record %d: %+v, want the cluster of record %d", batchRows, r, batchRows-1)
	}
}

func TestWriteFileRefusesUnknownRecord(t *testing.T) {
	p := filepath.Join(t.TempDir(), "clusters.parquet")
	if err := WriteFile(p, 2, [][]int32{{0, 2}}, func(i int32) string { return "x" }); err == nil {
		t.Fatal("a cluster naming record 2 of 2 was written")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("a refused clustering left a file: %v", err)
	}
}
