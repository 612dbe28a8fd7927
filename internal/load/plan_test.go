package load

import (
	"fmt"
	"testing"
)

// TestSkippedAndDictionaryColumns reads a file in which one mapped column
// is null in every row group (so Open skips decoding it) and text columns
// are dictionary-encoded with values repeating across row groups (so they
// are read as dictionary indices), and checks every value against what was
// written.
func TestSkippedAndDictionaryColumns(t *testing.T) {
	const n = 250
	ids := make([]any, n)
	forenames := make([]any, n)
	surnames := make([]any, n)
	emails := make([]any, n)
	for i := range n {
		ids[i] = fmt.Sprintf("R%03d", i)
		forenames[i] = []string{"Ann", "Bob", "Cara"}[i%3]
		if i%7 != 0 {
			surnames[i] = []string{"Smith", "Jones", "Khan", "Patel"}[i%4]
		}
		emails[i] = nil
	}
	p := tempFile(t, "dict.parquet")
	writeArrow(t, p, 60, strs("record_id", ids...), strs("forename", forenames...), strs("surname", surnames...), strs("email", emails...))
	batches, rep := readAll(t, p, Mapping{})
	if rep.RowsIn != n || rep.Accepted != n {
		t.Fatalf("rows in %d, accepted %d; want %d", rep.RowsIn, rep.Accepted, n)
	}
	i := 0
	for _, b := range batches {
		for k, r := range b.Records {
			row := int(b.Rows[k])
			if r.RecordID != ids[row] || r.Forename != forenames[row] || r.Email != "" {
				t.Fatalf("row %d read as %q %q %q", row, r.RecordID, r.Forename, r.Email)
			}
			want, _ := surnames[row].(string)
			if r.Surname != want {
				t.Fatalf("row %d surname %q, want %q", row, r.Surname, want)
			}
			i++
		}
	}
	if i != n {
		t.Fatalf("read %d records, want %d", i, n)
	}
}
