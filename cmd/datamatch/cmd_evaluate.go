package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"

	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/evaluate"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/texttable"
)

func init() {
	register(&command{
		name:    "evaluate",
		summary: "Measure a link's pairs (and a deduplication's clusters) against ground truth, threshold by threshold.",
		usage:   "--pairs DIR/pairs.parquet (--truth T.parquet | --labels L.parquet [--right-labels R.parquet] --label-column COL) [--clusters DIR/clusters.parquet] [--dedupe] [--json]",
		setup: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			pairsFile := fs.String("pairs", "", "pairs.parquet written by link (required); run link with a low --threshold to measure low thresholds")
			truthFile := fs.String("truth", "", "ground truth as true pairs: Parquet with left_record_id and right_record_id")
			labels := fs.String("labels", "", "ground truth as labels: Parquet with record_id and --label-column; records with one label are one person")
			rightLabels := fs.String("right-labels", "", "labels of the right dataset of a link, if not in --labels")
			labelColumn := fs.String("label-column", "", "the column of --labels that names the person")
			clustersFile := fs.String("clusters", "", "clusters.parquet written by link --dedupe, to measure the clusters too")
			dedupe := fs.Bool("dedupe", false, "the pairs are a deduplication's (needed only for a pairs file that does not say)")
			asJSON := fs.Bool("json", false, "print the results as JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *pairsFile == "" || (*truthFile == "") == (*labels == "") {
					return usagef("--pairs and one of --truth or --labels are required")
				}
				if *labels != "" && *labelColumn == "" {
					return usagef("--labels needs --label-column")
				}
				if *labels == "" && (*rightLabels != "" || *labelColumn != "") {
					return usagef("--right-labels and --label-column go with --labels")
				}
				pairs, meta, err := pair.ReadFile(ctx, *pairsFile)
				if err != nil {
					return err
				}
				switch {
				case meta.Task == "" && *dedupe:
					meta.Task = pair.TaskDedupe
				case meta.Task == "":
					meta.Task = pair.TaskLink
				case *dedupe && meta.Task != pair.TaskDedupe:
					return usagef("--dedupe, but %s holds the pairs of a %s", *pairsFile, meta.Task)
				}
				isDedupe := meta.Task == pair.TaskDedupe
				if *clustersFile != "" && !isDedupe {
					return usagef("--clusters: %s holds the pairs of a link, which has no clusters", *pairsFile)
				}
				if isDedupe && *rightLabels != "" {
					return usagef("--right-labels: a deduplication has one dataset")
				}
				var truth *evaluate.Truth
				if *truthFile != "" {
					truth, err = evaluate.ReadPairs(ctx, *truthFile, isDedupe)
				} else {
					right := *rightLabels
					if !isDedupe && right == "" {
						right = *labels
					}
					truth, err = evaluate.ReadLabels(ctx, *labelColumn, *labels, right)
				}
				if err != nil {
					return err
				}
				floor := evaluate.Floor(pairs, meta.Threshold)
				sweep := evaluate.Sweep(pairs, truth, evaluate.Thresholds(floor))
				best := qualityOf(evaluate.Best(sweep))
				r := evaluation{
					Pairs: *pairsFile, Task: meta.Task, KeptAt: floor, TruePairs: truth.Total(),
					Sweep: qualities(sweep), Best: &best,
				}
				if *clustersFile != "" {
					of, err := cluster.ReadFile(ctx, *clustersFile)
					if err != nil {
						return err
					}
					q, err := evaluate.Clusters(of, truth)
					if err != nil {
						return err
					}
					r.Clusters = &clusterQuality{File: *clustersFile, People: evaluate.People(of), quality: qualityOf(q)}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(r)
				}
				printEvaluation(e, &r, len(pairs))
				return nil
			}
		},
	})
}

// evaluation is what evaluate prints; its JSON form is --json's.
type evaluation struct {
	Pairs     string          `json:"pairs"`
	Task      string          `json:"task"`
	KeptAt    float64         `json:"kept_at"`
	TruePairs int64           `json:"true_pairs"`
	Sweep     []quality       `json:"sweep"`
	Best      *quality        `json:"best"`
	Clusters  *clusterQuality `json:"clusters,omitempty"`
}

type quality struct {
	Threshold float64 `json:"threshold,omitempty"`
	Found     int64   `json:"pairs"`
	True      int64   `json:"true"`
	False     int64   `json:"false"`
	Missed    int64   `json:"missed"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

type clusterQuality struct {
	File   string `json:"file"`
	People int    `json:"people"`
	quality
}

func qualities(qs []evaluate.Quality) []quality {
	out := make([]quality, len(qs))
	for i, q := range qs {
		out[i] = qualityOf(q)
	}
	return out
}

func qualityOf(q evaluate.Quality) quality {
	return quality{
		Threshold: q.Threshold, Found: q.Pairs, True: q.True, False: q.Pairs - q.True, Missed: q.Total - q.True,
		Precision: q.Precision(), Recall: q.Recall(), F1: q.F1(),
	}
}

func printEvaluation(e *env, r *evaluation, n int) {
	w := e.stdout
	fmt.Fprintf(w, "pairs  %s: %d pairs of a %s, kept at match probability %s and above\n", r.Pairs, n, r.Task, num(r.KeptAt))
	fmt.Fprintf(w, "truth  %d true pairs\n\n", r.TruePairs)
	rows := [][]string{{"threshold", "pairs", "true", "false", "missed", "precision", "recall", "F1"}}
	for _, q := range r.Sweep {
		rows = append(rows, []string{num(q.Threshold), strconv.FormatInt(q.Found, 10), strconv.FormatInt(q.True, 10),
			strconv.FormatInt(q.False, 10), strconv.FormatInt(q.Missed, 10), fmt.Sprintf("%.4f", q.Precision),
			fmt.Sprintf("%.4f", q.Recall), fmt.Sprintf("%.4f", q.F1)})
	}
	var b bytes.Buffer
	texttable.Write(&b, "", rows, 0, 1, 2, 3, 4, 5, 6, 7)
	w.Write(b.Bytes())
	if q := r.Best; q != nil {
		fmt.Fprintf(w, "\nbest F1 at threshold %s: precision %.4f, recall %.4f, F1 %.4f\n", num(q.Threshold), q.Precision, q.Recall, q.F1)
	}
	if c := r.Clusters; c != nil {
		fmt.Fprintf(w, "clusters  %s: %d people, %d pairs within them (%d true, %d false, %d missed): precision %.4f, recall %.4f, F1 %.4f\n",
			c.File, c.People, c.Found, c.True, c.False, c.Missed, c.Precision, c.Recall, c.F1)
	}
}

// num formats a probability as briefly as it can be read back.
func num(p float64) string { return strconv.FormatFloat(p, 'g', -1, 64) }
