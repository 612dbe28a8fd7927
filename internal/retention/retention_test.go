package retention

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datamatch/datamatch/internal/date"
)

var (
	day0 = date.MustOf(2026, time.March, 1)
	past = day0.AddDays(-1)
	soon = day0.AddDays(1)
)

func TestDue(t *testing.T) {
	tests := []struct {
		name    string
		outputs []Output
		want    []string // paths due
	}{
		{"not yet due", []Output{{Root: "r", Path: "a.csv", RetentionUntil: soon}}, nil},
		{"due on its retention-until date", []Output{{Root: "r", Path: "a.csv", RetentionUntil: day0}}, []string{"a.csv"}},
		{"overdue", []Output{{Root: "r", Path: "a.csv", RetentionUntil: past}}, []string{"a.csv"}},
		{"undated is never due", []Output{{Root: "r", Path: "a.csv"}}, nil},
		{"mixed keeps order", []Output{
			{Root: "r", Path: "b.csv", RetentionUntil: past},
			{Root: "r", Path: "c.csv", RetentionUntil: soon},
			{Root: "r", Path: "a.csv", RetentionUntil: day0},
		}, []string{"b.csv", "a.csv"}},
		{"file listed twice, one listing not due, is held", []Output{
			{Root: "r", Path: "run1/a.csv", RetentionUntil: past},
			{Root: "r", Path: "run1/./a.csv", RetentionUntil: soon},
		}, nil},
		{"file listed twice, one undated, is held", []Output{
			{Root: "r", Path: "a.csv", RetentionUntil: past},
			{Root: "r", Path: "a.csv"},
		}, nil},
		{"file listed twice, both due", []Output{
			{Root: "r", Path: "a.csv", RetentionUntil: past},
			{Root: "r", Path: "a.csv", RetentionUntil: day0},
		}, []string{"a.csv", "a.csv"}},
		{"same name under another root is another file", []Output{
			{Root: "r", Path: "a.csv", RetentionUntil: past},
			{Root: "s", Path: "a.csv", RetentionUntil: soon},
		}, []string{"a.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range Due(tt.outputs, day0) {
				got = append(got, o.Path)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Due = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDueNullToday(t *testing.T) {
	if got := Due([]Output{{Root: "r", Path: "a", RetentionUntil: past}}, date.Date{}); len(got) != 0 {
		t.Fatalf("Due with a null today = %v, want nothing", got)
	}
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	tests := []struct {
		name, path, want string // want "" means refused
	}{
		{"relative", "run1/out.csv", "run1/out.csv"},
		{"dot prefix", "./run1/out.csv", "run1/out.csv"},
		{"absolute inside", filepath.Join(root, "run1", "out.csv"), "run1/out.csv"},
		{"parent", "../out.csv", ""},
		{"parent inside", "run1/../run2/out.csv", ""},
		{"parent at end", "run1/..", ""},
		{"absolute outside", "/etc/passwd", ""},
		{"absolute sibling with common prefix", root + "x/out.csv", ""},
		{"absolute with parent", filepath.Join(root, "run1") + "/../../x", ""},
		{"the root itself", ".", ""},
		{"the root itself, absolute", root, ""},
		{"empty", "", ""},
		{"nul byte", "a\x00b", ""},
		{"a run record", "run1/run.json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(root, tt.path)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Resolve(%q) = %q, want refusal", tt.path, got)
				}
				if !errors.Is(err, errRefused) {
					t.Fatalf("Resolve(%q) error %v is not a refusal", tt.path, err)
				}
				return
			}
			if err != nil || got != filepath.FromSlash(tt.want) {
				t.Fatalf("Resolve(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		})
	}
}

func TestResolveThroughSymlinkedRoot(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "out")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	realPath, err := filepath.EvalSymlinks(real)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(link, filepath.Join(realPath, "a.csv"))
	if err != nil || got != "a.csv" {
		t.Fatalf("Resolve = %q, %v; want a.csv", got, err)
	}
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{"a.csv", "../a", "/etc/passwd", "a/../b", "./a/./b", "a//b", "/tmp/root/a", "..", "...", "a/..b"} {
		f.Add(s)
	}
	const root = "/tmp/root"
	f.Fuzz(func(t *testing.T, p string) {
		rel, err := Resolve(root, p)
		if err != nil {
			if !errors.Is(err, errRefused) {
				t.Fatalf("Resolve(%q): error %v is not a refusal", p, err)
			}
			return
		}
		if filepath.IsAbs(rel) || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || filepath.Clean(rel) != rel {
			t.Fatalf("Resolve(%q) = %q: not a clean path inside the root", p, rel)
		}
		joined := filepath.Join(root, rel)
		if !strings.HasPrefix(joined, root+"/") {
			t.Fatalf("Resolve(%q) = %q: joins to %q, outside the root", p, rel, joined)
		}
		for _, el := range strings.Split(p, "/") {
			if el == ".." {
				t.Fatalf("Resolve(%q) accepted a path with a .. element", p)
			}
		}
	})
}

// tree is a temporary output root with files in it, and a directory outside
// it holding a secret file that must survive every purge.
type tree struct {
	root, outside, secret string
}

func newTree(t *testing.T) tree {
	t.Helper()
	base := t.TempDir()
	tr := tree{root: filepath.Join(base, "out"), outside: filepath.Join(base, "elsewhere")}
	tr.secret = filepath.Join(tr.outside, "secret.csv")
	mkdir(t, filepath.Join(tr.root, "run1"))
	mkdir(t, tr.outside)
	write(t, tr.secret, "outside the root")
	return tr
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestPurge(t *testing.T) {
	for _, dry := range []bool{false, true} {
		name := map[bool]string{false: "delete", true: "dry run"}[dry]
		t.Run(name, func(t *testing.T) {
			tr := newTree(t)
			write(t, filepath.Join(tr.root, "run1", "due.csv"), "due content")
			write(t, filepath.Join(tr.root, "run1", "overdue.parquet"), "overdue content")
			write(t, filepath.Join(tr.root, "run1", "later.csv"), "not yet")
			write(t, filepath.Join(tr.root, "run1", "undated.csv"), "undated")
			outputs := []Output{
				{Root: tr.root, Path: "run1/due.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: day0},
				{Root: tr.root, Path: filepath.Join(tr.root, "run1", "overdue.parquet"), RunID: "R1", Purpose: "arrears", RetentionUntil: past},
				{Root: tr.root, Path: "run1/later.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: soon},
				{Root: tr.root, Path: "run1/undated.csv", RunID: "R1", Purpose: "stats"},
				{Root: tr.root, Path: "run1/gone.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: past},
			}
			rep, err := Purge(context.Background(), outputs, day0, dry)
			if err != nil {
				t.Fatalf("Purge: %v", err)
			}
			want := []Purged{
				{Root: tr.root, Path: "run1/due.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: day0, SHA256: sum("due content"), Size: int64(len("due content"))},
				{Root: tr.root, Path: "run1/overdue.parquet", RunID: "R1", Purpose: "arrears", RetentionUntil: past, SHA256: sum("overdue content"), Size: int64(len("overdue content"))},
			}
			if !slices.Equal(rep.Purged, want) {
				t.Fatalf("Purged = %+v\nwant %+v", rep.Purged, want)
			}
			if rep.DryRun != dry || rep.Today != day0 {
				t.Errorf("report header = %v %v", rep.DryRun, rep.Today)
			}
			if rep.Kept != 1 {
				t.Errorf("Kept = %d, want 1", rep.Kept)
			}
			if len(rep.Undated) != 1 || rep.Undated[0].Path != "run1/undated.csv" {
				t.Errorf("Undated = %+v", rep.Undated)
			}
			if len(rep.Missing) != 1 || rep.Missing[0].Path != "run1/gone.csv" {
				t.Errorf("Missing = %+v", rep.Missing)
			}
			if len(rep.Refused) != 0 {
				t.Errorf("Refused = %+v", rep.Refused)
			}
			for _, p := range []string{"due.csv", "overdue.parquet"} {
				if got := exists(filepath.Join(tr.root, "run1", p)); got != dry {
					t.Errorf("%s exists = %v after purge (dry run %v)", p, got, dry)
				}
			}
			for _, p := range []string{"later.csv", "undated.csv"} {
				if !exists(filepath.Join(tr.root, "run1", p)) {
					t.Errorf("%s was deleted before its time", p)
				}
			}
			if !exists(tr.secret) {
				t.Error("a file outside the root was deleted")
			}
		})
	}
}

func TestPurgeRefusesEscapes(t *testing.T) {
	tr := newTree(t)
	// A symbolic link to the outside file, and a symbolic link to the outside
	// directory, both inside the root.
	if err := os.Symlink(tr.secret, filepath.Join(tr.root, "run1", "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tr.outside, filepath.Join(tr.root, "run1", "linkdir")); err != nil {
		t.Fatal(err)
	}
	// A symbolic link inside the root to a file inside the root: deleting
	// either would be wrong, since the link is not an output file.
	write(t, filepath.Join(tr.root, "run1", "target.csv"), "kept")
	if err := os.Symlink("target.csv", filepath.Join(tr.root, "run1", "inner-link.csv")); err != nil {
		t.Fatal(err)
	}
	mkdir(t, filepath.Join(tr.root, "run1", "adir"))
	rel, err := filepath.Rel(tr.root, tr.secret)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		reason string
	}{
		{"parent escape", rel, ".."},
		{"parent inside", "run1/../run1/target.csv", ".."},
		{"absolute outside", tr.secret, "outside the output root"},
		{"symlink to outside file", "run1/link.csv", "symbolic link"},
		{"symlinked directory", "run1/linkdir/secret.csv", "escapes"},
		{"symlink inside root", "run1/inner-link.csv", "symbolic link"},
		{"directory", "run1/adir", "not a regular file"},
		{"root itself", ".", "output root itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dry := range []bool{true, false} {
				o := Output{Root: tr.root, Path: tt.path, Purpose: "fraud", RetentionUntil: past}
				rep, err := Purge(context.Background(), []Output{o}, day0, dry)
				if err == nil {
					t.Fatalf("Purge(%q) succeeded; want an error", tt.path)
				}
				if len(rep.Purged) != 0 || len(rep.Refused) != 1 {
					t.Fatalf("report = %+v; want one refusal", rep)
				}
				if !strings.Contains(rep.Refused[0].Reason, tt.reason) {
					t.Errorf("reason %q does not mention %q", rep.Refused[0].Reason, tt.reason)
				}
			}
			for _, p := range []string{tr.secret, filepath.Join(tr.root, "run1", "link.csv"), filepath.Join(tr.root, "run1", "linkdir"),
				filepath.Join(tr.root, "run1", "target.csv"), filepath.Join(tr.root, "run1", "inner-link.csv"), filepath.Join(tr.root, "run1", "adir")} {
				if !exists(p) {
					t.Fatalf("%s was deleted", p)
				}
			}
		})
	}
}

func TestPurgeGoesOnPastRefusal(t *testing.T) {
	tr := newTree(t)
	write(t, filepath.Join(tr.root, "run1", "a.csv"), "a")
	outputs := []Output{
		{Root: tr.root, Path: "../elsewhere/secret.csv", Purpose: "fraud", RetentionUntil: past},
		{Root: tr.root, Path: "run1/a.csv", Purpose: "fraud", RetentionUntil: past},
	}
	rep, err := Purge(context.Background(), outputs, day0, false)
	if err == nil || !strings.Contains(err.Error(), "../elsewhere/secret.csv") {
		t.Fatalf("error %v does not name the refused output", err)
	}
	if len(rep.Purged) != 1 || rep.Purged[0].Path != "run1/a.csv" {
		t.Fatalf("Purged = %+v", rep.Purged)
	}
	if exists(filepath.Join(tr.root, "run1", "a.csv")) || !exists(tr.secret) {
		t.Fatal("wrong files deleted")
	}
}

func TestPurgeDuplicateListings(t *testing.T) {
	tr := newTree(t)
	write(t, filepath.Join(tr.root, "run1", "a.csv"), "a")
	outputs := []Output{
		{Root: tr.root, Path: "run1/a.csv", RunID: "R1", Purpose: "fraud", RetentionUntil: past.AddDays(-10)},
		{Root: tr.root, Path: filepath.Join(tr.root, "run1/a.csv"), RunID: "R2", Purpose: "arrears", RetentionUntil: past},
	}
	rep, err := Purge(context.Background(), outputs, day0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Purged) != 1 || rep.Purged[0].RunID != "R2" || rep.Purged[0].RetentionUntil != past || len(rep.Missing) != 0 {
		t.Fatalf("report = %+v; want the file once, under its latest listing", rep)
	}
}

func TestPurgeCancelled(t *testing.T) {
	tr := newTree(t)
	write(t, filepath.Join(tr.root, "run1", "a.csv"), "a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Purge(ctx, []Output{{Root: tr.root, Path: "run1/a.csv", RetentionUntil: past}}, day0, false)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if len(rep.Purged) != 0 || !exists(filepath.Join(tr.root, "run1", "a.csv")) {
		t.Fatal("a cancelled purge deleted a file")
	}
}

func TestDiscover(t *testing.T) {
	tr := newTree(t)
	mkdir(t, filepath.Join(tr.root, "run2", "nested"))
	for _, p := range []string{"run1/run.json", "run2/nested/run.json", "run.json"} {
		write(t, filepath.Join(tr.root, p), "{}")
	}
	// A run record reached only through a symbolic link is not followed.
	mkdir(t, filepath.Join(tr.outside, "run9"))
	write(t, filepath.Join(tr.outside, "run9", "run.json"), "{}")
	if err := os.Symlink(filepath.Join(tr.outside, "run9"), filepath.Join(tr.root, "run9")); err != nil {
		t.Fatal(err)
	}
	var read []string
	reader := RunRecordReaderFunc(func(p string) ([]Output, error) {
		read = append(read, p)
		rel, _ := filepath.Rel(tr.root, p)
		return []Output{
			{Path: "out.csv", RunID: rel, Purpose: "fraud", RetentionUntil: past},
			{Path: "../sneaky.csv", RunID: rel, Purpose: "fraud", RetentionUntil: past},
		}, nil
	})
	got, err := Discover(context.Background(), tr.root, reader)
	if err != nil {
		t.Fatal(err)
	}
	wantRead := []string{
		filepath.Join(tr.root, "run.json"),
		filepath.Join(tr.root, "run1", "run.json"),
		filepath.Join(tr.root, "run2", "nested", "run.json"),
	}
	if !slices.Equal(read, wantRead) {
		t.Fatalf("run records read = %q, want %q", read, wantRead)
	}
	var paths []string
	for _, o := range got {
		if o.Root != tr.root {
			t.Errorf("Root = %q", o.Root)
		}
		paths = append(paths, o.Path)
	}
	wantPaths := []string{"out.csv", "../sneaky.csv", "run1/out.csv", "run1/../sneaky.csv", "run2/nested/out.csv", "run2/nested/../sneaky.csv"}
	if !slices.Equal(paths, wantPaths) {
		t.Fatalf("paths = %q, want %q", paths, wantPaths)
	}
	// Every ".." listing is refused by Purge.
	rep, err := Purge(context.Background(), got, day0, true)
	if err == nil || len(rep.Refused) != 3 {
		t.Fatalf("Purge refused %d (err %v); want the 3 parent escapes", len(rep.Refused), err)
	}
}

func TestDiscoverReaderError(t *testing.T) {
	tr := newTree(t)
	write(t, filepath.Join(tr.root, "run1", "run.json"), "{}")
	boom := errors.New("bad record")
	_, err := Discover(context.Background(), tr.root, RunRecordReaderFunc(func(string) ([]Output, error) { return nil, boom }))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "run1") {
		t.Fatalf("error = %v; want the reader's error naming the run record", err)
	}
}
