package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/lockfile"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/pipeline"
)

// TestExerciseLock checks that a run, a release, an erasure and a purge
// refuse at once, changing nothing, while another of them holds the
// exercise's lock, and that dry runs, which change nothing, go ahead.
func TestExerciseLock(t *testing.T) {
	ex := exerciseOver(t, nil)
	ctx := context.Background()
	state := ex.Path(detectbench.StateDir)
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockfile.TryLock(filepath.Join(state, pipeline.LockFile))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := pipeline.Run(ctx, pipeline.RunOptions{Config: ex.Config(), Version: "test"}); !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("Run while the exercise is locked = %v, want ErrBusy", err)
	}
	if _, err := pipeline.Purge(ctx, pipeline.PurgeOptions{Config: ex.Config()}); !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("Purge while the exercise is locked = %v, want ErrBusy", err)
	}
	if _, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: ex.Config()}); !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("Release while the exercise is locked = %v, want ErrBusy", err)
	}
	subject := rights.Subject{Forename: "Ann", Surname: "Example"}
	if _, _, err := pipeline.Erase(ctx, pipeline.EraseOptions{Config: ex.Config(), Subject: subject, Identity: ex.Identity(), Reference: "ER-1"}); !errors.Is(err, pipeline.ErrBusy) {
		t.Errorf("Erase while the exercise is locked = %v, want ErrBusy", err)
	}
	if left, _ := os.ReadDir(ex.Path(detectbench.OutputDir)); len(left) != 0 {
		t.Errorf("refused work wrote %d entries under the output folder", len(left))
	}
	if _, err := os.Stat(filepath.Join(state, pipeline.LedgerFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused work entered something in the ledger (%v)", err)
	}
	if _, err := pipeline.Purge(ctx, pipeline.PurgeOptions{Config: ex.Config(), DryRun: true}); err != nil {
		t.Errorf("a dry-run purge while the exercise is locked: %v", err)
	}

	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(ctx, pipeline.RunOptions{Config: ex.Config(), Version: "test"}); err != nil {
		t.Errorf("Run once the lock is free: %v", err)
	}
}
