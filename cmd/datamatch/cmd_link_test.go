package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	detectbench "github.com/datamatch/datamatch/benchmarks/detect"
	"github.com/datamatch/datamatch/internal/benchdata"
	"github.com/datamatch/datamatch/internal/compare"
	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/exercise"
	"github.com/datamatch/datamatch/internal/load"
	"github.com/datamatch/datamatch/internal/person"
)

// febrl4 returns the folder holding FEBRL4 in the canonical schema (see
// internal/benchdata for where it is looked for).
func febrl4(t *testing.T) string {
	t.Helper()
	d, err := benchdata.Dir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(d, "febrl4")
	for _, f := range []string{"left.parquet", "right.parquet", "truth.parquet"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("the FEBRL4 benchmark data is incomplete: %v", err)
		}
	}
	return dir
}

// linkedPair is one row of pairs.parquet.
type linkedPair struct {
	left, right, probability string
}

// readPairs reads pairs.parquet, checks its columns and returns its rows
// sorted.
func readPairs(t *testing.T, path string) []linkedPair {
	t.Helper()
	cols, err := detectbench.ReadParquetText(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"left_record_id", "right_record_id", "match_probability", "match_weight"}
	for _, c := range compare.Default() {
		want = append(want, "weight_"+c.Name, "level_"+c.Name)
	}
	for _, c := range want {
		if _, ok := cols[c]; !ok {
			t.Errorf("%s has no column %s", path, c)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	var out []linkedPair
	for i := range cols["left_record_id"] {
		out = append(out, linkedPair{cols["left_record_id"][i], cols["right_record_id"][i], cols["match_probability"][i]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].left != out[j].left {
			return out[i].left < out[j].left
		}
		return out[i].right < out[j].right
	})
	return out
}

// TestLinkFEBRL4 links FEBRL4's two files through the built binary and
// checks the pairs against the benchmark's truth.
func TestLinkFEBRL4(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	out, errs, code := exe(t, dir, "--quiet", "link",
		"--left", filepath.Join(data, "left.parquet"), "--right", filepath.Join(data, "right.parquet"),
		"--out", "pairs", "--one-to-one", "--weights")
	if code != exitOK {
		t.Fatalf("link: exit %d: %s", code, errs)
	}
	for _, want := range []string{"left ", "right ", "blocking:", "model:", "matches:", "wrote "} {
		if !strings.Contains(out, want) {
			t.Errorf("link summary lacks %q:\n%s", want, out)
		}
	}
	// --weights prints the match weights: a row for the first level of
	// every comparison, the exact date of birth with a strong weight.
	if !strings.Contains(out, "FIELD ") || !strings.Contains(out, "WEIGHT") {
		t.Errorf("link --weights printed no table of weights:\n%s", out)
	}
	for _, c := range compare.Default() {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(c.Name) + `\s+` + regexp.QuoteMeta(c.Levels[0])).MatchString(out) {
			t.Errorf("link --weights has no row for %s %s", c.Name, c.Levels[0])
		}
	}
	if m := regexp.MustCompile(`(?m)^\s+dob\s+exact \(by value\)\s+\S+\s+\S+\s+\+(\d+)\.`).FindStringSubmatch(out); m == nil || len(m[1]) < 2 {
		t.Errorf("link --weights: the exact date of birth does not weigh ten bits or more:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "pairs", "model.json")); err != nil {
		t.Errorf("no model.json: %v", err)
	}
	precision, recall := febrl4Quality(t, data, filepath.Join(dir, "pairs", "pairs.parquet"))
	// Published Bloom-filter linkage reaches precision 1.000 and recall
	// 0.992 on FEBRL4; these bounds catch a broken pipeline, not a
	// slightly worse model.
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("FEBRL4 precision %.4f, recall %.4f; want both at least 0.95", precision, recall)
	}
}

// febrl4Quality returns the precision and recall of the pairs at path
// against FEBRL4's truth, in the folder data.
func febrl4Quality(t *testing.T, data, path string) (precision, recall float64) {
	t.Helper()
	pairs := readPairs(t, path)
	truth, err := detectbench.ReadParquetText(filepath.Join(data, "truth.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	true_ := map[[2]string]bool{}
	for i, l := range truth["left_record_id"] {
		true_[[2]string{l, truth["right_record_id"][i]}] = true
	}
	tp := 0
	for _, p := range pairs {
		if true_[[2]string{p.left, p.right}] {
			tp++
		}
	}
	precision = float64(tp) / float64(max(len(pairs), 1))
	recall = float64(tp) / float64(len(true_))
	t.Logf("FEBRL4: %d pairs, %d true of %d: precision %.4f, recall %.4f", len(pairs), tp, len(true_), precision, recall)
	return precision, recall
}

// TestLinkWithoutIdentifiers links FEBRL4 with the dates of birth and NI
// numbers removed from both files, through the built binary: the summary
// must say what the model did without them, and the link still find the
// pairs by names and addresses.
func TestLinkWithoutIdentifiers(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	for _, side := range []string{"left", "right"} {
		recs, _, err := load.ReadAll(context.Background(), load.Source{Name: side, Path: filepath.Join(data, side+".parquet"), Role: person.RolePeople}, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			recs[i].DOB, recs[i].NINumber = date.Date{}, ""
		}
		if err := load.Write(filepath.Join(dir, side+".parquet"), recs); err != nil {
			t.Fatal(err)
		}
	}
	out, errs, code := exe(t, dir, "--quiet", "link", "--left", "left.parquet", "--right", "right.parquet", "--out", "pairs")
	if code != exitOK {
		t.Fatalf("link: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "note: identifiers known on both sides of 0 of") {
		t.Errorf("link summary does not say that no pair has an identifier:\n%s", out)
	}
	precision, recall := febrl4Quality(t, data, filepath.Join(dir, "pairs", "pairs.parquet"))
	if precision < 0.95 || recall < 0.9 {
		t.Errorf("FEBRL4 without identifiers: precision %.4f, recall %.4f", precision, recall)
	}
}

// TestLinkRefusesSharedKey checks that link refuses a key file others can
// read, before reading any data.
func TestLinkRefusesSharedKey(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	k := filepath.Join(dir, "exercise.key")
	if _, errs, code := exe(t, dir, "--quiet", "keys", "new", "--out", k); code != exitOK {
		t.Fatalf("keys new: exit %d: %s", code, errs)
	}
	if err := os.Chmod(k, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := exe(t, dir, "--quiet", "link", "--key", k,
		"--left", filepath.Join(data, "left.parquet"), "--right", filepath.Join(data, "right.parquet"), "--out", "pairs")
	if code != exitFailure {
		t.Errorf("link with a 0644 key: exit %d, want %d (stderr %q)", code, exitFailure, errs)
	}
	if !strings.Contains(errs, k) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("stderr %q: want one line naming %s", errs, k)
	}
	if _, err := os.Stat(filepath.Join(dir, "pairs")); !os.IsNotExist(err) {
		t.Errorf("link with a refused key wrote %s", filepath.Join(dir, "pairs"))
	}
}

// TestLinkEncodedPartner encodes the right-hand file under an exercise key
// as a partner would ('datamatch encode'), links it, and checks that the
// pairs are exactly those of linking the clear file under the same key.
func TestLinkEncodedPartner(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	k := filepath.Join(dir, "exercise.key")
	if _, errs, code := exe(t, dir, "--quiet", "keys", "new", "--out", k); code != exitOK {
		t.Fatalf("keys new: exit %d: %s", code, errs)
	}
	enc := filepath.Join(dir, "right.encoded.parquet")
	if _, errs, code := exe(t, dir, "--quiet", "encode", "--key", k, "--in", filepath.Join(data, "right.parquet"), "--out", enc, "--dataset", "right"); code != exitOK {
		t.Fatalf("encode: exit %d: %s", code, errs)
	}
	link := func(right, out string) []linkedPair {
		if _, errs, code := exe(t, dir, "--quiet", "link", "--key", k, "--left", filepath.Join(data, "left.parquet"), "--right", right, "--out", out); code != exitOK {
			t.Fatalf("link --right %s: exit %d: %s", right, code, errs)
		}
		return readPairs(t, filepath.Join(dir, out, "pairs.parquet"))
	}
	clear := link(filepath.Join(data, "right.parquet"), "clear")
	encoded := link(enc, "encoded")
	if len(clear) < 4000 {
		t.Fatalf("linking the clear file kept only %d pairs", len(clear))
	}
	if len(clear) != len(encoded) {
		t.Fatalf("clear right: %d pairs; encoded right: %d", len(clear), len(encoded))
	}
	diffs := 0
	for i := range clear {
		if clear[i] != encoded[i] {
			if diffs < 5 {
				t.Errorf("pair %d: clear %v, encoded %v", i, clear[i], encoded[i])
			}
			diffs++
		}
	}
	if diffs > 0 {
		t.Errorf("%d of %d pairs differ", diffs, len(clear))
	}

	// A file encoded under another key is refused.
	other := filepath.Join(dir, "other.key")
	if _, errs, code := exe(t, dir, "--quiet", "keys", "new", "--out", other); code != exitOK {
		t.Fatalf("keys new: exit %d: %s", code, errs)
	}
	_, errs, code := exe(t, dir, "--quiet", "link", "--key", other, "--left", filepath.Join(data, "left.parquet"), "--right", enc, "--out", "mixed")
	if code != exitFailure || !strings.Contains(errs, "key") {
		t.Errorf("link with another key: exit %d, stderr %q; want %d and a message about the key", code, errs, exitFailure)
	}
}

// TestLinkDedupeClusters puts FEBRL4's two files into one and deduplicates
// it through the built binary: clusters.parquet must hold every record
// once, agree with pairs.parquet and with its own cluster sizes, and put
// the benchmark's true pairs together.
func TestLinkDedupeClusters(t *testing.T) {
	data := febrl4(t)
	dir := t.TempDir()
	all := febrl4AsOne(t, data, filepath.Join(dir, "people.parquet"))
	out, errs, code := exe(t, dir, "--quiet", "link", "--dedupe", "--left", "people.parquet", "--out", "dedupe")
	if code != exitOK {
		t.Fatalf("link --dedupe: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "clusters: ") || !strings.Contains(out, "clusters.parquet") {
		t.Errorf("link --dedupe summary does not report the clusters:\n%s", out)
	}
	cols, err := detectbench.ReadParquetText(filepath.Join(dir, "dedupe", "clusters.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	ids, cids, sizes := cols["record_id"], cols["cluster_id"], cols["cluster_size"]
	if len(ids) != len(all) || len(cids) != len(all) || len(sizes) != len(all) {
		t.Fatalf("clusters.parquet: %d, %d and %d values of record_id, cluster_id and cluster_size; want %d rows", len(ids), len(cids), len(sizes), len(all))
	}
	clusterOf := map[string]string{}
	members := map[string]int{}
	for i, id := range ids {
		if id != all[i].RecordID {
			t.Fatalf("row %d is record %q, want %q", i, id, all[i].RecordID)
		}
		clusterOf[id] = cids[i]
		members[cids[i]]++
	}
	for i, id := range ids {
		if want := strconv.Itoa(members[cids[i]]); sizes[i] != want {
			t.Fatalf("record %s: cluster_size %s, but its cluster has %s records", id, sizes[i], want)
		}
		if clusterOf[cids[i]] != cids[i] {
			t.Fatalf("record %s: cluster id %s is not a record of the cluster", id, cids[i])
		}
	}
	pairs := readPairs(t, filepath.Join(dir, "dedupe", "pairs.parquet"))
	for _, p := range pairs {
		if clusterOf[p.left] != clusterOf[p.right] {
			t.Fatalf("pair %s~%s is kept but its records are in clusters %s and %s", p.left, p.right, clusterOf[p.left], clusterOf[p.right])
		}
	}
	truth, err := detectbench.ReadParquetText(filepath.Join(data, "truth.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	together := 0
	for i, l := range truth["left_record_id"] {
		if clusterOf[l] == clusterOf[truth["right_record_id"][i]] {
			together++
		}
	}
	implied := 0
	for _, n := range members {
		implied += n * (n - 1) / 2
	}
	recall := float64(together) / float64(len(truth["left_record_id"]))
	precision := float64(together) / float64(max(implied, 1))
	t.Logf("FEBRL4 as one file: %d people found in %d records; %d pairs implied by the clusters, %d of %d true pairs together: precision %.4f, recall %.4f",
		len(members), len(all), implied, together, len(truth["left_record_id"]), precision, recall)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("clusters: precision %.4f, recall %.4f; want both at least 0.95", precision, recall)
	}
}

// TestLinkMapped links two synthetic datasets in their own formats (the
// landlord's export, and another landlord's file with one full-name
// column and dates of birth as DD/MM/YYYY) through the mappings of their
// entries in the generated exercise config, and checks that the planted
// dual tenancies are among the pairs, named by each file's own record
// ids.
func TestLinkMapped(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := exe(t, dir, "--quiet", "synth", "--seed", "3", "--people", "3000", "--out", "syn"); code != exitOK {
		t.Fatalf("synth: exit %d: %s", code, errs)
	}
	ex, err := exercise.Load(filepath.Join(dir, "syn", "exercise.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	maps := map[string]string{}
	for _, d := range ex.Datasets {
		if d.Name != "tenancies" && d.Name != "other_landlord" {
			continue
		}
		b, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		maps[d.Name] = filepath.Join(dir, d.Name+".yaml")
		if err := os.WriteFile(maps[d.Name], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "syn", "data")
	out, errs, code := exe(t, dir, "--quiet", "link",
		"--left", filepath.Join(data, "tenancies.parquet"), "--left-map", maps["tenancies"],
		"--right", filepath.Join(data, "other_landlord.parquet"), "--right-map", maps["other_landlord"],
		"--out", "pairs")
	if code != exitOK {
		t.Fatalf("link: exit %d: %s\n%s", code, errs, out)
	}
	found := map[[2]string]bool{}
	for _, p := range readPairs(t, filepath.Join(dir, "pairs", "pairs.parquet")) {
		found[[2]string{p.left, p.right}] = true
	}
	truth, err := detectbench.ReadTruth(data)
	if err != nil {
		t.Fatal(err)
	}
	planted, hit := 0, 0
	for _, p := range truth.Planted {
		if p.Kind != "dual_tenancy" {
			continue
		}
		planted++
		a, b := p.Pair[0], p.Pair[1]
		if a.Dataset != "tenancies" {
			a, b = b, a
		}
		if found[[2]string{a.RecordID, b.RecordID}] {
			hit++
		}
	}
	t.Logf("%d pairs; %d of %d planted dual tenancies found", len(found), hit, planted)
	if planted == 0 || float64(hit) < 0.9*float64(planted) {
		t.Errorf("%d of %d planted dual tenancies among the pairs", hit, planted)
	}

	// Of the landlord's mapping, only what matching compares is read: not
	// the special-category columns, the balance or the tenancy's dates.
	in, err := input("left", filepath.Join(data, "tenancies.parquet"), maps["tenancies"])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{person.ColEthnicity, person.ColReligion, person.ColDisability, person.ColConviction, person.ColBalance, person.ColTenancyStart} {
		if _, ok := in.Source.Mapping.Fields[c]; ok {
			t.Errorf("link reads %s", c)
		}
	}
	for _, c := range []string{person.ColRecordID, person.ColForename, person.ColDOB, person.ColNINumber} {
		if _, ok := in.Source.Mapping.Fields[c]; !ok {
			t.Errorf("link does not read %s", c)
		}
	}

	// A mapping for a dataset not given is a usage error.
	if _, errs, code := exe(t, dir, "--quiet", "link", "--left", filepath.Join(data, "tenancies.parquet"), "--dedupe",
		"--right-map", maps["other_landlord"], "--out", "x"); code != exitUsage || !strings.Contains(errs, "right") {
		t.Errorf("a right mapping without a right dataset: exit %d, stderr %q", code, errs)
	}
}

// febrl4AsOne writes FEBRL4's two files, in the folder data, as one
// canonical file at path (a deduplication of 10,000 records, 5,000 true
// pairs), and returns its records.
func febrl4AsOne(t *testing.T, data, path string) []person.Record {
	t.Helper()
	var all []person.Record
	for _, side := range []string{"left", "right"} {
		recs, _, err := load.ReadAll(context.Background(), load.Source{Name: side, Path: filepath.Join(data, side+".parquet"), Role: person.RolePeople}, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, recs...)
	}
	if err := load.Write(path, all); err != nil {
		t.Fatal(err)
	}
	return all
}
