// Package synth generates a synthetic social-housing population and the
// partner datasets it is matched against, with planted fraud cases, decoys
// and a ground truth, for testing and measuring datamatch end to end.
//
// Generate writes into one directory:
//
//   - tenancies.parquet: the landlord's export, written with Arrow's pqarrow,
//     one row per person on a tenancy (lead, joint tenant, household
//     member), current and former. Columns person_ref ("P0001234"),
//     tenancy_ref ("T/000123"), role (LEAD, JOINT, MEMBER), title,
//     first_name, middle_name, last_name, date_of_birth (DATE), ni_no,
//     address_line_1, address_line_2, town, post_code, uprn, tel, email,
//     tenancy_start and tenancy_end (DATE, null while current), rent_balance
//     (DECIMAL(12,2) pounds, positive is arrears, null for members), and the
//     special-category ethnicity, disability, religion and the
//     criminal-offence asb_conviction_flag, then passport_no (nine digits,
//     for the tenants whose identity check recorded one).
//   - other_landlord.parquet: another landlord's tenants. CustomerId
//     ("OL-2019-000123"), TenancyNo, TenantType ("Lead Tenant", "Joint
//     Tenant"), FullName ("SMITH, John Michael"), Gender, DOB ("DD/MM/YYYY"),
//     NINO ("AB 12 34 56 C"), PassportNo, Address (one line), Postcode ("sk57qe"),
//     Telephone ("+44 7700 900123"), Email, TenancyStartDate and
//     TenancyEndDate ("YYYY-MM-DD"), Balance ("£1,234.56").
//   - deceased.parquet: a deceased-persons register. register_id
//     ("DR2024/000123"), surname (capitals), forenames (all given names),
//     sex, date_of_birth ("YYYYMMDD"), date_of_death ("D MMM YYYY"),
//     age_at_death, last_address (capitals), last_postcode.
//   - utility_closed.parquet: a utility's closed accounts. account_number,
//     title, customer_name ("John Smith", "J Smith"), date_of_birth
//     ("DD-MM-YYYY", mostly null), supply_address, supply_postcode (often
//     without its space), account_closed (INT96 timestamp),
//     forwarding_address, forwarding_postcode, phone ("07700900123"), email.
//   - council_tax.parquet: council-tax liable parties, one row each.
//     liable_party_id ("600000123-1"), account_ref, title, first_name,
//     last_name, date_of_birth (DATE, mostly null), property_addr1..3,
//     postcode, uprn, liability_start and liability_end (TIMESTAMP_MILLIS,
//     UTC), single_person_discount ("Y", "N").
//   - truth.parquet: every planted case (see Kinds) as a pair of record ids.
//   - people.parquet: the true person behind every row of every dataset.
//   - manifest.json: the Manifest, including each dataset's load.Mapping.
//
// The partner files are written with xitongsys/parquet-go, a Parquet
// producer independent of the reader, and each keeps its own names and
// formats so that column mapping is exercised.
//
// The people are invented: names are drawn from shipped frequency tables by
// cultural group, sex and year of birth; streets, homes, postcode units and
// UPRNs are invented within real localities and postcode districts around
// Stockport; NI and passport numbers are valid in form but drawn at
// random (a person's renewed passport has another number); phone
// numbers are in Ofcom's range reserved for drama (07700 900xxx) and email
// domains are reserved for documentation.
//
// Output is a function of Config alone: the same Config gives byte-identical
// files. Generation streams in chunks of 65,536 rows of the landlord's
// export, so memory stays bounded at any size.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
)

// Defaults for a zero Config.
const (
	DefaultPeople = 60_000
)

// DefaultToday is the as-at date used when Config.Today is zero, fixed so
// that output does not depend on when it is generated.
var DefaultToday = date.MustOf(2026, 11, 1)

// chunkRows is the number of rows of the landlord's export generated and
// written at a time, and the row-group length of the pqarrow files.
const chunkRows = 65_536

// File names written by Generate, relative to its directory.
const (
	TruthFile       = "truth.parquet"
	PeopleTruthFile = "people.parquet"
	ManifestFile    = "manifest.json"
)

// Config says what to generate.
type Config struct {
	// Seed selects the population; equal seeds give identical output.
	Seed int64
	// People is the number of rows (people on tenancies) in the landlord's
	// export. Zero means DefaultPeople. The partner datasets are sized in
	// proportion: other_landlord about 0.6 times, deceased 0.15, utility
	// 0.4 and council_tax 1.0.
	People int
	// Today is the as-at date of the extracts. Zero means DefaultToday.
	Today date.Date
	// Noise sets the error rates of the planted copies; nil means
	// DefaultNoise().
	Noise *Noise
	// Logger receives progress; nil means slog.Default().
	Logger *slog.Logger

	// chunk overrides chunkRows, so that tests exercise several chunks
	// with few people.
	chunk int
}

// Manifest describes what Generate wrote.
type Manifest struct {
	Seed   int64
	People int
	Today  date.Date
	// Datasets lists the five datasets in the order tenancies,
	// other_landlord, deceased, utility_closed, council_tax.
	Datasets []Dataset
	// TruthFile is the planted cases file (columns case_id, kind,
	// left_dataset, left_record_id, right_dataset, right_record_id), and
	// PeopleTruthFile the file giving the true person behind every row
	// (columns dataset, row, record_id, person_id; row is the 0-based row
	// in the dataset's file, which identifies rows whose record id is
	// missing or duplicated). Both are relative to the output directory.
	TruthFile, PeopleTruthFile string
	// Counts is the number of planted cases of each kind in Kinds (zero
	// counts included).
	Counts map[string]int
}

// Dataset is one generated dataset.
type Dataset struct {
	Name string
	Role person.Role
	File string // relative to the output directory
	Rows int
	// Mapping maps the file's columns onto the canonical person schema.
	Mapping load.Mapping
	// Dirty counts the deliberately invalid values planted for the
	// validator, by kind (DirtyNIPlaceholder, DirtyDOB1900, ...). Each
	// dirty value is in its own row, and no row named in the truth file is
	// dirty.
	Dirty map[string]int
}

// Dataset roles and files, in dataset order.
var (
	datasetRoles = [numDatasets]person.Role{person.RoleTenancy, person.RoleOtherLandlord, person.RoleDeceased, person.RoleUtilityClosed, person.RoleCouncilTax}
	datasetFiles = [numDatasets]string{"tenancies.parquet", "other_landlord.parquet", "deceased.parquet", "utility_closed.parquet", "council_tax.parquet"}
)

// loadGazetteer builds the fixed geography once per process.
var loadGazetteer = sync.OnceValues(func() (*gazetteer, error) {
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	return newGazetteer(t.stems), nil
})

// Generate writes the synthetic datasets and truth files into dir, creating
// it if need be, and returns their manifest. Files are written atomically:
// on error none of them is published (files from an earlier run are left as
// they were).
func Generate(ctx context.Context, cfg Config, dir string) (*Manifest, error) {
	if cfg.People < 0 {
		return nil, fmt.Errorf("synth: people must not be negative, have %d", cfg.People)
	}
	if cfg.People == 0 {
		cfg.People = DefaultPeople
	}
	if cfg.Today.IsZero() {
		cfg.Today = DefaultToday
	}
	noise := DefaultNoise()
	if cfg.Noise != nil {
		noise = *cfg.Noise
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	tables, err := loadTables()
	if err != nil {
		return nil, fmt.Errorf("synth: name tables: %w", err)
	}
	z, err := loadGazetteer()
	if err != nil {
		return nil, fmt.Errorf("synth: gazetteer: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}

	g := &gen{
		cfg: cfg, noise: noise, t: tables, z: z,
		stock:     newStock(z, uint64(cfg.Seed)),
		ni:        newNIAllocator(uint64(cfg.Seed)),
		passports: newPassportAllocator(uint64(cfg.Seed)),
		today:     cfg.Today,
		cases:     map[string]int{},
	}

	sinks, err := openSinks(dir)
	if err != nil {
		return nil, err
	}
	published := false
	defer func() {
		if !published {
			for _, s := range sinks {
				s.abort()
			}
		}
	}()

	size := chunkRows
	if cfg.chunk > 0 {
		size = cfg.chunk
	}
	chunks := (cfg.People + size - 1) / size
	eg, ctx := errgroup.WithContext(ctx)
	queues := make([]chan *chunk, len(sinks))
	for i := range queues {
		queues[i] = make(chan *chunk, 1)
	}
	eg.Go(func() error {
		for k := range chunks {
			if err := ctx.Err(); err != nil {
				return err
			}
			rows := min(size, cfg.People-k*size)
			c := g.buildChunk(k, rows)
			for _, q := range queues {
				select {
				case q <- c:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			log.DebugContext(ctx, "synth: chunk generated", "chunk", k+1, "of", chunks, "rows", rows)
		}
		for _, q := range queues {
			close(q)
		}
		return nil
	})
	for i, s := range sinks {
		q := queues[i]
		eg.Go(func() error {
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case c, ok := <-q:
					if !ok {
						return s.close()
					}
					if err := s.write(c); err != nil {
						return err
					}
				}
			}
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}

	m := g.manifest()
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("synth: manifest: %w", err)
	}
	published = true
	var errs []error
	for _, s := range sinks {
		if len(errs) > 0 {
			s.abort()
			continue
		}
		if err := s.commit(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, atomicfile.WriteFile(filepath.Join(dir, ManifestFile), append(mj, '\n'), 0o644))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	log.InfoContext(ctx, "synth: generated", "dir", dir, "people", cfg.People, "seed", cfg.Seed, "cases", len(m.Counts))
	return m, nil
}

// openSinks creates the output files: the five datasets, then the truth
// and people truth files.
func openSinks(dir string) ([]sink, error) {
	var sinks []sink
	fail := func(err error) ([]sink, error) {
		for _, s := range sinks {
			s.abort()
		}
		return nil, fmt.Errorf("synth: %w", err)
	}
	ten, err := newArrowSink(filepath.Join(dir, datasetFiles[dsTenancies]), tenancySchema, tenancyDictColumns,
		func(mem memory.Allocator, c *chunk) arrow.Record { return tenancyRecord(mem, c.recs[dsTenancies]) })
	if err != nil {
		return fail(err)
	}
	sinks = append(sinks, ten)
	schemas := [numDatasets]any{dsOther: new(otherLandlordRow), dsDeceased: new(deceasedRow), dsUtility: new(utilityRow), dsCouncilTax: new(councilTaxRow)}
	for ds := dsOther; ds < numDatasets; ds++ {
		s, err := newParquetGoSink(filepath.Join(dir, datasetFiles[ds]), ds, schemas[ds])
		if err != nil {
			return fail(err)
		}
		sinks = append(sinks, s)
	}
	truth, err := newArrowSink(filepath.Join(dir, TruthFile), truthSchema, []string{truthKind, truthLeftDS, truthRightDS}, truthRecord)
	if err != nil {
		return fail(err)
	}
	sinks = append(sinks, truth)
	people, err := newArrowSink(filepath.Join(dir, PeopleTruthFile), peopleSchema, []string{peopleDataset}, peopleRecord)
	if err != nil {
		return fail(err)
	}
	sinks = append(sinks, people)
	return sinks, nil
}

func (g *gen) manifest() *Manifest {
	m := &Manifest{
		Seed: g.cfg.Seed, People: g.cfg.People, Today: g.today,
		TruthFile: TruthFile, PeopleTruthFile: PeopleTruthFile,
		Counts: map[string]int{},
	}
	for _, k := range Kinds {
		m.Counts[k] = g.cases[k]
	}
	for ds := range numDatasets {
		d := Dataset{
			Name: datasetNames[ds], Role: datasetRoles[ds], File: datasetFiles[ds],
			Rows: int(g.rows[ds]), Mapping: mappings[ds](), Dirty: map[string]int{},
		}
		for k := range numDirty {
			if dirtyApplies(ds, k) {
				d.Dirty[dirtyNames[k]] = g.dirty[ds][k]
			}
		}
		m.Datasets = append(m.Datasets, d)
	}
	return m
}

func from(cols ...string) load.FieldMap { return load.FieldMap{From: cols} }

func fromAs(format string, cols ...string) load.FieldMap {
	return load.FieldMap{From: cols, Format: format}
}

// mappings give each dataset's load.Mapping. Dates are Parquet DATE in the
// landlord's export and in council_tax's date_of_birth, INT96 in
// utility_closed's account_closed, TIMESTAMP_MILLIS (UTC) in council_tax's
// liability dates, and text elsewhere in the layout given by Format.
var mappings = [numDatasets]func() load.Mapping{
	dsTenancies: func() load.Mapping {
		return load.Mapping{Fields: map[string]load.FieldMap{
			person.ColRecordID:     from(tenPersonRef),
			person.ColForename:     from(tenFirst),
			person.ColMiddleNames:  from(tenMiddle),
			person.ColSurname:      from(tenLast),
			person.ColDOB:          from(tenDOB),
			person.ColNINumber:     from(tenNI),
			person.ColPassport:     from(tenPassport),
			person.ColAddress:      from(tenLine1, tenLine2, tenTown),
			person.ColPostcode:     from(tenPostcode),
			person.ColUPRN:         from(tenUPRN),
			person.ColPhone:        from(tenTel),
			person.ColEmail:        from(tenEmail),
			person.ColGender:       from(tenTitle), // a title stands for a gender
			person.ColTenancyRef:   from(tenTenancyRef),
			person.ColTenancyRole:  from(tenRole),
			person.ColTenancyStart: from(tenStart),
			person.ColTenancyEnd:   from(tenEnd),
			person.ColBalance:      fromAs("pounds", tenBalance),
			person.ColEthnicity:    from(tenEthnicity),
			person.ColDisability:   from(tenDisability),
			person.ColReligion:     from(tenReligion),
			person.ColConviction:   from(tenASB),
		}}
	},
	dsOther: func() load.Mapping {
		return load.Mapping{
			FullName: &load.FullNameMap{From: "FullName", Order: load.SurnameFirst},
			Fields: map[string]load.FieldMap{
				person.ColRecordID:     from("CustomerId"),
				person.ColDOB:          fromAs(string(date.UKSlash), "DOB"),
				person.ColNINumber:     from("NINO"),
				person.ColPassport:     from("PassportNo"),
				person.ColAddress:      from("Address"),
				person.ColPostcode:     from("Postcode"),
				person.ColPhone:        from("Telephone"),
				person.ColEmail:        from("Email"),
				person.ColGender:       from("Gender"),
				person.ColTenancyRef:   from("TenancyNo"),
				person.ColTenancyRole:  from("TenantType"),
				person.ColTenancyStart: fromAs(string(date.ISO), "TenancyStartDate"),
				person.ColTenancyEnd:   fromAs(string(date.ISO), "TenancyEndDate"),
				person.ColBalance:      fromAs("pounds", "Balance"),
			},
		}
	},
	dsDeceased: func() load.Mapping {
		return load.Mapping{Fields: map[string]load.FieldMap{
			person.ColRecordID:    from("register_id"),
			person.ColForename:    from("forenames"),
			person.ColSurname:     from("surname"),
			person.ColDOB:         fromAs(string(date.Compact), "date_of_birth"),
			person.ColDateOfDeath: fromAs(string(date.DayMonth), "date_of_death"),
			person.ColGender:      from("sex"),
			person.ColAddress:     from("last_address"),
			person.ColPostcode:    from("last_postcode"),
		}}
	},
	dsUtility: func() load.Mapping {
		return load.Mapping{
			FullName: &load.FullNameMap{From: "customer_name", Order: load.ForenameFirst},
			Fields: map[string]load.FieldMap{
				person.ColRecordID:           from("account_number"),
				person.ColDOB:                fromAs(string(date.UKDash), "date_of_birth"),
				person.ColAddress:            from("supply_address"),
				person.ColPostcode:           from("supply_postcode"),
				person.ColPhone:              from("phone"),
				person.ColEmail:              from("email"),
				person.ColGender:             from("title"),
				person.ColTenancyEnd:         from("account_closed"),
				person.ColForwardingAddress:  from("forwarding_address"),
				person.ColForwardingPostcode: from("forwarding_postcode"),
			},
		}
	},
	dsCouncilTax: func() load.Mapping {
		return load.Mapping{Fields: map[string]load.FieldMap{
			person.ColRecordID:     from("liable_party_id"),
			person.ColTenancyRef:   from("account_ref"),
			person.ColForename:     from("first_name"),
			person.ColSurname:      from("last_name"),
			person.ColDOB:          from("date_of_birth"),
			person.ColAddress:      from("property_addr1", "property_addr2", "property_addr3"),
			person.ColPostcode:     from("postcode"),
			person.ColUPRN:         from("uprn"),
			person.ColGender:       from("title"),
			person.ColTenancyStart: from("liability_start"),
			person.ColTenancyEnd:   from("liability_end"),
		}}
	},
}
