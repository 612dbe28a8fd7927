package ledger

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// ChainError reports the first entry of a ledger that is not as it was
// written. Its message names the line and sequence number and says what is
// wrong; it never quotes the entry.
type ChainError struct {
	Path    string
	Line    int    // 1-based line number in the file
	Seq     int64  // the seq the line carries, or 0 if it could not be read
	Problem string // what is wrong, e.g. "altered: hash does not match the entry's contents"
}

// Error returns "ledger PATH: line N (seq S): PROBLEM".
func (e *ChainError) Error() string {
	if e.Seq == 0 {
		return fmt.Sprintf("ledger %s: line %d: %s", e.Path, e.Line, e.Problem)
	}
	return fmt.Sprintf("ledger %s: line %d (seq %d): %s", e.Path, e.Line, e.Seq, e.Problem)
}

// Verify recomputes the whole chain of the ledger at path and returns the
// number of entries. If any entry is not as it was written it returns the
// number of entries before it and a *ChainError naming the first line that
// was altered, removed, inserted or reordered, or the final line if it is
// partial or garbled. An empty ledger verifies with n = 0.
func Verify(path string) (n int, err error) {
	entries, err := ReadAll(path)
	return len(entries), err
}

// ReadAll verifies the ledger at path as Verify does and returns its
// entries. On a chain error it returns the entries before the first bad
// line, with the error.
func ReadAll(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	defer f.Close()
	return readAll(path, f)
}

// readAll verifies the ledger read from r; path names it in errors.
func readAll(path string, r io.Reader) ([]Entry, error) {
	lines, err := scan(r)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	entries := make([]Entry, 0, len(lines))
	for i := range lines {
		if line, seq, problem := check(lines, i); problem != "" {
			return entries[:line-1], &ChainError{Path: path, Line: line, Seq: seq, Problem: problem}
		}
		entries = append(entries, lines[i].entry)
	}
	return entries, nil
}

// scanned is one line of a ledger after it has been checked on its own.
type scanned struct {
	entry   Entry
	sum     string // lineHash of the line
	problem string // from parseLine, or a framing problem
}

// scan reads every line of r and checks each on its own.
func scan(r io.Reader) ([]scanned, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var lines []scanned
	for {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			return lines, nil
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		var s scanned
		switch {
		case err == io.EOF:
			s.problem = "truncated: the final line is partial (no newline)"
		case len(b) == 1:
			s.problem = "garbled: empty line"
		default:
			line := b[:len(b)-1]
			s.sum = lineHash(line)
			s.entry, s.problem = parseLine(line)
		}
		lines = append(lines, s)
	}
}

// check returns the problem with lines[i] in the chain, and the line number
// and seq to report it against, which may be an earlier line (an inserted
// entry is reported where the insertion starts).
func check(lines []scanned, i int) (line int, seq int64, problem string) {
	s := lines[i]
	line, seq = i+1, s.entry.Seq
	if s.problem != "" {
		return line, seq, s.problem
	}
	want := int64(i + 1)
	prev := GenesisPrev
	if i > 0 {
		prev = lines[i-1].sum
	}
	if s.entry.Prev == prev {
		if s.entry.Seq != want {
			return line, seq, fmt.Sprintf("altered: seq %d where %d is due, re-hashed after it was changed", s.entry.Seq, want)
		}
		return 0, 0, ""
	}
	for j := range i {
		if lines[j].sum == s.sum {
			return line, seq, fmt.Sprintf("inserted: a copy of line %d", j+1)
		}
	}
	// An entry linking to an earlier line j+1 with the seq that follows
	// it means that the lines between were inserted.
	for j := i - 2; j >= 0; j-- {
		if lines[j].sum == s.entry.Prev && s.entry.Seq == lines[j].entry.Seq+1 {
			return j + 2, lines[j+1].entry.Seq, fmt.Sprintf("inserted: not part of the chain (line %d links to line %d)", i+1, j+1)
		}
	}
	if i > 0 && s.entry.Prev == GenesisPrev {
		return line, seq, "forged: claims to be the first entry"
	}
	if s.entry.Seq > want {
		for k := i + 1; k < len(lines); k++ {
			if lines[k].problem == "" && lines[k].entry.Seq == want {
				return line, seq, fmt.Sprintf("reordered: seq %d is due here but is at line %d", want, k+1)
			}
		}
		if s.entry.Seq == want+1 {
			return line, seq, fmt.Sprintf("removed: the entry with seq %d before this line is missing", want)
		}
		return line, seq, fmt.Sprintf("removed: the entries with seq %d to %d before this line are missing", want, s.entry.Seq-1)
	}
	if s.entry.Seq < want {
		return line, seq, fmt.Sprintf("reordered or forged: seq %d where %d is due", s.entry.Seq, want)
	}
	if i == 0 {
		return line, seq, "forged: the first entry does not start the chain"
	}
	return line, seq, fmt.Sprintf("forged: does not link to line %d (this entry was forged, or line %d was rewritten and re-hashed)", i, i)
}

// ErrEmpty is returned by Last for a ledger with no entries.
var ErrEmpty = errors.New("ledger has no entries")

// Last returns the ledger's last entry, checked on its own but without
// verifying the chain.
func Last(path string) (Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: %w", path, err)
	}
	defer f.Close()
	line, err := lastLine(f)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger %s: %w", path, err)
	}
	if line == nil {
		return Entry{}, fmt.Errorf("ledger %s: %w", path, ErrEmpty)
	}
	e, problem := parseLine(line)
	if problem != "" {
		return Entry{}, fmt.Errorf("ledger %s: last line: %s", path, problem)
	}
	return e, nil
}

// LineHash returns the hex SHA-256 of e's line as the ledger holds it: the
// prev of the entry after it. Recorded outside the ledger, the line hash of
// the latest entry lets later removal of entries from the end be detected.
// e must be an entry as Append returned it or the ledger holds it.
func (e Entry) LineHash() (string, error) {
	c, err := e.canonical()
	if err != nil {
		return "", err
	}
	return lineHash(withHash(c, e.Hash)), nil
}
