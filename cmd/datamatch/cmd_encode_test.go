package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/datamatch/datamatch/internal/review"
)

// TestEncodeAndRunEncodedPartner runs the privacy-preserving exercise end to
// end: the partner landlord encodes its file with the shared key
// ('datamatch encode --map'), the landlord runs the exercise over the
// encoded file, and the run raises exactly the dual tenancies that the same
// exercise over the partner's clear file raises. A file encoded under
// another key is refused by 'check' and by 'run' before anything is
// matched.
func TestEncodeAndRunEncodedPartner(t *testing.T) {
	dir := t.TempDir()
	if _, errs, code := datamatch(t, "synth", "--seed", "5", "--people", "3000", "--out", dir); code != exitOK {
		t.Fatalf("synth: %s", errs)
	}
	config := filepath.Join(dir, "exercise.yaml")
	if _, errs, code := datamatch(t, "--quiet", "run", "--config", config); code != exitOK {
		t.Fatalf("run over the clear file = %d, stderr %q", code, errs)
	}
	clear := dualTenancyCases(t, filepath.Join(dir, "state", "queue.jsonl"))
	if len(clear) == 0 {
		t.Fatal("the clear run raised no dual tenancy")
	}

	// The partner's mapping is its dataset entry of the exercise config; the
	// encoded exercise reads the encoded file instead, into its own state.
	var doc yaml.Node
	readYAML(t, config, &doc)
	root := doc.Content[0]
	var mapping *yaml.Node
	for _, d := range yamlValue(root, "datasets").Content {
		if yamlValue(d, "name").Value != "other_landlord" {
			continue
		}
		c := *d
		c.Content = slices.Clone(d.Content)
		mapping = &c
		yamlDelete(d, "columns")
		yamlDelete(d, "full_name")
		yamlValue(d, "path").Value = "data/other_landlord.enc.parquet"
		d.Content = append(d.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "encoded"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "true"})
	}
	if mapping == nil {
		t.Fatal("the exercise has no other_landlord dataset")
	}
	yamlValue(root, "state_dir").Value, yamlValue(root, "output_dir").Value = "state-enc", "out-enc"
	mapFile, encConfig := filepath.Join(dir, "map.yaml"), filepath.Join(dir, "encoded.yaml")
	writeYAML(t, mapFile, mapping)
	writeYAML(t, encConfig, &doc)

	encoded := filepath.Join(dir, "data", "other_landlord.enc.parquet")
	encode := func(keyFile string) {
		t.Helper()
		out, errs, code := datamatch(t, "encode", "--key", keyFile, "--in", filepath.Join(dir, "data", "other_landlord.parquet"),
			"--map", mapFile, "--out", encoded)
		if code != exitOK || !strings.Contains(out, "encoded ") || !strings.Contains(out, "of other_landlord") {
			t.Fatalf("encode = %d, %q, stderr %q", code, out, errs)
		}
	}
	encode(filepath.Join(dir, "keys", "exercise.key"))
	if out, errs, code := datamatch(t, "check", "--config", encConfig); code != exitOK || !strings.Contains(out, "encoded") {
		t.Fatalf("check = %d, %q, stderr %q", code, out, errs)
	}
	if _, errs, code := datamatch(t, "--quiet", "run", "--config", encConfig); code != exitOK {
		t.Fatalf("run over the encoded file = %d, stderr %q", code, errs)
	}
	queue := filepath.Join(dir, "state-enc", "queue.jsonl")
	if got := dualTenancyCases(t, queue); !slices.Equal(got, clear) {
		t.Errorf("over the encoded file %d dual tenancy cases, over the clear file %d; want the same cases", len(got), len(clear))
	}

	// Encoded under another key, the file cannot be matched: refused.
	other := filepath.Join(dir, "keys", "other.key")
	if _, errs, code := datamatch(t, "keys", "new", "--out", other); code != exitOK {
		t.Fatalf("keys new: %s", errs)
	}
	encode(other)
	before, err := os.ReadFile(queue)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"check", "run"} {
		_, errs, code := datamatch(t, "--quiet", cmd, "--config", encConfig)
		if code != exitFailure || !strings.Contains(errs, "different exercise key") || !strings.Contains(errs, "other_landlord.enc.parquet") {
			t.Errorf("%s over a file encoded under another key = %d, stderr %q", cmd, code, errs)
		}
	}
	if after, err := os.ReadFile(queue); err != nil || string(after) != string(before) {
		t.Errorf("the refused run changed the review queue (%v)", err)
	}
}

func TestEncodeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"encode", "--in", "a.parquet", "--out", "b.parquet"},
		{"encode", "--key", "k", "--out", "b.parquet"},
		{"encode", "--key", "k", "--in", "a.parquet"},
		{"encode", "--key", "k", "--in", "a.parquet", "--out", "b.parquet", "--role", "landlord"},
		{"encode", "--key", "k", "--in", "a.parquet", "--out", "b.parquet", "extra"},
	} {
		if _, errs, code := datamatch(t, args...); code != exitUsage {
			t.Errorf("datamatch %q = %d, %q; want %d", args, code, errs, exitUsage)
		}
	}
}

// dualTenancyCases returns the ids of the dual tenancy cases in the review
// queue at path, in order.
func dualTenancyCases(t *testing.T, path string) []string {
	t.Helper()
	cases, err := review.ReadQueue(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cases {
		if c.Rule == "dual_tenancy" {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// yamlValue returns the value of key in the mapping node m.
func yamlValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	panic("no key " + key)
}

// yamlDelete removes key and its value from the mapping node m.
func yamlDelete(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func writeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
