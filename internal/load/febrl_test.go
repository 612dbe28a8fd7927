package load

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/benchdata"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/normalize"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/validate"
)

// febrlExpect reads a raw FEBRL CSV and returns, by rec_id, the record the
// canonical FEBRL4 file should load as under the validation rules, with
// the counts of field problems those rules should report.
func febrlExpect(t *testing.T, csvPath string, today date.Date) (map[string]person.Record, map[string]int64) {
	t.Helper()
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	oldest := time.Date(today.Year()-121, today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	want := map[string]person.Record{}
	counts := map[string]int64{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		v := strings.Split(sc.Text(), ", ")
		if len(v) != 11 {
			t.Fatalf("FEBRL line with %d fields", len(v))
		}
		for i := range v {
			v[i] = strings.TrimSpace(v[i])
		}
		r := person.Record{RecordID: v[0], Forename: v[1], Surname: v[2], Postcode: v[7], NINumber: v[10]}
		var parts []string
		for _, p := range []string{v[3], v[4], v[5], v[6], v[8]} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		r.Address = strings.Join(parts, " ")
		for _, name := range []*string{&r.Forename, &r.Surname} {
			if *name != "" && normalize.IsPlaceholder(*name) {
				*name = ""
				counts["name placeholder"]++
			}
		}
		if r.Postcode != "" {
			if len(r.Postcode) != 4 || strings.Trim(r.Postcode, "0123456789") != "" {
				t.Fatalf("FEBRL postcode is not 4 digits")
			}
			counts[person.ColPostcode+"/"+validate.NotUKFormat.String()]++
		}
		if r.NINumber != "" {
			if strings.Trim(r.NINumber, "0123456789") != "" {
				t.Fatalf("FEBRL soc_sec_id is not digits")
			}
			counts[person.ColNINumber+"/"+validate.NotHMRCFormat.String()]++
		}
		if born, err := time.Parse("20060102", v[9]); err == nil {
			switch {
			case normalize.IsPlaceholderDate(date.FromTime(born)):
				counts[person.ColDOB+"/"+validate.Placeholder.String()]++
			case born.Before(time.Date(1900, 1, 2, 0, 0, 0, 0, time.UTC)):
				counts[person.ColDOB+"/"+validate.Implausible.String()]++
			case !born.After(oldest):
				counts[person.ColDOB+"/"+validate.OverMaxAge.String()]++
				r.DOB = date.FromTime(born)
			default:
				r.DOB = date.FromTime(born)
			}
		}
		want[r.RecordID] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return want, counts
}

func TestFEBRL4(t *testing.T) {
	for _, side := range []struct{ parquet, csv string }{{"left", "dataset4a"}, {"right", "dataset4b"}} {
		t.Run(side.parquet, func(t *testing.T) {
			want, counts := febrlExpect(t, febrlDir(t)+"/raw/febrl/"+side.csv+".csv", runDate)
			if counts["name placeholder"] != 0 {
				t.Fatalf("the expectation has %d placeholder names; extend the test", counts["name placeholder"])
			}
			recs, rep, err := ReadAll(context.Background(),
				Source{Name: side.parquet, Path: febrlDir(t) + "/febrl4/" + side.parquet + ".parquet"}, testOptions())
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, rep)
			if rep.RowsIn != 5000 || rep.Accepted != 5000 || len(recs) != 5000 {
				t.Fatalf("rows in %d, accepted %d, records %d; want 5000", rep.RowsIn, rep.Accepted, len(recs))
			}
			for _, r := range recs {
				w, ok := want[r.RecordID]
				if !ok {
					t.Fatalf("record %s is not in the raw file", r.RecordID)
				}
				if r != w {
					t.Fatalf("record %s:\n got %+v\nwant %+v", r.RecordID, r, w)
				}
			}
			s := rep.Report.Summary()
			got := map[string]int64{}
			for _, fp := range s.FieldProblems {
				got[fp.Column+"/"+fp.Problem] = fp.Count
			}
			delete(counts, "name placeholder")
			for k, n := range counts {
				if got[k] != n {
					t.Errorf("%s: %d, want %d", k, got[k], n)
				}
			}
			for k, n := range got {
				if _, ok := counts[k]; !ok {
					t.Errorf("unexpected problem %s: %d", k, n)
				}
			}
			// Every postcode is kept and flagged; every NI number is kept.
			if got["postcode/not_uk_format"] < 4900 || got["ni_number/not_hmrc_format"] < 4900 {
				t.Errorf("FEBRL postcodes and ids not flagged: %v", got)
			}
		})
	}
}

// febrlDir finds the shared benchmark data (see internal/benchdata).
func febrlDir(t *testing.T) string {
	t.Helper()
	d, err := benchdata.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
