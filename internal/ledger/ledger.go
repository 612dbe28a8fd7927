// Package ledger keeps datamatch's audit ledger: an append-only file of
// JSON Lines in which every entry carries the SHA-256 of the line before
// it, so that altering, removing, inserting or reordering an entry breaks
// the chain and Verify names where.
//
// Each line is one entry, written in a canonical form: the fields in the
// order seq, time, kind, run_id, actor, data, prev, hash; no insignificant
// white space; data with its object keys sorted and numbers as written;
// strings escaped as encoding/json escapes them, except that <, > and & are
// left as they are. An entry's hash is the hex SHA-256 of its canonical
// line without the hash field; its prev is the hex SHA-256 of the previous
// line's exact bytes (without the newline), or 64 zeros for the first
// entry. Sequence numbers start at 1, so an entry's seq is its line number.
//
// The chain is keyless: it shows that the ledger is as it was written as
// long as its latest entry is known from somewhere else (a run's own
// records, a printed verification). Removing entries from the end, or
// appending entries whose hashes are computed afresh, can be detected only
// against such a record.
//
// Entries must not carry clear personal identifiers: the ledger records
// what was done, by whom and to which files, never to whom.
package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/datamatch/datamatch/internal/lockfile"
)

// GenesisPrev is the prev of the first entry of every ledger.
const GenesisPrev = "0000000000000000000000000000000000000000000000000000000000000000"

// Kinds of entry that datamatch writes. Append accepts any kind made of
// lower-case letters, digits and underscores.
const (
	KindRun       = "run"        // a pipeline run finished; data summarises its run record
	KindVaultOpen = "vault_open" // the re-identification vault was opened
	KindDecision  = "decision"   // a reviewer recorded a decision on a review case
	KindPurge     = "purge"      // data past its retention date was deleted
	KindErasure   = "erasure"    // a person's rows and vault entries were erased on request
	KindRelease   = "release"    // rows of confirmed cases were released from held outputs; data summarises its record
)

// Entry is one ledger entry.
type Entry struct {
	Seq   int64           `json:"seq"`    // position in the ledger, from 1
	Time  time.Time       `json:"time"`   // when the entry was appended, UTC, whole seconds
	Kind  string          `json:"kind"`   // what happened, e.g. KindRun
	RunID string          `json:"run_id"` // the run concerned, or ""
	Actor string          `json:"actor"`  // the user or service that acted
	Data  json.RawMessage `json:"data"`   // a JSON object with the details; {} when there are none
	Prev  string          `json:"prev"`   // hex SHA-256 of the previous line, or GenesisPrev
	Hash  string          `json:"hash"`   // hex SHA-256 of this entry's canonical form without hash
}

// ErrTornTail is returned by Append when the ledger's last line is not
// complete, as a crash during a write would leave it. The ledger must be
// examined (Verify names the line) before anything more is appended.
var ErrTornTail = errors.New("ledger ends in a partial line")

// Append adds e to the ledger at path, creating the file if it does not
// exist, and returns the entry as written. It fills Seq, Prev and Hash, and
// Time when it is zero; Kind and Actor are required, and Data, if given,
// must be a JSON object.
//
// Append holds the lock on path+".lock" while it reads the last entry and
// writes the new one, so appenders in any number of goroutines and
// processes extend one unbroken chain. The line is written with a single
// write to a file opened with O_APPEND and synced before Append returns.
// Append refuses to extend a ledger whose last line is partial or does not
// hash correctly.
func Append(ctx context.Context, path string, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	if err := checkNew(&e); err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	unlock, err := lockfile.Lock(ctx, path+".lock")
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	defer unlock()

	_, statErr := os.Stat(path)
	created := errors.Is(statErr, os.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	defer f.Close()

	last, err := lastLine(f)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	e.Seq, e.Prev = 1, GenesisPrev
	if last != nil {
		prev, problem := parseLine(last)
		if problem != "" {
			return Entry{}, fmt.Errorf("ledger %s: append: last entry is damaged (%s); run verify", path, problem)
		}
		e.Seq, e.Prev = prev.Seq+1, lineHash(last)
	}
	line, err := e.line()
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	if created {
		syncDir(filepath.Dir(path))
	}
	if err := f.Close(); err != nil {
		return Entry{}, fmt.Errorf("ledger %s: append: %w", path, err)
	}
	return e, nil
}

// checkNew validates and normalises an entry about to be appended.
func checkNew(e *Entry) error {
	if !validKind(e.Kind) {
		return errors.New("kind must be lower-case letters, digits and underscores")
	}
	if strings.TrimSpace(e.Actor) == "" {
		return errors.New("actor is required")
	}
	for name, s := range map[string]string{"actor": e.Actor, "run_id": e.RunID} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%s is not valid UTF-8", name)
		}
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Second)
	data, err := canonicalData(e.Data)
	if err != nil {
		return err
	}
	e.Data = data
	return nil
}

func validKind(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// canonicalData returns data as a canonical JSON object: keys sorted, no
// white space, numbers as written. Empty data is {}.
func canonicalData(data json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return json.RawMessage("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("data is not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data has text after its JSON object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errors.New("data must be a JSON object")
	}
	b, err := marshal(v)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return b, nil
}

// marshal encodes v as encoding/json does, without escaping <, > and &.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonical returns e's canonical form without the hash field.
func (e *Entry) canonical() ([]byte, error) {
	b := make([]byte, 0, 256+len(e.Data))
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	for _, f := range []struct{ name, value string }{
		{"time", e.Time.UTC().Format(time.RFC3339)},
		{"kind", e.Kind},
		{"run_id", e.RunID},
		{"actor", e.Actor},
	} {
		s, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"`+f.name+`":`...)
		b = append(b, s...)
	}
	b = append(b, `,"data":`...)
	if len(e.Data) == 0 {
		b = append(b, "{}"...)
	} else {
		b = append(b, e.Data...)
	}
	prev, err := marshal(e.Prev)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"prev":`...)
	b = append(b, prev...)
	return append(b, '}'), nil
}

// line computes e.Hash and returns the entry's line, without the newline.
func (e *Entry) line() ([]byte, error) {
	c, err := e.canonical()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(c)
	e.Hash = hex.EncodeToString(sum[:])
	return withHash(c, e.Hash), nil
}

// withHash inserts the hash field at the end of a canonical form.
func withHash(canonical []byte, hash string) []byte {
	b := make([]byte, 0, len(canonical)+len(hash)+10)
	b = append(b, canonical[:len(canonical)-1]...)
	b = append(b, `,"hash":"`...)
	b = append(b, hash...)
	return append(b, `"}`...)
}

// lineHash is the hex SHA-256 of a line's exact bytes, as the next entry's
// prev records it.
func lineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// wire is an entry as decoded from a line, before the line is checked.
type wire struct {
	Seq   int64           `json:"seq"`
	Time  string          `json:"time"`
	Kind  string          `json:"kind"`
	RunID string          `json:"run_id"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
	Prev  string          `json:"prev"`
	Hash  string          `json:"hash"`
}

// parseLine reads one line (without its newline) as an entry and checks it
// on its own: that it is an entry, in canonical form, whose hash matches its
// contents. It returns a description of the first problem found, or "".
// A problem never quotes the line.
func parseLine(line []byte) (Entry, string) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Entry{}, "garbled: not a ledger entry"
	}
	if dec.More() {
		return Entry{}, "garbled: text after the entry"
	}
	t, err := time.Parse(time.RFC3339, w.Time)
	if err != nil {
		return Entry{Seq: w.Seq}, "garbled: time is not RFC 3339"
	}
	e := Entry{Seq: w.Seq, Time: t.UTC(), Kind: w.Kind, RunID: w.RunID, Actor: w.Actor, Data: w.Data, Prev: w.Prev, Hash: w.Hash}
	data, err := canonicalData(w.Data)
	if err != nil || !bytes.Equal(data, w.Data) || !validKind(e.Kind) || e.Seq < 1 {
		return e, "altered: not in canonical form"
	}
	c, err := e.canonical()
	if err != nil {
		return e, "altered: not in canonical form"
	}
	if !bytes.Equal(withHash(c, e.Hash), line) {
		return e, "altered: not in canonical form"
	}
	sum := sha256.Sum256(c)
	if hex.EncodeToString(sum[:]) != e.Hash {
		return e, "altered: hash does not match the entry's contents"
	}
	return e, ""
}

// lastLine returns the last line of f without its newline, or nil for an
// empty file. It returns ErrTornTail if f does not end in a newline.
func lastLine(f *os.File) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size == 0 {
		return nil, nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return nil, err
	}
	if last[0] != '\n' {
		return nil, ErrTornTail
	}
	const chunk = 4096
	body := size - 1 // the last line ends here
	var tail []byte  // the bytes from pos to body
	for pos := body; pos > 0; {
		n := min(chunk, pos)
		pos -= n
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := f.ReadAt(buf, pos); err != nil {
			return nil, err
		}
		tail = append(buf, tail...)
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return tail[i+1:], nil
		}
	}
	return tail, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// CheckWritable reports whether the ledger at path can take an entry: it
// is missing, empty, or ends in a whole, well-formed entry. Commands call it
// before they act, so that nothing is done that could not be recorded.
func CheckWritable(path string) error {
	_, err := Last(path)
	if err == nil || errors.Is(err, ErrEmpty) || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("%w (run 'datamatch audit verify')", err)
}
