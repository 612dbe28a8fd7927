package pipeline

import (
	"context"
	"fmt"

	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/rights"
)

// CheckedInput is one dataset that Check opened.
type CheckedInput struct {
	Name    string
	Path    string
	Rows    int64
	Encoded bool
	// Unread is set for a dataset no purpose may use, which a run leaves
	// unread.
	Unread bool
}

// Check does everything a run does before reading any row of a dataset:
// it loads and validates the exercise config, loads the exercise key
// (refusing one that others can read), reads the restrictions file if
// the config names one, then opens every dataset, checking that the file
// is Parquet, readable by this build, and has every mapped column, and
// that an encoded dataset was encoded under the exercise key. It writes
// nothing.
func Check(ctx context.Context, config string) (*exercise.Exercise, []CheckedInput, error) {
	ex, err := exercise.Load(config)
	if err != nil {
		return nil, nil, err
	}
	if err := ex.Validate(); err != nil {
		return ex, nil, fmt.Errorf("%s: the exercise would be refused: %w", config, err)
	}
	k, err := key.Load(ex.Path(ex.KeyFile))
	if err != nil {
		return ex, nil, err
	}
	enc := pseudo.NewEncoder(k)
	if ex.RestrictionsFile != "" {
		if _, err := rights.LoadList(ex.Path(ex.RestrictionsFile), enc); err != nil {
			return ex, nil, err
		}
	}
	srcs, err := ex.Sources()
	if err != nil {
		return ex, nil, err
	}
	used := ex.UsedDatasets()
	var out []CheckedInput
	for _, src := range srcs {
		d, _ := ex.Dataset(src.Name)
		in := CheckedInput{Name: src.Name, Path: src.Path, Encoded: d.Encoded, Unread: !used[src.Name]}
		if d.Encoded {
			r, err := pseudo.Open(src.Path)
			if err != nil {
				return ex, out, fmt.Errorf("dataset %s: %w", src.Name, err)
			}
			in.Rows = r.NumRows()
			err = enc.Compatible(r.Meta())
			r.Close()
			if err != nil {
				return ex, out, fmt.Errorf("dataset %s: %s: %w", src.Name, src.Path, err)
			}
		} else {
			r, err := load.Open(ctx, src, load.Options{Today: ex.RunDate()})
			if err != nil {
				return ex, out, err
			}
			in.Rows = r.NumRows()
			r.Close()
		}
		out = append(out, in)
	}
	return ex, out, nil
}
