package review

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/golden"
	"github.com/datamatch/datamatch/internal/ledger"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
)

// Environment of the helper process that the cross-process tests start:
// the test binary records one decision and exits with 0 on success, 3 if
// refused with ErrNotLatest, 1 otherwise.
const (
	envLog     = "REVIEW_TEST_LOG"
	envQueue   = "REVIEW_TEST_QUEUE"
	envCase    = "REVIEW_TEST_CASE"
	envWho     = "REVIEW_TEST_WHO"
	envStartAt = "REVIEW_TEST_START_AT"
)

func TestMain(m *testing.M) {
	if logPath := os.Getenv(envLog); logPath != "" {
		os.Exit(decideHelper(logPath))
	}
	os.Exit(m.Run())
}

func decideHelper(logPath string) int {
	queue, err := ReadQueue(os.Getenv(envQueue))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Start together with the other helpers, to make them race.
	if at, err := time.Parse(time.RFC3339Nano, os.Getenv(envStartAt)); err == nil {
		time.Sleep(time.Until(at))
	}
	_, err = Decide(context.Background(), logPath, queue, Decision{
		CaseID: os.Getenv(envCase), Outcome: OutcomeConfirmed, Reason: "seen both tenancy agreements", Reviewer: os.Getenv(envWho),
	})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrNotLatest):
		return 3
	}
	fmt.Fprintln(os.Stderr, err)
	return 1
}

var t0 = time.Date(2026, 11, 22, 21, 19, 32, 0, time.UTC)

// newCase returns a valid case for pair i.
func newCase(i int) Case {
	c := Case{
		RunID: "20261122T211400Z-3f9a2c", Purpose: "tenancy_fraud", Rule: "dual_tenancy",
		Left:             RecordRef{Dataset: "tenancies", Ref: fmt.Sprintf("T-%06d", i)},
		Right:            RecordRef{Dataset: "other_landlord", Ref: fmt.Sprintf("OL-%05d", 90000+i)},
		MatchProbability: 0.9973, MatchWeight: 8.52,
		Explanation: []pair.Contribution{
			{Field: "surname", Level: "exact", Weight: 6.21},
			{Field: "forename", Level: "dice>=0.9", Weight: 3.4},
			{Field: "dob", Level: "exact", Weight: 9.1},
			{Field: "postcode", Level: "null", Weight: 0},
		},
		Evidence: []Evidence{
			{Name: "tenancy_start", Date: date.MustOf(2019, 4, 1)},
			{Name: "other_tenancy_start", Date: date.MustOf(2021, 9, 13)},
		},
		Queued: t0,
	}
	c.ID = CaseID(c.Purpose, c.Rule, c.Left, c.Right)
	return c
}

func cases(n int) []Case {
	out := make([]Case, n)
	for i := range out {
		out[i] = newCase(i + 1)
	}
	return out
}

func TestCaseID(t *testing.T) {
	a := RecordRef{"tenancies", "T-1"}
	b := RecordRef{"deceased", "D-9"}
	id := CaseID("fraud", "deceased_tenant", a, b)
	if !regexp.MustCompile(`^C-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("CaseID = %q", id)
	}
	if CaseID("fraud", "deceased_tenant", b, a) != id {
		t.Error("the id depends on the order of the refs")
	}
	differs := []string{
		CaseID("arrears", "deceased_tenant", a, b),
		CaseID("fraud", "dual_tenancy", a, b),
		CaseID("fraud", "deceased_tenant", RecordRef{"tenancies", "T-2"}, b),
		CaseID("fraud", "deceased_tenant", RecordRef{"tenancie", "sT-1"}, b),
		CaseID("frau", "ddeceased_tenant", a, b),
	}
	for i, d := range differs {
		if d == id {
			t.Errorf("variant %d has the same id", i)
		}
	}
}

func TestMergeAndReMerge(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.jsonl")
	ctx := context.Background()
	added, err := Merge(ctx, path, cases(3))
	if err != nil || added != 3 {
		t.Fatalf("Merge = %d, %v", added, err)
	}
	before, _ := os.ReadFile(path)
	added, err = Merge(ctx, path, cases(3))
	if err != nil || added != 0 {
		t.Fatalf("re-merge = %d, %v; want 0", added, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("re-merge changed the queue")
	}
	// Two new cases, one repeated within the batch, and an old one.
	batch := append(cases(5)[2:], newCase(4))
	added, err = Merge(ctx, path, batch)
	if err != nil || added != 2 {
		t.Fatalf("Merge = %d, %v; want 2", added, err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.HasPrefix(after, before) {
		t.Error("merge rewrote existing lines")
	}
	got, err := ReadQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	want := cases(5)
	for i := range want {
		want[i].Status = StatusPending
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("queue:\n got %+v\nwant %+v", got, want)
	}
	if n := bytes.Count(after, []byte("\n")); n != 5 {
		t.Errorf("%d lines, want 5", n)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != QueuePerm {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestMergeFillsIDStatusAndTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.jsonl")
	c := newCase(1)
	c.ID, c.Status, c.Queued = "", "", time.Time{}
	before := time.Now()
	if _, err := Merge(context.Background(), path, []Case{c}); err != nil {
		t.Fatal(err)
	}
	got, _ := ReadQueue(path)
	if got[0].ID != newCase(1).ID || got[0].Status != StatusPending {
		t.Errorf("id %s status %s", got[0].ID, got[0].Status)
	}
	if got[0].Queued.Before(before.Add(-time.Second)) || got[0].Queued.Location() != time.UTC {
		t.Errorf("queued %v", got[0].Queued)
	}
}

func TestMergeSkipsDecidedCases(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.jsonl")
	ctx := context.Background()
	Merge(ctx, path, cases(2))
	q, _ := ReadQueue(path)
	if _, err := Decide(ctx, DecisionsPath(path), q, Decision{CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "different people", Reviewer: "amy"}); err != nil {
		t.Fatal(err)
	}
	// Drop the decided case from the queue file, as a purge might, and
	// merge it again: the decision keeps it out.
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.SplitAfter(b, []byte("\n"))[0], QueuePerm)
	added, err := Merge(ctx, path, cases(3))
	if err != nil || added != 1 {
		t.Fatalf("Merge = %d, %v; want 1 (case 3 only)", added, err)
	}
	q, _ = ReadQueue(path)
	if len(q) != 2 || q[1].ID != newCase(3).ID {
		t.Errorf("queue has %d cases", len(q))
	}
}

func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Case)
	}{
		{"wrong id", func(c *Case) { c.ID = "C-000000000000" }},
		{"no purpose", func(c *Case) { c.Purpose = ""; c.ID = "" }},
		{"no ref", func(c *Case) { c.Right.Ref = ""; c.ID = "" }},
		{"same record", func(c *Case) { c.Right = c.Left; c.ID = "" }},
		{"probability over 1", func(c *Case) { c.MatchProbability = 1.2 }},
		{"probability NaN", func(c *Case) { c.MatchProbability = math.NaN() }},
		{"weight infinite", func(c *Case) { c.MatchWeight = math.Inf(1) }},
		{"explanation NaN", func(c *Case) { c.Explanation[0].Weight = math.NaN() }},
		{"evidence is an identifier", func(c *Case) { c.Evidence = append(c.Evidence, Evidence{Name: "dob", Date: date.MustOf(1980, 1, 1)}) }},
		{"evidence is special category", func(c *Case) { c.Evidence = append(c.Evidence, Evidence{Name: "ethnicity", Value: "x"}) }},
		{"evidence with date and value", func(c *Case) { c.Evidence[0].Value = "x" }},
		{"evidence with neither", func(c *Case) { c.Evidence[0].Date = date.Date{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "queue.jsonl")
			Merge(context.Background(), path, cases(1))
			before, _ := os.ReadFile(path)
			bad := newCase(7)
			tt.edit(&bad)
			added, err := Merge(context.Background(), path, []Case{newCase(5), bad})
			if err == nil || added != 0 || !strings.Contains(err.Error(), "case 2") {
				t.Fatalf("Merge = %d, %v; want refusal naming case 2", added, err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("a refused merge changed the queue")
			}
		})
	}
}

// failingWriter fails once more than n bytes have been written.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestMergeCrashLeavesOldQueue(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue.jsonl")
	Merge(context.Background(), path, cases(3))
	before, _ := os.ReadFile(path)
	for _, at := range []int{0, 10, len(before) + 100} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			queueWriter = func(w io.Writer) io.Writer { return &failingWriter{w: w, n: at} }
			defer func() { queueWriter = func(w io.Writer) io.Writer { return w } }()
			added, err := Merge(context.Background(), path, cases(6))
			if !errors.Is(err, errDiskFull) || added != 0 {
				t.Fatalf("Merge = %d, %v; want the write error", added, err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Fatal("a failed write changed the queue")
			}
			files, _ := os.ReadDir(dir)
			for _, f := range files {
				if strings.Contains(f.Name(), ".tmp") {
					t.Errorf("temporary file %s left behind", f.Name())
				}
			}
		})
	}
	// The queue is still usable.
	if added, err := Merge(context.Background(), path, cases(6)); err != nil || added != 3 {
		t.Fatalf("Merge after failures = %d, %v", added, err)
	}
}

func TestConcurrentMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.jsonl")
	all := cases(40)
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Overlapping batches: g covers cases 10g .. 10g+19.
			lo := 10 * g
			added, err := Merge(context.Background(), path, all[lo:min(lo+20, len(all))])
			if err != nil {
				t.Error(err)
			}
			total <- added
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	q, err := ReadQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 40 || sum != 40 {
		t.Fatalf("queue has %d cases, merges added %d; want 40", len(q), sum)
	}
}

func TestReadQueueErrors(t *testing.T) {
	good, _ := json.Marshal(newCase(1))
	other, _ := json.Marshal(newCase(2))
	tampered := bytes.Replace(good, []byte(`"T-000001"`), []byte(`"T-000009"`), 1)
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"garbled", string(good) + "\n{nope\n", "line 2: not a review case"},
		{"tampered ref", string(tampered) + "\n", "line 1"},
		{"duplicate", string(good) + "\n" + string(other) + "\n" + string(good) + "\n", "already on line 1"},
		{"blank line", string(good) + "\n\n", "line 2: blank"},
		{"torn tail", string(good) + "\n" + string(other[:40]), "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "queue.jsonl")
			os.WriteFile(path, []byte(tt.content), QueuePerm)
			_, err := ReadQueue(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("ReadQueue = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "T-0000") {
				t.Errorf("error quotes the record ref: %v", err)
			}
			if _, err := Merge(context.Background(), path, cases(3)); err == nil {
				t.Error("Merge extended a damaged queue")
			}
		})
	}
	if _, err := ReadQueue(filepath.Join(t.TempDir(), "none.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadQueue(missing) = %v", err)
	}
}

func TestDecisionsPath(t *testing.T) {
	for in, want := range map[string]string{
		"/r/queue.jsonl": "/r/queue.decisions.jsonl",
		"queue":          "queue.decisions.jsonl",
	} {
		if got := DecisionsPath(in); got != want {
			t.Errorf("DecisionsPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecide(t *testing.T) {
	ctx := context.Background()
	q := cases(2)
	logPath := filepath.Join(t.TempDir(), "queue.decisions.jsonl")
	first, err := Decide(ctx, logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeMoreInfo, Reason: " need the other landlord's start date ", Reviewer: "amy"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^D-[0-9a-f]{12}$`).MatchString(first.DecisionID) || first.Time.IsZero() || first.Reason != "need the other landlord's start date" {
		t.Errorf("first decision %+v", first)
	}
	tests := []struct {
		name string
		d    Decision
		want error
	}{
		{"unknown outcome", Decision{CaseID: q[1].ID, Outcome: "approved", Reason: "r", Reviewer: "amy"}, ErrOutcome},
		{"no reason", Decision{CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "  ", Reviewer: "amy"}, ErrNoReason},
		{"no reviewer", Decision{CaseID: q[1].ID, Outcome: OutcomeRejected, Reason: "r", Reviewer: ""}, ErrNoReviewer},
		{"unknown case", Decision{CaseID: "C-000000000000", Outcome: OutcomeRejected, Reason: "r", Reviewer: "amy"}, ErrUnknownCase},
		{"second without supersedes", Decision{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob"}, ErrNotLatest},
		{"supersedes a stranger", Decision{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob", Supersedes: "D-123456789abc"}, ErrNotLatest},
		{"first that supersedes", Decision{CaseID: q[1].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob", Supersedes: first.DecisionID}, ErrNotLatest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(logPath)
			if _, err := Decide(ctx, logPath, q, tt.d); !errors.Is(err, tt.want) {
				t.Fatalf("Decide = %v, want %v", err, tt.want)
			}
			if after, _ := os.ReadFile(logPath); !bytes.Equal(before, after) {
				t.Error("a refused decision changed the log")
			}
		})
	}
	second, err := Decide(ctx, logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "start dates overlap", Reviewer: "bob", Supersedes: first.DecisionID})
	if err != nil {
		t.Fatal(err)
	}
	// Superseding an older decision is refused once a newer one exists.
	if _, err := Decide(ctx, logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeRejected, Reason: "r", Reviewer: "cy", Supersedes: first.DecisionID}); !errors.Is(err, ErrNotLatest) {
		t.Fatalf("stale supersedes: %v", err)
	}
	got, err := ReadDecisions(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].DecisionID != first.DecisionID || got[1].DecisionID != second.DecisionID || got[1].Supersedes != first.DecisionID {
		t.Fatalf("log %+v", got)
	}
	if !got[0].Time.Equal(first.Time) || got[1].Reviewer != "bob" {
		t.Errorf("log does not hold the decisions as returned: %+v", got)
	}
	if second.DecisionID == first.DecisionID {
		t.Error("two decisions share an id")
	}
}

func TestRedactReasons(t *testing.T) {
	ctx := context.Background()
	q := cases(3)
	logPath := filepath.Join(t.TempDir(), "queue.decisions.jsonl")
	var ds []Decision
	for i, c := range q {
		d, err := Decide(ctx, logPath, q, Decision{CaseID: c.ID, Outcome: OutcomeRejected, Reason: "spoke to Mrs Example " + strconv.Itoa(i), Reviewer: "amy"})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	const note = "reason erased on request ER-1"
	for _, tt := range []struct {
		name string
		ids  []string
		note string
	}{
		{"no note", []string{ds[0].DecisionID}, " "},
		{"a stranger among the ids", []string{ds[0].DecisionID, "D-000000000000"}, note},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := RedactReasons(ctx, logPath, tt.ids, tt.note); err == nil {
				t.Fatal("RedactReasons succeeded")
			}
			if after, _ := os.ReadFile(logPath); !bytes.Equal(before, after) {
				t.Error("a refused redaction changed the log")
			}
		})
	}

	n, err := RedactReasons(ctx, logPath, []string{ds[0].DecisionID, ds[2].DecisionID}, note)
	if err != nil || n != 2 {
		t.Fatalf("RedactReasons = %d, %v; want 2", n, err)
	}
	got, err := ReadDecisions(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got {
		want := ds[i]
		if i != 1 {
			want.Reason = note
		}
		if d.DecisionID != want.DecisionID || d.CaseID != want.CaseID || d.Outcome != want.Outcome || d.Reason != want.Reason ||
			d.Reviewer != want.Reviewer || !d.Time.Equal(want.Time) || d.Supersedes != want.Supersedes {
			t.Errorf("decision %d = %+v, want %+v", i, d, want)
		}
	}
	after, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(after, []byte("Mrs Example 0")) || bytes.Contains(after, []byte("Mrs Example 2")) {
		t.Error("a redacted reason is still in the log")
	}
	if l := bytes.Split(after, []byte("\n"))[1]; !bytes.Equal(l, bytes.Split(before, []byte("\n"))[1]) {
		t.Errorf("an untouched line changed:\n%s", l)
	}
	if fi, err := os.Stat(logPath); err != nil || fi.Mode().Perm() != QueuePerm {
		t.Errorf("log mode %v, %v; want %v", fi.Mode(), err, os.FileMode(QueuePerm))
	}
	// Redacting again changes nothing; a later decision supersedes as before.
	if n, err := RedactReasons(ctx, logPath, []string{ds[0].DecisionID}, note); err != nil || n != 0 {
		t.Errorf("second RedactReasons = %d, %v; want 0", n, err)
	}
	if _, err := Decide(ctx, logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: "bob", Supersedes: ds[0].DecisionID}); err != nil {
		t.Errorf("deciding after redaction: %v", err)
	}
}

func TestDecideRefusesTornLog(t *testing.T) {
	q := cases(1)
	logPath := filepath.Join(t.TempDir(), "d.jsonl")
	os.WriteFile(logPath, []byte(`{"decision_id":"D-1","case_id"`), QueuePerm)
	_, err := Decide(context.Background(), logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeRejected, Reason: "r", Reviewer: "amy"})
	if !errors.Is(err, ErrTornTail) {
		t.Fatalf("Decide = %v, want ErrTornTail", err)
	}
}

func TestConcurrentDecisionsOnDifferentCases(t *testing.T) {
	const n = 12
	q := cases(n)
	logPath := filepath.Join(t.TempDir(), "d.jsonl")
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Decide(context.Background(), logPath, q, Decision{CaseID: q[i].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: fmt.Sprintf("r%d", i)})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := ReadDecisions(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d decisions, want %d", len(got), n)
	}
	ids := map[string]bool{}
	for _, d := range got {
		ids[d.CaseID] = true
	}
	if len(ids) != n {
		t.Errorf("%d cases decided, want %d", len(ids), n)
	}
}

func TestConcurrentDecisionsOnOneCase(t *testing.T) {
	for round := range 5 {
		q := cases(1)
		logPath := filepath.Join(t.TempDir(), "d.jsonl")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = Decide(context.Background(), logPath, q, Decision{CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "r", Reviewer: fmt.Sprintf("r%d", i)})
			}()
		}
		close(start)
		wg.Wait()
		ok, refused := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrNotLatest):
				refused++
			default:
				t.Fatal(err)
			}
		}
		got, _ := ReadDecisions(logPath)
		if ok != 1 || refused != 1 || len(got) != 1 {
			t.Fatalf("round %d: %d succeeded, %d refused, %d lines; want 1, 1, 1", round, ok, refused, len(got))
		}
	}
}

// runDeciders starts one helper process per case id, all deciding at the
// same moment, and returns their exit codes.
func runDeciders(t *testing.T, queuePath, logPath string, caseIDs []string) []int {
	t.Helper()
	startAt := time.Now().Add(300 * time.Millisecond).Format(time.RFC3339Nano)
	var cmds []*exec.Cmd
	for i, id := range caseIDs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envLog+"="+logPath, envQueue+"="+queuePath, envCase+"="+id,
			envWho+"="+fmt.Sprintf("p%d", i), envStartAt+"="+startAt)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	codes := make([]int, len(cmds))
	for i, cmd := range cmds {
		cmd.Wait()
		codes[i] = cmd.ProcessState.ExitCode()
	}
	return codes
}

func TestConcurrentDecisionsAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	queuePath := filepath.Join(dir, "queue.jsonl")
	logPath := DecisionsPath(queuePath)
	Merge(context.Background(), queuePath, cases(4))
	q, _ := ReadQueue(queuePath)

	// Three processes on three different cases, two on the fourth.
	codes := runDeciders(t, queuePath, logPath, []string{q[0].ID, q[1].ID, q[2].ID, q[3].ID, q[3].ID})
	if !reflect.DeepEqual(codes[:3], []int{0, 0, 0}) {
		t.Errorf("deciders on different cases exited %v", codes[:3])
	}
	if c := codes[3:]; !(c[0] == 0 && c[1] == 3 || c[0] == 3 && c[1] == 0) {
		t.Errorf("deciders on one case exited %v, want one 0 and one 3", c)
	}
	got, err := ReadDecisions(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d decisions, want 4", len(got))
	}
}

func TestListAndStatus(t *testing.T) {
	q := cases(4)
	q[3].Purpose, q[3].Rule = "arrears_trace", "arrears_tracing"
	d := []Decision{
		{DecisionID: "D-1", CaseID: q[0].ID, Outcome: OutcomeMoreInfo, Reviewer: "amy", Time: t0},
		{DecisionID: "D-2", CaseID: q[1].ID, Outcome: OutcomeRejected, Reviewer: "amy", Time: t0},
		{DecisionID: "D-3", CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reviewer: "bob", Time: t0, Supersedes: "D-1"},
		{DecisionID: "D-4", CaseID: q[1].ID, Outcome: OutcomeMoreInfo, Reviewer: "bob", Time: t0, Supersedes: "D-2"},
	}
	all := List(q, d, Filter{})
	wantStatus := []string{OutcomeConfirmed, OutcomeMoreInfo, StatusPending, StatusPending}
	for i, s := range all {
		if s.Status != wantStatus[i] {
			t.Errorf("case %d: status %s, want %s", i, s.Status, wantStatus[i])
		}
	}
	if all[0].Latest == nil || all[0].Latest.DecisionID != "D-3" || len(all[0].History) != 2 || all[2].Latest != nil {
		t.Errorf("latest/history wrong: %+v", all[0])
	}
	tests := []struct {
		f    Filter
		want []int
	}{
		{Filter{}, []int{0, 1, 2, 3}},
		{Filter{Status: StatusPending}, []int{2, 3}},
		{Filter{Status: StatusOpen}, []int{1, 2, 3}},
		{Filter{Status: StatusClosed}, []int{0}},
		{Filter{Status: OutcomeMoreInfo}, []int{1}},
		{Filter{Status: OutcomeRejected}, nil},
		{Filter{Purpose: "arrears_trace"}, []int{3}},
		{Filter{Purpose: "tenancy_fraud", Status: StatusOpen}, []int{1, 2}},
		{Filter{Rule: q[0].Rule}, []int{0, 1, 2}},
		{Filter{Rule: "tenancy_after_death"}, nil},
	}
	for _, tt := range tests {
		var got []int
		for _, s := range List(q, d, tt.f) {
			for i := range q {
				if q[i].ID == s.Case.ID {
					got = append(got, i)
				}
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("List(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func TestExportCSV(t *testing.T) {
	q := cases(3)
	q[1].Rule = "=HYPERLINK(\"http://x\")"
	q[1].ID = CaseID(q[1].Purpose, q[1].Rule, q[1].Left, q[1].Right)
	d := []Decision{
		{DecisionID: "D-1", CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "secret reason", Reviewer: "@amy", Time: t0},
		{DecisionID: "D-2", CaseID: q[2].ID, Outcome: OutcomeMoreInfo, Reason: "r", Reviewer: "-bob", Time: t0.Add(time.Hour)},
	}
	var buf bytes.Buffer
	if err := ExportCSV(&buf, List(q, d, Filter{})); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "export.golden.csv", buf.Bytes())
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !reflect.DeepEqual(rows[0], ExportColumns) {
		t.Fatalf("rows %v", rows)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q could run as a formula", cell)
			}
		}
	}
	out := buf.String()
	for _, leak := range []string{"T-00000", "OL-9", "secret reason", "tenancies"} {
		if strings.Contains(out, leak) {
			t.Errorf("export carries %q", leak)
		}
	}
}

func TestSafeCell(t *testing.T) {
	tests := map[string]string{
		"":           "",
		"=1+2":       "'=1+2",
		"+44 7700":   "'+44 7700",
		"-3":         "'-3",
		"@SUM(A1)":   "'@SUM(A1)",
		"\tx":        "'\tx",
		"\rx":        "'\rx",
		"amy":        "amy",
		"0.9973":     "0.9973",
		"a=b":        "a=b",
		"'already":   "'already",
		"C-3f9a2c1b": "C-3f9a2c1b",
	}
	for in, want := range tests {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLedgerEntry(t *testing.T) {
	d := Decision{DecisionID: "D-1", CaseID: "C-2", Outcome: OutcomeRejected, Reason: "the neighbour said so", Reviewer: "amy", Time: t0, Supersedes: "D-0"}
	e := d.LedgerEntry("20261122T211400Z-3f9a2c")
	if e.Kind != ledger.KindDecision || e.Actor != "amy" || e.RunID != "20261122T211400Z-3f9a2c" || !e.Time.Equal(t0) {
		t.Errorf("entry %+v", e)
	}
	var data map[string]string
	json.Unmarshal(e.Data, &data)
	want := map[string]string{"decision_id": "D-1", "case_id": "C-2", "outcome": OutcomeRejected, "supersedes": "D-0"}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("data %v, want %v", data, want)
	}
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	if _, err := ledger.Append(context.Background(), path, e); err != nil {
		t.Fatal(err)
	}
}

func TestRenderGolden(t *testing.T) {
	c := newCase(123)
	c.Status = StatusPending
	left := map[string]string{
		"forename": "Siobhan", "surname": "Quinlan-Marsh", "dob": "1984-03-17", "postcode": "NE46 3PX",
		"address": "14 Larkspur Close, Hexham", "tenancy_ref": "TEN-88812", "phone": "07700 900123",
	}
	right := map[string]string{
		"forename": "Siobhán", "surname": "QUINLAN-MARSH", "dob": "1984-03-17", "postcode": "",
		"address": "14 Larkspur Cl\tHexham", "landlord": "Northern Homes", "phone": "+44 7700 900321",
	}
	tests := []struct {
		name        string
		c           Case
		left, right map[string]string
	}{
		{"case_vault", c, left, right},
		{"case_novault", c, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderCase(&buf, tt.c, tt.left, tt.right); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.name+".golden", buf.Bytes())
		})
	}

	q := cases(3)
	d := []Decision{
		{DecisionID: "D-0a1b2c3d4e5f", CaseID: q[0].ID, Outcome: OutcomeMoreInfo, Reason: "Need the other landlord's tenancy start date before deciding; asked their fraud officer by email on the 23rd.", Reviewer: "amy.lee", Time: t0.Add(24 * time.Hour)},
		{DecisionID: "D-9f8e7d6c5b4a", CaseID: q[0].ID, Outcome: OutcomeConfirmed, Reason: "Start dates overlap by 14 months.\x1b[31m", Reviewer: "bob.k", Time: t0.Add(72 * time.Hour), Supersedes: "D-0a1b2c3d4e5f"},
		{DecisionID: "D-112233445566", CaseID: q[2].ID, Outcome: OutcomeRejected, Reason: "Different people.", Reviewer: "amy.lee", Time: t0.Add(48 * time.Hour)},
	}
	var buf bytes.Buffer
	if err := RenderList(&buf, List(q, d, Filter{})); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "list.golden", buf.Bytes())
	buf.Reset()
	if err := RenderDecisions(&buf, List(q, d, Filter{})[0].History); err != nil {
		t.Fatal(err)
	}
	if err := RenderDecisions(&buf, nil); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "decisions.golden", buf.Bytes())
	if bytes.ContainsRune(buf.Bytes(), 0x1b) {
		t.Error("a control character reached the terminal")
	}
}

func FuzzReadQueue(f *testing.F) {
	var seed bytes.Buffer
	for _, c := range cases(2) {
		line, _ := marshalLine(c)
		seed.Write(line)
	}
	f.Add(seed.Bytes())
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		cs, err := parseQueue(content)
		if err != nil {
			return
		}
		// What parses is valid, unique, and survives a round trip.
		ids := map[string]bool{}
		for _, c := range cs {
			if c.check() != nil || ids[c.ID] {
				t.Fatalf("accepted an invalid or repeated case %s", c.ID)
			}
			ids[c.ID] = true
			line, err := marshalLine(c)
			if err != nil {
				t.Fatal(err)
			}
			again, err := parseQueue(line)
			if err != nil || len(again) != 1 || again[0].ID != c.ID {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

func FuzzReadDecisions(f *testing.F) {
	line, _ := marshalLine(Decision{DecisionID: "D-1", CaseID: "C-1", Outcome: OutcomeRejected, Reason: "r", Reviewer: "a", Time: t0})
	f.Add(line)
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		ds, err := parseDecisions(content)
		if err != nil {
			return
		}
		for _, d := range ds {
			if !ValidOutcome(d.Outcome) || d.CaseID == "" || d.Reviewer == "" {
				t.Fatalf("accepted an incomplete decision %+v", d)
			}
		}
	})
}

func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"", "=x", "+", "-1", "@", "\t", "ok", "'=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeCell(s)
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("SafeCell(%q) = %q starts with a formula character", s, got)
		}
		if got != s && got != "'"+s {
			t.Fatalf("SafeCell(%q) = %q changes more than a leading quote", s, got)
		}
	})
}

func FuzzCaseID(f *testing.F) {
	f.Add("fraud", "rule", "a", "1", "b", "2")
	f.Fuzz(func(t *testing.T, purpose, rule, ld, lr, rd, rr string) {
		l, r := RecordRef{ld, lr}, RecordRef{rd, rr}
		id := CaseID(purpose, rule, l, r)
		if id != CaseID(purpose, rule, r, l) || len(id) != 14 || !strings.HasPrefix(id, "C-") {
			t.Fatalf("CaseID = %q", id)
		}
	})
}

func TestDiffer(t *testing.T) {
	tests := []struct {
		col, l, r string
		want      bool
	}{
		{person.ColSurname, "Akhtar", "AKHTAR", false},
		{person.ColForename, "Siobhan", "Siobhán", false},
		{person.ColForename, "Siobhan", "Siobhanne", true},
		{person.ColSurname, "O'Brien", "OBrien", false},
		{person.ColSurname, "Smith-Jones", "smith jones", false}, // keyed as smithjones
		{person.ColForename, "Mary Jane", "Mary", false},         // Jane is keyed as a middle name
		{person.ColForename, "王", "李", true},                     // no canonical form: compared as written
		{person.ColForename, "王", "王", false},
		{person.ColPhone, "07700 900428", "+44 7700 900428", false},
		{person.ColPhone, "07700 900428", "07700 900429", true},
		{person.ColPhone, "ext 12", "EXT 12", false},
		{person.ColPostcode, "OL9 4PR", "ol94pr", false},
		{person.ColPostcode, "OL9 4PR", "OL9 4PS", true},
		{person.ColForwardingPostcode, "sk1 3nq", "SK1 3NQ", false},
		{person.ColNINumber, "SE 62 58 76 A", "se625876a", false},
		{person.ColNINumber, "SE625876A", "SE625876B", false}, // the suffix letter does not identify
		{person.ColNINumber, "SE625876A", "SE625877A", true},
		{person.ColPassport, "pa 123 4567", "PA1234567", false},
		{person.ColPassport, "PA1234567", "PA1234568", true},
		{person.ColEmail, "A.Smith@Example.org", "a.smith@example.org", false},
		{person.ColAddress, "14 Larkspur Close, Hexham", "14 LARKSPUR CLOSE HEXHAM", false},
		{person.ColAddress, "14 Larkspur Close", "16 Larkspur Close", true},
		{person.ColGender, "Mr", "Male", false},
		{person.ColGender, "Mrs", "M", true},
		{person.ColGender, "Dr", "Male", false}, // a title that says no gender is none
		{person.ColGender, "Femal", "Female", false},
		{person.ColSurname, "Smith", "", false}, // missing is not different
		{person.ColSurname, "Smith", "  ", false},
		{person.ColRecordID, "P0001204", "OL-2026-035986", false},
		{person.ColTenancyRef, "T/000099", "t/000099 ", false},
		{person.ColTenancyRef, "T/000099", "T/000100", true},
		{person.ColDOB, "1963-05-31", "1963-05-13", true},
	}
	for _, tt := range tests {
		if got := differ(tt.col, tt.l, tt.r); got != tt.want {
			t.Errorf("differ(%s, %q, %q) = %v, want %v", tt.col, tt.l, tt.r, got, tt.want)
		}
		if got := differ(tt.col, tt.r, tt.l); got != tt.want {
			t.Errorf("differ(%s, %q, %q) = %v, want %v (not symmetric)", tt.col, tt.r, tt.l, got, tt.want)
		}
	}
}
