package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/golden"
)

// Environment of the helper process that TestConcurrentProcesses starts:
// the test binary appends appendN entries to appendPath as appendWho.
const (
	appendPath = "LEDGER_TEST_APPEND_PATH"
	appendN    = "LEDGER_TEST_APPEND_N"
	appendWho  = "LEDGER_TEST_APPEND_WHO"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(appendPath); path != "" {
		n, _ := strconv.Atoi(os.Getenv(appendN))
		if err := appendMany(context.Background(), path, os.Getenv(appendWho), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func appendMany(ctx context.Context, path, who string, n int) error {
	for i := range n {
		data := fmt.Sprintf(`{"who":%q,"i":%d}`, who, i)
		if _, err := Append(ctx, path, Entry{Kind: KindRun, Actor: who, Data: json.RawMessage(data)}); err != nil {
			return err
		}
	}
	return nil
}

var t0 = time.Date(2026, 11, 22, 21, 14, 0, 0, time.UTC)

// build writes a ledger of n entries with fixed times and returns its path.
func build(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.jsonl")
	kinds := []string{KindRun, KindVaultOpen, KindDecision, KindPurge}
	for i := range n {
		e := Entry{
			Time:  t0.Add(time.Duration(i) * time.Minute),
			Kind:  kinds[i%len(kinds)],
			RunID: "20261122T211400Z-3f9a2c",
			Actor: "auditor",
			Data:  json.RawMessage(fmt.Sprintf(`{"marker":"m%d","n":%d}`, i+1, i+1)),
		}
		if _, err := Append(context.Background(), path, e); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var hashField = regexp.MustCompile(`,"hash":"([0-9a-f]{64})"}$`)

// TestFormat checks the file against the format as specified, computing
// every hash from the file's bytes.
func TestFormat(t *testing.T) {
	path := build(t, 4)
	lines := readLines(t, path)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	prev := strings.Repeat("0", 64)
	for i, l := range lines {
		line := bytes.TrimSuffix(l, []byte("\n"))
		m := hashField.FindSubmatch(line)
		if m == nil {
			t.Fatalf("line %d does not end in a hash field: %s", i+1, line)
		}
		without := append(bytes.Clone(line[:len(line)-len(m[0])]), '}')
		if got := hexSum(without); got != string(m[1]) {
			t.Errorf("line %d: hash %s, want SHA-256 of the entry without hash %s", i+1, m[1], got)
		}
		var e struct {
			Seq  int64  `json:"seq"`
			Time string `json:"time"`
			Prev string `json:"prev"`
			Data map[string]any
		}
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) || e.Prev != prev {
			t.Errorf("line %d: seq %d prev %s, want %d %s", i+1, e.Seq, e.Prev, i+1, prev)
		}
		if want := t0.Add(time.Duration(i) * time.Minute).Format(time.RFC3339); e.Time != want {
			t.Errorf("line %d: time %q, want %q", i+1, e.Time, want)
		}
		wantPrefix := fmt.Sprintf(`{"seq":%d,"time":`, i+1)
		if !bytes.HasPrefix(line, []byte(wantPrefix)) {
			t.Errorf("line %d does not start with %s", i+1, wantPrefix)
		}
		prev = hexSum(line)
	}
	if n, err := Verify(path); err != nil || n != 4 {
		t.Fatalf("Verify = %d, %v", n, err)
	}
}

func TestAppendFillsAndCanonicalises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.jsonl")
	local := time.FixedZone("X", 3600)
	got, err := Append(context.Background(), path, Entry{
		Seq: 99, Prev: "bogus", Hash: "bogus",
		Time: time.Date(2026, 1, 2, 3, 4, 5, 678, local), Kind: "vault_open", Actor: "a",
		Data: json.RawMessage("{ \"b\" : 1.50, \"a\" : [ \"<x>\" , true ] }"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 1 || got.Prev != GenesisPrev || len(got.Hash) != 64 {
		t.Errorf("seq %d prev %s hash %s", got.Seq, got.Prev, got.Hash)
	}
	if want := time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC); !got.Time.Equal(want) || got.Time.Location() != time.UTC {
		t.Errorf("time %v, want %v", got.Time, want)
	}
	if want := `{"a":["<x>",true],"b":1.50}`; string(got.Data) != want {
		t.Errorf("data %s, want %s", got.Data, want)
	}
	last, err := Last(path)
	if err != nil {
		t.Fatal(err)
	}
	if last.Hash != got.Hash || string(last.Data) != string(got.Data) {
		t.Errorf("Last = %+v, want %+v", last, got)
	}
}

func TestAppendRefuses(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
	}{
		{"no kind", Entry{Actor: "a"}},
		{"kind with space", Entry{Kind: "run x", Actor: "a"}},
		{"upper-case kind", Entry{Kind: "Run", Actor: "a"}},
		{"no actor", Entry{Kind: "run", Actor: "  "}},
		{"actor not utf-8", Entry{Kind: "run", Actor: "\xff"}},
		{"data array", Entry{Kind: "run", Actor: "a", Data: json.RawMessage(`[1]`)}},
		{"data string", Entry{Kind: "run", Actor: "a", Data: json.RawMessage(`"x"`)}},
		{"data not json", Entry{Kind: "run", Actor: "a", Data: json.RawMessage(`{x}`)}},
		{"data trailing", Entry{Kind: "run", Actor: "a", Data: json.RawMessage(`{} {}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "l.jsonl")
			if _, err := Append(context.Background(), path, tt.e); err == nil {
				t.Fatal("accepted")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("refused append created the ledger: %v", err)
			}
		})
	}
}

// forge returns the line of an entry hashed as Append would hash it.
func forge(t *testing.T, seq int64, prev string) []byte {
	t.Helper()
	e := Entry{Seq: seq, Time: t0, Kind: KindRun, Actor: "mallory", Data: json.RawMessage(`{"forged":true}`), Prev: prev}
	line, err := e.line()
	if err != nil {
		t.Fatal(err)
	}
	return append(line, '\n')
}

func flip(line []byte, at string) []byte {
	i := bytes.Index(line, []byte(at))
	if i < 0 {
		panic("no " + at)
	}
	out := bytes.Clone(line)
	out[i+len(at)] ^= 0x01
	return out
}

func TestTamperDetected(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(t *testing.T, l [][]byte) [][]byte
		line     int
		seq      int64
		problem  string // prefix of ChainError.Problem
		mentions string // further text the problem must contain
	}{
		{"flip a data byte", func(t *testing.T, l [][]byte) [][]byte {
			l[2] = flip(l[2], `"marker":"`)
			return l
		}, 3, 3, "altered: hash does not match", ""},
		{"flip a hash byte", func(t *testing.T, l [][]byte) [][]byte {
			l[2] = flip(l[2], `"hash":"`)
			return l
		}, 3, 3, "altered: hash does not match", ""},
		{"flip a prev byte", func(t *testing.T, l [][]byte) [][]byte {
			l[2] = flip(l[2], `"prev":"`)
			return l
		}, 3, 3, "altered: hash does not match", ""},
		{"flip a seq byte", func(t *testing.T, l [][]byte) [][]byte {
			l[2] = flip(l[2], `"seq":`)
			return l
		}, 3, 2, "altered: hash does not match", ""},
		{"flip a brace", func(t *testing.T, l [][]byte) [][]byte {
			l[2] = bytes.Clone(l[2])
			l[2][0] = '['
			return l
		}, 3, 0, "garbled", ""},
		{"reformat the time", func(t *testing.T, l [][]byte) [][]byte {
			l[1] = bytes.Replace(l[1], []byte(`:00Z"`), []byte(`:00.000Z"`), 1)
			return l
		}, 2, 2, "altered: not in canonical form", ""},
		{"add white space", func(t *testing.T, l [][]byte) [][]byte {
			l[3] = bytes.Replace(l[3], []byte(`,"kind"`), []byte(`, "kind"`), 1)
			return l
		}, 4, 4, "altered: not in canonical form", ""},
		{"CRLF line ending", func(t *testing.T, l [][]byte) [][]byte {
			l[0] = append(bytes.TrimSuffix(l[0], []byte("\n")), '\r', '\n')
			return l
		}, 1, 1, "altered: not in canonical form", ""},
		{"delete a middle line", func(t *testing.T, l [][]byte) [][]byte {
			return append(l[:2:2], l[3:]...)
		}, 3, 4, "removed", "seq 3"},
		{"delete the first line", func(t *testing.T, l [][]byte) [][]byte {
			return l[1:]
		}, 1, 2, "removed", "seq 1"},
		{"delete two lines", func(t *testing.T, l [][]byte) [][]byte {
			return append(l[:1:1], l[3:]...)
		}, 2, 4, "removed", "seq 2 to 3"},
		{"swap two lines", func(t *testing.T, l [][]byte) [][]byte {
			l[1], l[2] = l[2], l[1]
			return l
		}, 2, 3, "reordered", "line 3"},
		{"move a line later", func(t *testing.T, l [][]byte) [][]byte {
			return [][]byte{l[0], l[2], l[3], l[1], l[4]}
		}, 2, 3, "reordered", "line 4"},
		{"append a line with a made-up hash", func(t *testing.T, l [][]byte) [][]byte {
			f := bytes.Replace(forge(t, 6, hexSum(bytes.TrimSuffix(l[4], []byte("\n")))), []byte(`"hash":"`), []byte(`"hash":"0`), 1)
			f = append(f[:bytes.LastIndex(f, []byte(`"}`))-1], `"}`+"\n"...)
			return append(l, f)
		}, 6, 6, "altered: hash does not match", ""},
		{"append a re-hashed line that restarts the chain", func(t *testing.T, l [][]byte) [][]byte {
			return append(l, forge(t, 6, GenesisPrev))
		}, 6, 6, "forged: claims to be the first entry", ""},
		{"append a re-hashed line linked to an old entry", func(t *testing.T, l [][]byte) [][]byte {
			return append(l, forge(t, 6, hexSum(bytes.TrimSuffix(l[2], []byte("\n")))))
		}, 6, 6, "forged: does not link to line 5", ""},
		{"append a copy of a line", func(t *testing.T, l [][]byte) [][]byte {
			return append(l, l[1])
		}, 6, 2, "inserted: a copy of line 2", ""},
		{"insert a re-hashed line", func(t *testing.T, l [][]byte) [][]byte {
			f := forge(t, 3, hexSum(bytes.TrimSuffix(l[1], []byte("\n"))))
			return append(l[:2:2], append([][]byte{f}, l[2:]...)...)
		}, 3, 3, "inserted", "line 4 links to line 2"},
		{"insert an empty line", func(t *testing.T, l [][]byte) [][]byte {
			return append(l[:2:2], append([][]byte{[]byte("\n")}, l[2:]...)...)
		}, 3, 0, "garbled: empty line", ""},
		{"rewrite and re-hash an entry", func(t *testing.T, l [][]byte) [][]byte {
			var e Entry
			e, _ = parseLine(bytes.TrimSuffix(l[1], []byte("\n")))
			e.Data = json.RawMessage(`{"marker":"changed","n":2}`)
			line, err := e.line()
			if err != nil {
				t.Fatal(err)
			}
			l[1] = append(line, '\n')
			return l
		}, 3, 3, "forged: does not link to line 2", "line 2 was rewritten"},
		{"truncate the last line", func(t *testing.T, l [][]byte) [][]byte {
			l[4] = l[4][:len(l[4])/2]
			return l
		}, 5, 0, "truncated", ""},
		{"drop the final newline", func(t *testing.T, l [][]byte) [][]byte {
			l[4] = bytes.TrimSuffix(l[4], []byte("\n"))
			return l
		}, 5, 0, "truncated", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := build(t, 5)
			lines := tt.edit(t, readLines(t, path))
			if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
				t.Fatal(err)
			}
			n, err := Verify(path)
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("Verify = %d, %v; want a ChainError", n, err)
			}
			if ce.Line != tt.line || ce.Seq != tt.seq || !strings.HasPrefix(ce.Problem, tt.problem) || !strings.Contains(ce.Problem, tt.mentions) {
				t.Errorf("got line %d seq %d %q; want line %d seq %d %q… mentioning %q", ce.Line, ce.Seq, ce.Problem, tt.line, tt.seq, tt.problem, tt.mentions)
			}
			if n != tt.line-1 {
				t.Errorf("n = %d, want %d entries before the bad line", n, tt.line-1)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("line %d", tt.line)) || !strings.Contains(msg, path) {
				t.Errorf("message %q does not name the file and line", msg)
			}
			if strings.Contains(msg, `"marker"`) || strings.Contains(msg, "mallory") {
				t.Errorf("message quotes the entry: %q", msg)
			}
		})
	}
}

func TestAppendRefusesDamagedTail(t *testing.T) {
	tests := []struct {
		name string
		edit func(b []byte) []byte
		want error
	}{
		{"partial last line", func(b []byte) []byte { return b[:len(b)-10] }, ErrTornTail},
		{"altered last line", func(b []byte) []byte { return flip(b, `"marker":"m3`) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := build(t, 3)
			b, _ := os.ReadFile(path)
			damaged := tt.edit(b)
			os.WriteFile(path, damaged, 0o600)
			_, err := Append(context.Background(), path, Entry{Kind: KindRun, Actor: "a"})
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Append = %v, want refusal (%v)", err, tt.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, damaged) {
				t.Error("refused Append changed the file")
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	// Lines longer than the tail-reading chunk and the scanner's buffer.
	path := filepath.Join(t.TempDir(), "l.jsonl")
	for i := range 3 {
		big := strings.Repeat("x", 70_000+i*5000)
		data, _ := json.Marshal(map[string]string{"pad": big})
		if _, err := Append(context.Background(), path, Entry{Kind: KindRun, Actor: "a", Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := Verify(path); n != 3 || err != nil {
		t.Fatalf("Verify = %d, %v", n, err)
	}
}

func TestEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	if n, err := Verify(empty); n != 0 || err != nil {
		t.Errorf("Verify(empty) = %d, %v", n, err)
	}
	if _, err := Last(empty); !errors.Is(err, ErrEmpty) {
		t.Errorf("Last(empty) = %v", err)
	}
	if _, err := Verify(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Verify(missing) = %v", err)
	}
}

func TestLineHashIsNextPrev(t *testing.T) {
	path := build(t, 3)
	last, err := Last(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := last.LineHash()
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if want := hexSum(bytes.TrimSuffix(lines[2], []byte("\n"))); h != want {
		t.Errorf("LineHash = %s, want %s", h, want)
	}
	next, err := Append(context.Background(), path, Entry{Kind: KindPurge, Actor: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if next.Prev != h || next.Seq != 4 {
		t.Errorf("next entry seq %d prev %s, want 4 %s", next.Seq, next.Prev, h)
	}
}

// checkAll verifies the ledger and that every (who, i) pair appears
// exactly once.
func checkAll(t *testing.T, path string, who []string, n int) {
	t.Helper()
	entries, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(who)*n {
		t.Fatalf("%d entries, want %d", len(entries), len(who)*n)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		var d struct {
			Who string `json:"who"`
			I   int    `json:"i"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		k := fmt.Sprintf("%s/%d", d.Who, d.I)
		if seen[k] {
			t.Errorf("%s appended twice", k)
		}
		seen[k] = true
	}
	for _, w := range who {
		for i := range n {
			if !seen[fmt.Sprintf("%s/%d", w, i)] {
				t.Errorf("%s/%d missing", w, i)
			}
		}
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.jsonl")
	const n = 10
	who := []string{"g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"}
	var wg sync.WaitGroup
	errs := make(chan error, len(who))
	for _, w := range who {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendMany(context.Background(), path, w, n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkAll(t, path, who, n)
}

func TestConcurrentProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.jsonl")
	const n = 15
	procs := []string{"p0", "p1", "p2"}
	var cmds []*exec.Cmd
	for _, p := range procs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), appendPath+"="+path, appendN+"="+strconv.Itoa(n), appendWho+"="+p)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	// Append from this process at the same time.
	local := []string{"g0", "g1"}
	var wg sync.WaitGroup
	errs := make(chan error, len(local))
	for _, w := range local {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendMany(context.Background(), path, w, n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %s: %v", procs[i], err)
		}
	}
	checkAll(t, path, append(procs, local...), n)
}

func TestAppendHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Append(ctx, path, Entry{Kind: KindRun, Actor: "a"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Append = %v, want canceled", err)
	}
}

// stablePath replaces the temporary directory in report text.
func stablePath(b []byte, path string) []byte {
	return bytes.ReplaceAll(b, []byte(path), []byte("ledger.jsonl"))
}

func TestRenderGolden(t *testing.T) {
	path := build(t, 4)
	entries, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, entries); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "render.golden", buf.Bytes())

	buf.Reset()
	if entries, err := VerifyReport(&buf, path); err != nil || len(entries) == 0 {
		t.Fatalf("VerifyReport = %d entries, %v", len(entries), err)
	}
	golden.Check(t, "verify_ok.golden", stablePath(buf.Bytes(), path))

	lines := readLines(t, path)
	lines[1], lines[2] = lines[2], lines[1]
	os.WriteFile(path, bytes.Join(lines, nil), 0o600)
	buf.Reset()
	var ce *ChainError
	if _, err := VerifyReport(&buf, path); !errors.As(err, &ce) {
		t.Fatalf("VerifyReport = %v, want a ChainError", err)
	}
	golden.Check(t, "verify_broken.golden", stablePath(buf.Bytes(), path))
}

func FuzzParseLine(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.jsonl")
	for i := range 3 {
		Append(context.Background(), path, Entry{Time: t0, Kind: KindDecision, Actor: "r", Data: json.RawMessage(fmt.Sprintf(`{"i":%d,"s":"<&>\u00e9"}`, i))})
	}
	b, _ := os.ReadFile(path)
	for _, l := range bytes.Split(b, []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"seq":1}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, problem := parseLine(line)
		if problem != "" {
			return
		}
		// An accepted line is exactly what Append would write for it.
		again, err := e.line()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, line) {
			t.Fatalf("accepted line %q re-encodes as %q", line, again)
		}
	})
}

func FuzzVerify(f *testing.F) {
	path := filepath.Join(f.TempDir(), "seed.jsonl")
	for i := range 3 {
		Append(context.Background(), path, Entry{Time: t0, Kind: KindRun, Actor: "r", Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
	}
	b, _ := os.ReadFile(path)
	f.Add(b)
	f.Add([]byte("\n\n"))
	f.Add(b[:len(b)-3])
	f.Fuzz(func(t *testing.T, content []byte) {
		entries, err := readAll("fuzz.jsonl", bytes.NewReader(content))
		n := len(entries)
		var ce *ChainError
		switch {
		case err == nil:
			if lines := bytes.Count(content, []byte("\n")); n != lines {
				t.Fatalf("verified %d entries in %d lines", n, lines)
			}
		case errors.As(err, &ce):
			if ce.Line != n+1 && !strings.HasPrefix(ce.Problem, "inserted") {
				t.Fatalf("bad line %d after %d good entries", ce.Line, n)
			}
		default:
			t.Fatal(err)
		}
	})
}

func FuzzCanonicalData(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":{"d":[1,2.0,"x"],"c":null}}`))
	f.Add([]byte(` { } `))
	f.Add([]byte(`{"<":"&"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := canonicalData(data)
		if err != nil {
			return
		}
		again, err := canonicalData(c)
		if err != nil || !bytes.Equal(again, c) {
			t.Fatalf("canonical form %q is not stable: %q, %v", c, again, err)
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form %q is not JSON", c)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	path := filepath.Join(b.TempDir(), "l.jsonl")
	data := json.RawMessage(`{"record_sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","status":"succeeded"}`)
	for b.Loop() {
		if _, err := Append(context.Background(), path, Entry{Kind: KindRun, Actor: "a", Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	path := filepath.Join(b.TempDir(), "l.jsonl")
	data := json.RawMessage(`{"record_sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","status":"succeeded"}`)
	const n = 2000
	for range n {
		if _, err := Append(context.Background(), path, Entry{Kind: KindRun, Actor: "a", Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if got, err := Verify(path); err != nil || got != n {
			b.Fatal(got, err)
		}
	}
	b.ReportMetric(float64(n), "entries/op")
}
