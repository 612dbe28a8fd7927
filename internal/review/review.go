// Package review keeps the manual-review queue: the possible matches that
// a person must look at before anything is done about them, and the
// decisions reviewers record on them.
//
// The queue is a JSON Lines file, one self-contained Case a line, that
// only ever grows: Merge adds the cases of a run that are not already
// there and rewrites the file atomically. Decisions go to a separate
// append-only JSON Lines log beside the queue (see DecisionsPath); a case's
// status is derived from them and is never stored. The one change ever
// made to a recorded decision is RedactReasons', at a request for erasure.
// Each decision is also entered in the hash-chained audit ledger, without
// its reason, and Reconcile checks the log against it. Only a reviewer's
// "confirmed" or "rejected" closes a case; nothing closes one
// automatically. Summarise tallies what became of the cases, and sets the
// share reviewers confirmed beside the engine's match probabilities.
//
// Cases refer to records by dataset and pseudonymised reference only. They
// carry the match's score and explanation and dated evidence (tenancy
// start, date of death), never a clear personal identifier; RenderCase
// shows clear values only when the caller passes them in from the
// re-identification vault.
package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/lockfile"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
)

// StatusPending is the status of a case with no decision.
const StatusPending = "pending"

// RecordRef points at one record of a dataset by its pseudonymised
// reference.
type RecordRef struct {
	Dataset string `json:"dataset"`
	Ref     string `json:"ref"`
}

// Evidence is one dated or valued fact that supports a case, such as
// tenancy_start or date_of_death. Exactly one of Date and Value is set.
// Evidence is never a clear identifier.
type Evidence struct {
	Name  string    `json:"name"`
	Date  date.Date `json:"date,omitzero"`
	Value string    `json:"value,omitempty"`
}

// Case is one possible match queued for review.
type Case struct {
	// ID is CaseID of the purpose, rule and both refs, so that a run that
	// finds the same pair again does not queue it twice.
	ID               string              `json:"case_id"`
	RunID            string              `json:"run_id"`  // the run that first queued it
	Purpose          string              `json:"purpose"` // e.g. "tenancy_fraud"
	Rule             string              `json:"rule"`    // the detection rule that raised it
	Left             RecordRef           `json:"left"`
	Right            RecordRef           `json:"right"`
	MatchProbability float64             `json:"match_probability"`
	MatchWeight      float64             `json:"match_weight"`
	Explanation      []pair.Contribution `json:"explanation"`
	Evidence         []Evidence          `json:"evidence,omitempty"`
	// Status is StatusPending in the queue file; the live status is
	// derived from the decisions (see List).
	Status string    `json:"status"`
	Queued time.Time `json:"queued"` // when it was first queued, UTC
}

// CaseID returns the id of the case that purpose and rule raise on the
// pair of left and right: "C-" and the first 12 hex digits of a SHA-256 of
// them. The order of the two refs does not matter.
func CaseID(purpose, rule string, left, right RecordRef) string {
	a, b := left, right
	if b.Dataset < a.Dataset || b.Dataset == a.Dataset && b.Ref < a.Ref {
		a, b = b, a
	}
	h := sha256.New()
	for _, s := range []string{"datamatch review case v1", purpose, rule, a.Dataset, a.Ref, b.Dataset, b.Ref} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return "C-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// check validates a case and reports the first problem without quoting
// any value but the case id.
func (c *Case) check() error {
	switch {
	case c.Purpose == "" || c.Rule == "":
		return errors.New("purpose and rule are required")
	case c.Left.Dataset == "" || c.Left.Ref == "" || c.Right.Dataset == "" || c.Right.Ref == "":
		return errors.New("both record refs need a dataset and a ref")
	case c.Left == c.Right:
		return errors.New("a record cannot match itself")
	case !(c.MatchProbability >= 0 && c.MatchProbability <= 1):
		return errors.New("match probability must be between 0 and 1")
	case math.IsNaN(c.MatchWeight) || math.IsInf(c.MatchWeight, 0):
		return errors.New("match weight must be finite")
	case c.ID != CaseID(c.Purpose, c.Rule, c.Left, c.Right):
		return errors.New("case id does not match its purpose, rule and refs")
	}
	for _, x := range c.Explanation {
		if x.Field == "" || math.IsNaN(x.Weight) || math.IsInf(x.Weight, 0) {
			return errors.New("explanation has an unnamed field or a weight that is not finite")
		}
	}
	for _, e := range c.Evidence {
		if e.Name == "" || e.Date.IsZero() == (e.Value == "") {
			return errors.New("evidence needs a name and exactly one of date and value")
		}
		if col, ok := person.Lookup(e.Name); ok && col.Category != person.Attribute {
			return fmt.Errorf("evidence %s is a %s column, which a case must not carry", e.Name, col.Category)
		}
	}
	return nil
}

// QueuePerm is the permission of queue and decision files.
const QueuePerm = 0o600

// queueWriter wraps the writer of a new queue file; tests replace it to
// fail a write part of the way through.
var queueWriter = func(w io.Writer) io.Writer { return w }

// Merge adds cases to the queue at path, creating it if needed, and
// returns how many it added. A case whose id is already in the queue, or
// already has a decision in the log at DecisionsPath(path), is left out,
// as is a second case with the same id in cases; so merging a run's cases
// again adds none. A case with no ID gets CaseID; its Status is set to
// StatusPending and a zero Queued to now.
//
// Merge refuses the whole batch if any case is invalid: a wrong id, a
// probability outside [0, 1], missing refs, or evidence that is an
// identifier column. It holds the locks of the queue and of the decisions
// log while it reads them and writes the new queue, and writes atomically (temporary file,
// fsync, rename), so a crash leaves either the old queue or the new one.
func Merge(ctx context.Context, path string, cases []Case) (added int, err error) {
	now := time.Now().UTC()
	prepared := make([]Case, len(cases))
	for i, c := range cases {
		if c.ID == "" {
			c.ID = CaseID(c.Purpose, c.Rule, c.Left, c.Right)
		}
		if err := c.check(); err != nil {
			return 0, fmt.Errorf("review queue %s: merge: case %d (%s): %w", path, i+1, c.ID, err)
		}
		c.Status = StatusPending
		if c.Queued.IsZero() {
			c.Queued = now
		}
		c.Queued = c.Queued.UTC()
		prepared[i] = c
	}

	unlock, err := lockfile.Lock(ctx, path+".lock")
	if err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	defer unlock()
	// Hold the decisions log still too, so that its last line is whole.
	unlockLog, err := lockfile.Lock(ctx, DecisionsPath(path)+".lock")
	if err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	defer unlockLog()

	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	existing, err := parseQueue(old)
	if err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	decisions, err := ReadDecisions(DecisionsPath(path))
	if err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	known := make(map[string]bool, len(existing)+len(decisions))
	for _, c := range existing {
		known[c.ID] = true
	}
	for _, d := range decisions {
		known[d.CaseID] = true
	}
	var fresh []Case
	for _, c := range prepared {
		if !known[c.ID] {
			known[c.ID] = true
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	err = atomicfile.Write(path, QueuePerm, func(w io.Writer) error {
		w = queueWriter(w)
		if _, err := w.Write(old); err != nil {
			return err
		}
		for _, c := range fresh {
			line, err := marshalLine(c)
			if err != nil {
				return fmt.Errorf("case %s: %w", c.ID, err)
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("review queue %s: merge: %w", path, err)
	}
	return len(fresh), nil
}

// marshalLine encodes v as one JSON line without escaping <, > and &.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadQueue reads every case of the queue at path, in the order they were
// queued. A missing queue is an error that wraps os.ErrNotExist.
func ReadQueue(path string) ([]Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("review queue %s: %w", path, err)
	}
	cases, err := parseQueue(b)
	if err != nil {
		return nil, fmt.Errorf("review queue %s: %w", path, err)
	}
	return cases, nil
}

// parseQueue parses queue file contents, checking every case and that no
// id appears twice. Errors name the line, never its contents.
func parseQueue(b []byte) ([]Case, error) {
	var cases []Case
	seen := map[string]int{}
	err := eachLine(b, func(n int, line []byte) error {
		var c Case
		if err := json.Unmarshal(line, &c); err != nil {
			return fmt.Errorf("line %d: not a review case", n)
		}
		if err := c.check(); err != nil {
			return fmt.Errorf("line %d (%s): %w", n, c.ID, err)
		}
		if first, dup := seen[c.ID]; dup {
			return fmt.Errorf("line %d: case %s is already on line %d", n, c.ID, first)
		}
		seen[c.ID] = n
		cases = append(cases, c)
		return nil
	})
	return cases, err
}

// eachLine calls fn with every line of b and its 1-based number. It
// refuses a final line without a newline and blank lines.
func eachLine(b []byte, fn func(n int, line []byte) error) error {
	for n := 1; len(b) > 0; n++ {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return fmt.Errorf("line %d: %w", n, ErrTornTail)
		}
		line := b[:i]
		b = b[i+1:]
		if len(bytes.TrimSpace(line)) == 0 {
			return fmt.Errorf("line %d: blank line", n)
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return nil
}

// ErrTornTail reports a file whose last line is incomplete, as a crash
// during an append can leave it.
var ErrTornTail = errors.New("the final line is partial (no newline)")

// DecisionsPath returns the path of the decisions log that belongs to the
// queue at queuePath: beside it, with ".decisions.jsonl" in place of
// ".jsonl" (queue.jsonl → queue.decisions.jsonl).
func DecisionsPath(queuePath string) string {
	return strings.TrimSuffix(queuePath, ".jsonl") + ".decisions.jsonl"
}
