// Package loadbench benchmarks loading: streaming a one-million-row
// canonical person file through load.Reader (decode, map, validate) and
// measuring rows per second and peak heap.
package loadbench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/person"
)

var (
	forenames = strings.Fields(`James John David Michael Robert Paul Peter Mark Andrew Richard Sarah Elizabeth
		Margaret Susan Karen Helen Emma Julie Lisa Claire Mohammed Ali Piotr Agnieszka Siobhán Zoë Chidi Ngozi
		Oliver Amelia Noah Isla George Ava Harry Grace Jack Chloe Leo Freya Arthur Lily Muhammad Ivy`)
	surnames = strings.Fields(`Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
		Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood
		Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen O'Brien Nowak
		Okafor Kowalski MacDonald Van Der Berg Ní Bhriain Ahmed Khan Begum`)
	streets = strings.Fields(`High Station Church Park Victoria Green Manor Kings Queens Mill School Grove
		Albert Springfield Windsor Oak Cedar Chapel Bridge North South`)
	kinds  = strings.Fields(`Street Road Lane Avenue Close Drive Way Crescent Terrace Gardens`)
	towns  = strings.Fields(`Stockport Manchester Salford Oldham Bolton Wigan Bury Rochdale Leeds Bradford`)
	outers = strings.Fields(`SK1 SK2 SK4 M1 M4 M14 M20 OL1 BL1 WN1 BB1 LS6 BD7 M5 M6 M8 M9 M11 M12 M13`)
)

const inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"

// niPrefixes are allocated NI number prefixes.
var niPrefixes = strings.Fields(`AB AE AH AK AL AM AP AR AS AT AW AX AY AZ BA BB BE BH BK BL BM BT CA CB CE CH CK CL CR
	EA EB EE EH EK EL EM EP ER ES ET EW EX EY EZ GY HA HB HE HH HK HL HM HP HR HS HT HW HX HY HZ JA JB JC JE JG JH JJ JK`)

// writePeople writes n deterministic synthetic tenancy-export rows as a
// canonical person file (person.Schema()) to w, compressed with codec, in
// row groups of rowGroup rows.
func writePeople(w io.Writer, n, rowGroup int, seed uint64, codec compress.Compression) error {
	sc := person.Schema()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(int64(rowGroup)),
	)
	fw, err := pqarrow.NewFileWriter(sc, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	col := func(name string) array.Builder {
		for i, f := range sc.Fields() {
			if f.Name == name {
				return b.Field(i)
			}
		}
		panic("no column " + name)
	}
	str := func(name string) *array.StringBuilder { return col(name).(*array.StringBuilder) }
	dt := func(name string) *array.Date32Builder { return col(name).(*array.Date32Builder) }
	epochBirth := date.MustOf(1930, time.January, 1).Days()
	epochStart := date.MustOf(1995, time.January, 1).Days()
	var sb strings.Builder
	for start := 0; start < n; start += rowGroup {
		end := min(n, start+rowGroup)
		for i := start; i < end; i++ {
			fore := forenames[rng.IntN(len(forenames))]
			sur := surnames[rng.IntN(len(surnames))]
			str(person.ColRecordID).Append("T" + strconv.Itoa(1_000_000+i))
			str(person.ColForename).Append(fore)
			if rng.IntN(3) == 0 {
				str(person.ColMiddleNames).Append(forenames[rng.IntN(len(forenames))])
			} else {
				str(person.ColMiddleNames).AppendNull()
			}
			str(person.ColSurname).Append(sur)
			dt(person.ColDOB).Append(arrow.Date32(epochBirth + int32(rng.IntN(75*365))))
			if rng.IntN(10) == 0 {
				str(person.ColNINumber).AppendNull()
			} else {
				str(person.ColNINumber).Append(fmt.Sprintf("%s%06d%c", niPrefixes[rng.IntN(len(niPrefixes))], 100000+rng.IntN(899999), 'A'+rng.IntN(4)))
			}
			if i%5 < 2 { // two in five, without a draw, so the other columns stay as they were
				str(person.ColPassport).Append(strconv.Itoa(100_000_000 + (i*7919)%900_000_000))
			} else {
				str(person.ColPassport).AppendNull()
			}
			sb.Reset()
			fmt.Fprintf(&sb, "%d %s %s %s", 1+rng.IntN(250), streets[rng.IntN(len(streets))], kinds[rng.IntN(len(kinds))], towns[rng.IntN(len(towns))])
			str(person.ColAddress).Append(sb.String())
			str(person.ColPostcode).Append(fmt.Sprintf("%s %d%c%c", outers[rng.IntN(len(outers))], rng.IntN(10),
				inwardLetters[rng.IntN(len(inwardLetters))], inwardLetters[rng.IntN(len(inwardLetters))]))
			str(person.ColUPRN).Append(strconv.Itoa(100_000_000_000 + rng.IntN(900_000_000_000)))
			if rng.IntN(4) == 0 {
				str(person.ColPhone).AppendNull()
			} else {
				str(person.ColPhone).Append(fmt.Sprintf("07700 9%05d", rng.IntN(100000)))
			}
			if rng.IntN(3) == 0 {
				str(person.ColEmail).AppendNull()
			} else {
				str(person.ColEmail).Append(strings.ToLower(fore) + "." + strings.ToLower(sur) + strconv.Itoa(rng.IntN(1000)) + "@example.org")
			}
			str(person.ColGender).Append([]string{"Female", "Male"}[i%2]) // without a draw, as passports
			str(person.ColTenancyRef).Append("TEN" + strconv.Itoa(500_000+i/2))
			str(person.ColTenancyRole).Append([]string{"lead", "joint", "household"}[rng.IntN(3)])
			ts := epochStart + int32(rng.IntN(30*365))
			dt(person.ColTenancyStart).Append(arrow.Date32(ts))
			if rng.IntN(5) == 0 {
				dt(person.ColTenancyEnd).Append(arrow.Date32(ts + int32(rng.IntN(3000))))
			} else {
				dt(person.ColTenancyEnd).AppendNull()
			}
			dt(person.ColDateOfDeath).AppendNull()
			str(person.ColForwardingAddress).AppendNull()
			str(person.ColForwardingPostcode).AppendNull()
			col(person.ColBalance).(*array.Int64Builder).Append(int64(rng.IntN(200_000) - 50_000))
			str(person.ColEthnicity).Append([]string{"White British", "Asian British", "Black British", "Mixed", "Not known"}[rng.IntN(5)])
			str(person.ColDisability).AppendNull()
			str(person.ColReligion).AppendNull()
			str(person.ColConviction).AppendNull()
		}
		rec := b.NewRecord()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			fw.Close()
			return err
		}
	}
	return fw.Close()
}
