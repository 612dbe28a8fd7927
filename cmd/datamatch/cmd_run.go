package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "run",
		summary: "Run a data-matching exercise: load, pseudonymise, match, detect, queue for review, record.",
		usage:   "--config exercise.yaml",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			config := fs.String("config", "", "the exercise config (required; see internal/exercise/README.md)")
			return func(ctx context.Context, e *env, args []string) error {
				if *config == "" {
					return usagef("--config is required")
				}
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				t0 := time.Now()
				res, err := pipeline.Run(ctx, pipeline.RunOptions{
					Config:   *config,
					Version:  buildVersion(),
					Progress: e.meter,
					Logger:   e.log,
				})
				if err != nil {
					if res != nil && res.Record != nil && res.RunDir != "" {
						fmt.Fprintf(e.stderr, "run %s failed; recorded in %s\n", res.Record.RunID, filepath.Join(res.RunDir, "run.json"))
					}
					return err
				}
				printRunSummary(e, res, time.Since(t0))
				return nil
			}
		},
	})
}

func printRunSummary(e *env, res *pipeline.RunResult, took time.Duration) {
	w := e.stdout
	rec := res.Record
	fmt.Fprintf(w, "run %s of exercise %q: %s in %.1fs (key %s)\n", rec.RunID, res.Exercise.Name, rec.Status, took.Seconds(), rec.KeyID)
	fmt.Fprintf(w, "\ninputs                      rows in   accepted  quarantined  excluded\n")
	for _, in := range rec.Inputs {
		fmt.Fprintf(w, "  %-22s %10d %10d %12d %9d\n", in.Dataset, in.RowsIn, in.Accepted, in.Quarantined, in.Restricted+in.Objected)
	}
	fmt.Fprintf(w, "\ndetections                                   matched pairs   cases\n")
	for _, d := range rec.Detections {
		fmt.Fprintf(w, "  %-22s %-22s %12d %7d\n", d.Name, d.Purpose, d.Pairs, d.Cases)
	}
	fmt.Fprintf(w, "\nautomated-decision assessment\n")
	for _, a := range rec.Assessments {
		fmt.Fprintf(w, "  %-22s significant effect %-5v decided automatically %d, queued for review %d\n", a.Purpose, a.SignificantEffect, a.DecidedAutomatically, a.CasesQueuedForReview)
	}
	fmt.Fprintf(w, "\noutputs\n")
	var outs []string
	held := false
	for _, o := range res.Outputs {
		state := "rows"
		if o.Held {
			state, held = "rows held", true
		}
		outs = append(outs, fmt.Sprintf("  %-20s %6d %-9s  %s", o.Recipient, o.Rows, state, o.Path))
	}
	sort.Strings(outs)
	for _, s := range outs {
		fmt.Fprintln(w, s)
	}
	if held {
		fmt.Fprintf(w, "  (held rows go to their recipient only once a reviewer confirms the case: datamatch release)\n")
	}
	fmt.Fprintf(w, "\nreview queue %s: %d cases raised, %d new\n", res.QueueFile, res.Cases, res.Queued)
	if res.VaultFile != "" {
		fmt.Fprintf(w, "vault        %s (open a case with: datamatch review show CASE --identity FILE)\n", res.VaultFile)
	}
	fmt.Fprintf(w, "run record   %s\n", filepath.Join(res.RunDir, "run.json"))
	fmt.Fprintf(w, "ledger       %s\n", res.LedgerFile)
}
