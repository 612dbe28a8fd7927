package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/vault"
)

func init() {
	register(&command{
		name:    "review",
		summary: "Work through the manual-review queue: list, show and decide cases, import decisions, export them, report outcomes.",
		subs:    []*command{reviewListCmd, reviewShowCmd, reviewDecideCmd, reviewImportCmd, reviewEnterCmd, reviewHistoryCmd, reviewExportCmd, reviewOutcomesCmd},
	})
}

// reviewStatuses are the values review list --status takes.
var reviewStatuses = []string{
	review.StatusPending, review.StatusOpen, review.StatusClosed,
	review.OutcomeConfirmed, review.OutcomeRejected, review.OutcomeMoreInfo,
}

// caseFilterFlags are the flags that select cases: --status, --purpose
// and --rule.
type caseFilterFlags struct{ status, purpose, rule *string }

const caseFilterUsage = "[--status STATUS] [--purpose PURPOSE] [--rule RULE]"

func newCaseFilterFlags(fs *flag.FlagSet) caseFilterFlags {
	return caseFilterFlags{
		status:  fs.String("status", "", "only cases with this status: "+strings.Join(reviewStatuses, ", ")),
		purpose: fs.String("purpose", "", "only cases raised for this purpose"),
		rule:    fs.String("rule", "", "only cases raised by this detection rule (dual_tenancy, tenancy_after_death, ...)"),
	}
}

// filter returns the flags as a review.Filter, refusing an unknown status.
func (f caseFilterFlags) filter() (review.Filter, error) {
	if *f.status != "" && !slices.Contains(reviewStatuses, *f.status) {
		return review.Filter{}, usagef("--status must be one of %s", strings.Join(reviewStatuses, ", "))
	}
	return review.Filter{Status: *f.status, Purpose: *f.purpose, Rule: *f.rule}, nil
}

// reviewListCmd is "datamatch review list".
var reviewListCmd = &command{
	name:    "review list",
	summary: "List the cases in the review queue with their status.",
	usage:   caseFilterUsage + " [--state DIR] [--queue FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		ff := newCaseFilterFlags(fs)
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			f, err := ff.filter()
			if err != nil {
				return err
			}
			queue, decisions, err := readReview(ctx, st.queuePath())
			if err != nil {
				return err
			}
			return review.RenderList(e.stdout, review.List(queue, decisions, f))
		}
	},
}

// reviewHistoryCmd is "datamatch review history".
var reviewHistoryCmd = &command{
	name:    "review history",
	summary: "Print the decisions recorded on a case, oldest first.",
	usage:   "[--state DIR] [--queue FILE] CASE",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		return func(ctx context.Context, e *env, args []string) error {
			id, err := caseArg(fs, args)
			if err != nil {
				return err
			}
			queue, decisions, err := readReview(ctx, st.queuePath())
			if err != nil {
				return err
			}
			s, err := findCase(st.queuePath(), queue, decisions, id)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(e.stdout, "Case %s (%s)\n\n", s.Case.ID, s.Status); err != nil {
				return err
			}
			return review.RenderDecisions(e.stdout, s.History)
		}
	},
}

// reviewExportCmd is "datamatch review export".
var reviewExportCmd = &command{
	name:    "review export",
	summary: "Export the queue's cases and their status as CSV, without record refs or clear values.",
	usage:   "--csv " + caseFilterUsage + " [--out FILE] [--state DIR] [--queue FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		ff := newCaseFilterFlags(fs)
		asCSV := fs.Bool("csv", false, "write CSV (the only format)")
		out := fs.String("out", "", "the file to write, atomically (default: standard output)")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			if !*asCSV {
				return usagef("choose the format: --csv")
			}
			f, err := ff.filter()
			if err != nil {
				return err
			}
			queue, decisions, err := readReview(ctx, st.queuePath())
			if err != nil {
				return err
			}
			cases := review.List(queue, decisions, f)
			if *out == "" {
				return review.ExportCSV(e.stdout, cases)
			}
			err = atomicfile.Write(*out, review.QueuePerm, func(w io.Writer) error {
				return review.ExportCSV(w, cases)
			})
			if err != nil {
				return fmt.Errorf("export %s: %w", *out, err)
			}
			e.log.Info("exported review cases", "file", *out, "cases", len(cases))
			return nil
		}
	},
}

// reviewOutcomesCmd is "datamatch review outcomes".
var reviewOutcomesCmd = &command{
	name:    "review outcomes",
	summary: "Report what became of the queue's cases, rule by rule, and whether reviewers confirm cases as often as their match probability says.",
	usage:   "[--purpose PURPOSE] [--json] [--state DIR] [--queue FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		purpose := fs.String("purpose", "", "only cases raised for this purpose")
		asJSON := fs.Bool("json", false, "print the outcomes as JSON, for scripts")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			queue, decisions, err := readReview(ctx, st.queuePath())
			if err != nil {
				return err
			}
			o := review.Summarise(review.List(queue, decisions, review.Filter{Purpose: *purpose}), time.Now())
			if *asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(o)
			}
			return review.RenderOutcomes(e.stdout, o)
		}
	},
}

// reviewDecideCmd is "datamatch review decide".
var reviewDecideCmd = &command{
	name:    "review decide",
	summary: "Record a reviewer's decision on a case, in the decisions log and the audit ledger.",
	usage:   "CASE --outcome OUTCOME --reason TEXT --reviewer NAME [--supersedes DECISION] [--state DIR] [--queue FILE] [--ledger FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		outcome := fs.String("outcome", "", "confirmed or rejected, which close the case, or needs-more-information, which keeps it open")
		reason := fs.String("reason", "", "why, in the reviewer's words (kept in the decisions log, not the ledger)")
		reviewer := fs.String("reviewer", "", "who decides")
		supersedes := fs.String("supersedes", "", "the case's latest decision, which this one replaces; required once a case has a decision (see 'datamatch review history CASE')")
		return func(ctx context.Context, e *env, args []string) error {
			id, err := caseArg(fs, args)
			if err != nil {
				return err
			}
			switch {
			case !review.ValidOutcome(*outcome):
				return usagef("--outcome must be %s, %s or %s", review.OutcomeConfirmed, review.OutcomeRejected, review.OutcomeMoreInfo)
			case strings.TrimSpace(*reason) == "":
				return usagef("--reason TEXT is required")
			case strings.TrimSpace(*reviewer) == "":
				return usagef("--reviewer NAME is required")
			}
			ledgerPath, queue, err := st.forDecisions()
			if err != nil {
				return err
			}
			ds, entry, err := review.Record(ctx, review.DecisionsPath(st.queuePath()), ledgerPath, queue, []review.Decision{{
				CaseID: id, Outcome: *outcome, Reason: *reason, Reviewer: *reviewer, Supersedes: *supersedes,
			}})
			switch {
			case errors.Is(err, review.ErrNotLatest):
				return fmt.Errorf("%w; read 'datamatch review history %s' and pass its latest decision with --supersedes", err, id)
			case errors.Is(err, review.ErrNotEntered):
				return fmt.Errorf("%w; once the ledger can be written, 'datamatch review enter' enters it", err)
			case err != nil:
				return err
			}
			d := ds[0]
			_, err = fmt.Fprintf(e.stdout, "recorded decision %s on case %s: %s (ledger seq %d)\n", d.DecisionID, d.CaseID, d.Outcome, entry.Seq)
			return err
		}
	},
}

// reviewImportCmd is "datamatch review import".
var reviewImportCmd = &command{
	name:    "review import",
	summary: "Record the decisions a reviewer made in a spreadsheet (an export with outcome and reason columns added): all of them, or none.",
	usage:   "--csv FILE --reviewer NAME [--state DIR] [--queue FILE] [--ledger FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		file := fs.String("csv", "", "the decisions: columns case_id, outcome and reason, and latest_decision as 'review export' writes it; rows without an outcome are skipped")
		reviewer := fs.String("reviewer", "", "who decided, recorded on every decision of the file")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			switch {
			case *file == "":
				return usagef("--csv FILE is required")
			case strings.TrimSpace(*reviewer) == "":
				return usagef("--reviewer NAME is required")
			}
			ledgerPath, queue, err := st.forDecisions()
			if err != nil {
				return err
			}
			f, err := os.Open(*file)
			if err != nil {
				return fmt.Errorf("import decisions: %w", err)
			}
			ds, err := review.ParseImport(f, *file, *reviewer)
			f.Close()
			if err != nil {
				return fmt.Errorf("nothing recorded: %w", err)
			}
			if len(ds) == 0 {
				_, err := fmt.Fprintf(e.stdout, "no decisions in %s: no row has an outcome\n", *file)
				return err
			}
			recorded, _, err := review.Record(ctx, review.DecisionsPath(st.queuePath()), ledgerPath, queue, ds)
			switch {
			case errors.Is(err, review.ErrNotEntered):
				return fmt.Errorf("%d decisions are recorded, but not all are in the audit ledger: %w; once the ledger can be written, 'datamatch review enter' enters them", len(recorded), err)
			case errors.Is(err, review.ErrNotLatest):
				return fmt.Errorf("nothing recorded: %w; the case was decided after the file was exported: export again and decide it afresh", err)
			case err != nil:
				return fmt.Errorf("nothing recorded: %w", err)
			}
			counts := map[string]int{}
			for _, d := range recorded {
				counts[d.Outcome]++
			}
			e.log.Info("imported review decisions", "file", *file, "decisions", len(recorded))
			_, err = fmt.Fprintf(e.stdout, "recorded %d decisions from %s: %d confirmed, %d rejected, %d needing more information\n",
				len(recorded), *file, counts[review.OutcomeConfirmed], counts[review.OutcomeRejected], counts[review.OutcomeMoreInfo])
			return err
		}
	},
}

// reviewEnterCmd is "datamatch review enter".
var reviewEnterCmd = &command{
	name:    "review enter",
	summary: "Enter in the audit ledger the recorded decisions whose entry failed, once each, after checking the log and ledger agree on every other decision.",
	usage:   "[--dry-run] [--state DIR] [--queue FILE] [--ledger FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, false)
		dry := fs.Bool("dry-run", false, "list the decisions that would be entered, and enter none")
		return func(ctx context.Context, e *env, args []string) error {
			if err := noPositional(args); err != nil {
				return err
			}
			queue, err := readQueue(st.queuePath())
			if err != nil {
				return err
			}
			entered, err := review.EnterMissing(ctx, review.DecisionsPath(st.queuePath()), st.ledgerPath(), queue, *dry)
			if errors.Is(err, review.ErrDisagrees) {
				return fmt.Errorf("%w; 'datamatch audit verify' lists what disagrees", err)
			}
			var b strings.Builder
			verb := "entered"
			if *dry {
				verb = "would enter"
			}
			for _, d := range entered {
				fmt.Fprintf(&b, "%s decision %s on case %s: %s, by %s, recorded %s\n", verb, d.DecisionID, d.CaseID, d.Outcome, d.Reviewer, d.Time.UTC().Format(time.RFC3339))
			}
			if len(entered) == 0 && err == nil {
				b.WriteString("nothing to enter: every recorded decision is in the audit ledger\n")
			}
			if _, werr := io.WriteString(e.stdout, b.String()); werr != nil && err == nil {
				err = werr
			}
			if err == nil && !*dry && len(entered) > 0 {
				e.log.Info("entered review decisions in the ledger", "decisions", len(entered))
			}
			return err
		}
	},
}

// forDecisions checks, before a decision is recorded, that the ledger can
// take it, and reads the queue the decision must be about. It returns the
// ledger's path and the queue.
func (s *stateFiles) forDecisions() (string, []review.Case, error) {
	ledgerPath := s.ledgerPath()
	if err := ledger.CheckWritable(ledgerPath); err != nil {
		return "", nil, err
	}
	queue, err := readQueue(s.queuePath())
	if err != nil {
		return "", nil, err
	}
	return ledgerPath, queue, nil
}

// reviewShowCmd is "datamatch review show".
var reviewShowCmd = &command{
	name:    "review show",
	summary: "Show a case with its two records in clear from the vault, after entering the opening in the ledger.",
	usage:   "CASE --identity FILE [--reviewer NAME] [--state DIR] [--queue FILE] [--vault FILE] [--ledger FILE]",
	setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		st := newStateFiles(fs, true, true)
		identity := fs.String("identity", "", "the reviewer's age identity file (see 'datamatch keys new-reviewer')")
		reviewer := fs.String("reviewer", "", "who is looking, as the ledger records it (default: $USER)")
		return func(ctx context.Context, e *env, args []string) error {
			id, err := caseArg(fs, args)
			if err != nil {
				return err
			}
			if *identity == "" {
				return usagef("--identity FILE is required")
			}
			actor, err := reviewActor(*reviewer)
			if err != nil {
				return err
			}
			ledgerPath := st.ledgerPath()
			if err := ledger.CheckWritable(ledgerPath); err != nil {
				return err
			}
			queue, decisions, err := readReview(ctx, st.queuePath())
			if err != nil {
				return err
			}
			s, err := findCase(st.queuePath(), queue, decisions, id)
			if err != nil {
				return err
			}
			c := s.Case
			c.Status = s.Status

			v, err := vault.Open(st.vaultPath(c.RunID), *identity)
			if err != nil {
				return err
			}
			var sides [2]map[string]string
			found := 0
			for i, ref := range []review.RecordRef{c.Left, c.Right} {
				sides[i] = map[string]string{}
				r, ok := v.LookupRef(ref.Dataset, ref.Ref)
				if !ok {
					fmt.Fprintf(e.stderr, "datamatch review show: the %s record (dataset %s, ref %s) is not in the vault\n", side(i), ref.Dataset, ref.Ref)
					continue
				}
				found++
				sides[i] = clearFields(&r)
			}

			// The opening is entered before anything is shown: if the
			// ledger cannot take it, nothing is disclosed.
			data, err := json.Marshal(vaultOpening{
				CaseID: c.ID, Left: c.Left, Right: c.Right, Vault: st.vaultPath(c.RunID), RecordsShown: found,
			})
			if err != nil {
				return err
			}
			entry, err := ledger.Append(ctx, ledgerPath, ledger.Entry{Kind: ledger.KindVaultOpen, RunID: c.RunID, Actor: actor, Data: data})
			if err != nil {
				return fmt.Errorf("nothing shown: the vault opening could not be entered in the audit ledger: %w", err)
			}
			e.log.Info("vault opened", "case", c.ID, "ledger_seq", entry.Seq)

			if err := review.RenderCase(e.stdout, c, sides[0], sides[1]); err != nil {
				return err
			}
			if _, err := io.WriteString(e.stdout, "\n"); err != nil {
				return err
			}
			return review.RenderDecisions(e.stdout, s.History)
		}
	},
}

// vaultOpening is the data of the ledger entry that review show appends:
// which case and records were looked at, never what they hold.
type vaultOpening struct {
	CaseID       string           `json:"case_id"`
	Left         review.RecordRef `json:"left"`
	Right        review.RecordRef `json:"right"`
	Vault        string           `json:"vault"`
	RecordsShown int              `json:"records_shown"`
}

func side(i int) string {
	if i == 0 {
		return "left"
	}
	return "right"
}

// clearFields returns the fields of r that a reviewer sees, by canonical
// column name, leaving out empty ones. Special category and criminal
// offence columns are left out: a reviewer decides whether two records are
// one person, which they do not bear on.
func clearFields(r *person.Record) map[string]string {
	m := map[string]string{}
	for _, col := range person.Columns {
		if col.Category != person.Identifier && col.Category != person.Attribute {
			continue
		}
		var v string
		switch col.Kind {
		case person.String:
			v, _ = r.String(col.Name)
		case person.Date:
			if d := r.DateField(col.Name); d != nil && !d.IsZero() {
				v = d.String()
			}
		case person.Money:
			if r.Balance != 0 {
				v = r.Balance.Pounds()
			}
		}
		if v != "" {
			m[col.Name] = v
		}
	}
	return m
}

// reviewActor returns who is acting, for the ledger: name if given, else
// the user running the command.
func reviewActor(name string) (string, error) {
	if name = strings.TrimSpace(name); name != "" {
		return name, nil
	}
	if name = os.Getenv("USER"); name != "" {
		return name, nil
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	return "", usagef("--reviewer NAME is required: the user running the command is not known")
}

// caseArg returns the one CASE argument of a review command, parsing any
// flags that follow it.
func caseArg(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := interspersed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("takes one CASE argument (a case id such as C-3f9a2c1b0d4e), got %d", len(pos))
	}
	return pos[0], nil
}

// findCase returns the case id with its derived status.
func findCase(queuePath string, queue []review.Case, decisions []review.Decision, id string) (review.CaseStatus, error) {
	for _, s := range review.List(queue, decisions, review.Filter{}) {
		if s.Case.ID == id {
			return s, nil
		}
	}
	return review.CaseStatus{}, fmt.Errorf("review queue %s: case %s: %w", queuePath, id, review.ErrUnknownCase)
}

// readQueue reads the review queue, explaining a missing one.
func readQueue(path string) ([]review.Case, error) {
	queue, err := review.ReadQueue(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no review queue at %s: no run has queued a case yet, or --state or --queue is wrong", path)
	}
	return queue, err
}

// readReview reads the review queue and its decisions log. A decisions log
// that ends in a partial line is read again under its lock, in case a
// decision was being appended.
func readReview(ctx context.Context, queuePath string) ([]review.Case, []review.Decision, error) {
	queue, err := readQueue(queuePath)
	if err != nil {
		return nil, nil, err
	}
	decisions, err := review.LoadDecisions(ctx, review.DecisionsPath(queuePath))
	if err != nil {
		return nil, nil, err
	}
	return queue, decisions, nil
}
