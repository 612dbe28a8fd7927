package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
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
	st := r.newStreamState(decoders)

	for w := 0; w < par; w++ {
		rep := &reps[w]
		g.Go(func() error { return r.mapper(gctx, works, val, rep, st) })
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
				return r.decode(gctx, rg, st, queues[rg], works)
			})
		}
		return nil
	})

	rep := &Report{Source: r.src.Name, Path: r.src.Path}
	emitErr := r.emit(gctx, queues, fn, st, rep)
	if emitErr != nil {
		cancel()
	}
	err := g.Wait()
	for w := range works { // left behind by a cancelled stream
		st.release(w)
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
	rec    arrow.Record // the columns read through Arrow; nil when there are none
	direct *directBatch // the columns read directly; nil when there are none
	n      int          // rows in the batch
	first  int64        // source row number of the batch's first row
	out    chan *chunk  // receives the mapped batch; buffered, never blocks
}

// chunk is one mapped and validated batch.
type chunk struct {
	batch  Batch
	hashes []uint64        // room for the idSet hashes of the records' ids
	quar   []Quarantined   // rows quarantined by validation, in source order
	recs   []person.Record // backing array of batch.Records
	rows   []int64         // backing array of batch.Rows
}

// streamState is what the goroutines of one Stream share.
type streamState struct {
	ids *idSet
	// chunks and directs recycle mapped batches and decoded columns, so
	// that their memory is not allocated and collected over and over. A
	// chunk's records are reused on the assumption that the same plan
	// fills them (see mapBatch), which holds within one Stream.
	chunks  freeList[chunk]
	directs freeList[directBatch]
	// readers recycles the readers of the direct columns from row group to
	// row group, one per decoder; a reader is given back only when its
	// row group was read through without error.
	readers freeList[directReader]
	rows    int // rows a directBatch is made for
}

func (r *Reader) newStreamState(decoders int) *streamState {
	most := int64(0)
	for _, n := range r.rgRows {
		most = max(most, n)
	}
	// In flight at once: per decoder, a batch being decoded, one waiting
	// for a mapper and one queued for delivery; one per mapper; and the
	// one being delivered.
	inFlight := 3*decoders + r.opts.Parallelism + 1
	return &streamState{
		ids:     newIdSet(r.pf.NumRows()),
		chunks:  make(freeList[chunk], inFlight),
		directs: make(freeList[directBatch], inFlight),
		readers: make(freeList[directReader], decoders),
		rows:    int(min(int64(r.opts.BatchSize), most)),
	}
}

// directBatch returns a batch for the direct columns of up to s.rows rows.
func (s *streamState) directBatch(cols []directColumn) *directBatch {
	if b := s.directs.get(); b != nil {
		return b
	}
	return newDirectBatch(cols, s.rows)
}

// release gives back what w holds.
func (s *streamState) release(w work) {
	if w.rec != nil {
		w.rec.Release()
	}
	if w.direct != nil {
		s.directs.put(w.direct)
	}
}

// freeList keeps up to its capacity of released items for reuse.
type freeList[T any] chan *T

// get returns a released item, or nil when there is none.
func (f freeList[T]) get() *T {
	select {
	case x := <-f:
		return x
	default:
		return nil
	}
}

// put releases x, dropping it when the list is full.
func (f freeList[T]) put(x *T) {
	select {
	case f <- x:
	default:
	}
}

// decode reads row group rg and hands its batches to the mappers, queueing
// a future for each in order. The columns read through Arrow set the
// batches' sizes; the direct columns are read to match. The queue is
// closed only when the whole row group has been read, so that a failure
// is never mistaken for its end.
func (r *Reader) decode(ctx context.Context, rg int, st *streamState, queue chan<- chan *chunk, works chan<- work) (err error) {
	first, rows := r.rgFirst[rg], r.rgRows[rg]
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("file %s: row group %d (rows %d to %d): corrupt data: %s", r.src.Path, rg,
				first, first+rows-1, describePanic(p))
		}
	}()
	var rr pqarrow.RecordReader
	if len(r.plan.decoded) > 0 {
		rr, err = r.fr.GetRecordReader(ctx, r.plan.decoded, []int{rg})
		if err != nil {
			return fmt.Errorf("file %s: row group %d: %w", r.src.Path, rg, err)
		}
		defer rr.Release()
	}
	var dr *directReader
	if len(r.plan.directs) > 0 {
		if dr = st.readers.get(); dr == nil {
			dr = newDirectReader(r.plan.directs, r.file)
		}
		if err := dr.open(r.pf, rg); err != nil {
			return fmt.Errorf("file %s: row group %d: %w", r.src.Path, rg, err)
		}
	}
	var read int64
	for {
		w := work{first: first + read}
		if rr != nil {
			if !rr.Next() {
				break
			}
			w.rec = rr.Record()
			w.rec.Retain()
			w.n = int(w.rec.NumRows())
		} else {
			w.n = int(min(int64(r.opts.BatchSize), rows-read))
			if w.n == 0 {
				break
			}
		}
		if dr != nil {
			w.direct = st.directBatch(r.plan.directs)
			if !w.direct.fits(w.n) {
				w.direct = newDirectBatch(r.plan.directs, w.n)
			}
			got, err := dr.read(w.n, w.direct)
			switch {
			case err != nil:
				st.release(w)
				return fmt.Errorf("file %s: row group %d (rows %d to %d): %w", r.src.Path, rg, first, first+rows-1, err)
			case got < w.n:
				st.release(w)
				return fmt.Errorf("file %s: row group %d: read %d rows but the footer says %d", r.src.Path, rg, read+int64(got), rows)
			}
		}
		out := make(chan *chunk, 1)
		w.out = out
		select {
		case queue <- out:
		case <-ctx.Done():
			st.release(w)
			return ctx.Err()
		}
		select {
		case works <- w:
		case <-ctx.Done():
			st.release(w)
			return ctx.Err()
		}
		read += int64(w.n)
	}
	if rr != nil {
		if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("file %s: row group %d (rows %d to %d): %w", r.src.Path, rg, first, first+rows-1, err)
		}
	}
	if read != rows {
		return fmt.Errorf("file %s: row group %d: read %d rows but the footer says %d", r.src.Path, rg, read, rows)
	}
	if dr != nil {
		if name, more := dr.rest(); more {
			return fmt.Errorf("file %s: row group %d: column %s holds more values than the footer's %d rows", r.src.Path, rg, name, rows)
		}
	}
	if dr != nil {
		st.readers.put(dr)
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
func (r *Reader) mapper(ctx context.Context, works <-chan work, val *validate.Validator, rep *validate.Report, st *streamState) error {
	var memo validate.Memo
	for {
		select {
		case w, ok := <-works:
			if !ok {
				return nil
			}
			c := st.chunks.get()
			if c == nil {
				c = new(chunk)
			}
			err := r.mapSafely(w, c, val, &memo, rep)
			st.release(w)
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
func (r *Reader) mapSafely(w work, c *chunk, val *validate.Validator, memo *validate.Memo, rep *validate.Report) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("file %s: rows %d to %d: corrupt data: %s", r.src.Path, w.first,
				w.first+int64(w.n)-1, describePanic(p))
		}
	}()
	r.mapBatch(w, c, val, memo, rep)
	return nil
}

// emit delivers mapped batches in source order, applies the duplicate
// record_id rule, counts every row's outcome, and calls fn.
func (r *Reader) emit(ctx context.Context, queues []chan chan *chunk, fn func(*Batch) error, st *streamState, rep *Report) error {
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
			dedupe(c, st.ids, rep)
			var err error
			if len(c.batch.Records) > 0 {
				err = fn(&c.batch)
			}
			c.quar = c.quar[:0]
			st.chunks.put(c)
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
func dedupe(c *chunk, ids *idSet, rep *Report) {
	b := &c.batch
	// Once ids come out of order, each is looked up in the table: hash
	// them all first, so that the table's memory is read for many at once.
	hashes := c.hashes[:len(b.Records)]
	if ids.ordered {
		clear(hashes)
	} else {
		for i := range b.Records {
			hashes[i] = ids.hash(b.Records[i].RecordID)
		}
		ids.warm(hashes)
	}
	keep := 0
	qi := 0
	quarantine := func(q Quarantined) {
		rep.AddRow(q.Reason)
		rep.Quarantine = append(rep.Quarantine, q)
	}
	flush := func(before int64) {
		for ; qi < len(c.quar) && c.quar[qi].Row < before; qi++ {
			q := c.quar[qi]
			if q.RecordID != "" && !ids.claim(q.RecordID, 0) {
				q.Reason = validate.DuplicateRecordID
			}
			quarantine(q)
		}
	}
	for i := range b.Records {
		row := b.Rows[i]
		flush(row)
		id := b.Records[i].RecordID
		if !ids.claim(id, hashes[i]) {
			quarantine(Quarantined{Row: row, RecordID: id, Reason: validate.DuplicateRecordID,
				TenancyRef: b.Records[i].TenancyRef, TenancyRole: b.Records[i].TenancyRole})
			continue
		}
		rep.AddRow("")
		if keep != i {
			b.Records[keep] = b.Records[i]
			b.Rows[keep] = row
		}
		keep++
	}
	flush(math.MaxInt64)
	clear(b.Records[keep:])
	b.Records = b.Records[:keep]
	b.Rows = b.Rows[:keep]
}

// mapBlock is the number of rows filled column by column before moving
// on, so that the records being filled stay in cache.
const mapBlock = 512

// mapBatch maps w's rows onto records, validates them and leaves the
// accepted ones in c.batch and the quarantined ones in c.quar.
func (r *Reader) mapBatch(w work, c *chunk, val *validate.Validator, memo *validate.Memo, rep *validate.Report) {
	n := w.n
	if cap(c.recs) < n {
		c.recs = make([]person.Record, n)
		c.rows = make([]int64, n)
		c.hashes = make([]uint64, n)
	}
	// Records are reused from batch to batch without clearing them: every
	// column the plan fills from a column that is read is written for every
	// row below, and no other column is ever given a value (validation
	// only changes or nulls values), so the others stay null.
	recs := c.recs[:n]
	rows := c.rows[:n]
	c.quar = c.quar[:0]

	p := r.plan
	cols := batchColumns{p: p, w: w}
	texts := make([][]textSource, len(p.text))
	for k, tp := range p.text {
		texts[k] = make([]textSource, len(tp.cols))
		for j, col := range tp.cols {
			texts[k][j] = cols.text(col)
		}
	}
	dates := make([]dateSource, len(p.dates))
	for k, dp := range p.dates {
		dates[k] = cols.date(dp.col, dp.format)
	}
	var balance moneySource
	if p.balance != nil {
		balance = cols.money(p.balance.col, p.balance.format)
	}
	var full textSource
	if p.full != nil {
		full = cols.text(p.full.col)
	}

	keep := 0
	var sb strings.Builder
	for lo := 0; lo < n; lo += mapBlock {
		hi := min(n, lo+mapBlock)
		for k, tp := range p.text {
			srcs := texts[k]
			if len(srcs) == 1 {
				switch src := srcs[0].(type) {
				case nullColumn:
				case textRows:
					setText(recs[lo:hi], tp.off, src[lo:hi])
				default:
					for i := lo; i < hi; i++ {
						s, _ := src.text(i)
						*tp.set(&recs[i]) = s
					}
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
			if _, null := src.(nullColumn); null {
				continue
			}
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
			reason := val.RecordMemo(&recs[i], rep, memo)
			if reason != "" {
				q := Quarantined{Row: w.first + int64(i), Reason: reason, TenancyRef: recs[i].TenancyRef, TenancyRole: recs[i].TenancyRole}
				if reason != validate.MissingRecordID && reason != validate.InvalidUTF8RecordID {
					q.RecordID = recs[i].RecordID
				}
				c.quar = append(c.quar, q)
				continue
			}
			if keep != i {
				recs[keep] = recs[i]
			}
			rows[keep] = w.first + int64(i)
			keep++
		}
	}
	clear(recs[keep:])
	c.batch.Records = recs[:keep]
	c.batch.Rows = rows[:keep]
}

// batchColumns binds the columns of one decoded batch by their position in
// the projection.
type batchColumns struct {
	p *plan
	w work
}

// textRows returns the column at pos when it is a text column read
// directly.
func (b batchColumns) textRows(pos int) (textRows, bool) {
	if k := b.p.direct[pos]; k >= 0 && b.p.directs[k].kind == directText {
		return textRows(b.w.direct.cols[k].strs[:b.w.n]), true
	}
	return nil, false
}

// array returns the column at pos as an Arrow array, or nil when it is
// null in every row.
func (b batchColumns) array(pos int) arrow.Array {
	if k := b.p.read[pos]; k >= 0 {
		return b.w.rec.Column(k)
	}
	if k := b.p.direct[pos]; k >= 0 {
		return b.w.direct.cols[k].array(&b.p.directs[k], b.w.n)
	}
	return nil
}

func (b batchColumns) text(pos int) textSource {
	if t, ok := b.textRows(pos); ok {
		return t
	}
	return bindText(b.array(pos))
}

func (b batchColumns) date(pos int, format string) dateSource {
	if t, ok := b.textRows(pos); ok {
		return bindTextDate(t, format)
	}
	return bindDate(b.array(pos), format)
}

func (b batchColumns) money(pos int, format string) moneySource {
	if t, ok := b.textRows(pos); ok {
		return bindTextMoney(t, format)
	}
	return bindMoney(b.array(pos), format)
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
