package detect

import (
	"context"
	"fmt"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
)

// Applies reports whether rule examines linkage l: whether l's datasets
// have the roles the rule pairs. Statistics examines no linkage.
func Applies(rule exercise.Rule, l *Linkage) bool {
	spec, ok := exercise.Spec(rule)
	if !ok || spec.Subject == "" {
		return false
	}
	if spec.Subject == spec.Partner {
		return l.Left.Role == spec.Subject && l.Right.Role == spec.Subject
	}
	return (l.Left.Role == spec.Subject && l.Right.Role == spec.Partner) ||
		(l.Right.Role == spec.Subject && l.Left.Role == spec.Partner)
}

// Apply runs rule over l. It fails for statistics, which tabulates cases
// (see Tabulate), and for a linkage whose roles are not the rule's.
func Apply(rule exercise.Rule, l *Linkage, p Params) (Findings, error) {
	switch rule {
	case exercise.DualTenancy:
		return DualTenancy(l, p)
	case exercise.TenancyAfterDeath:
		return TenancyAfterDeath(l, p)
	case exercise.DuplicateIdentity:
		return DuplicateIdentity(l, p)
	case exercise.ArrearsTracing:
		return ArrearsTracing(l, p)
	}
	return Findings{}, fmt.Errorf("rule %q does not run over pairs", rule)
}

// Result is what one purpose found.
type Result struct {
	Purpose string
	// Findings holds one entry per rule and linkage examined.
	Findings []Findings
	// Table is the statistics table of a statistics purpose, nil otherwise.
	Table *Table
}

// Cases returns every case of r, in the order found.
func (r *Result) Cases() []Case {
	var out []Case
	for _, f := range r.Findings {
		out = append(out, f.Cases...)
	}
	return out
}

// RunPurpose runs each detection of p over every linkage whose datasets p
// may use and whose roles are the rule's. A statistics purpose finds
// nothing here; Run tabulates it.
func RunPurpose(ctx context.Context, p *exercise.Purpose, today date.Date, links []*Linkage) (Result, error) {
	res := Result{Purpose: p.Name}
	for _, d := range p.Detections {
		if d.Rule == exercise.Statistics {
			continue
		}
		for _, l := range links {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			if !p.Uses(l.Left.Name) || !p.Uses(l.Right.Name) || !Applies(d.Rule, l) {
				continue
			}
			f, err := Apply(d.Rule, l, Params{Today: today, Thresholds: d.Thresholds})
			if err != nil {
				return Result{}, fmt.Errorf("purpose %s: %w", p.Name, err)
			}
			res.Findings = append(res.Findings, f)
		}
	}
	return res, nil
}

// Run runs every purpose of e over links and returns their results in the
// order of e.Purposes. A statistics purpose tabulates the findings of the
// exercise's other purposes over pairs of datasets it may use, each rule
// and pair of datasets counted once however many purposes ran it, keeping
// cases whose probability reaches its min_probability.
func Run(ctx context.Context, e *exercise.Exercise, today date.Date, links []*Linkage) ([]Result, error) {
	results := make([]Result, len(e.Purposes))
	for i := range e.Purposes {
		p := &e.Purposes[i]
		if p.IsStatistics() {
			continue
		}
		r, err := RunPurpose(ctx, p, today, links)
		if err != nil {
			return nil, err
		}
		results[i] = r
	}
	for i := range e.Purposes {
		p := &e.Purposes[i]
		if !p.IsStatistics() {
			continue
		}
		var min float64
		for _, d := range p.Detections {
			if d.Rule == exercise.Statistics {
				min = d.Thresholds.MinProbability
			}
		}
		type key struct {
			rule             exercise.Rule
			subject, partner string
		}
		seen := map[key]bool{}
		var found []Findings
		for j := range e.Purposes {
			if e.Purposes[j].IsStatistics() {
				continue
			}
			for _, f := range results[j].Findings {
				k := key{f.Rule, f.Subject, f.Partner}
				if seen[k] || !p.Uses(f.Subject) || !p.Uses(f.Partner) {
					continue
				}
				seen[k] = true
				kept := f
				kept.Cases = nil
				for _, c := range f.Cases {
					if c.Probability >= min {
						kept.Cases = append(kept.Cases, c)
					}
				}
				found = append(found, kept)
			}
		}
		t := Tabulate(found)
		results[i] = Result{Purpose: p.Name, Table: &t}
	}
	return results, nil
}
