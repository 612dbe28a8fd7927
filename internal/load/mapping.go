// Package load reads person datasets from Parquet onto the canonical person
// schema, validating every row and accounting for every one.
package load

import "github.com/datamatch/datamatch/internal/person"

// Source names one input dataset and how its columns map onto the canonical
// schema.
type Source struct {
	Name    string      // the dataset's name in the exercise, used in reports and errors
	Path    string      // the Parquet file
	Role    person.Role // what the dataset is
	Mapping Mapping     // the zero Mapping reads a canonical file by column name
}

// Mapping maps one source file's columns onto the canonical schema.
type Mapping struct {
	// Fields maps a canonical column name to where its value comes from.
	// Canonical columns that are not listed are null, except in the zero
	// Mapping, which reads every canonical column present in the file under
	// its own name.
	Fields map[string]FieldMap
	// FullName, when set, fills forename, middle_names and surname by
	// splitting one name column.
	FullName *FullNameMap
}

// FieldMap says where one canonical column's value comes from.
type FieldMap struct {
	// From lists source columns. Several are joined with single spaces,
	// skipping nulls and blanks (address lines, say).
	From []string
	// Format tells how to read a value held as text or as a number:
	// for dates, a date.Layout ("DD/MM/YYYY"; ISO is assumed for text
	// without a format, and "YYYYMMDD" may be used for integers);
	// for money, "pounds" (the default for text and decimals) or "pence"
	// (the default for integers).
	Format string
}

// Name orders for FullNameMap.
const (
	ForenameFirst = "forename_first" // "John Michael Smith"
	SurnameFirst  = "surname_first"  // "SMITH, John Michael" or "SMITH John Michael"
)

// FullNameMap splits one name column into forename, middle names and
// surname.
type FullNameMap struct {
	From  string
	Order string // ForenameFirst or SurnameFirst
}
