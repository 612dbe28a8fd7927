package pipeline

import (
	"github.com/apache/arrow/go/v17/parquet/file"
)

// formatKey is the Parquet key-value metadata entry that marks a file as
// pseudonymised records (see internal/pseudo/FORMAT.md).
const formatKey = "datamatch.format"

// IsEncoded reports whether the Parquet file at path holds pseudonymised
// records written by 'datamatch encode' rather than clear ones. A file that
// cannot be opened is reported as not encoded; loading it then gives the
// real error.
func IsEncoded(path string) bool {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return false
	}
	defer r.Close()
	return r.MetaData().KeyValueMetadata().FindValue(formatKey) != nil
}
