package rights

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/datamatch/datamatch/internal/pqscan"
)

// erasingVault is a rangingVault that can drop entries.
type erasingVault struct{ rangingVault }

func (v erasingVault) Erase(keys [][2]string) (int, error) {
	n := 0
	for _, k := range keys {
		if _, ok := v.fakeVault[k]; ok {
			delete(v.fakeVault, k)
			n++
		}
	}
	return n, nil
}

// redactingCases is a fakeCases whose decisions' reasons can be replaced.
type redactingCases struct{ *fakeCases }

func (f redactingCases) RedactReasons(_ context.Context, ids []string, note string) (int, error) {
	n := 0
	for i := range f.decisions {
		if slices.Contains(ids, f.decisions[i].ID) {
			f.decisions[i].Reason = note
			n++
		}
	}
	return n, nil
}

// erasableFixture is sarFixture with its vault made erasable and its
// queue's reasons replaceable.
func erasableFixture(t *testing.T) (string, []Source, Vault) {
	t.Helper()
	dir, sources := sarFixture(t)
	var v Vault
	for i, s := range sources {
		switch x := s.(type) {
		case Vault:
			x.Store = erasingVault{x.Store.(rangingVault)}
			sources[i], v = x, x
		case Queue:
			fc := x.Store.(fakeCases)
			fc.decisions = slices.Clone(fc.decisions)
			x.Store = redactingCases{&fc}
			sources[i] = x
		}
	}
	return dir, sources, v
}

// decisionsOn returns the decisions of the cases in f.
func decisionsOn(f *Findings) []string {
	var ids []string
	for _, c := range f.Cases {
		for _, d := range c.Decisions {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// snapshot reads every regular file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func TestErase(t *testing.T) {
	dir, sources, v := erasableFixture(t)
	// The utility provider's file was held for confirmation: never sent.
	for i, s := range sources {
		if o, ok := s.(*OutputFile); ok && o.Recipient == "utility_provider" {
			held := *o
			held.Held = true
			sources[i] = &held
		}
	}
	ctx := context.Background()
	found, err := Search(ctx, subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	// A dry run reports what the search found and changes nothing.
	dry, _, err := Erase(ctx, subject, sources, EraseOptions{Reference: "ER-1", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Files) != len(found.Files) || dry.EntriesErased() != len(found.Vault) || !dry.DryRun {
		t.Errorf("dry run: %d files, %d entries; the search found %d and %d", len(dry.Files), dry.EntriesErased(), len(found.Files), len(found.Vault))
	}
	if after := snapshot(t, dir); !equalFiles(before, after) {
		t.Error("a dry run changed the outputs")
	}
	if len(v.Store.(erasingVault).fakeVault) != 3 {
		t.Error("a dry run changed the vault")
	}

	e, _, err := Erase(ctx, subject, sources, EraseOptions{Reference: "ER-1"})
	if err != nil {
		t.Fatal(err)
	}
	if e.RowsErased() != dry.RowsErased() || e.EntriesErased() != dry.EntriesErased() || e.Reference != "ER-1" {
		t.Errorf("erased %d rows and %d entries, the dry run said %d and %d", e.RowsErased(), e.EntriesErased(), dry.RowsErased(), dry.EntriesErased())
	}
	for _, f := range e.Files {
		if len(f.SHA256Before) != 64 || len(f.SHA256After) != 64 || f.SHA256Before == f.SHA256After {
			t.Errorf("%s: digests %q → %q", f.Path, f.SHA256Before, f.SHA256After)
		}
	}
	// The rows of other people stay, in their order.
	if got, err := os.ReadFile(filepath.Join(dir, "investigator.csv")); err != nil || !strings.HasPrefix(string(got), "case_id,subject_ref,partner_ref,rule\nC-2,") ||
		!strings.HasSuffix(string(got), "\nC-9,x,y,dual_tenancy\n") || strings.Contains(string(got), "C-1,") {
		t.Errorf("investigator.csv after erasure:\n%s (%v)", got, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "utility.csv")); string(got) != "\uFEFFrecord_id,forename\nU8,Someone\n" {
		t.Errorf("utility.csv after erasure: %q", got)
	}
	if ids := parquetColumn(t, filepath.Join(dir, "recovery.parquet"), "case_id"); !slices.Equal(ids, []string{"C-7", "C-8"}) {
		t.Errorf("recovery.parquet after erasure holds cases %v, want C-7 and C-8", ids)
	}
	if n := len(v.Store.(erasingVault).fakeVault); n != 3-e.EntriesErased() || n == 3 {
		t.Errorf("vault holds %d entries after erasing %d", n, e.EntriesErased())
	}
	// What erasure leaves is reported: input records and review cases,
	// and, unless asked, the reasons of the decisions on those cases.
	if len(e.RecordsKept) != len(found.Records) || len(e.CasesKept) != len(found.Cases) {
		t.Errorf("kept %d records and %d cases, the search found %d and %d", len(e.RecordsKept), len(e.CasesKept), len(found.Records), len(found.Cases))
	}
	if n := len(decisionsOn(found)); e.ReasonsKept() != n || n == 0 || e.ReasonsErased() != 0 {
		t.Errorf("kept %d reasons and erased %d; the subject's cases have %d decisions", e.ReasonsKept(), e.ReasonsErased(), n)
	}

	// A second search finds nothing left in outputs or the vault.
	again, err := Search(ctx, subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 0 || len(again.Vault) != 0 {
		t.Errorf("after erasure the search finds %d files and %d vault entries", len(again.Files), len(again.Vault))
	}

	var report bytes.Buffer
	if err := e.Render(&report); err != nil {
		t.Fatal(err)
	}
	// The recipients sent the rows are to be told (Article 19); not the
	// utility provider, whose file was held.
	if got := e.Recipients(); !slices.Equal(got, []string{"investigator", "recovery_team"}) {
		t.Errorf("recipients to tell %q, want investigator and recovery_team", got)
	}
	for _, want := range []string{"ER-1", "Removed from outputs", "Kept: 2 records in input datasets", "restrictions file", "--reasons replaces them",
		"utility_provider (held, not sent)", "(Article 19): investigator, recovery_team."} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}
	if strings.Contains(report.String(), "Hughes") {
		t.Error("the erasure report names the subject")
	}
}

// TestEraseReasons erases with EraseOptions.Reasons: the reasons of the
// decisions on the subject's cases, and those alone, are replaced by the
// request's note, and a dry run replaces none.
func TestEraseReasons(t *testing.T) {
	_, sources, _ := erasableFixture(t)
	ctx := context.Background()
	found, err := Search(ctx, subject, sources)
	if err != nil {
		t.Fatal(err)
	}
	mine := decisionsOn(found)
	store := func() *fakeCases {
		for _, s := range sources {
			if q, ok := s.(Queue); ok {
				return q.Store.(redactingCases).fakeCases
			}
		}
		t.Fatal("no queue")
		return nil
	}()
	before := slices.Clone(store.decisions)

	dry, _, err := Erase(ctx, subject, sources, EraseOptions{Reference: "ER-3", DryRun: true, Reasons: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.ReasonsErased() != len(mine) || !slices.Equal(store.decisions, before) {
		t.Errorf("dry run: would erase %d reasons of %d, and changed the log: %v", dry.ReasonsErased(), len(mine), !slices.Equal(store.decisions, before))
	}

	e, _, err := Erase(ctx, subject, sources, EraseOptions{Reference: "ER-3", Reasons: true})
	if err != nil {
		t.Fatal(err)
	}
	if e.ReasonsErased() != len(mine) || e.ReasonsKept() != 0 {
		t.Errorf("erased %d reasons and kept %d; want %d and 0", e.ReasonsErased(), e.ReasonsKept(), len(mine))
	}
	note := ReasonNote("ER-3", e.Generated)
	others := 0
	for i, d := range store.decisions {
		want := before[i]
		if slices.Contains(mine, d.ID) {
			want.Reason = note
		} else {
			others++
		}
		if d != want {
			t.Errorf("decision %s = %+v, want %+v", d.ID, d, want)
		}
	}
	if others == 0 {
		t.Fatal("the fixture has no decision on another person's case")
	}
	var report bytes.Buffer
	if err := e.Render(&report); err != nil {
		t.Fatal(err)
	}
	if want := "Replaced the reasons of " + count(len(mine), "decision"); !strings.Contains(report.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, report.String())
	}
}

func equalFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestEraseRefuses(t *testing.T) {
	dir, sources := sarFixture(t) // its vault cannot be written anew
	before := snapshot(t, dir)
	if _, _, err := Erase(context.Background(), subject, sources, EraseOptions{Reference: "ER-2"}); err == nil || !strings.Contains(err.Error(), "cannot be written anew") {
		t.Errorf("Erase with a vault it cannot write: %v", err)
	}
	if !equalFiles(before, snapshot(t, dir)) {
		t.Error("a refused erasure changed the outputs")
	}
	if _, _, err := Erase(context.Background(), subject, sources, EraseOptions{Reference: " "}); err == nil {
		t.Error("Erase without a reference succeeded")
	}
	// Its queue's reasons cannot be replaced either: asked to, erasure
	// refuses before it changes anything, even with an erasable vault.
	dir, sources, v := erasableFixture(t)
	for i, s := range sources {
		if q, ok := s.(Queue); ok {
			q.Store = *q.Store.(redactingCases).fakeCases
			sources[i] = q
		}
	}
	before = snapshot(t, dir)
	if _, _, err := Erase(context.Background(), subject, sources, EraseOptions{Reference: "ER-2", Reasons: true}); err == nil || !strings.Contains(err.Error(), "reasons cannot be erased") {
		t.Errorf("Erase with reasons it cannot replace: %v", err)
	}
	if !equalFiles(before, snapshot(t, dir)) || len(v.Store.(erasingVault).fakeVault) != 3 {
		t.Error("a refused erasure changed the outputs or the vault")
	}
}

// TestEraseParquetDictionaryRowGroups erases the subject's rows from a
// file with a dictionary column over several row groups (see
// writeDictionaryRowGroups) and checks that every other row survives with
// its values, in order.
func TestEraseParquetDictionaryRowGroups(t *testing.T) {
	path, refs := writeDictionaryRowGroups(t)
	want := slices.DeleteFunc(slices.Clone(refs), func(r string) bool { return r == "subject" })
	removed, _, _, err := eraseFile(context.Background(), path, &rowMatcher{values: map[string]string{"subject": "ref"}})
	if err != nil {
		t.Fatal(err)
	}
	if removed != len(refs)-len(want) {
		t.Errorf("removed %d rows, want %d", removed, len(refs)-len(want))
	}
	if got := parquetColumn(t, path, "partner_ref"); !slices.Equal(got, want) {
		t.Errorf("after erasure %d rows remain, want %d, in order", len(got), len(want))
	}
}

// parquetColumn reads a text column of a Parquet file.
func parquetColumn(t *testing.T, path, name string) []string {
	t.Helper()
	f, err := pqscan.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	err = f.Batches(context.Background(), nil, func(rec arrow.Record) error {
		for c, fld := range rec.Schema().Fields() {
			if fld.Name != name {
				continue
			}
			text := pqscan.Text(rec.Column(c))
			for i := 0; i < int(rec.NumRows()); i++ {
				s, _ := text(i)
				out = append(out, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
