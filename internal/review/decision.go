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
	"strconv"
	"strings"
	"time"

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
// earlier lines are never rewritten.
func Decide(ctx context.Context, logPath string, queue []Case, d Decision) (Decision, error) {
	fail := func(err error) (Decision, error) {
		return Decision{}, fmt.Errorf("decisions log %s: case %s: %w", logPath, d.CaseID, err)
	}
	d.Reason, d.Reviewer = strings.TrimSpace(d.Reason), strings.TrimSpace(d.Reviewer)
	switch {
	case !ValidOutcome(d.Outcome):
		return fail(ErrOutcome)
	case d.Reason == "":
		return fail(ErrNoReason)
	case d.Reviewer == "":
		return fail(ErrNoReviewer)
	}
	found := false
	for _, c := range queue {
		if c.ID == d.CaseID {
			found = true
			break
		}
	}
	if !found {
		return fail(ErrUnknownCase)
	}

	unlock, err := lockfile.Lock(ctx, logPath+".lock")
	if err != nil {
		return fail(err)
	}
	defer unlock()
	b, err := os.ReadFile(logPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	decisions, err := parseDecisions(b)
	if err != nil {
		return fail(err)
	}
	latest, ok := Latest(d.CaseID, decisions)
	switch {
	case ok && d.Supersedes != latest.DecisionID:
		return fail(fmt.Errorf("%w: its latest decision is %s", ErrNotLatest, latest.DecisionID))
	case !ok && d.Supersedes != "":
		return fail(fmt.Errorf("%w: the case has no decision to supersede", ErrNotLatest))
	}
	d.Time = time.Now().UTC()
	d.DecisionID = decisionID(d, len(decisions)+1)
	for _, x := range decisions {
		if x.DecisionID == d.DecisionID {
			return fail(fmt.Errorf("decision id %s is already in the log", d.DecisionID))
		}
	}
	line, err := marshalLine(d)
	if err != nil {
		return fail(err)
	}

	_, statErr := os.Stat(logPath)
	created := errors.Is(statErr, os.ErrNotExist)
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, QueuePerm)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if _, err := f.Write(line); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if created {
		if dir, err := os.Open(filepath.Dir(logPath)); err == nil {
			dir.Sync()
			dir.Close()
		}
	}
	return d, nil
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
