package score

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/datamatch/datamatch/internal/texttable"
)

// WriteWeights writes m for a person, each line after indent: the priors
// and the EM run with its notes, then a table of match weights giving,
// for every level of every field but the null one, m (its share among
// matches), u (among other pairs), r (among relatives and namesakes,
// where m has that class) and the weight log2(m/u) that agreement at the
// level adds. A level weighed by how common the value agreed on is, is
// marked "by value". A legend follows the table.
func (m *Model) WriteWeights(w io.Writer, indent string) error {
	var b bytes.Buffer
	converged := "converged"
	if !m.Converged {
		converged = "did not converge"
	}
	kv := [][2]string{{"Match prior", fmt.Sprintf("%.4g (%s matches expected among %s pairs)", m.Lambda, texttable.Count(m.ExpectedMatches), texttable.Count(m.ComparisonSpace))}}
	if m.Related != nil {
		kv = append(kv, [2]string{"Related prior", fmt.Sprintf("%.4g (%s pairs of relatives or namesakes expected)", m.Related.Prior, texttable.Count(m.Related.Expected))})
	}
	kv = append(kv, [2]string{"EM", fmt.Sprintf("%d iterations, %s", m.Iterations, converged)})
	for _, d := range m.Dependence {
		a, b := m.Fields[d.Fields[0]], m.Fields[d.Fields[1]]
		alone := a.Levels[len(a.Levels)-2].M * b.Levels[len(b.Levels)-2].M
		kv = append(kv, [2]string{"Dependence", fmt.Sprintf("%s and %s differ together in %.3g of matches knowing both (%.3g if independent): %+.2f bits when both differ",
			a.Name, b.Name, d.Both, alone, d.Weight)})
	}
	for _, n := range m.Notes {
		kv = append(kv, [2]string{"Note", n})
	}
	rows := make([][]string, 0, len(kv))
	for _, f := range kv {
		rows = append(rows, []string{f[0], f[1]})
	}
	texttable.Write(&b, indent, rows)

	related := m.Related != nil
	head := []string{"FIELD", "LEVEL", "M", "U", "WEIGHT"}
	right := []int{2, 3, 4}
	if related {
		head = append(head, "R")
		right = append(right, 5)
	}
	rows = [][]string{head}
	for _, f := range m.Fields {
		for l, lv := range f.Levels[:max(len(f.Levels)-1, 0)] { // the last level is null: no evidence
			field, level := "", lv.Name
			if l == 0 {
				field = f.Name
			}
			if f.TermFrequency && int(f.TermLevel) == l {
				level += " (by value)"
			}
			row := []string{field, level, prob(lv.M), prob(lv.U), weight(lv.M, lv.U)}
			if related {
				r := "= u"
				if f.Related {
					r = prob(lv.R)
				}
				row = append(row, r)
			}
			rows = append(rows, row)
		}
	}
	b.WriteByte('\n')
	texttable.Write(&b, indent, rows, right...)
	b.WriteByte('\n')
	legend := "M: share of matching pairs at the level; U: of other pairs; WEIGHT: log2(M/U), the bits of evidence agreement at the level adds. A level marked \"by value\" is weighed by how common the value agreed on is."
	if related {
		legend += " R: share of relatives and namesakes, weighed against."
	}
	texttable.Wrap(&b, indent, legend, 90)
	_, err := w.Write(b.Bytes())
	return err
}

// prob formats a probability to four significant figures.
func prob(p float64) string { return strconv.FormatFloat(p, 'g', 4, 64) }

// weight formats log2(m/u) with a sign, or "-" when it is not a number.
func weight(m, u float64) string {
	w := math.Log2(m / u)
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.2f", w)
}
