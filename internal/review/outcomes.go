package review

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// BandBounds are the bounds of the match-probability bands Summarise
// counts decided cases in: [0, 0.5), [0.5, 0.8), … [0.99, 1]. They are fixed
// rather than drawn from the data, so that one report can be set beside
// the next.
var BandBounds = []float64{0, 0.5, 0.8, 0.9, 0.95, 0.99, 1}

// Tally counts cases by their derived status.
type Tally struct {
	Cases     int `json:"cases"`
	Pending   int `json:"pending"`
	MoreInfo  int `json:"needs_more_information"`
	Confirmed int `json:"confirmed"`
	Rejected  int `json:"rejected"`
	// ConfirmedShare is Confirmed / (Confirmed + Rejected), with Interval
	// its 95% Wilson score interval; MeanProbability is the mean match
	// probability of the same decided cases. All three are nil when no
	// case is decided.
	ConfirmedShare  *float64    `json:"confirmed_share,omitempty"`
	Interval        *[2]float64 `json:"confirmed_share_95,omitempty"`
	MeanProbability *float64    `json:"mean_probability,omitempty"`

	probSum float64
}

// Decided is the number of cases a reviewer confirmed or rejected.
func (t *Tally) Decided() int { return t.Confirmed + t.Rejected }

// Open is the number of cases still awaiting a final decision.
func (t *Tally) Open() int { return t.Pending + t.MoreInfo }

func (t *Tally) add(s *CaseStatus) {
	t.Cases++
	switch s.Status {
	case StatusPending:
		t.Pending++
	case OutcomeMoreInfo:
		t.MoreInfo++
	case OutcomeConfirmed:
		t.Confirmed++
		t.probSum += s.Case.MatchProbability
	case OutcomeRejected:
		t.Rejected++
		t.probSum += s.Case.MatchProbability
	}
}

func (t *Tally) finish() {
	n := t.Decided()
	if n == 0 {
		return
	}
	share := float64(t.Confirmed) / float64(n)
	mean := t.probSum / float64(n)
	lo, hi := wilson(t.Confirmed, n)
	t.ConfirmedShare, t.MeanProbability, t.Interval = &share, &mean, &[2]float64{lo, hi}
}

// wilson returns the 95% Wilson score interval of a proportion of k
// successes in n trials. Unlike the normal approximation it stays inside
// [0, 1] and is honest for the small counts a review queue starts with.
func wilson(k, n int) (lo, hi float64) {
	const z = 1.959963984540054
	p, nf := float64(k)/float64(n), float64(n)
	centre := (p + z*z/(2*nf)) / (1 + z*z/nf)
	half := z / (1 + z*z/nf) * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(0, centre-half), min(1, centre+half)
}

// Band is the tally of the cases whose match probability lies in [Low,
// High) (the last band includes 1).
type Band struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	Tally
}

// RuleOutcomes is the tally of one purpose's rule, with its cases by band
// of match probability.
type RuleOutcomes struct {
	Purpose string `json:"purpose"`
	Rule    string `json:"rule"`
	Tally
	// Bands holds the bands with at least one case, lowest first.
	Bands []Band `json:"bands"`
	// MedianDaysToDecide is the median number of whole days from a closed
	// case's queueing to the decision that closed it; nil when no case is
	// closed.
	MedianDaysToDecide *int `json:"median_days_to_decide,omitempty"`
}

// Outcomes is what became of a review queue's cases, rule by rule.
//
// Reviewers' decisions are the labels an unsupervised model never had: a
// band's confirmed share, set beside its mean match probability, shows
// whether the engine's probabilities can be read as probabilities there.
// Among decided cases scored near 0.9, about nine in ten should be
// confirmed.
type Outcomes struct {
	Total Tally          `json:"total"`
	Rules []RuleOutcomes `json:"rules"`
	// OldestOpen is the open case queued first, and OldestOpenDays how
	// many whole days it has waited; "" and 0 when no case is open.
	OldestOpen     string `json:"oldest_open_case,omitempty"`
	OldestOpenDays int    `json:"oldest_open_days,omitempty"`
}

// Summarise tallies cases (as List derives them) by purpose and rule,
// sorted by purpose then rule. now dates the waiting of open cases.
func Summarise(cases []CaseStatus, now time.Time) Outcomes {
	var o Outcomes
	type key struct{ purpose, rule string }
	index := map[key]int{}
	days := map[key][]int{}
	var oldest time.Time
	for i := range cases {
		s := &cases[i]
		k := key{s.Case.Purpose, s.Case.Rule}
		j, ok := index[k]
		if !ok {
			j = len(o.Rules)
			index[k] = j
			o.Rules = append(o.Rules, RuleOutcomes{Purpose: k.purpose, Rule: k.rule})
		}
		r := &o.Rules[j]
		o.Total.add(s)
		r.add(s)
		r.Bands = addToBand(r.Bands, s)
		if s.Open() {
			if o.OldestOpen == "" || s.Case.Queued.Before(oldest) {
				o.OldestOpen, oldest = s.Case.ID, s.Case.Queued
			}
		} else if s.Latest != nil {
			days[k] = append(days[k], wholeDays(s.Case.Queued, s.Latest.Time))
		}
	}
	if o.OldestOpen != "" {
		o.OldestOpenDays = wholeDays(oldest, now)
	}
	o.Total.finish()
	for j := range o.Rules {
		r := &o.Rules[j]
		r.finish()
		for b := range r.Bands {
			r.Bands[b].finish()
		}
		if d := days[key{r.Purpose, r.Rule}]; len(d) > 0 {
			slices.Sort(d)
			m := d[(len(d)-1)/2] // the lower median: a whole number of days
			r.MedianDaysToDecide = &m
		}
	}
	slices.SortFunc(o.Rules, func(a, b RuleOutcomes) int {
		return cmp.Or(cmp.Compare(a.Purpose, b.Purpose), cmp.Compare(a.Rule, b.Rule))
	})
	return o
}

// addToBand counts s in its band of bands, kept sorted, adding the band
// if it is new.
func addToBand(bands []Band, s *CaseStatus) []Band {
	p := s.Case.MatchProbability
	i := len(BandBounds) - 2
	for i > 0 && p < BandBounds[i] {
		i--
	}
	low := BandBounds[i]
	j, found := slices.BinarySearchFunc(bands, low, func(b Band, low float64) int { return cmp.Compare(b.Low, low) })
	if !found {
		bands = slices.Insert(bands, j, Band{Low: low, High: BandBounds[i+1]})
	}
	bands[j].add(s)
	return bands
}

// wholeDays is the number of whole days from a to b, 0 if b is before a.
func wholeDays(a, b time.Time) int {
	return max(0, int(b.Sub(a)/(24*time.Hour)))
}

// RenderOutcomes writes o as tables: the view `datamatch review outcomes`
// gives.
func RenderOutcomes(w io.Writer, o Outcomes) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Review outcomes: %d %s, %d open, %d closed\n", o.Total.Cases, plural(o.Total.Cases, "case", "cases"), o.Total.Open(), o.Total.Decided())
	if o.OldestOpen != "" {
		fmt.Fprintf(&b, "Oldest open case: %s, waiting %d %s\n", o.OldestOpen, o.OldestOpenDays, plural(o.OldestOpenDays, "day", "days"))
	}
	if len(o.Rules) == 0 {
		_, err := w.Write(b.Bytes())
		return err
	}
	b.WriteByte('\n')
	rows := [][]string{{"PURPOSE", "RULE", "CASES", "PENDING", "MORE INFO", "CONFIRMED", "REJECTED", "CONFIRMED SHARE", "95% INTERVAL", "MEAN P", "MEDIAN DAYS"}}
	for _, r := range o.Rules {
		days := "-"
		if r.MedianDaysToDecide != nil {
			days = strconv.Itoa(*r.MedianDaysToDecide)
		}
		rows = append(rows, append([]string{r.Purpose, r.Rule, strconv.Itoa(r.Cases), strconv.Itoa(r.Pending), strconv.Itoa(r.MoreInfo),
			strconv.Itoa(r.Confirmed), strconv.Itoa(r.Rejected)}, append(shares(&r.Tally), days)...))
	}
	table(&b, "", rows, 2, 3, 4, 5, 6, 7, 8, 9, 10)

	b.WriteString("\nBy match probability\n")
	rows = [][]string{{"PURPOSE", "RULE", "PROBABILITY", "CASES", "DECIDED", "CONFIRMED", "CONFIRMED SHARE", "95% INTERVAL", "MEAN P"}}
	for _, r := range o.Rules {
		for _, band := range r.Bands {
			rows = append(rows, append([]string{r.Purpose, r.Rule, bandName(band), strconv.Itoa(band.Cases),
				strconv.Itoa(band.Decided()), strconv.Itoa(band.Confirmed)}, shares(&band.Tally)...))
		}
	}
	table(&b, "", rows, 3, 4, 5, 6, 7, 8)
	b.WriteString("\nCONFIRMED SHARE is of the cases confirmed or rejected; MEAN P is their mean\n" +
		"match probability. Where MEAN P lies outside the interval, the engine's\n" +
		"probabilities in that band disagree with the reviewers' decisions.\n")
	_, err := w.Write(b.Bytes())
	return err
}

// shares formats a tally's confirmed share, its interval and the mean
// probability, "-" when no case is decided.
func shares(t *Tally) []string {
	if t.ConfirmedShare == nil {
		return []string{"-", "-", "-"}
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	return []string{f(*t.ConfirmedShare), f(t.Interval[0]) + "–" + f(t.Interval[1]), f(*t.MeanProbability)}
}

func bandName(b Band) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	if b.High == 1 {
		return "[" + f(b.Low) + ", 1]"
	}
	return "[" + f(b.Low) + ", " + f(b.High) + ")"
}
