package key

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixedKey returns a key with bytes 0, 1, 2, ... 31.
func fixedKey() Key {
	var k Key
	for i := range k.b {
		k.b[i] = byte(i)
	}
	k.valid = true
	return k
}

// hkdfRFC5869 is an independent HKDF-SHA256 written from RFC 5869 §2.
func hkdfRFC5869(ikm, salt, info []byte, n int) []byte {
	ext := hmac.New(sha256.New, salt)
	ext.Write(ikm)
	prk := ext.Sum(nil)
	var okm, t []byte
	for i := byte(1); len(okm) < n; i++ {
		m := hmac.New(sha256.New, prk)
		m.Write(t)
		m.Write(info)
		m.Write([]byte{i})
		t = m.Sum(nil)
		okm = append(okm, t...)
	}
	return okm[:n]
}

func TestHKDFReferenceVector(t *testing.T) {
	// RFC 5869 appendix A.1 checks the independent implementation above.
	ikm := bytes.Repeat([]byte{0x0b}, 22)
	salt, _ := hex.DecodeString("000102030405060708090a0b0c")
	info, _ := hex.DecodeString("f0f1f2f3f4f5f6f7f8f9")
	want := "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
	if got := hex.EncodeToString(hkdfRFC5869(ikm, salt, info, 42)); got != want {
		t.Fatalf("RFC 5869 A.1 OKM = %s, want %s", got, want)
	}
}

func TestDerive(t *testing.T) {
	k := fixedKey()
	for _, purpose := range []string{"forename", "surname", "dob", "dob.year", "bloom/forename"} {
		want := hkdfRFC5869(k.b[:], []byte(header), []byte("datamatch/"+purpose), 32)
		if got := k.Derive(purpose); !bytes.Equal(got, want) {
			t.Errorf("Derive(%q) = %x, want %x", purpose, got, want)
		}
	}
	seen := map[string]string{}
	for _, purpose := range []string{"forename", "surname", "dob", "dob.year", "x", "X"} {
		s := string(k.Derive(purpose))
		if p, ok := seen[s]; ok {
			t.Errorf("Derive(%q) == Derive(%q)", purpose, p)
		}
		seen[s] = purpose
	}
	other := fixedKey()
	other.b[0] ^= 1
	if bytes.Equal(k.Derive("forename"), other.Derive("forename")) {
		t.Error("keys differing in one bit derive the same sub-key")
	}
}

func TestDerivePanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"zero key", func() { Key{}.Derive("forename") }},
		{"empty purpose", func() { fixedKey().Derive("") }},
		{"zero key ID", func() { Key{}.ID() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.fn()
		})
	}
}

func TestID(t *testing.T) {
	k := fixedKey()
	h := sha256.Sum256(append([]byte("datamatch key id"), k.b[:]...))
	want := "dmk1-" + hex.EncodeToString(h[:])[:12]
	if got := k.ID(); got != want {
		t.Fatalf("ID() = %s, want %s", got, want)
	}
	g1, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	g2, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if g1.ID() == g2.ID() || g1.b == g2.b {
		t.Error("two generated keys are equal")
	}
	if g1.IsZero() || !(Key{}).IsZero() {
		t.Error("IsZero wrong")
	}
}

// keyMaterial lists the forms in which the bytes of k could leak.
func keyMaterial(k Key) []string {
	return []string{
		hex.EncodeToString(k.b[:]),
		strings.ToUpper(hex.EncodeToString(k.b[:])),
		base64.StdEncoding.EncodeToString(k.b[:]),
		base64.StdEncoding.EncodeToString(k.b[:])[:16],
		fmt.Sprint(k.b[:]),
		string(k.b[:]),
	}
}

func TestNeverPrinted(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, &k), fmt.Sprintf(verb, struct{ K Key }{k}))
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("run", "key", k)
	outputs = append(outputs, logged.String())
	for _, out := range outputs {
		if !strings.Contains(out, k.ID()) {
			t.Errorf("output %q does not name the key ID", out)
		}
		for _, m := range keyMaterial(k) {
			if strings.Contains(out, m) {
				t.Fatalf("output %q contains key material", out)
			}
		}
	}
	if b, err := json.Marshal(k); err == nil {
		t.Errorf("json.Marshal(key) = %s, want error", b)
	}
	if b, err := json.Marshal(struct{ K Key }{k}); err == nil {
		t.Errorf("json.Marshal(struct with key) = %s, want error", b)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exercise.key")
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(path, k); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("saved mode %04o, want 0600", perm)
	}
	data, _ := os.ReadFile(path)
	if want := header + "\n" + base64.StdEncoding.EncodeToString(k.b[:]) + "\n"; string(data) != want {
		t.Errorf("file contents do not follow the documented format")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != k {
		t.Error("loaded key differs from saved key")
	}
	other, _ := Generate()
	err = Save(path, other)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("Save over an existing key: err = %v, want refusal", err)
	}
	if again, _ := Load(path); again != k {
		t.Error("refused Save changed the existing key")
	}
	if err := Save(filepath.Join(dir, "zero.key"), Key{}); err == nil {
		t.Error("Save of the zero Key succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "zero.key")); err == nil {
		t.Error("refused Save left a file")
	}
	if err := Save(filepath.Join(dir, "no", "such", "dir.key"), k); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

func TestLoadModes(t *testing.T) {
	k := fixedKey()
	text := header + "\n" + base64.StdEncoding.EncodeToString(k.b[:]) + "\n"
	tests := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o700, true},
		{0o640, false},
		{0o604, false},
		{0o644, false},
		{0o660, false},
		{0o602, false},
		{0o620, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%04o", tt.mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if tt.ok {
				if err != nil || got != k {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load accepted a key file open to group or others")
			}
			if !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("error %q does not tell the user to chmod 600", err)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "d")
		os.Mkdir(dir, 0o700)
		if _, err := Load(dir); err == nil {
			t.Error("Load accepted a directory")
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := Load(filepath.Join(t.TempDir(), "none")); err == nil {
			t.Error("Load accepted a missing file")
		}
	})
}

func TestLoadMalformed(t *testing.T) {
	k, _ := Generate()
	b64 := base64.StdEncoding.EncodeToString(k.b[:])
	short := base64.StdEncoding.EncodeToString(k.b[:31])
	long := base64.StdEncoding.EncodeToString(append(k.b[:], 7))
	bad := b64[:20] + "!" + b64[21:]
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"header only", header + "\n"},
		{"no header", b64 + "\n"},
		{"other version", "datamatch-exercise-key-v2\n" + b64 + "\n"},
		{"short key", header + "\n" + short + "\n"},
		{"long key", header + "\n" + long + "\n"},
		{"hex key", header + "\n" + hex.EncodeToString(k.b[:]) + "\n"},
		{"bad base64", header + "\n" + bad + "\n"},
		{"trailing data", header + "\n" + b64 + "\nmore\n"},
		{"zero key", header + "\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"},
		{"huge", header + "\n" + strings.Repeat(b64, 100) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load accepted a malformed key file")
			}
			for _, m := range append(keyMaterial(k), b64[:8], b64[len(b64)-12:], short[:8], bad[16:24]) {
				if strings.Contains(err.Error(), m) {
					t.Fatalf("error %q contains key material", err)
				}
			}
		})
	}
}

func TestLoadAcceptsCRLF(t *testing.T) {
	k, _ := Generate()
	path := filepath.Join(t.TempDir(), "k")
	text := header + "\r\n" + base64.StdEncoding.EncodeToString(k.b[:]) + "\r\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || got != k {
		t.Fatalf("Load of a CRLF key file: %v", err)
	}
}

var parseErrors = map[string]bool{
	"not a datamatch exercise key file (want first line datamatch-exercise-key-v)": true,
	"unexpected data after the key line":                                           true,
	"key line has  characters, want  (base of  bytes)":                             true,
	"key line is not valid base of  bytes":                                         true,
	"key is all zero bytes":                                                        true,
}

func FuzzParse(f *testing.F) {
	k := fixedKey()
	f.Add([]byte(header + "\n" + base64.StdEncoding.EncodeToString(k.b[:]) + "\n"))
	f.Add([]byte(header + "\n"))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parse(data)
		if err != nil {
			if !got.IsZero() {
				t.Fatal("parse returned a key with an error")
			}
			// Errors come from a fixed set of messages that differ only in
			// counts, so they cannot carry the input.
			msg := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return -1
				}
				return r
			}, err.Error())
			if !parseErrors[msg] {
				t.Fatalf("unexpected error message %q", err)
			}
			return
		}
		// A parsed key re-encodes to the canonical two-line form.
		canon := header + "\n" + base64.StdEncoding.EncodeToString(got.b[:]) + "\n"
		again, err := parse([]byte(canon))
		if err != nil || again != got {
			t.Fatalf("canonical form does not re-parse: %v", err)
		}
	})
}
