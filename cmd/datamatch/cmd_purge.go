package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/retention"
	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "purge",
		summary: "Delete the outputs and vaults whose retention has ended, and record what went in the ledger.",
		usage:   "--config exercise.yaml [--dry-run] [--today YYYY-MM-DD]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			config := fs.String("config", "", "the exercise config (required)")
			dryRun := fs.Bool("dry-run", false, "list what would be deleted, and change nothing")
			today := fs.String("today", "", "judge retention as on this date (YYYY-MM-DD; default: the current date)")
			return func(ctx context.Context, e *env, args []string) error {
				if *config == "" {
					return usagef("--config is required")
				}
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				var day date.Date
				if *today != "" {
					d, err := date.Parse(date.ISO, *today)
					if err != nil {
						return usagef("--today must be a date in the form YYYY-MM-DD")
					}
					day = d
				}
				res, err := pipeline.Purge(ctx, pipeline.PurgeOptions{Config: *config, Today: day, DryRun: *dryRun, Logger: e.log})
				if res != nil {
					printPurge(e.stdout, res)
				}
				return err
			}
		},
	})
}

// printPurge prints what a purge did, or would do.
func printPurge(w io.Writer, res *pipeline.PurgeResult) {
	verb := "purged"
	if res.DryRun {
		verb = "would purge"
	}
	note := ""
	if res.DryRun {
		note = " (dry run: nothing is changed)"
	}
	fmt.Fprintf(w, "exercise %q, retention as on %s%s\n", res.Exercise.Name, res.Today, note)
	section := func(title string, rep retention.Report) {
		fmt.Fprintf(w, "\n%s: %s %d, kept %d (retention not ended)\n", title, verb, len(rep.Purged), rep.Kept)
		for _, p := range rep.Purged {
			fmt.Fprintf(w, "  %-11s %-10s %-24s %s\n", verb, p.RetentionUntil, p.Purpose, filepath.Join(p.Root, p.Path))
		}
		for _, o := range rep.Missing {
			fmt.Fprintf(w, "  %-11s %-10s %-24s %s\n", "gone", o.RetentionUntil, o.Purpose, o.Path)
		}
		for _, o := range rep.Undated {
			fmt.Fprintf(w, "  %-11s %-10s %-24s %s\n", "no date", "-", o.Purpose, o.Path)
		}
		for _, r := range rep.Refused {
			fmt.Fprintf(w, "  %-11s %-10s %-24s %s: %s\n", "REFUSED", r.Output.RetentionUntil, r.Output.Purpose, r.Output.Path, r.Reason)
		}
	}
	section("outputs", res.Outputs)
	section("vaults", res.Vaults)
	switch {
	case res.Entry != nil:
		fmt.Fprintf(w, "\nledger %s: purge recorded as entry %d\n", res.LedgerFile, res.Entry.Seq)
	case !res.DryRun:
		fmt.Fprintf(w, "\nnothing was due; the ledger is unchanged\n")
	}
}
