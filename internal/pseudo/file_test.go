package pseudo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/person"
)

func encoded(t testing.TB, n int) (*Encoder, []Record) {
	t.Helper()
	e := NewEncoder(newKey(t))
	src := population(n, 9)
	// Give some records every attribute and some none.
	full := fullRecord()
	src[0] = full
	src[1] = person.Record{RecordID: "empty"}
	recs := make([]Record, len(src))
	e.EncodeBatch(recs, src)
	return e, recs
}

func metaFor(e *Encoder) FileMeta {
	return FileMeta{KeyID: e.KeyID(), Dataset: "tenancies", Role: person.RoleTenancy, Params: CurrentParams()}
}

func TestFileRoundTrip(t *testing.T) {
	e, recs := encoded(t, 1000)
	path := filepath.Join(t.TempDir(), "tenancies.parquet")
	meta := metaFor(e)
	if err := WriteFile(path, meta, recs); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	gotMeta, got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if gotMeta != meta {
		t.Errorf("meta = %+v, want %+v", gotMeta, meta)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, wrote %d", len(got), len(recs))
	}
	for i := range recs {
		if got[i] != recs[i] {
			t.Fatalf("record %d differs after the round trip:\n got %+v\nwant %+v", i, got[i], recs[i])
		}
	}
	if err := e.Compatible(gotMeta); err != nil {
		t.Errorf("Compatible: %v", err)
	}
	other := NewEncoder(newKey(t))
	if err := other.Compatible(gotMeta); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("a file from another key: Compatible = %v, want ErrKeyMismatch", err)
	}
}

func TestFileDeterministic(t *testing.T) {
	e, recs := encoded(t, 500)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := WriteFile(a, metaFor(e), recs); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(b, metaFor(e), recs); err != nil {
		t.Fatal(err)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if string(da) != string(db) {
		t.Error("the same records give different files")
	}
}

func TestFileStreaming(t *testing.T) {
	e, recs := encoded(t, 2500)
	path := filepath.Join(t.TempDir(), "f")
	w, err := Create(path, metaFor(e))
	if err != nil {
		t.Fatal(err)
	}
	w.groupRows = 1000
	for lo := 0; lo < len(recs); lo += 700 {
		if err := w.Write(recs[lo:min(lo+700, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("file visible before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.NumRows() != int64(len(recs)) {
		t.Errorf("NumRows = %d, want %d", r.NumRows(), len(recs))
	}
	if r.pf.NumRowGroups() != 3 {
		t.Errorf("%d row groups, want 3", r.pf.NumRowGroups())
	}
	i := 0
	err = r.Read(context.Background(), func(b []Record) error {
		for _, got := range b {
			if got != recs[i] {
				t.Fatalf("record %d differs", i)
			}
			i++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(recs) {
		t.Errorf("read %d records, want %d", i, len(recs))
	}
	stop := errors.New("stop")
	if err := r.Read(context.Background(), func([]Record) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Read did not return fn's error: %v", err)
	}
}

func TestAbort(t *testing.T) {
	e, recs := encoded(t, 10)
	path := filepath.Join(t.TempDir(), "f")
	w, err := Create(path, metaFor(e))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(recs); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Errorf("Abort left %d files", len(entries))
	}
	if err := w.Write(recs); err == nil {
		t.Error("Write after Abort succeeded")
	}

	// Abort after Close keeps the file.
	w, err = Create(path, metaFor(e))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if err := w.Close(); err == nil {
		t.Error("a second Close succeeded")
	}
	if _, got, err := ReadFile(path); err != nil || len(got) != len(recs) {
		t.Errorf("after Close and Abort: %d records, %v", len(got), err)
	}
}

func TestCreateRefuses(t *testing.T) {
	e, _ := encoded(t, 2)
	good := metaFor(e)
	tests := []struct {
		name string
		edit func(*FileMeta)
		want string
	}{
		{"no key id", func(m *FileMeta) { m.KeyID = "" }, "key ID"},
		{"no dataset", func(m *FileMeta) { m.Dataset = "" }, "dataset"},
		{"bad role", func(m *FileMeta) { m.Role = "landlord" }, "role"},
		{"other params", func(m *FileMeta) { m.Params.AddressK = 3 }, "parameters"},
		{"no params", func(m *FileMeta) { m.Params = Params{} }, "parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good
			tt.edit(&m)
			path := filepath.Join(t.TempDir(), "f")
			err := WriteFile(path, m, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteFile: %v, want an error about %s", err, tt.want)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("refused write left a file")
			}
		})
	}
}

// writeRaw writes a one-row Parquet file with the given schema, filling
// every column with nulls or zeros.
func writeRaw(t *testing.T, path string, sc *arrow.Schema) {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i, f := range sc.Fields() {
		switch fb := b.Field(i).(type) {
		case *array.StringBuilder:
			fb.Append("x")
		default:
			if f.Nullable {
				fb.AppendNull()
			} else {
				fb.AppendEmptyValue()
			}
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, f, nil, pqarrow.DefaultWriterProps())
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

// withMeta returns our schema with one metadata value replaced.
func withMeta(m FileMeta, key, value string) *arrow.Schema {
	sc := schema(m)
	keys, values := m.keyValues()
	for i := range keys {
		if keys[i] == key {
			values[i] = value
		}
	}
	md := arrow.NewMetadata(keys, values)
	return arrow.NewSchema(sc.Fields(), &md)
}

func TestOpenRefuses(t *testing.T) {
	e, recs := encoded(t, 50)
	m := metaFor(e)
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	if err := WriteFile(good, m, recs); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	raw := func(name string, sc *arrow.Schema) string {
		p := filepath.Join(dir, name)
		writeRaw(t, p, sc)
		return p
	}
	fields := schema(m).Fields()
	sm := schema(m).Metadata()
	missing := arrow.NewSchema(fields[:len(fields)-1], &sm)
	retyped := append([]arrow.Field(nil), fields...)
	retyped[1].Type = arrow.PrimitiveTypes.Int64

	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "none"), "no such file"},
		{"text", write("text", []byte("record_id,forename\n1,Mary\n")), "read"},
		{"truncated", write("truncated", data[:len(data)/2]), "read"},
		{"empty", write("empty", nil), "read"},
		{"plain parquet", raw("plain", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}}, nil)), "not a datamatch"},
		{"other version", raw("v1", withMeta(m, metaVersion, "1")), "version"},
		{"other key id form", raw("kid", withMeta(m, metaKeyID, "abc")), "key ID"},
		{"other params", raw("params", withMeta(m, metaNameBits, "256")), "parameters"},
		{"garbled params", raw("garbled", withMeta(m, metaNameK, "thirty")), "parameters"},
		{"missing column", raw("missingcol", missing), "column balance: missing"},
		{"retyped column", raw("retyped", arrow.NewSchema(retyped, &sm)), "column forename: type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path)
			if err == nil {
				r.Close()
				t.Fatalf("Open accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Open: %v, want an error naming the file and containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Mary") {
				t.Errorf("error quotes file contents: %v", err)
			}
		})
	}
}

// TestReadRefusesGenderCode checks that a gender column holding anything
// but a code from 1 to 3 is refused, naming the column and row.
func TestReadRefusesGenderCode(t *testing.T) {
	e, recs := encoded(t, 5)
	recs[3].Gender = 7
	path := filepath.Join(t.TempDir(), "bad.parquet")
	if err := WriteFile(path, metaFor(e), recs); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "column gender: row 3") {
		t.Errorf("ReadFile = %v, want a refusal of the gender in row 3", err)
	}
}

func TestParamsString(t *testing.T) {
	p := CurrentParams()
	s := p.String()
	for _, want := range []string{p.Scheme, "q=" + strconv.Itoa(p.QGram), strconv.Itoa(p.NameBits), strconv.Itoa(p.AddressK)} {
		if !strings.Contains(s, want) {
			t.Errorf("Params.String() = %q lacks %q", s, want)
		}
	}
}
