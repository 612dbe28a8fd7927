// Package detectbench measures how well datamatch's detections find the
// cases planted in synthetic housing data: it generates a population with
// internal/synth, runs the demo exercise through pipeline.Run and compares
// every detection's cases with the generator's ground truth.
//
// BenchmarkDemo is the figure quoted for detection quality. The pipeline's
// acceptance tests use the same helpers on smaller populations.
package detectbench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/synth"
	"github.com/datamatch/datamatch/internal/vault"
)

// Files of an exercise folder made by Share, relative to it.
const (
	ConfigFile   = "exercise.yaml"
	DataDir      = "data"
	KeyFile      = "keys/exercise.key"
	IdentityFile = "keys/reviewer.identity"
	StateDir     = "state"
	OutputDir    = "out"
)

// Data is a synthetic population written by synth.Generate.
type Data struct {
	// Dir holds the datasets and the truth files.
	Dir      string
	Manifest *synth.Manifest
}

// Generate writes a synthetic population of people rows (seed seed, as at
// synth.DefaultToday) into dir.
func Generate(ctx context.Context, dir string, seed int64, people int) (*Data, error) {
	m, err := synth.Generate(ctx, synth.Config{
		Seed: seed, People: people, Today: synth.DefaultToday,
		Logger: slog.New(slog.DiscardHandler),
	}, dir)
	if err != nil {
		return nil, err
	}
	return &Data{Dir: dir, Manifest: m}, nil
}

// Exercise is an exercise folder laid out as 'datamatch synth' lays it
// out: exercise.yaml, data/, keys/, and state/ and out/ once it has run.
type Exercise struct {
	Dir  string
	Data *Data // the population, in Dir/data
}

// Config returns the path of the exercise config.
func (e *Exercise) Config() string { return filepath.Join(e.Dir, ConfigFile) }

// Identity returns the path of the reviewer identity that the vault is
// encrypted to.
func (e *Exercise) Identity() string { return filepath.Join(e.Dir, IdentityFile) }

// Path returns the path of name, relative to the exercise folder.
func (e *Exercise) Path(name string) string { return filepath.Join(e.Dir, filepath.FromSlash(name)) }

// Share makes an exercise folder dir over the population d, as
// 'datamatch synth' would: d's files are hard-linked (or copied) into
// dir/data, a new exercise key and reviewer identity are written under
// dir/keys, and dir/exercise.yaml is the demo exercise of d's manifest
// passed through edit (nil keeps it as it is). Several folders may share
// one population, each with its own key, state and outputs.
func Share(d *Data, dir string, edit func([]byte) []byte) (*Exercise, error) {
	data := filepath.Join(dir, DataDir)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	names := []string{synth.ManifestFile, d.Manifest.TruthFile, d.Manifest.PeopleTruthFile}
	for _, ds := range d.Manifest.Datasets {
		names = append(names, ds.File)
	}
	for _, n := range names {
		if err := linkOrCopy(filepath.Join(d.Dir, n), filepath.Join(data, n)); err != nil {
			return nil, err
		}
	}
	keyPath := filepath.Join(dir, filepath.FromSlash(KeyFile))
	if err := os.MkdirAll(filepath.Dir(keyPath), 0o700); err != nil {
		return nil, err
	}
	k, err := key.Generate()
	if err != nil {
		return nil, err
	}
	if err := key.Save(keyPath, k); err != nil {
		return nil, err
	}
	id, _, err := vault.NewIdentity()
	if err != nil {
		return nil, err
	}
	idPath := filepath.Join(dir, filepath.FromSlash(IdentityFile))
	if _, err := vault.SaveIdentity(idPath, id); err != nil {
		return nil, err
	}
	recipients, err := vault.Recipients(idPath)
	if err != nil {
		return nil, err
	}
	cfg := d.Manifest.Exercise(synth.ExerciseFiles{
		DataDir: DataDir, KeyFile: KeyFile, StateDir: StateDir, OutputDir: OutputDir,
	}, recipients)
	if edit != nil {
		cfg = edit(cfg)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ConfigFile), cfg, 0o600); err != nil {
		return nil, err
	}
	return &Exercise{Dir: dir, Data: &Data{Dir: data, Manifest: d.Manifest}}, nil
}

// linkOrCopy hard-links src to dst, or copies it where the two are on
// different file systems.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, 0o600, func(w io.Writer) error {
		if _, err := io.Copy(w, in); err != nil {
			return fmt.Errorf("copy %s: %w", src, err)
		}
		return nil
	})
}
