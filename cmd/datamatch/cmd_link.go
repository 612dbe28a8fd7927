package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "link",
		summary: "Match two person datasets (or one against itself) and write the scored pairs.",
		usage:   "--left L.parquet [--left-map M] [--right R.parquet [--right-map M] | --dedupe] --out DIR [--threshold P] [--key K] [--one-to-one] [--model M] [--weights]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			left := fs.String("left", "", "left dataset: a canonical person Parquet file or an encoded file (required)")
			leftMap := fs.String("left-map", "", "column mapping of --left: YAML with 'columns' and optionally 'full_name', as a dataset entry of an exercise config (see encode --map); without it --left is read as a canonical person file")
			right := fs.String("right", "", "right dataset (required unless --dedupe)")
			rightMap := fs.String("right-map", "", "column mapping of --right, as --left-map")
			dedupe := fs.Bool("dedupe", false, "find duplicates within --left instead of linking two datasets, and cluster them into people (clusters.parquet)")
			out := fs.String("out", "", "output folder for pairs.parquet, model.json and, with --dedupe, clusters.parquet (required)")
			threshold := fs.Float64("threshold", linkage.DefaultThreshold, "keep pairs whose match probability is at least this")
			keyFile := fs.String("key", "", "exercise key file; without it a fresh key is made for this run only")
			oneToOne := fs.Bool("one-to-one", false, "keep at most one match per record on each side (each dataset holds a person at most once)")
			model := fs.String("model", "", "reuse saved model parameters (model.json of an earlier run) instead of estimating them")
			weights := fs.Bool("weights", false, "print the model's match weights: m, u and the bits of evidence of every comparison level")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *left == "" || *out == "" || (*right == "" && !*dedupe) {
					return usagef("--left, --out and one of --right or --dedupe are required")
				}
				if *threshold <= 0 || *threshold >= 1 {
					return usagef("--threshold must be between 0 and 1")
				}
				k, err := loadOrNewKey(*keyFile)
				if err != nil {
					return err
				}
				cfg := linkage.Config{Threshold: *threshold, OneToOne: *oneToOne, Logger: e.log}
				if *model != "" {
					if cfg.Model, err = pipeline.LoadModel(*model); err != nil {
						return err
					}
				}
				lin, err := input("left", *left, *leftMap)
				if err != nil {
					return err
				}
				rin, err := input("right", *right, *rightMap)
				if err != nil {
					return err
				}
				opts := pipeline.LinkOptions{
					Left:     lin,
					Right:    rin,
					Dedupe:   *dedupe,
					Encoder:  pseudo.NewEncoder(k),
					Linkage:  cfg,
					OutDir:   *out,
					Progress: e.meter,
					Logger:   e.log,
				}
				t0 := time.Now()
				res, err := pipeline.Link(ctx, opts)
				if err != nil {
					return err
				}
				return printLinkSummary(e, res, time.Since(t0), *weights)
			}
		},
	})
}

// input describes one dataset of a link: path, read through the mapping
// in the file mapFile if one is given. Of a mapping, only the columns that
// matching compares (and the record id) are read: a dataset entry of an
// exercise config may map tenancy dates, balances or special-category
// columns, which a link has no use for.
func input(name, path, mapFile string) (pipeline.Input, error) {
	in := pipeline.Input{
		Source:  load.Source{Name: name, Path: path, Role: person.RolePeople},
		Encoded: pipeline.IsEncoded(path),
	}
	if mapFile == "" {
		return in, nil
	}
	if path == "" {
		return in, usagef("a mapping is given for the %s dataset, but not the dataset", name)
	}
	if in.Encoded {
		return in, usagef("%s is an encoded file: it was mapped when it was encoded, and takes no mapping", path)
	}
	d, err := readMapping(mapFile)
	if err != nil {
		return in, err
	}
	m := d.Mapping()
	for col := range m.Fields {
		if !slices.Contains(person.Identifying, col) && col != person.ColRecordID && col != person.ColMiddleNames {
			delete(m.Fields, col)
		}
	}
	in.Source.Mapping = m
	return in, nil
}

// loadOrNewKey loads the key at path, or makes a fresh one for this run.
func loadOrNewKey(path string) (key.Key, error) {
	if path == "" {
		return key.Generate()
	}
	return key.Load(path)
}

func printLinkSummary(e *env, res *pipeline.LinkResult, took time.Duration, weights bool) error {
	w := e.stdout
	fmt.Fprintf(w, "left   %-40s %9d records (%d rows, %d quarantined)\n", res.Left.Path, len(res.Left.Records), res.Left.RowsIn, res.Left.Quarantined)
	if res.Right != res.Left {
		fmt.Fprintf(w, "right  %-40s %9d records (%d rows, %d quarantined)\n", res.Right.Path, len(res.Right.Records), res.Right.RowsIn, res.Right.Quarantined)
	}
	if b := res.Blocking; b != nil {
		fmt.Fprintf(w, "blocking: %d candidate pairs of %.0f (reduction ratio %.6f)\n", b.Candidates, b.ComparisonSpace, b.ReductionRatio)
		for _, r := range b.Rules {
			fmt.Fprintf(w, "  %-28s generated %10d  new %10d  reduction %.6f\n", r.Name, r.Generated, r.New, r.ReductionRatio)
		}
	}
	if m := res.Model; m != nil {
		fmt.Fprintf(w, "model: prior %.3g (expected matches %.0f), EM %d iterations, converged %v\n", m.Lambda, m.ExpectedMatches, m.Iterations, m.Converged)
		if weights {
			if err := m.WriteWeights(w, "  "); err != nil {
				return err
			}
		} else {
			for _, n := range m.Notes {
				fmt.Fprintf(w, "  note: %s\n", n)
			}
		}
	}
	fmt.Fprintf(w, "matches: %d pairs at or above the threshold\n", len(res.Matches))
	if u := res.Unlinkable; u != nil {
		unlinkable := fmt.Sprintf("%d of %d left records", u[0], len(res.Left.Records))
		if res.Right != res.Left {
			unlinkable += fmt.Sprintf(", %d of %d right records", u[1], len(res.Right.Records))
		}
		fmt.Fprintf(w, "unlinkable: %s carry too little to reach the threshold even against an identical record\n", unlinkable)
	}
	if res.ClustersFile != "" {
		largest, in := 0, 0
		for _, c := range res.Clusters {
			largest, in = max(largest, len(c)), in+len(c)
		}
		fmt.Fprintf(w, "clusters: %d people in %d records; %d clusters of two or more records (largest %d)\n",
			len(res.Left.Records)-in+len(res.Clusters), len(res.Left.Records), len(res.Clusters), largest)
	}
	var stages []string
	stages = append(stages, fmt.Sprintf("ingest %.2fs", res.Ingest.Seconds()))
	for _, t := range res.Timings {
		stages = append(stages, fmt.Sprintf("%s %.2fs", t.Stage, t.Duration.Seconds()))
	}
	fmt.Fprintf(w, "time: %.2fs (%s)\n", took.Seconds(), strings.Join(stages, ", "))
	if res.ClustersFile != "" {
		fmt.Fprintf(w, "wrote %s, %s and %s\n", res.PairsFile, filepath.Base(res.ClustersFile), filepath.Base(res.ModelFile))
	} else {
		fmt.Fprintf(w, "wrote %s and %s\n", res.PairsFile, filepath.Base(res.ModelFile))
	}
	return nil
}
