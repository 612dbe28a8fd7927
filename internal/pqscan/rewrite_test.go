package pqscan

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

// TestRewriter writes a file anew keeping every other row of each batch,
// and reads back the kept ids, in order, with the schema and metadata.
func TestRewriter(t *testing.T) {
	src := writeFile(t, 50)
	f, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schema, err := f.Schema()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "kept.parquet")
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := NewRewriter(schema, w)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	err = f.Batches(context.Background(), nil, func(rec arrow.Record) error {
		id := textOf(rec.Column(0))
		keep := make([]bool, rec.NumRows())
		for i := range keep {
			if keep[i] = i%2 == 0; keep[i] {
				s, _ := id(i)
				want = append(want, s)
			}
		}
		return rw.Write(rec, keep)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	// The Rewriter leaves w open for its owner to close.
	if err := w.Close(); err != nil {
		t.Fatalf("closing w after the Rewriter: %v", err)
	}

	g, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	gs, err := g.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if !gs.Equal(schema) || g.Meta()["k"] != "v" {
		t.Errorf("schema %v, metadata %v; want %v and k=v", gs, g.Meta(), schema)
	}
	var got []string
	err = g.Batches(context.Background(), nil, func(rec arrow.Record) error {
		id := textOf(rec.Column(0))
		for i := 0; i < int(rec.NumRows()); i++ {
			s, _ := id(i)
			got = append(got, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || !slices.Equal(got, want) {
		t.Errorf("kept ids %q, want %q", got, want)
	}
}
