package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "check",
		summary: "Check an exercise config, its key and restrictions file, and open its datasets, without reading a row or writing anything.",
		usage:   "--config exercise.yaml",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			config := fs.String("config", "", "the exercise config (required)")
			return func(ctx context.Context, e *env, args []string) error {
				if *config == "" {
					return usagef("--config is required")
				}
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				ex, inputs, err := pipeline.Check(ctx, *config)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "exercise %q: config valid, %d purposes\n", ex.Name, len(ex.Purposes))
				for _, in := range inputs {
					kind := "clear"
					if in.Encoded {
						kind = "encoded"
					}
					fmt.Fprintf(e.stdout, "  %-18s %-8s %9d rows  %s\n", in.Name, kind, in.Rows, in.Path)
				}
				return nil
			}
		},
	})
}
