package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "encode",
		summary: "Pseudonymise a partner's dataset with the shared exercise key, so that no clear data is sent.",
		usage:   "--key K --in partner.parquet [--map mapping.yaml] --out encoded.parquet [--dataset NAME] [--role ROLE]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			keyFile := fs.String("key", "", "the exercise key shared by the landlord (required; mode 0600)")
			in := fs.String("in", "", "the partner's Parquet file (required)")
			mapFile := fs.String("map", "", "column mapping: YAML with 'columns' and optionally 'full_name', 'name' and 'role', as a dataset entry of an exercise config; without it the file is read as a canonical person file")
			out := fs.String("out", "", "the encoded file to write (required)")
			dataset := fs.String("dataset", "", "the dataset's name in the exercise (default: from --map, else the file's base name)")
			role := fs.String("role", "", "the dataset's role: "+roleList()+" (default: from --map, else people)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *keyFile == "" || *in == "" || *out == "" {
					return usagef("--key, --in and --out are required")
				}
				src := load.Source{Path: *in, Role: person.RolePeople, Name: strings.TrimSuffix(filepath.Base(*in), filepath.Ext(*in))}
				if *mapFile != "" {
					d, err := readMapping(*mapFile)
					if err != nil {
						return err
					}
					src.Mapping = d.Mapping()
					if d.Name != "" {
						src.Name = d.Name
					}
					if d.Role != "" {
						src.Role = d.Role
					}
				}
				if *dataset != "" {
					src.Name = *dataset
				}
				if *role != "" {
					src.Role = person.Role(*role)
				}
				if !src.Role.Valid() {
					return usagef("--role %q is not one of %s", src.Role, roleList())
				}
				k, err := key.Load(*keyFile)
				if err != nil {
					return err
				}
				ds, err := pipeline.Encode(ctx, src, pseudo.NewEncoder(k), *out, e.meter)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "encoded %d records of %s (%d rows, %d quarantined) under key %s into %s\n",
					len(ds.Records), src.Name, ds.RowsIn, ds.Quarantined, k.ID(), *out)
				return nil
			}
		},
	})
}

// readMapping reads a dataset entry (name, role, columns, full_name) from a
// YAML file; unknown keys are errors.
func readMapping(path string) (*exercise.Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var d exercise.Dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return &d, nil
}

func roleList() string {
	var s []string
	for _, r := range person.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
