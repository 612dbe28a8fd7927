package pipeline

import (
	"context"
	"fmt"

	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// Encode pseudonymises a clear dataset into an encoded file at out, so that
// a partner organisation can take part in an exercise without sending any
// clear identifier: only the records' pseudonyms, Bloom-filter encodings and
// evidence attributes leave it. The file records the key id and the
// encoding parameters (see internal/pseudo/FORMAT.md).
func Encode(ctx context.Context, src load.Source, enc *pseudo.Encoder, out string, p Progress) (*Dataset, error) {
	ds, err := Ingest(ctx, src, IngestOptions{Encoder: enc, Progress: p})
	if err != nil {
		return nil, err
	}
	meta := pseudo.FileMeta{KeyID: enc.KeyID(), Dataset: src.Name, Role: src.Role, Params: enc.Params()}
	if err := pseudo.WriteFile(out, meta, ds.Records); err != nil {
		return nil, fmt.Errorf("encode %s: %w", src.Name, err)
	}
	return ds, nil
}
