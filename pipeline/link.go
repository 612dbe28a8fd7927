package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/block"
	"github.com/datamatch/datamatch/internal/cluster"
	"github.com/datamatch/datamatch/internal/linkage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/pair"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/score"
)

// Input names one dataset to ingest: a clear Parquet file mapped onto the
// canonical schema, or (Encoded) a file a partner encoded under the
// exercise key.
type Input struct {
	Source  load.Source
	Encoded bool
}

// LinkOptions configure Link.
type LinkOptions struct {
	Left, Right Input
	// Dedupe matches Left against itself; Right is ignored. A
	// deduplication's kept pairs are clustered into people (with
	// Linkage.Cluster, or cluster.Options' defaults when that is nil), and
	// OutDir receives clusters.parquet too.
	Dedupe  bool
	Encoder *pseudo.Encoder
	Load    load.Options
	Linkage linkage.Config
	// OutDir, if set, receives pairs.parquet and model.json (and, for a
	// deduplication, clusters.parquet).
	OutDir   string
	Progress Progress
	Logger   *slog.Logger
	// MemoryLimit is the soft memory limit (see runtime/debug.SetMemoryLimit)
	// Link sets for its duration, in bytes, when the process has none:
	// zero means one estimated from the datasets' row counts (what their
	// records, keys and pairs need, plus a fixed headroom), negative
	// means none. Without a limit the heap may grow to twice what is
	// live before it is collected, which for two datasets of a million
	// people is gigabytes more than the run needs. The limit is the
	// process's: Links run at once in one process should set it
	// themselves (GOMEMLIMIT) and leave this negative.
	MemoryLimit int64
}

// LinkResult is what Link found.
type LinkResult struct {
	Left, Right *Dataset
	*linkage.Result
	// PairsFile, ClustersFile and ModelFile are the files written, if
	// any; ClustersFile only by a deduplication.
	PairsFile, ClustersFile, ModelFile string
	Ingest                             time.Duration
}

// Link ingests both datasets concurrently, matches them and, if OutDir is
// set, writes the kept pairs and the model.
//
// The blocking keys of a clear dataset are computed as its records are
// pseudonymised, while each record is in cache, rather than in a pass
// over all records once both are loaded.
func Link(ctx context.Context, o LinkOptions) (*LinkResult, error) {
	t0 := time.Now()
	cfg := o.Linkage
	if cfg.Logger == nil {
		cfg.Logger = o.Logger
	}
	if cfg.Rules == nil {
		cfg.Rules = block.DefaultRules()
	}
	if o.Dedupe && cfg.Cluster == nil {
		cfg.Cluster = &cluster.Options{}
	}
	defer prepareHeap(o.MemoryLimit, func() int64 {
		rows := rowCount(o.Left.Source.Path)
		if !o.Dedupe {
			rows += rowCount(o.Right.Source.Path)
		}
		return rows
	}, keyColumns(cfg.Rules))()
	res := &LinkResult{}
	left, right := &keySink{rules: cfg.Rules}, &keySink{rules: cfg.Rules}
	g, gctx := errgroup.WithContext(ctx)
	ingest := func(in Input, sink *keySink, dst **Dataset) func() error {
		return func() error {
			var err error
			if in.Encoded {
				*dst, err = IngestEncoded(gctx, in.Source.Name, in.Source.Role, in.Source.Path, o.Encoder, nil, nil)
			} else {
				*dst, err = Ingest(gctx, in.Source, IngestOptions{Encoder: o.Encoder, Load: o.Load, Progress: o.Progress, sink: sink})
			}
			return err
		}
	}
	g.Go(ingest(o.Left, left, &res.Left))
	if !o.Dedupe {
		g.Go(ingest(o.Right, right, &res.Right))
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.Ingest = time.Since(t0)
	// Matching needs no encoder: let its caches go.
	o.Encoder = nil
	if cfg.Blocking.LeftKeys == nil {
		cfg.Blocking.LeftKeys = left.keys
	}
	if cfg.Blocking.RightKeys == nil && !o.Dedupe {
		cfg.Blocking.RightKeys = right.keys
	}
	left, right = nil, nil

	var err error
	if o.Dedupe {
		res.Right = res.Left
		res.Result, err = linkage.Dedupe(ctx, res.Left.Records, cfg)
	} else {
		res.Result, err = linkage.Link(ctx, res.Left.Records, res.Right.Records, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	if o.OutDir == "" {
		return res, nil
	}
	if err := os.MkdirAll(o.OutDir, 0o700); err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	t1 := time.Now()
	res.PairsFile = filepath.Join(o.OutDir, "pairs.parquet")
	res.ModelFile = filepath.Join(o.OutDir, "model.json")
	lrecs, rrecs := res.Left.Records, res.Right.Records
	g, _ = errgroup.WithContext(ctx)
	g.Go(func() error {
		meta := pair.Meta{Task: pair.TaskLink, Threshold: cfg.Threshold}
		if meta.Threshold == 0 {
			meta.Threshold = linkage.DefaultThreshold
		}
		if o.Dedupe {
			meta.Task = pair.TaskDedupe
		}
		return pair.WriteFile(res.PairsFile, res.Matches, meta,
			func(i int32) string { return lrecs[i].RecordID },
			func(i int32) string { return rrecs[i].RecordID })
	})
	if o.Dedupe {
		res.ClustersFile = filepath.Join(o.OutDir, "clusters.parquet")
		g.Go(func() error {
			if err := cluster.WriteFile(res.ClustersFile, len(lrecs), res.Clusters, func(i int32) string { return lrecs[i].RecordID }); err != nil {
				return fmt.Errorf("link: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		if err := res.Model.Save(res.ModelFile); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.Timings = append(res.Timings, linkage.Timing{Stage: "write", Duration: time.Since(t1)})
	return res, nil
}

// keyColumns returns the number of blocking keys rules give a record.
func keyColumns(rules []block.Rule) int {
	n := 0
	for _, r := range rules {
		n += r.Keys
	}
	return n
}

// keySink computes a dataset's blocking keys as Ingest encodes its
// records (see recordSink). keys is nil if they could not be kept.
type keySink struct {
	rules []block.Rule
	keys  *block.Keys
}

func (k *keySink) start(rows int) error {
	var err error
	k.keys, err = block.NewKeys(k.rules, rows)
	return err
}

func (k *keySink) add(first int, recs []pseudo.Record) { k.keys.Set(k.rules, first, recs) }

func (k *keySink) finish(n int, kept bool) {
	if !kept {
		k.keys = nil
		return
	}
	k.keys.Truncate(n)
}

// LoadModel reads saved model parameters for reuse (LinkOptions.Linkage.Model).
func LoadModel(path string) (*score.Model, error) { return score.Load(path) }
