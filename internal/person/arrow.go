package person

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// ArrowType returns the Arrow type a canonical column is stored as in a
// canonical Parquet file: utf8 for strings, date32 for dates and int64 pence
// for money.
func (k Kind) ArrowType() arrow.DataType {
	switch k {
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Money:
		return arrow.PrimitiveTypes.Int64
	}
	return arrow.BinaryTypes.String
}

// Schema returns the Arrow schema of a canonical person file holding the
// named columns (all columns if names is empty). Every column is nullable
// except record_id.
func Schema(names ...string) *arrow.Schema {
	var fields []arrow.Field
	for _, c := range Columns {
		if len(names) > 0 && !contains(names, c.Name) {
			continue
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Kind.ArrowType(), Nullable: c.Name != ColRecordID})
	}
	return arrow.NewSchema(fields, nil)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
