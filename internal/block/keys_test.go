package block

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// chunks runs a link and returns its chunks, each as a string, sorted, and
// its statistics.
func chunks(t *testing.T, left, right []pseudo.Record, rules []Rule, opts Options) ([]string, *Stats) {
	t.Helper()
	var mu sync.Mutex
	var out []string
	stats, err := Link(context.Background(), left, right, rules, opts, func(ps []Pair) error {
		var b strings.Builder
		for _, p := range ps {
			fmt.Fprintf(&b, "%d-%d ", p.Left, p.Right)
		}
		mu.Lock()
		out = append(out, b.String())
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out, stats
}

// TestChunksDoNotDependOnWorkers checks that the set of chunks, and the
// statistics, are the same whatever the number of goroutines joining.
func TestChunksDoNotDependOnWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	left, right := randomRecords(rng, 5000), randomRecords(rng, 4000)
	want, wantStats := chunks(t, left, right, testRules(), Options{ChunkSize: 97, MaxBlockPairs: 300, Workers: 1})
	if len(want) < 3 {
		t.Fatalf("only %d chunks: the test needs several", len(want))
	}
	for _, w := range []int{2, 3, 8} {
		got, stats := chunks(t, left, right, testRules(), Options{ChunkSize: 97, MaxBlockPairs: 300, Workers: w})
		if !slices.Equal(got, want) {
			t.Errorf("workers %d: the chunks differ from one worker's", w)
		}
		if fmt.Sprint(stats) != fmt.Sprint(wantStats) {
			t.Errorf("workers %d: stats %+v, want %+v", w, stats, wantStats)
		}
	}
}

// TestGivenKeys checks that key tables made ahead, in pieces, give the
// same candidates as the tables blocking computes.
func TestGivenKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	left, right := randomRecords(rng, 3000), randomRecords(rng, 2500)
	rules := testRules()
	want, wantStats := chunks(t, left, right, rules, Options{ChunkSize: 100, MaxBlockPairs: 300})
	table := func(recs []pseudo.Record) *Keys {
		k, err := NewKeys(rules, len(recs)+10)
		if err != nil {
			t.Fatal(err)
		}
		for lo := 0; lo < len(recs); lo += 777 {
			hi := min(lo+777, len(recs))
			k.Set(rules, lo, recs[lo:hi])
		}
		k.Truncate(len(recs))
		return k
	}
	lk, rk := table(left), table(right)
	if lk.Len() != len(left) {
		t.Fatalf("Len %d after Truncate(%d)", lk.Len(), len(left))
	}
	got, stats := chunks(t, left, right, rules, Options{ChunkSize: 100, MaxBlockPairs: 300, LeftKeys: lk, RightKeys: rk})
	if !slices.Equal(got, want) {
		t.Error("given key tables give other candidates")
	}
	if fmt.Sprint(stats) != fmt.Sprint(wantStats) {
		t.Errorf("stats %+v, want %+v", stats, wantStats)
	}
}

func TestGivenKeysMustFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 4))
	recs := randomRecords(rng, 100)
	rules := testRules()
	other := []Rule{TokenRule("ni", ni), TokenRule("email", email), TokenRule("surname+forename", surname, forename)}
	short, _ := NewKeys(rules, 99)
	wrongRules, _ := NewKeys(other, 100)
	fewer, _ := NewKeys(rules[:2], 100)
	for name, k := range map[string]*Keys{"short": short, "other rules": wrongRules, "fewer rules": fewer} {
		_, err := Link(context.Background(), recs, recs, rules, Options{RightKeys: k}, func([]Pair) error { return nil })
		if err == nil {
			t.Errorf("%s: key table accepted", name)
		}
		_, err = Dedupe(context.Background(), recs, rules, Options{LeftKeys: k}, func([]Pair) error { return nil })
		if err == nil {
			t.Errorf("%s: key table accepted in deduplication", name)
		}
	}
	if _, err := NewKeys(nil, 10); err == nil {
		t.Error("NewKeys accepted no rules")
	}
	if _, err := NewKeys(rules, -1); err == nil {
		t.Error("NewKeys accepted a negative count")
	}
}

func BenchmarkLink(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 6))
	left, right := randomRecords(rng, 50_000), randomRecords(rng, 50_000)
	for i := range left {
		left[i].Phone, right[i].Phone = 0, 0 // a few huge blocks otherwise
	}
	for b.Loop() {
		var n int64
		var mu sync.Mutex
		_, err := Link(context.Background(), left, right, testRules(), Options{}, func(ps []Pair) error {
			mu.Lock()
			n += int64(len(ps))
			mu.Unlock()
			return nil
		})
		if err != nil || n == 0 {
			b.Fatal(n, err)
		}
	}
}

// people returns n synthetic people and the same people in another order,
// each agreeing with their copy on every token and filter, so that most
// rules join each true pair and blocking spends its time finding that an
// earlier rule already did.
func people(n int) (left, right []pseudo.Record) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	left = make([]pseudo.Record, n)
	for i := range left {
		r := &left[i]
		t := func(m int) pseudo.Token { return pseudo.Token(rng.IntN(m) + 1) }
		r.NINumber = pseudo.Token(rng.Uint64() | 1)
		r.DOB, r.DOBYear, r.DOBMonthDay = t(25_000), t(80), t(366)
		r.Surname, r.SurnamePhonetic = t(n/20+1), t(n/40+1)
		r.Forename, r.ForenamePhonetic, r.ForenameGroup = t(2_000), t(1_000), t(800)
		r.Postcode, r.PostcodeSector, r.HouseNumber = t(n/3+1), t(n/300+1), t(60)
		r.ForenameBF, r.ForenameCount = randomName(rng)
		r.SurnameBF, r.SurnameCount = randomName(rng)
	}
	right = make([]pseudo.Record, n)
	for i, j := range rng.Perm(n) {
		right[j] = left[i]
	}
	return left, right
}

func BenchmarkLinkDefaultRules(b *testing.B) {
	left, right := people(300_000)
	rules := DefaultRules()
	lk, err := keys(context.Background(), left, rules, 2)
	if err != nil {
		b.Fatal(err)
	}
	rk, err := keys(context.Background(), right, rules, 2)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var n int64
		var mu sync.Mutex
		_, err := Link(context.Background(), left, right, rules, Options{LeftKeys: lk, RightKeys: rk}, func(ps []Pair) error {
			mu.Lock()
			n += int64(len(ps))
			mu.Unlock()
			return nil
		})
		if err != nil || n < int64(len(left)) {
			b.Fatal(n, err)
		}
	}
}
