package detect

import (
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// benchLinkage links n of our tenancies (pairs of joint tenants) with a
// register, one match per tenant; one tenant in 50 died.
func benchLinkage(n int) *Linkage {
	ours := &Dataset{Name: "tenancies", Role: person.RoleTenancy, Records: make([]pseudo.Record, n)}
	reg := &Dataset{Name: "register", Role: person.RoleDeceased, Records: make([]pseudo.Record, n)}
	l := &Linkage{Left: ours, Right: reg, Matches: make([]pair.Match, n)}
	for i := 0; i < n; i++ {
		ours.Records[i] = pseudo.Record{RecordID: "T" + itoa(i), TenancyRef: "R" + itoa(i/2), TenancyRole: "joint",
			TenancyStart: date.MustOf(2010, time.January, 1)}
		reg.Records[i] = pseudo.Record{RecordID: "D" + itoa(i)}
		if i%50 == 0 {
			reg.Records[i].DateOfDeath = date.MustOf(2025, time.January, 1)
		}
		l.Matches[i] = pair.Match{Left: int32(i), Right: int32(i), Probability: 0.99}
	}
	return l
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

// BenchmarkTenancyAfterDeath measures the rule over 1,000,000 matched
// pairs; the target is well under a second.
func BenchmarkTenancyAfterDeath(b *testing.B) {
	l := benchLinkage(1_000_000)
	p := Params{Today: today}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := TenancyAfterDeath(l, p)
		if err != nil || f.Successions != 20_000 {
			b.Fatalf("%v %d", err, f.Successions)
		}
	}
}

// BenchmarkTabulate measures a statistics table over 1,000,000 cases.
func BenchmarkTabulate(b *testing.B) {
	cs := make([]Case, 1_000_000)
	for i := range cs {
		cs[i].Probability = float64(i%1000) / 1000
	}
	f := []Findings{{Rule: exercise.DualTenancy, Cases: cs}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Tabulate(f)
	}
}
