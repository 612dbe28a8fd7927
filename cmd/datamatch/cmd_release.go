package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/internal/texttable"
	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "release",
		summary: "Write, for their recipients, the rows of held outputs whose cases a reviewer has confirmed.",
		usage:   "--config exercise.yaml [--dry-run] [--json]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			config := fs.String("config", "", "the exercise config (required)")
			dryRun := fs.Bool("dry-run", false, "report what would be released, and write nothing")
			asJSON := fs.Bool("json", false, "print the report as JSON, for scripts")
			return func(ctx context.Context, e *env, args []string) error {
				if *config == "" {
					return usagef("--config is required")
				}
				if err := noPositional(args); err != nil {
					return err
				}
				res, err := pipeline.Release(ctx, pipeline.ReleaseOptions{Config: *config, DryRun: *dryRun, Version: buildVersion(), Logger: e.log})
				if res != nil {
					// Also what a release that stopped part way released.
					report := printRelease
					if *asJSON {
						report = printReleaseJSON
					}
					if perr := report(e.stdout, res); perr != nil {
						return errors.Join(err, perr)
					}
				}
				return err
			}
		},
	})
}

// printReleaseJSON prints what a release did, or would do, as JSON.
func printReleaseJSON(w io.Writer, res *pipeline.ReleaseResult) error {
	out := struct {
		DryRun    bool                  `json:"dry_run"`
		ReleaseID string                `json:"release_id,omitempty"`
		Record    string                `json:"record,omitempty"`
		Held      []pipeline.HeldOutput `json:"held"`
	}{DryRun: res.DryRun, Held: res.Held}
	if out.Held == nil {
		out.Held = []pipeline.HeldOutput{}
	}
	if res.Record != nil {
		out.ReleaseID, out.Record = res.Record.RunID, filepath.Join(res.Dir, runrecord.FileName)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// printRelease prints what a release did, or would do, held output by held
// output.
func printRelease(w io.Writer, res *pipeline.ReleaseResult) error {
	var b bytes.Buffer
	switch {
	case len(res.Held) == 0:
		b.WriteString("no held outputs: none is configured (release: on_confirmation), no run has written one yet, or retention has purged them\n")
	case res.DryRun:
		b.WriteString("release (dry run: nothing is written)\n")
	case res.Record == nil:
		b.WriteString("nothing to release: no case of a held output has been confirmed since the last release\n")
	default:
		fmt.Fprintf(&b, "release %s\n", res.Record.RunID)
	}
	if len(res.Held) > 0 {
		rows := [][]string{{"RECIPIENT", "RUN", "RELEASED", "EARLIER", "AWAITING", "REJECTED", "FILE"}}
		for _, h := range res.Held {
			file := h.Path
			if file == "" {
				file = "-"
			}
			rows = append(rows, []string{h.Recipient, h.RunID, strconv.Itoa(h.Released), strconv.Itoa(h.Earlier),
				strconv.Itoa(h.Awaiting), strconv.Itoa(h.Rejected), file})
		}
		texttable.Write(&b, "  ", rows, 2, 3, 4, 5)
		b.WriteString("  AWAITING rows wait for a reviewer's decision; REJECTED rows are never released.\n")
		for _, h := range res.Held {
			if len(h.Withdrawn) > 0 {
				fmt.Fprintf(&b, "  Sent to %s earlier, and no longer confirmed by a reviewer: tell the recipient (Article 19): %s\n",
					h.Recipient, strings.Join(h.Withdrawn, ", "))
			}
		}
	}
	if res.Record != nil {
		fmt.Fprintf(&b, "record %s\n", filepath.Join(res.Dir, runrecord.FileName))
	}
	_, err := w.Write(b.Bytes())
	return err
}
