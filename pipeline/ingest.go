package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/hugepage"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
	"github.com/datamatch/datamatch/internal/rights"
	"github.com/datamatch/datamatch/internal/runrecord"
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

	// sink, if set, receives the records as they are encoded.
	sink recordSink
}

// recordSink receives a dataset's pseudonymised records as Ingest makes
// them, so that work that reads every record once (blocking keys) is done
// while the record is still in the encoder's cache and while the other
// dataset loads.
type recordSink interface {
	// start is called once, before any record, with the number of rows
	// of the file: an upper bound on the records to come.
	start(rows int) error
	// add is called with records first to first+len(recs)-1 once they
	// are encoded, from several goroutines at once for disjoint ranges.
	add(first int, recs []pseudo.Record)
	// finish is called once all records are added, with their number;
	// kept is false when records were then dropped (see
	// IngestOptions.Exclusions), so that indexes no longer match.
	finish(n int, kept bool)
}

// Ingest loads, validates, screens and pseudonymises one clear dataset. The
// clear records are dropped batch by batch as they are encoded: memory holds
// the pseudonymised records only.
func Ingest(ctx context.Context, src load.Source, opts IngestOptions) (*Dataset, error) {
	if opts.Encoder == nil {
		return nil, fmt.Errorf("ingest %s: no encoder", src.Name)
	}
	// The file is hashed while it loads.
	var (
		sum string
		hg  errgroup.Group
	)
	hg.Go(func() (err error) {
		sum, err = runrecord.Hash(src.Path)
		return err
	})
	defer hg.Wait()
	hashed := func() error {
		if err := hg.Wait(); err != nil {
			return fmt.Errorf("ingest %s: %w", src.Name, err)
		}
		return nil
	}
	r, err := load.Open(ctx, src, opts.Load)
	if err != nil {
		if herr := hashed(); herr != nil {
			return nil, herr
		}
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
	// reserving a range never reallocates. out is hundreds of megabytes for
	// a large file, so it is advised into huge pages before it is written.
	out := make([]pseudo.Record, 0, r.NumRows())
	hugepage.Advise(out)
	if opts.sink != nil {
		if err := opts.sink.start(int(r.NumRows())); err != nil {
			return nil, fmt.Errorf("ingest %s: %w", src.Name, err)
		}
	}
	type job struct {
		first int // index of dst[0] in out
		dst   []pseudo.Record
		src   []person.Record
		done  *sync.WaitGroup
	}
	jobs := make(chan job, workers)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for j := range jobs {
				opts.Encoder.EncodeBatch(j.dst, j.src)
				if opts.sink != nil {
					opts.sink.add(j.first, j.dst)
				}
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
				case jobs <- job{first: lo + i, dst: out[lo+i : lo+j], src: b.Records[i:j], done: &pending}:
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
	if err := hashed(); err != nil {
		return nil, err
	}

	ds := &Dataset{
		Name: src.Name, Role: src.Role, Path: src.Path, SHA256: sum,
		Records: out, Report: rep,
		RowsIn: rep.RowsIn, Accepted: rep.Accepted, Quarantined: rep.Quarantined,
	}
	ds.screen(opts.Exclusions, opts.Tally)
	if opts.sink != nil {
		opts.sink.finish(len(ds.Records), len(ds.Records) == len(out))
	}
	return ds, nil
}

// IngestEncoded reads a partner-encoded dataset. Its records must have been
// encoded under the same exercise key and parameters as enc's.
func IngestEncoded(ctx context.Context, name string, role person.Role, path string, enc *pseudo.Encoder, exclusions *rights.List, tally *rights.Tally) (*Dataset, error) {
	sum, err := runrecord.Hash(path)
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

// writeFile writes data to path atomically, readable by its owner only.
func writeFile(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, 0o600)
}
