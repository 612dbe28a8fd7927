package block

import (
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/datamatch/datamatch/internal/pseudo"
)

// mutate returns f with k of its set bits moved elsewhere.
func mutate(rng *rand.Rand, f pseudo.NameFilter, k int) (pseudo.NameFilter, uint16) {
	var set []int
	for p := range pseudo.NameBits {
		if f[p/64]&(1<<(p%64)) != 0 {
			set = append(set, p)
		}
	}
	for _, i := range rng.Perm(len(set))[:k] {
		p := set[i]
		f[p/64] &^= 1 << (p % 64)
		for {
			q := rng.IntN(pseudo.NameBits)
			if f[q/64]&(1<<(q%64)) == 0 {
				f[q/64] |= 1 << (q % 64)
				break
			}
		}
	}
	return f, uint16(len(set))
}

// TestLSHCollisionRates checks the banding arithmetic: pairs with similar
// names meet in some band far more often than pairs with unrelated names.
func TestLSHCollisionRates(t *testing.T) {
	rule := FilterLSH("t", LSH{Bands: 8, Rows: 4, Seed: 3})
	rng := rand.New(rand.NewPCG(1, 1))
	const trials = 400
	meet := func(a, b *pseudo.Record) bool {
		ka, kb := make([]uint64, rule.Keys), make([]uint64, rule.Keys)
		rule.Key(a, ka)
		rule.Key(b, kb)
		for i := range ka {
			if ka[i] != 0 && ka[i] == kb[i] {
				return true
			}
		}
		return false
	}
	var similar, unrelated int
	for range trials {
		var a pseudo.Record
		a.ForenameBF, a.ForenameCount = randomName(rng)
		a.SurnameBF, a.SurnameCount = randomName(rng)
		b := a
		// A typing error changes about a fifth of one name's bits:
		// Jaccard of the 60 combined bits about 0.8.
		b.SurnameBF, b.SurnameCount = mutate(rng, a.SurnameBF, 6)
		if meet(&a, &b) {
			similar++
		}
		var c pseudo.Record
		c.ForenameBF, c.ForenameCount = randomName(rng)
		c.SurnameBF, c.SurnameCount = randomName(rng)
		if meet(&a, &c) {
			unrelated++
		}
	}
	// J≈0.8, 1-(1-0.8^4)^8 ≈ 0.99; unrelated J≈0.03.
	if similar < trials*95/100 {
		t.Errorf("similar names met in %d of %d trials", similar, trials)
	}
	if unrelated > trials/100 {
		t.Errorf("unrelated names met in %d of %d trials", unrelated, trials)
	}
}

func TestLSHNoKey(t *testing.T) {
	rule := FilterLSH("t", LSH{Bands: 2, Rows: 3, Partitions: []func(*pseudo.Record) pseudo.Token{dobYear}})
	rng := rand.New(rand.NewPCG(2, 2))
	var named pseudo.Record
	named.ForenameBF, named.ForenameCount = randomName(rng)
	tests := []struct {
		name string
		r    pseudo.Record
		want bool
	}{
		{"no names", pseudo.Record{DOBYear: 3}, false},
		{"no partition", named, false},
	}
	withYear := named
	withYear.DOBYear = 3
	tests = append(tests, struct {
		name string
		r    pseudo.Record
		want bool
	}{"names and partition", withYear, true})
	for _, tt := range tests {
		keys := []uint64{9, 9}
		rule.Key(&tt.r, keys)
		has := keys[0] != 0 && keys[1] != 0
		if has != tt.want || (!tt.want && (keys[0] != 0 || keys[1] != 0)) {
			t.Errorf("%s: keys %v", tt.name, keys)
		}
	}
	// The partition separates otherwise identical records.
	other := withYear
	other.DOBYear = 4
	k1, k2 := make([]uint64, 2), make([]uint64, 2)
	rule.Key(&withYear, k1)
	rule.Key(&other, k2)
	if k1[0] == k2[0] || k1[1] == k2[1] {
		t.Error("records in different partitions share a key")
	}
}

func TestLSHRejectsBadShape(t *testing.T) {
	for _, o := range []LSH{{Bands: 0, Rows: 1}, {Bands: 1, Rows: 0}, {Bands: 17, Rows: 8}, {Source: 7, Bands: 1, Rows: 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%+v accepted", o)
				}
			}()
			FilterLSH("x", o)
		}()
	}
}

func BenchmarkNameLSHKey(b *testing.B) {
	rule := FilterLSH("t", LSH{Bands: 8, Rows: 4, Seed: 3})
	rng := rand.New(rand.NewPCG(1, 1))
	var r pseudo.Record
	r.ForenameBF, r.ForenameCount = randomName(rng)
	r.SurnameBF, r.SurnameCount = randomName(rng)
	keys := make([]uint64, rule.Keys)
	for b.Loop() {
		rule.Key(&r, keys)
	}
}

// BenchmarkDefaultLSHKeys times the keys of the default rules' two LSH
// rules for one record, as blocking computes them for every record.
func BenchmarkDefaultLSHKeys(b *testing.B) {
	var rules []Rule
	for _, r := range DefaultRules() {
		if r.Keys > 1 {
			rules = append(rules, r)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	r := pseudo.Record{DOB: 5, Postcode: 9}
	r.ForenameBF, r.ForenameCount = randomName(rng)
	r.SurnameBF, r.SurnameCount = randomName(rng)
	for i := range r.AddressBF {
		r.AddressBF[i] = rng.Uint64() & rng.Uint64()
	}
	r.AddressCount = 200
	keys := make([]uint64, 64)
	for b.Loop() {
		for _, rule := range rules {
			rule.Key(&r, keys[:rule.Keys])
		}
	}
}

// signatureByBin is signature written bin by bin, as the definition
// reads: the reference the word-by-word signature is checked against.
func signatureByBin(r *pseudo.Record, src Source, width int, sig []uint8) bool {
	var words [sourceWords]uint64
	if src == Names {
		if r.ForenameCount == 0 && r.SurnameCount == 0 {
			return false
		}
		copy(words[:], r.ForenameBF[:])
		copy(words[len(r.ForenameBF):], r.SurnameBF[:])
	} else {
		if r.AddressCount == 0 {
			return false
		}
		words = r.AddressBF
	}
	per := 64 / width
	mask := uint64(1)<<width - 1
	if width == 64 {
		mask = ^uint64(0)
	}
	any := false
	for i := range sig {
		v := words[i/per] >> (width * (i % per)) & mask
		if v == 0 {
			sig[i] = empty
			continue
		}
		sig[i] = uint8(bits.TrailingZeros64(v))
		any = true
	}
	if !any {
		return false
	}
	densify(sig)
	return true
}

func FuzzSignature(f *testing.F) {
	f.Add(uint64(1), uint8(48), uint8(3), false)
	f.Add(uint64(2), uint8(128), uint8(0), true)
	f.Add(uint64(3), uint8(7), uint8(60), false)
	f.Fuzz(func(t *testing.T, seed uint64, bins, sparsity uint8, address bool) {
		k := int(bins)%maxBins + 1
		width := 64
		for width*k > sourceWords*64 {
			width /= 2
		}
		rng := rand.New(rand.NewPCG(seed, uint64(sparsity)))
		var r pseudo.Record
		word := func() uint64 {
			w := rng.Uint64()
			for range sparsity % 8 {
				w &= rng.Uint64()
			}
			return w
		}
		for i := range r.ForenameBF {
			r.ForenameBF[i], r.SurnameBF[i] = word(), word()
		}
		for i := range r.AddressBF {
			r.AddressBF[i] = word()
		}
		r.ForenameCount, r.AddressCount = uint16(sparsity)%3, uint16(sparsity)%5
		src := Names
		if address {
			src = Address
		}
		got, want := make([]uint8, k), make([]uint8, k)
		okGot := signature(&r, src, width, got)
		okWant := signatureByBin(&r, src, width, want)
		if okGot != okWant || (okGot && !slices.Equal(got, want)) {
			t.Fatalf("k=%d width=%d: signature %v %v, by bin %v %v", k, width, okGot, got, okWant, want)
		}
	})
}
