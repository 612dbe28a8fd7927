package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

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
	// Dedupe matches Left against itself; Right is ignored.
	Dedupe  bool
	Encoder *pseudo.Encoder
	Load    load.Options
	Linkage linkage.Config
	// OutDir, if set, receives pairs.parquet and model.json.
	OutDir   string
	Progress Progress
	Logger   *slog.Logger
}

// LinkResult is what Link found.
type LinkResult struct {
	Left, Right *Dataset
	*linkage.Result
	// PairsFile and ModelFile are the files written, if any.
	PairsFile, ModelFile string
	Ingest               time.Duration
}

// Link ingests both datasets concurrently, matches them and, if OutDir is
// set, writes the kept pairs and the model.
func Link(ctx context.Context, o LinkOptions) (*LinkResult, error) {
	t0 := time.Now()
	res := &LinkResult{}
	g, gctx := errgroup.WithContext(ctx)
	ingest := func(in Input, dst **Dataset) func() error {
		return func() error {
			var err error
			if in.Encoded {
				*dst, err = IngestEncoded(gctx, in.Source.Name, in.Source.Role, in.Source.Path, o.Encoder, nil, nil)
			} else {
				*dst, err = Ingest(gctx, in.Source, IngestOptions{Encoder: o.Encoder, Load: o.Load, Progress: o.Progress})
			}
			return err
		}
	}
	g.Go(ingest(o.Left, &res.Left))
	if !o.Dedupe {
		g.Go(ingest(o.Right, &res.Right))
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res.Ingest = time.Since(t0)

	cfg := o.Linkage
	if cfg.Logger == nil {
		cfg.Logger = o.Logger
	}
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
	res.PairsFile = filepath.Join(o.OutDir, "pairs.parquet")
	left, right := res.Left.Records, res.Right.Records
	err = pair.WriteFile(res.PairsFile, res.Matches,
		func(i int32) string { return left[i].RecordID },
		func(i int32) string { return right[i].RecordID })
	if err != nil {
		return nil, err
	}
	res.ModelFile = filepath.Join(o.OutDir, "model.json")
	if err := res.Model.Save(res.ModelFile); err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	return res, nil
}

// LoadModel reads saved model parameters for reuse (LinkOptions.Linkage.Model).
func LoadModel(path string) (*score.Model, error) { return score.Load(path) }
