package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
)

// keyIDOf computes a key file's id from its bytes as internal/key
// documents it: "dmk1-" and the first 12 hex digits of
// SHA-256("datamatch key id" || key).
func keyIDOf(t *testing.T, path string) (id, secret string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "datamatch-exercise-key-v1" {
		t.Fatalf("key file is not two lines under the v1 header: %d lines", len(lines))
	}
	raw, err := base64.StdEncoding.DecodeString(lines[1])
	if err != nil || len(raw) != 32 {
		t.Fatalf("key line is not base64 of 32 bytes (%d bytes, %v)", len(raw), err)
	}
	sum := sha256.Sum256(append([]byte("datamatch key id"), raw...))
	return "dmk1-" + hex.EncodeToString(sum[:])[:12], lines[1]
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestKeysNewAndID(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exercise.key")

	out, errs, code := datamatch(t, "keys", "new", "--out", path)
	if code != exitOK {
		t.Fatalf("keys new = %d, stderr %q", code, errs)
	}
	if p := perm(t, path); p != 0o600 {
		t.Errorf("key file mode %04o, want 0600", p)
	}
	wantID, secret := keyIDOf(t, path)
	if out != wantID+"\n" {
		t.Errorf("keys new printed %q, want the key id %q", out, wantID)
	}
	if strings.Contains(out+errs, secret) {
		t.Error("keys new printed the key")
	}

	out, errs, code = datamatch(t, "keys", "id", "--key", path)
	if code != exitOK || out != wantID+"\n" {
		t.Errorf("keys id = %d, %q, stderr %q; want 0, %q", code, out, errs, wantID)
	}
	if strings.Contains(out+errs, secret) {
		t.Error("keys id printed the key")
	}

	// A second key must not replace the first.
	before, _ := os.ReadFile(path)
	_, errs, code = datamatch(t, "keys", "new", "--out", path)
	if code != exitFailure {
		t.Errorf("keys new over an existing key = %d, want %d", code, exitFailure)
	}
	wantOneLineErr(t, errs, "exists")
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("keys new replaced an existing key")
	}

	// Two keys differ.
	other := filepath.Join(dir, "other.key")
	out2, _, code := datamatch(t, "keys", "new", "--out", other)
	if code != exitOK || out2 == out {
		t.Errorf("a second key = %d with id %q, the first's was %q", code, out2, out)
	}
}

func TestKeysIDRefusesSharedKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exercise.key")
	if _, errs, code := datamatch(t, "keys", "new", "--out", path); code != exitOK {
		t.Fatalf("keys new: %q", errs)
	}
	_, secret := keyIDOf(t, path)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		out, errs, code := datamatch(t, "keys", "id", "--key", path)
		if code != exitFailure || out != "" {
			t.Errorf("keys id on a %04o key = %d, stdout %q; want %d and nothing printed", mode, code, out, exitFailure)
		}
		wantOneLineErr(t, errs, "group or others")
		if strings.Contains(errs, secret) {
			t.Errorf("the error for a %04o key shows the key", mode)
		}
	}
}

func TestKeysUsage(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "not.key")
	if err := os.WriteFile(notKey, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"new without --out", []string{"keys", "new"}, exitUsage, "--out FILE is required"},
		{"new with an argument", []string{"keys", "new", "--out", filepath.Join(dir, "a.key"), "extra"}, exitUsage, "takes no arguments"},
		{"new in a missing folder", []string{"keys", "new", "--out", filepath.Join(dir, "no", "such", "a.key")}, exitFailure, "no such file"},
		{"id without --key", []string{"keys", "id"}, exitUsage, "--key FILE is required"},
		{"id of a missing file", []string{"keys", "id", "--key", filepath.Join(dir, "missing.key")}, exitFailure, "no such file"},
		{"id of a file that is not a key", []string{"keys", "id", "--key", notKey}, exitFailure, "not a datamatch exercise key"},
		{"new-reviewer without --out", []string{"keys", "new-reviewer"}, exitUsage, "--out FILE is required"},
		{"unknown subcommand", []string{"keys", "rotate"}, exitUsage, "unknown command"},
		{"group without subcommand", []string{"keys"}, exitUsage, "needs a subcommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := datamatch(t, tt.args...)
			if code != tt.code || out != "" || !strings.Contains(errs, tt.want) {
				t.Errorf("datamatch %q = %d, stdout %q, stderr %q; want %d, nothing, %q", tt.args, code, out, errs, tt.code, tt.want)
			}
			if code == exitFailure {
				wantOneLineErr(t, errs, "")
			}
		})
	}
}

func TestKeysNewReviewer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reviewer.age")
	out, errs, code := datamatch(t, "keys", "new-reviewer", "--out", path)
	if code != exitOK {
		t.Fatalf("keys new-reviewer = %d, stderr %q", code, errs)
	}
	if p := perm(t, path); p != 0o600 {
		t.Errorf("identity file mode %04o, want 0600", p)
	}
	recipient := strings.TrimSuffix(out, "\n")
	if !regexp.MustCompile(`^age1[0-9a-z]{58}$`).MatchString(recipient) {
		t.Fatalf("printed %q, want one age1... recipient", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil || len(ids) != 1 {
		t.Fatalf("identity file holds %d identities (%v), want 1", len(ids), err)
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok || x.Recipient().String() != recipient {
		t.Errorf("the printed recipient is not the identity's")
	}
	if strings.Contains(out+errs, "AGE-SECRET-KEY") {
		t.Error("keys new-reviewer printed the secret key")
	}

	// What is encrypted to the printed recipient opens with the file.
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	var sealed bytes.Buffer
	w, err := age.Encrypt(&sealed, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("case material"))
	w.Close()
	if _, err := age.Decrypt(&sealed, ids...); err != nil {
		t.Errorf("the identity cannot open what is encrypted to its recipient: %v", err)
	}

	_, errs, code = datamatch(t, "keys", "new-reviewer", "--out", path)
	if code != exitFailure {
		t.Errorf("keys new-reviewer over an existing identity = %d, want %d", code, exitFailure)
	}
	wantOneLineErr(t, errs, "exists")
	if after, _ := os.ReadFile(path); !bytes.Equal(b, after) {
		t.Error("keys new-reviewer replaced an existing identity")
	}
}
