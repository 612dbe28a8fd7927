package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/runrecord"
	"github.com/datamatch/datamatch/pipeline"
)

func init() {
	register(&command{
		name:    "audit",
		summary: "Check and show the audit ledger and the records of runs.",
		subs:    []*command{auditVerifyCmd, auditShowCmd, auditLogCmd},
	})
}

// Files kept in an exercise's state folder (state_dir) across runs.
const (
	ledgerFileName = pipeline.LedgerFile
	queueFileName  = pipeline.QueueFile
)

// stateFiles locates the files an exercise keeps across runs: each is in
// the state folder unless its own flag names it.
type stateFiles struct {
	dir                string
	ledger, queue, vlt string
}

// newStateFiles declares --state and --ledger on fs, and --queue and
// --vault when asked for.
func newStateFiles(fs *flag.FlagSet, queue, vlt bool) *stateFiles {
	s := new(stateFiles)
	fs.StringVar(&s.dir, "state", "state", "the exercise's state folder (its state_dir)")
	fs.StringVar(&s.ledger, "ledger", "", "the audit ledger (default STATE/"+ledgerFileName+")")
	if queue {
		fs.StringVar(&s.queue, "queue", "", "the review queue (default STATE/"+queueFileName+")")
	}
	if vlt {
		fs.StringVar(&s.vlt, "vault", "", "the re-identification vault (default STATE/"+pipeline.VaultDir+"/RUN.age, RUN being the run that queued the case)")
	}
	return s
}

func (s *stateFiles) ledgerPath() string { return s.path(s.ledger, ledgerFileName) }
func (s *stateFiles) queuePath() string  { return s.path(s.queue, queueFileName) }

// vaultPath is the vault holding the records of a case queued by run runID.
func (s *stateFiles) vaultPath(runID string) string {
	return s.path(s.vlt, filepath.Join(pipeline.VaultDir, runID+".age"))
}

func (s *stateFiles) path(override, name string) string {
	if override != "" {
		return override
	}
	return filepath.Join(s.dir, name)
}

// auditVerifyCmd is "datamatch audit verify".
var auditVerifyCmd = &command{
	name:    "audit verify",
	summary: "Recompute the ledger's hash chain, then check the review decisions against it; exit 1 naming what disagrees.",
	usage:   "[--state DIR] [--ledger FILE] [--queue FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			entries, err := ledger.VerifyReport(e.stdout, st.ledgerPath())
			if err != nil {
				return err
			}
			return verifyDecisions(ctx, e.stdout, entries, review.DecisionsPath(st.queuePath()))
		}
	},
}

// verifyDecisions reconciles the decisions log at logPath with the
// decisions entered in the ledger's entries (review.Reconcile), and
// reports it. A decision being recorded while it runs can show as missing
// from one of the two.
func verifyDecisions(ctx context.Context, w io.Writer, entries []ledger.Entry, logPath string) error {
	decisions, err := review.LoadDecisions(ctx, logPath)
	if err != nil {
		return err
	}
	problems := review.Reconcile(decisions, entries)
	if len(problems) == 0 {
		_, err := fmt.Fprintf(w, "decisions log %s: OK, %d decisions, each as the ledger records it\n", logPath, len(decisions))
		return err
	}
	fmt.Fprintf(w, "decisions log %s: DISAGREES with the ledger on %d decisions\n", logPath, len(problems))
	unentered := 0
	for _, p := range problems {
		fmt.Fprintf(w, "  %s\n", p)
		if p.Unentered {
			unentered++
		}
	}
	if unentered == len(problems) {
		fmt.Fprintf(w, "  'datamatch review enter' enters the decisions never entered\n")
	}
	return fmt.Errorf("decisions log %s: %d decisions disagree with the ledger", logPath, len(problems))
}

// auditLogCmd is "datamatch audit log".
var auditLogCmd = &command{
	name:    "audit log",
	summary: "Print the ledger's entries, after verifying its chain.",
	usage:   "[--state DIR] [--ledger FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, false, false)
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			// On a broken chain ReadAll returns the entries before the
			// first bad line: show them, then fail naming the line.
			entries, err := ledger.ReadAll(st.ledgerPath())
			if len(entries) > 0 || err == nil {
				if rerr := ledger.Render(e.stdout, entries); rerr != nil {
					return rerr
				}
			}
			return err
		}
	},
}

// auditShowCmd is "datamatch audit show".
var auditShowCmd = &command{
	name:    "audit show",
	summary: "Print the record of a run: what it read, matched and wrote, and on which lawful basis.",
	usage:   "[--json] [--runs DIR] RUN (a run id, looked up as DIR/RUN/run.json, or the path of a run.json or run folder)",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		asJSON := fs.Bool("json", false, "print run.json as it is stored, for machines")
		runs := fs.String("runs", "out", "the folder that holds the run folders (the exercise's output_dir)")
		return func(ctx context.Context, e *env, args []string) error {
			args, err := interspersed(fs, args)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return usagef("takes one RUN argument, got %d", len(args))
			}
			path, err := runRecordPath(*runs, args[0])
			if err != nil {
				return err
			}
			r, err := runrecord.Read(path)
			if err != nil {
				return err
			}
			if *asJSON {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("run record: %w", err)
				}
				_, err = e.stdout.Write(b)
				return err
			}
			return r.Render(e.stdout)
		}
	},
}

// runIDPattern matches the ids runrecord.NewID makes.
var runIDPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$`)

// runRecordPath resolves the RUN argument of audit show: an existing file
// is taken as a run.json, an existing folder as a run's folder, and a run
// id is looked up under runsDir.
func runRecordPath(runsDir, run string) (string, error) {
	fi, err := os.Stat(run)
	switch {
	case err == nil && fi.IsDir():
		return filepath.Join(run, runrecord.FileName), nil
	case err == nil:
		return run, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("run %s: %w", run, err)
	case runIDPattern.MatchString(run):
		p := filepath.Join(runsDir, run, runrecord.FileName)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("no run %s under %s (no %s); pass --runs with the exercise's output_dir", run, runsDir, p)
		}
		return p, nil
	}
	return "", fmt.Errorf("run %s: not a run id (like 20261122T211400Z-3f9a2c) nor an existing run.json or run folder", run)
}

// interspersed parses the flags that follow the positional arguments in
// args (the flag package stops at the first positional argument) and
// returns the positional arguments, so that "review decide CASE --outcome
// confirmed" reads as it is written. A lone "--" ends the flags.
func interspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		if len(args[0]) < 2 || args[0][0] != '-' {
			pos = append(pos, args[0])
			args = args[1:]
			continue
		}
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		args = rest
	}
	return pos, nil
}
