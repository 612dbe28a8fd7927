package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/rights"
)

// Dataset is one input after ingest: its pseudonymised records and the
// account of every row read.
type Dataset struct {
	Name    string
	Role    person.Role
	Path    string
	SHA256  string
	Encoded bool // a partner-encoded file: no clear values exist for it

	// Records are the accepted, unexcluded rows, pseudonymised, in source
	// order.
	Records []pseudo.Record
	// Report accounts for the rows read (nil for encoded inputs, whose
	// rows were validated by the partner that encoded them).
	Report *load.Report
	// RowsIn counts every row of the file; RowsIn = Accepted + Quarantined
	// + Restricted + Objected.
	RowsIn, Accepted, Quarantined int64
	// Restricted and Objected count the rows excluded before matching
	// because the person restricted processing or objected.
	Restricted, Objected int64
}

// IngestOptions configure Ingest.
type IngestOptions struct {
	// Encoder pseudonymises the clear records; it fixes the exercise key.
	Encoder *pseudo.Encoder
	// Load tunes the loader.
	Load load.Options
	// Exclusions lists people who restricted processing or objected; nil
	// excludes no one. Tally, if set, counts the people honoured.
	Exclusions *rights.List
	Tally      *rights.Tally
	// Workers bounds the encoding goroutines; zero means GOMAXPROCS.
	Workers  int
	Progress Progress
}

// Ingest loads, validates, screens and pseudonymises one clear dataset. The
// clear records are dropped batch by batch as they are encoded: memory holds
// the pseudonymised records only.
func Ingest(ctx context.Context, src load.Source, opts IngestOptions) (*Dataset, error) {
	if opts.Encoder == nil {
		return nil, fmt.Errorf("ingest %s: no encoder", src.Name)
	}
	sum, err := fileSHA256(src.Path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", src.Name, err)
	}
	r, err := load.Open(ctx, src, opts.Load)
	if err != nil {
		return nil, err
	}
	defer r.Close()

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	step := start(opts.Progress, "ingest "+src.Name, r.NumRows())
	defer step.Done()

	// The loader calls back with one batch at a time; the batch is split
	// into chunks that the encoders take from a bounded channel, and every
	// chunk is encoded into its own range of out, so order is kept without
	// locking. The callback returns only once its batch is encoded, so the
	// loader's records are read in place, never copied, and are free for
	// reuse on return; meanwhile the loader maps the next batches. out's
	// capacity is the file's row count, an upper bound on accepted rows, so
	// reserving a range never reallocates.
	out := make([]pseudo.Record, 0, r.NumRows())
	type job struct {
		dst  []pseudo.Record
		src  []person.Record
		done *sync.WaitGroup
	}
	jobs := make(chan job, workers)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for j := range jobs {
				opts.Encoder.EncodeBatch(j.dst, j.src)
				step.Add(len(j.src))
				j.done.Done()
			}
			return nil
		})
	}
	var rep *load.Report
	g.Go(func() error {
		defer close(jobs)
		var err error
		var pending sync.WaitGroup
		rep, err = r.Stream(gctx, func(b *load.Batch) error {
			// Whatever happens, wait for the chunks already handed out:
			// they read b.Records, which the loader reuses on return.
			defer pending.Wait()
			n := len(b.Records)
			lo := len(out)
			out = out[:lo+n]
			const chunk = 4096
			for i := 0; i < n; i += chunk {
				j := min(i+chunk, n)
				pending.Add(1)
				select {
				case jobs <- job{dst: out[lo+i : lo+j], src: b.Records[i:j], done: &pending}:
				case <-gctx.Done():
					pending.Done()
					return gctx.Err()
				}
			}
			return nil
		})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	ds := &Dataset{
		Name: src.Name, Role: src.Role, Path: src.Path, SHA256: sum,
		Records: out, Report: rep,
		RowsIn: rep.RowsIn, Accepted: rep.Accepted, Quarantined: rep.Quarantined,
	}
	ds.screen(opts.Exclusions, opts.Tally)
	return ds, nil
}

// IngestEncoded reads a partner-encoded dataset. Its records must have been
// encoded under the same exercise key and parameters as enc's.
func IngestEncoded(ctx context.Context, name string, role person.Role, path string, enc *pseudo.Encoder, exclusions *rights.List, tally *rights.Tally) (*Dataset, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	meta, recs, err := pseudo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", name, err)
	}
	if err := enc.Compatible(meta); err != nil {
		return nil, fmt.Errorf("ingest %s: %s: %w", name, path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if role == "" {
		role = meta.Role
	}
	n := int64(len(recs))
	ds := &Dataset{
		Name: name, Role: role, Path: path, SHA256: sum, Encoded: true,
		Records: recs, RowsIn: n, Accepted: n,
	}
	ds.screen(exclusions, tally)
	return ds, nil
}

// screen drops the records of people on the exclusions list, counting them.
func (ds *Dataset) screen(l *rights.List, t *rights.Tally) {
	if l == nil {
		return
	}
	ex := l.Screen(ds.Records, t)
	if len(ex) == 0 {
		return
	}
	keep := ds.Records[:0]
	next := 0
	for i := range ds.Records {
		if next < len(ex) && ex[next].Index == i {
			if ex[next].Hit.Kind == rights.Restriction {
				ds.Restricted++
			} else {
				ds.Objected++
			}
			next++
			continue
		}
		keep = append(keep, ds.Records[i])
	}
	clear(ds.Records[len(keep):])
	ds.Records = keep
	ds.Accepted -= ds.Restricted + ds.Objected
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeFile writes data to path atomically, readable by its owner only.
func writeFile(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, 0o600)
}
