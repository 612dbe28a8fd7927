package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/datamatch/datamatch/internal/exercise"
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
					note := ""
					if in.Unread {
						note = "  (no purpose may read it: a run leaves it unread)"
					}
					fmt.Fprintf(e.stdout, "  %-18s %-8s %9d rows  %s%s\n", in.Name, kind, in.Rows, in.Path, note)
				}
				printPurposes(e.stdout, ex)
				return nil
			}
		},
	})
}

// printPurposes prints the purpose register as a data protection officer
// reviews it: each purpose's lawful basis, what it reads and detects, how
// long its results are kept, whether a person decides its cases, and the
// exact fields each recipient receives.
func printPurposes(w io.Writer, ex *exercise.Exercise) {
	fmt.Fprintf(w, "\npurposes\n")
	for i := range ex.Purposes {
		p := &ex.Purposes[i]
		decided := "no significant effect"
		if p.SignificantEffect {
			decided = "significant effect: every case decided by a reviewer"
		}
		fmt.Fprintf(w, "  %s: %s, kept %s, %s\n", p.Name, p.LawfulBasis, p.Retention, decided)
		rules := make([]string, len(p.Detections))
		for j, d := range p.Detections {
			rules[j] = string(d.Rule)
		}
		fmt.Fprintf(w, "    reads %s; detects %s\n", strings.Join(p.Datasets, ", "), strings.Join(rules, ", "))
		for _, o := range p.Outputs {
			when := ""
			if o.Held() {
				when = " (only cases a reviewer confirmed, by datamatch release)"
			}
			fmt.Fprintf(w, "    to %s, %s: %s%s\n", o.Recipient, o.File, strings.Join(o.Fields, ", "), when)
		}
	}
}
