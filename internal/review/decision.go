package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/lockfile"
)

// Outcomes a reviewer can record. Confirmed and rejected close a case;
// needs-more-information keeps it open.
const (
	OutcomeConfirmed = "confirmed"
	OutcomeRejected  = "rejected"
	OutcomeMoreInfo  = "needs-more-information"
)

// Decision is a reviewer's decision on a case, one line of the decisions
// log.
type Decision struct {
	DecisionID string    `json:"decision_id"` // "D-" and 12 hex digits, set by Decide
	CaseID     string    `json:"case_id"`
	Outcome    string    `json:"outcome"`  // one of the Outcome constants
	Reason     string    `json:"reason"`   // why, in the reviewer's words
	Reviewer   string    `json:"reviewer"` // who decided
	Time       time.Time `json:"time"`     // when it was recorded, UTC, set by Decide
	// Supersedes is the decision this one replaces: the case's latest
	// decision at the time, or "" for a case's first decision.
	Supersedes string `json:"supersedes"`
}

// Errors of Decide, to test for with errors.Is.
var (
	ErrOutcome     = errors.New("outcome must be confirmed, rejected or needs-more-information")
	ErrNoReason    = errors.New("a reason is required")
	ErrNoReviewer  = errors.New("a reviewer is required")
	ErrUnknownCase = errors.New("no such case in the queue")
	// ErrNotLatest refuses a decision that does not supersede the case's
	// current latest decision: someone else decided the case meanwhile.
	ErrNotLatest = errors.New("the decision does not supersede the case's latest decision")
)

// ValidOutcome reports whether o is one of the outcomes a reviewer can
// record.
func ValidOutcome(o string) bool {
	return o == OutcomeConfirmed || o == OutcomeRejected || o == OutcomeMoreInfo
}

// Decide records d in the decisions log at logPath, creating it if needed,
// and returns it as recorded, with DecisionID and Time set. queue is the
// review queue, to check that the case exists.
//
// Decide refuses an unknown outcome, an empty reason or reviewer, a case
// that is not in queue, and a decision whose Supersedes is not the case's
// latest decision ("" when the case has none), so that of two reviewers
// deciding one case at once the second is told to look again rather than
// silently overruling the first. It holds the lock on logPath+".lock"
// while it reads the log and appends the line with O_APPEND and fsync;
// earlier lines are never rewritten, save by RedactReasons.
func Decide(ctx context.Context, logPath string, queue []Case, d Decision) (Decision, error) {
	ds, err := DecideAll(ctx, logPath, queue, []Decision{d})
	if err != nil {
		return Decision{}, err
	}
	return ds[0], nil
}

// DecisionError is DecideAll's error about one of its decisions.
type DecisionError struct {
	Index  int // the decision's index in DecideAll's list
	CaseID string
	Err    error
}

func (e *DecisionError) Error() string { return "case " + e.CaseID + ": " + e.Err.Error() }

func (e *DecisionError) Unwrap() error { return e.Err }

// ErrDecidedTwice refuses a list of decisions that decides one case twice:
// the second would have to supersede the first, whose id is not known
// until it is recorded.
var ErrDecidedTwice = errors.New("the case is decided twice in one list")

// DecideAll records ds, in order, as Decide records one, and returns them
// as recorded: all of them, in one append under one lock, or, if any is
// refused, none. Each is checked as Decide checks one; a case may be
// decided once in ds. The error names the first decision refused (see
// DecisionError).
func DecideAll(ctx context.Context, logPath string, queue []Case, ds []Decision) ([]Decision, error) {
	return decideAll(ctx, logPath, queue, ds, nil)
}

// decideAll is DecideAll. If after is not nil, it is called with the
// decisions as recorded once they are in the log, before the log's lock
// is released, and its error is returned with them.
func decideAll(ctx context.Context, logPath string, queue []Case, ds []Decision, after func([]Decision) error) ([]Decision, error) {
	fail := func(i int, err error) ([]Decision, error) {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, &DecisionError{Index: i, CaseID: ds[i].CaseID, Err: err})
	}
	inQueue := make(map[string]bool, len(queue))
	for _, c := range queue {
		inQueue[c.ID] = true
	}
	ds = slices.Clone(ds)
	seen := make(map[string]bool, len(ds))
	for i := range ds {
		d := &ds[i]
		d.Reason, d.Reviewer = strings.TrimSpace(d.Reason), strings.TrimSpace(d.Reviewer)
		switch {
		case !ValidOutcome(d.Outcome):
			return fail(i, ErrOutcome)
		case d.Reason == "":
			return fail(i, ErrNoReason)
		case d.Reviewer == "":
			return fail(i, ErrNoReviewer)
		case !inQueue[d.CaseID]:
			return fail(i, ErrUnknownCase)
		case seen[d.CaseID]:
			return fail(i, ErrDecidedTwice)
		}
		seen[d.CaseID] = true
	}
	if len(ds) == 0 {
		return nil, nil
	}

	unlock, err := lockfile.Lock(ctx, logPath+".lock")
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	defer unlock()
	b, err := os.ReadFile(logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	decisions, err := parseDecisions(b)
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	ids := make(map[string]bool, len(decisions))
	for _, x := range decisions {
		ids[x.DecisionID] = true
	}
	now := time.Now().UTC()
	var lines []byte
	for i := range ds {
		d := &ds[i]
		latest, ok := Latest(d.CaseID, decisions)
		switch {
		case ok && d.Supersedes != latest.DecisionID:
			return fail(i, fmt.Errorf("%w: its latest decision is %s", ErrNotLatest, latest.DecisionID))
		case !ok && d.Supersedes != "":
			return fail(i, fmt.Errorf("%w: the case has no decision to supersede", ErrNotLatest))
		}
		d.Time = now
		d.DecisionID = decisionID(*d, len(decisions)+i+1)
		if ids[d.DecisionID] {
			return fail(i, fmt.Errorf("decision id %s is already in the log", d.DecisionID))
		}
		ids[d.DecisionID] = true
		line, err := marshalLine(*d)
		if err != nil {
			return fail(i, err)
		}
		lines = append(lines, line...)
	}

	_, statErr := os.Stat(logPath)
	created := errors.Is(statErr, os.ErrNotExist)
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, QueuePerm)
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	defer f.Close()
	if _, err := f.Write(lines); err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	if created {
		if dir, err := os.Open(filepath.Dir(logPath)); err == nil {
			dir.Sync()
			dir.Close()
		}
	}
	if after != nil {
		return ds, after(ds)
	}
	return ds, nil
}

// decisionID derives a decision's id from its contents and its line
// number in the log, which the lock makes unique.
func decisionID(d Decision, line int) string {
	h := sha256.New()
	for _, s := range []string{"datamatch review decision v1", strconv.Itoa(line), d.CaseID, d.Outcome, d.Reason,
		d.Reviewer, d.Time.Format(time.RFC3339Nano), d.Supersedes} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return "D-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// ReadDecisions reads the decisions log at path, in the order decisions
// were recorded. A missing log holds no decisions. A final line without a
// newline is reported with ErrTornTail: a crash during an append, or, if
// read without the log's lock, an append in progress.
func ReadDecisions(path string) ([]Decision, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", path, err)
	}
	out, err := parseDecisions(b)
	if err != nil {
		return nil, fmt.Errorf("decisions log %s: %w", path, err)
	}
	return out, nil
}

// LoadDecisions is ReadDecisions for a log that reviewers may be appending
// to: when the last line is partial, it reads the log again under the
// log's lock, which an append holds until its line is whole.
func LoadDecisions(ctx context.Context, path string) ([]Decision, error) {
	ds, err := ReadDecisions(path)
	if !errors.Is(err, ErrTornTail) {
		return ds, err
	}
	unlock, lerr := lockfile.Lock(ctx, path+".lock")
	if lerr != nil {
		return nil, errors.Join(err, lerr)
	}
	defer unlock()
	return ReadDecisions(path)
}

// parseDecisions parses decisions log contents. Errors name the line,
// never its contents.
func parseDecisions(b []byte) ([]Decision, error) {
	var out []Decision
	err := eachLine(b, func(n int, line []byte) error {
		var d Decision
		if err := json.Unmarshal(line, &d); err != nil {
			return fmt.Errorf("line %d: not a decision", n)
		}
		if d.DecisionID == "" || d.CaseID == "" || !ValidOutcome(d.Outcome) || d.Reviewer == "" || d.Time.IsZero() {
			return fmt.Errorf("line %d: decision is incomplete", n)
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// Latest returns the latest decision on the case caseID: the last one
// recorded.
func Latest(caseID string, decisions []Decision) (Decision, bool) {
	for i := len(decisions) - 1; i >= 0; i-- {
		if decisions[i].CaseID == caseID {
			return decisions[i], true
		}
	}
	return Decision{}, false
}

// LedgerEntry returns the audit-ledger entry that records d for the run
// runID: who decided what on which case, and what it superseded. The
// reason stays in the decisions log, since reviewers may write personal
// details in it.
func (d Decision) LedgerEntry(runID string) ledger.Entry {
	data, _ := json.Marshal(map[string]string{
		"decision_id": d.DecisionID, "case_id": d.CaseID, "outcome": d.Outcome, "supersedes": d.Supersedes,
	})
	return ledger.Entry{Time: d.Time, Kind: ledger.KindDecision, RunID: runID, Actor: d.Reviewer, Data: data}
}

// RedactReasons replaces the reason of every decision in ids with note,
// at a person's request for erasure: a reason is written in the reviewer's
// own words and may name the people a case is about. The decision's id,
// case, outcome, reviewer, time and what it supersedes are kept, so the
// audit trail of who decided what stands; every other line is kept byte for
// byte. It is the one change ever made to a recorded decision.
//
// RedactReasons holds the log's lock, as Decide does, and writes the log
// anew atomically. It refuses an empty note and an id that is not in the
// log, before anything is changed, and returns how many reasons it
// replaced (a reason that already reads note is left as it is).
func RedactReasons(ctx context.Context, logPath string, ids []string, note string) (int, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return 0, fmt.Errorf("decisions log %s: %w", logPath, ErrNoReason)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	unlock, err := lockfile.Lock(ctx, logPath+".lock")
	if err != nil {
		return 0, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	defer unlock()
	b, err := os.ReadFile(logPath)
	if err != nil {
		return 0, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	var out []byte
	found, changed := 0, 0
	err = eachLine(b, func(n int, line []byte) error {
		var d Decision
		if err := json.Unmarshal(line, &d); err != nil {
			return fmt.Errorf("line %d: not a decision", n)
		}
		if !want[d.DecisionID] {
			out = append(append(out, line...), '\n')
			return nil
		}
		found++
		if d.Reason == note {
			out = append(append(out, line...), '\n')
			return nil
		}
		d.Reason = note
		l, err := marshalLine(d)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, l...)
		changed++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	if found != len(want) {
		return 0, fmt.Errorf("decisions log %s: %d of the %d decisions to redact are not in the log", logPath, len(want)-found, len(want))
	}
	if changed == 0 {
		return 0, nil
	}
	perm := os.FileMode(QueuePerm)
	if fi, err := os.Stat(logPath); err == nil {
		perm = fi.Mode().Perm()
	}
	if err := atomicfile.WriteFile(logPath, out, perm); err != nil {
		return 0, fmt.Errorf("decisions log %s: %w", logPath, err)
	}
	return changed, nil
}
