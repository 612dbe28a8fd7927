// Package benchdata finds the public benchmark data (FEBRL, with ground
// truth) that tests and benchmarks measure quality on. The data lives in
// the shared data folder beside the repository, shared/data; the
// environment variable DATAMATCH_DATA may name that folder instead.
package benchdata

import (
	"errors"
	"os"
	"path/filepath"
)

// Env names the environment variable that overrides the search.
const Env = "DATAMATCH_DATA"

// Dir returns the shared data folder: $DATAMATCH_DATA if set, otherwise
// the first shared/data holding febrl4/left.parquet in the working
// directory or one of its parents.
func Dir() (string, error) {
	if d := os.Getenv(Env); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		d := filepath.Join(dir, "shared", "data")
		if _, err := os.Stat(filepath.Join(d, "febrl4", "left.parquet")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("benchmark data not found: no shared/data/febrl4 in the working directory or above it, and " + Env + " is unset")
		}
		dir = parent
	}
}
