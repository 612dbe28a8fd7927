package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/synth"
	"github.com/datamatch/datamatch/internal/vault"
)

func init() {
	register(&command{
		name:    "synth",
		summary: "Generate synthetic UK housing data with planted cases and ground truth.",
		usage:   "--out DIR [--seed S] [--people N] [--exercise=false]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			seed := fs.Int64("seed", 1, "random seed; the same seed gives byte-identical files")
			people := fs.Int("people", synth.DefaultPeople, "people in the landlord's tenancy export; partner datasets scale with it")
			out := fs.String("out", "", "output folder (required); datasets go to DIR/data")
			today := fs.String("today", synth.DefaultToday.String(), "the 'as at' date of the data (YYYY-MM-DD)")
			withExercise := fs.Bool("exercise", true, "also write DIR/exercise.yaml, an exercise key and a reviewer identity, so that 'datamatch run --config DIR/exercise.yaml' runs on the data")
			return func(ctx context.Context, e *env, args []string) error {
				if *out == "" {
					return usagef("--out is required")
				}
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *people < 1 {
					return usagef("--people must be at least 1")
				}
				asAt, err := date.Parse(date.ISO, *today)
				if err != nil {
					return usagef("--today: %v", err)
				}
				return runSynth(ctx, e, *out, *seed, *people, asAt, *withExercise)
			}
		},
	})
}

func runSynth(ctx context.Context, e *env, out string, seed int64, people int, today date.Date, withExercise bool) error {
	dataDir := filepath.Join(out, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	t0 := time.Now()
	m, err := synth.Generate(ctx, synth.Config{Seed: seed, People: people, Today: today, Logger: e.log}, dataDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "synthetic data (seed %d, %d people) in %s [%.1fs]\n", seed, people, dataDir, time.Since(t0).Seconds())
	for _, d := range m.Datasets {
		fmt.Fprintf(e.stdout, "  %-16s %-15s %8d rows  %s\n", d.Name, d.Role, d.Rows, d.File)
	}
	kinds := make([]string, 0, len(m.Counts))
	for k := range m.Counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(e.stdout, "planted cases (ground truth in %s):\n", filepath.Join(dataDir, m.TruthFile))
	width := 0
	for _, k := range kinds {
		width = max(width, len(k))
	}
	for _, k := range kinds {
		fmt.Fprintf(e.stdout, "  %-*s %6d\n", width, k, m.Counts[k])
	}
	if !withExercise {
		return nil
	}

	files := synth.ExerciseFiles{DataDir: "data", KeyFile: "keys/exercise.key", StateDir: "state", OutputDir: "out"}
	keyPath := filepath.Join(out, files.KeyFile)
	idPath := filepath.Join(out, "keys", "reviewer.identity")
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(keyPath); errors.Is(err, os.ErrNotExist) {
		k, err := key.Generate()
		if err != nil {
			return err
		}
		if err := key.Save(keyPath, k); err != nil {
			return err
		}
	}
	if _, err := os.Stat(idPath); errors.Is(err, os.ErrNotExist) {
		id, _, err := vault.NewIdentity()
		if err != nil {
			return err
		}
		if _, err := vault.SaveIdentity(idPath, id); err != nil {
			return err
		}
	}
	recipients, err := vault.Recipients(idPath)
	if err != nil {
		return err
	}
	cfg := filepath.Join(out, "exercise.yaml")
	if err := atomicfile.WriteFile(cfg, m.Exercise(files, recipients), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "exercise config %s (key %s, reviewer identity %s)\n", cfg, keyPath, idPath)
	return nil
}
