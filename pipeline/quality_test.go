package pipeline_test

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/detect"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/review"
	"github.com/datamatch/datamatch/internal/vault"
)

// Detection quality targets. The goal is every planted case found and at
// most 2% false cases; the test holds the line at these for now.
const (
	minRecall    = 0.95
	maxFalseRate = 0.05
)

// recallFloor holds the line for detections still short of minRecall, at
// just under what they reach now, so that a regression fails while the
// gap stays visible. duplicate_identity misses one person on two of our
// tenancies when the surname changed (marriage) and nothing but the
// forename and the date of birth agrees — evidence that hundreds of
// pairs of different people share in a population of the demo's size — and
// when two typing errors leave no blocking key whole: about 0.89 of
// planted cases are found at 20,000 people, 0.92 at 60,000.
var recallFloor = map[exercise.Rule]float64{
	exercise.DuplicateIdentity: 0.85,
}

// Size of the population the built binary is measured on.
const (
	qualitySeed        = 42
	qualityPeople      = 20_000
	qualityPeopleShort = 5_000
)

// TestDetectionQuality compares each detection's cases with the
// generator's ground truth: recall over the planted cases of the
// detection's kind, and precision as the share of cases whose two records
// are one person and not a planted case of a kind the rule must leave
// alone (a succession, a tenancy ended in time, a move without arrears,
// namesakes, twins, parent and child). It measures the in-process demo run
// (RunResult.Results) and, on a larger population, the datamatch binary
// (its review queue, read back through the vault).
func TestDetectionQuality(t *testing.T) {
	t.Run("pipeline.Run", func(t *testing.T) {
		d := demo(t)
		truth, err := detectbench.ReadTruth(d.ex.Data.Dir)
		if err != nil {
			t.Fatal(err)
		}
		judge(t, demoPeople, detectbench.Measure(truth, detectbench.CasesOf(d.first.Results)))
	})
	t.Run("datamatch run", func(t *testing.T) {
		people := qualityPeople
		if testing.Short() {
			people = qualityPeopleShort
		}
		dir := t.TempDir()
		bin := datamatchBinary(t)
		command(t, bin, "synth", "--seed", fmt.Sprint(qualitySeed), "--people", fmt.Sprint(people), "--out", dir)
		cfg := filepath.Join(dir, "exercise.yaml")
		command(t, bin, "--quiet", "run", "--config", cfg)
		ex, err := exercise.Load(cfg)
		if err != nil {
			t.Fatal(err)
		}
		cases := queuedCases(t, ex, filepath.Join(dir, "keys", "reviewer.identity"))
		truth, err := detectbench.ReadTruth(filepath.Join(dir, "data"))
		if err != nil {
			t.Fatal(err)
		}
		judge(t, people, detectbench.Measure(truth, cases))
	})
}

// judge logs the figures and checks them against the targets.
func judge(t *testing.T, people int, qs []detectbench.Quality) {
	t.Helper()
	var b strings.Builder
	if err := detectbench.WriteTable(&b, qs); err != nil {
		t.Fatal(err)
	}
	t.Logf("detection quality, %d people:\n%s", people, b.String())
	for i := range qs {
		q := &qs[i]
		if q.Planted == 0 {
			t.Errorf("%s: no %s case planted; the measurement says nothing", q.Rule, q.Kind)
			continue
		}
		want := minRecall
		if f, ok := recallFloor[q.Rule]; ok {
			want = f
		}
		if q.Recall() < want {
			t.Errorf("%s: recall %.3f (%d of %d planted %s cases), want at least %.2f; first missed: %v",
				q.Rule, q.Recall(), q.Found, q.Planted, q.Kind, want, firstPairs(q.Missed, 5))
		}
		if q.FalseRate() > maxFalseRate {
			t.Errorf("%s: %.1f%% false cases (%d of %d: %d of different people, %d of a kind it must not raise), want at most %.0f%%; first: %v",
				q.Rule, 100*q.FalseRate(), len(q.False), q.Cases, q.Cases-q.SamePerson, q.Forbidden, 100*maxFalseRate, firstPairs(q.False, 5))
		}
	}
}

// firstPairs names up to n pairs by dataset and record id.
func firstPairs(ps []detectbench.Pair, n int) string {
	var s []string
	for i, p := range ps {
		if i == n {
			s = append(s, fmt.Sprintf("and %d more", len(ps)-n))
			break
		}
		s = append(s, fmt.Sprintf("%s/%s~%s/%s", p[0].Dataset, p[0].RecordID, p[1].Dataset, p[1].RecordID))
	}
	return strings.Join(s, ", ")
}

// queuedCases reads the review queue of the exercise's only run and names
// each case's records by record id, through the run's vault.
func queuedCases(t *testing.T, ex *exercise.Exercise, identity string) []detectbench.Case {
	t.Helper()
	state := ex.Path(ex.StateDir)
	q, err := review.ReadQueue(filepath.Join(state, "queue.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	vaults, err := filepath.Glob(filepath.Join(state, "vaults", "*.age"))
	if err != nil || len(vaults) != 1 {
		t.Fatalf("vaults: %v, %v; want one", vaults, err)
	}
	v, err := vault.Open(vaults[0], identity)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(r review.RecordRef) detect.Ref {
		p, ok := v.LookupRef(r.Dataset, r.Ref)
		if !ok {
			t.Fatalf("queued record %s/%s is not in the vault", r.Dataset, r.Ref)
		}
		return detect.Ref{Dataset: r.Dataset, RecordID: p.RecordID}
	}
	var out []detectbench.Case
	for _, c := range q {
		out = append(out, detectbench.Case{Rule: exercise.Rule(c.Rule), Pair: detectbench.NewPair(ref(c.Left), ref(c.Right))})
	}
	return out
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// datamatchBinary builds the datamatch command once per test process,
// without the race detector, so that a large population is measured in
// seconds.
func datamatchBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryPath = filepath.Join(fixtureRoot, "datamatch")
		cmd := exec.Command("go", "build", "-o", binaryPath, "github.com/datamatch/datamatch/cmd/datamatch")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			binaryErr = fmt.Errorf("%v: %s", err, stderr.String())
		}
	})
	if binaryErr != nil {
		t.Fatalf("build datamatch: %v", binaryErr)
	}
	return binaryPath
}

// command runs the binary and fails t if it does not exit 0.
func command(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("datamatch %s: exit %d: %s", strings.Join(args, " "), ee.ExitCode(), stderr.String())
		}
		t.Fatalf("datamatch %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String()
}
