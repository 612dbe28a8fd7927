package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/validate"
)

// Stream reads every row, maps it onto a person.Record, validates it, and
// calls fn with each batch of accepted records, in source order. fn is
// called from one goroutine at a time (the caller's); an error from fn
// stops the stream and is returned as it is.
//
// Row groups are decoded by up to Options.Parallelism goroutines and
// batches mapped and validated by as many more; at most a few batches per
// goroutine are in flight. Only the mapped columns are read. Memory grows
// with the file only by the set of record_ids seen, which the duplicate
// rule needs, and by the list of quarantined rows.
//
// The first row carrying a record_id claims it: every later row with the
// same id is quarantined as validate.DuplicateRecordID. The returned
// Report accounts for every row read and lists the quarantined rows.
// Stream may be called once.
func (r *Reader) Stream(ctx context.Context, fn func(*Batch) error) (*Report, error) {
	if r.used || r.pf == nil {
		return nil, errUsed
	}
	r.used = true

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)

	nrg := len(r.rgRows)
	par := r.opts.Parallelism
	decoders := min(par, nrg)
	// queues[i] delivers, in order, one future per batch of row group i;
	// each future receives that batch once it has been mapped.
	queues := make([]chan chan *chunk, nrg)
	for i := range queues {
		queues[i] = make(chan chan *chunk, lookahead)
	}
	works := make(chan work)
	reps := make([]validate.Report, par)
	val := validate.New(r.opts.Today)

	for w := 0; w < par; w++ {
		rep := &reps[w]
		g.Go(func() error { return r.mapper(gctx, works, val, rep) })
	}
	g.Go(func() error {
		defer close(works)
		var wg sync.WaitGroup
		defer wg.Wait()
		sem := make(chan struct{}, decoders)
		for rg := 0; rg < nrg; rg++ {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			wg.Add(1)
			g.Go(func() error {
				defer func() { <-sem; wg.Done() }()
				return r.decode(gctx, rg, queues[rg], works)
			})
		}
		return nil
	})

	rep := &Report{Source: r.src.Name, Path: r.src.Path}
	emitErr := r.emit(gctx, queues, fn, rep)
	if emitErr != nil {
		cancel()
	}
	err := g.Wait()
	for w := range works { // left behind by a cancelled stream
		w.rec.Release()
	}
	switch {
	case emitErr != nil && !errors.Is(emitErr, context.Canceled):
		return nil, emitErr
	case err != nil:
		return nil, err
	case emitErr != nil:
		return nil, emitErr
	}
	for i := range reps {
		rep.Report.Merge(&reps[i])
	}
	if rep.RowsIn != r.pf.NumRows() || rep.RowsIn != rep.Accepted+rep.Quarantined {
		return nil, fmt.Errorf("file %s: accounted for %d rows (%d accepted, %d quarantined) of %d", r.src.Path, rep.RowsIn, rep.Accepted, rep.Quarantined, r.pf.NumRows())
	}
	r.opts.Logger.LogAttrs(ctx, slog.LevelInfo, "loaded source",
		slog.String("source", r.src.Name), slog.String("file", r.src.Path),
		slog.Int64("rows_in", rep.RowsIn), slog.Int64("accepted", rep.Accepted),
		slog.Int64("quarantined", rep.Quarantined))
	return rep, nil
}

// lookahead is how many batches of one row group may be decoded ahead of
// the one being delivered.
const lookahead = 1

// work is one decoded batch on its way to a mapper.
type work struct {
	rec   arrow.Record
	first int64       // source row number of rec's first row
	out   chan *chunk // receives the mapped batch; buffered, never blocks
}

// chunk is one mapped and validated batch.
type chunk struct {
	batch Batch
	quar  []Quarantined   // rows quarantined by validation, in source order
	recs  []person.Record // backing array of batch.Records
	rows  []int64         // backing array of batch.Rows
}

// decode reads row group rg and hands its batches to the mappers, queueing
// a future for each in order. The queue is closed only when the whole row
// group has been read, so that a failure is never mistaken for its end.
func (r *Reader) decode(ctx context.Context, rg int, queue chan<- chan *chunk, works chan<- work) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("file %s: row group %d (rows %d to %d): corrupt data: %s", r.src.Path, rg,
				r.rgFirst[rg], r.rgFirst[rg]+r.rgRows[rg]-1, describePanic(p))
		}
	}()
	rr, err := r.fr.GetRecordReader(ctx, r.plan.decoded, []int{rg})
	if err != nil {
		return fmt.Errorf("file %s: row group %d: %w", r.src.Path, rg, err)
	}
	defer rr.Release()
	first := r.rgFirst[rg]
	var read int64
	for rr.Next() {
		rec := rr.Record()
		rec.Retain()
		out := make(chan *chunk, 1)
		select {
		case queue <- out:
		case <-ctx.Done():
			rec.Release()
			return ctx.Err()
		}
		select {
		case works <- work{rec: rec, first: first + read, out: out}:
		case <-ctx.Done():
			rec.Release()
			return ctx.Err()
		}
		read += rec.NumRows()
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("file %s: row group %d (rows %d to %d): %w", r.src.Path, rg, first, first+r.rgRows[rg]-1, err)
	}
	if read != r.rgRows[rg] {
		return fmt.Errorf("file %s: row group %d: read %d rows but the footer says %d", r.src.Path, rg, read, r.rgRows[rg])
	}
	close(queue)
	return nil
}

// describePanic describes a recovered panic. Errors (an index out of
// range, a decompression or page-header failure) are described by their
// text, which concerns the file's structure; any other value only by its
// type, since it could quote the data.
func describePanic(p any) string {
	if e, ok := p.(error); ok {
		return e.Error()
	}
	return fmt.Sprintf("the Parquet reader failed (%T)", p)
}

// mapper maps and validates batches until works is closed.
func (r *Reader) mapper(ctx context.Context, works <-chan work, val *validate.Validator, rep *validate.Report) error {
	for {
		select {
		case w, ok := <-works:
			if !ok {
				return nil
			}
			c, _ := r.chunks.Get().(*chunk)
			if c == nil {
				c = new(chunk)
			}
			err := r.mapSafely(w, c, val, rep)
			w.rec.Release()
			if err != nil {
				return err
			}
			w.out <- c
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// mapSafely maps one batch, turning a panic on malformed arrays into an
// error that names the rows.
func (r *Reader) mapSafely(w work, c *chunk, val *validate.Validator, rep *validate.Report) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("file %s: rows %d to %d: corrupt data: %s", r.src.Path, w.first,
				w.first+w.rec.NumRows()-1, describePanic(p))
		}
	}()
	r.mapBatch(w.rec, w.first, c, val, rep)
	return nil
}

// emit delivers mapped batches in source order, applies the duplicate
// record_id rule, counts every row's outcome, and calls fn.
func (r *Reader) emit(ctx context.Context, queues []chan chan *chunk, fn func(*Batch) error, rep *Report) error {
	seen := make(map[string]struct{}, r.pf.NumRows())
	for _, q := range queues {
		for {
			var out chan *chunk
			var ok bool
			select {
			case out, ok = <-q:
			case <-ctx.Done():
				return ctx.Err()
			}
			if !ok {
				break
			}
			var c *chunk
			select {
			case c = <-out:
			case <-ctx.Done():
				return ctx.Err()
			}
			dedupe(c, seen, rep)
			var err error
			if len(c.batch.Records) > 0 {
				err = fn(&c.batch)
			}
			c.quar = c.quar[:0]
			r.chunks.Put(c)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// dedupe walks a batch's accepted and quarantined rows in source order,
// quarantining every row whose record_id an earlier row has claimed,
// counts each row's outcome, and appends the batch's quarantined rows to
// rep.Quarantine.
func dedupe(c *chunk, seen map[string]struct{}, rep *Report) {
	b := &c.batch
	keep := 0
	qi := 0
	claim := func(id string) bool {
		if _, dup := seen[id]; dup {
			return false
		}
		seen[id] = struct{}{}
		return true
	}
	quarantine := func(q Quarantined) {
		rep.AddRow(q.Reason)
		rep.Quarantine = append(rep.Quarantine, q)
	}
	for i := range b.Records {
		row := b.Rows[i]
		for ; qi < len(c.quar) && c.quar[qi].Row < row; qi++ {
			q := c.quar[qi]
			if q.RecordID != "" && !claim(q.RecordID) {
				q.Reason = validate.DuplicateRecordID
			}
			quarantine(q)
		}
		id := b.Records[i].RecordID
		if !claim(id) {
			quarantine(Quarantined{Row: row, RecordID: id, Reason: validate.DuplicateRecordID})
			continue
		}
		rep.AddRow("")
		if keep != i {
			b.Records[keep] = b.Records[i]
			b.Rows[keep] = row
		}
		keep++
	}
	for ; qi < len(c.quar); qi++ {
		q := c.quar[qi]
		if q.RecordID != "" && !claim(q.RecordID) {
			q.Reason = validate.DuplicateRecordID
		}
		quarantine(q)
	}
	clear(b.Records[keep:])
	b.Records = b.Records[:keep]
	b.Rows = b.Rows[:keep]
}

// mapBlock is the number of rows filled column by column before moving
// on, so that the records being filled stay in cache.
const mapBlock = 512

// mapBatch maps rec's rows onto records, validates them and leaves the
// accepted ones in c.batch and the quarantined ones in c.quar.
func (r *Reader) mapBatch(rec arrow.Record, first int64, c *chunk, val *validate.Validator, rep *validate.Report) {
	n := int(rec.NumRows())
	if cap(c.recs) < n {
		c.recs = make([]person.Record, n)
		c.rows = make([]int64, n)
	}
	// Records are reused from batch to batch without clearing them: every
	// column the plan fills is written for every row below, and no other
	// column is ever written, so the others stay null.
	recs := c.recs[:n]
	rows := c.rows[:n]
	c.quar = c.quar[:0]

	p := r.plan
	column := func(pos int) arrow.Array {
		if k := p.read[pos]; k >= 0 {
			return rec.Column(k)
		}
		return nil // null in every row: not read
	}
	texts := make([][]textSource, len(p.text))
	for k, tp := range p.text {
		texts[k] = make([]textSource, len(tp.cols))
		for j, col := range tp.cols {
			texts[k][j] = bindText(column(col))
		}
	}
	dates := make([]dateSource, len(p.dates))
	for k, dp := range p.dates {
		dates[k] = bindDate(column(dp.col), dp.format)
	}
	var balance moneySource
	if p.balance != nil {
		balance = bindMoney(column(p.balance.col), p.balance.format)
	}
	var full textSource
	if p.full != nil {
		full = bindText(column(p.full.col))
	}

	keep := 0
	var sb strings.Builder
	for lo := 0; lo < n; lo += mapBlock {
		hi := min(n, lo+mapBlock)
		for k, tp := range p.text {
			srcs := texts[k]
			if len(srcs) == 1 {
				src := srcs[0]
				for i := lo; i < hi; i++ {
					s, _ := src.text(i)
					*tp.set(&recs[i]) = s
				}
				continue
			}
			for i := lo; i < hi; i++ {
				*tp.set(&recs[i]) = join(&sb, srcs, i)
			}
		}
		if full != nil {
			for i := lo; i < hi; i++ {
				s, _ := full.text(i)
				recs[i].Forename, recs[i].MiddleNames, recs[i].Surname = SplitFullName(s, p.full.order)
			}
		}
		for k, dp := range p.dates {
			src := dates[k]
			for i := lo; i < hi; i++ {
				d, prob := src.date(i)
				if prob != 0 {
					rep.AddField(dp.target, prob)
				}
				*dp.set(&recs[i]) = d
			}
		}
		if balance != nil {
			for i := lo; i < hi; i++ {
				v, prob := balance.pence(i)
				if prob != 0 {
					rep.AddField(person.ColBalance, prob)
				}
				recs[i].Balance = v
			}
		}
		for i := lo; i < hi; i++ {
			reason := val.Record(&recs[i], rep)
			if reason != "" {
				q := Quarantined{Row: first + int64(i), Reason: reason}
				if reason != validate.MissingRecordID && reason != validate.InvalidUTF8RecordID {
					q.RecordID = recs[i].RecordID
				}
				c.quar = append(c.quar, q)
				continue
			}
			if keep != i {
				recs[keep] = recs[i]
			}
			rows[keep] = first + int64(i)
			keep++
		}
	}
	clear(recs[keep:])
	c.batch.Records = recs[:keep]
	c.batch.Rows = rows[:keep]
}

// join joins row i's values of several columns with single spaces,
// skipping nulls and blanks and trimming each value.
func join(sb *strings.Builder, srcs []textSource, i int) string {
	var parts [8]string
	vals := parts[:0]
	for _, src := range srcs {
		s, ok := src.text(i)
		if !ok {
			continue
		}
		if s = strings.TrimSpace(s); s != "" {
			vals = append(vals, s)
		}
	}
	switch len(vals) {
	case 0:
		return ""
	case 1:
		return vals[0]
	}
	sb.Reset()
	for j, v := range vals {
		if j > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(v)
	}
	return sb.String()
}
