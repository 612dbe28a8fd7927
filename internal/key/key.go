// Package key holds the exercise key: the 256-bit secret shared by the
// landlord and the partners of one data-matching exercise, from which every
// keyed pseudonym and similarity encoding is derived.
//
// Anyone holding the key can pseudonymise a guessed name, date of birth or
// postcode and look for it in an encoded file (a dictionary attack), so the
// key must be protected like the clear data it pseudonymises: it lives in a
// file readable by its owner only, it is never printed or logged, and run
// records name it by its public fingerprint (ID) alone.
//
// A key file is two lines of text:
//
//	datamatch-exercise-key-v1
//	<the 32 key bytes in standard base64 with padding>
package key

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/datamatch/datamatch/internal/atomicfile"
)

// Size is the length of a key in bytes.
const Size = 32

// header is the first line of a key file. It names the format version, so
// that a file of another version is refused rather than misread.
const header = "datamatch-exercise-key-v1"

// maxFileSize bounds how much of a purported key file is read.
const maxFileSize = 1024

// Key is an exercise key. The zero Key is not a key: Derive and ID panic on
// it, and Save refuses it.
//
// A Key never reveals its bytes through fmt, log/slog or encoding/json: it
// formats as its ID, and marshalling it to JSON fails.
type Key struct {
	b     [Size]byte
	valid bool
}

// Generate returns a new random key from crypto/rand.
func Generate() (Key, error) {
	var k Key
	if _, err := io.ReadFull(rand.Reader, k.b[:]); err != nil {
		return Key{}, fmt.Errorf("generate exercise key: %w", err)
	}
	k.valid = true
	return k, nil
}

// IsZero reports whether k is the zero Key, which is not a usable key.
func (k Key) IsZero() bool { return !k.valid }

// ID returns the key's public fingerprint, "dmk1-" followed by the first
// 12 hex digits of SHA-256("datamatch key id" || key). It identifies the
// key in run records and encoded files and reveals nothing useful about it.
func (k Key) ID() string {
	k.mustValid()
	h := sha256.New()
	h.Write([]byte("datamatch key id"))
	h.Write(k.b[:])
	return "dmk1-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// Derive returns a 32-byte sub-key for purpose, by HKDF-SHA256 (RFC 5869)
// with the key as input keying material, the salt "datamatch-exercise-key-v1"
// and the info "datamatch/" + purpose. Distinct purposes give independent
// sub-keys, which is how each pseudonymised field gets its own key (domain
// separation). Derive panics on the zero Key and on an empty purpose.
func (k Key) Derive(purpose string) []byte {
	k.mustValid()
	if purpose == "" {
		panic("key: Derive with an empty purpose")
	}
	sub, err := hkdf.Key(sha256.New, k.b[:], []byte(header), "datamatch/"+purpose, Size)
	if err != nil {
		// hkdf.Key fails only for lengths beyond 255 hash blocks.
		panic("key: " + err.Error())
	}
	return sub
}

func (k Key) mustValid() {
	if !k.valid {
		panic("key: use of the zero Key")
	}
}

// String returns a description of k that names it by ID.
func (k Key) String() string {
	if !k.valid {
		return "key.Key(none)"
	}
	return "key.Key(" + k.ID() + ")"
}

// GoString is String, so that %#v does not print the key bytes.
func (k Key) GoString() string { return k.String() }

// Format implements fmt.Formatter: every verb prints String, so that no
// verb (%x, %v, %+v ...) can print the key bytes.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// LogValue implements slog.LogValuer: a Key logs as its ID.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// errMarshal is returned by MarshalJSON and MarshalText.
var errMarshal = errors.New("key: an exercise key is never serialised; record its ID instead")

// MarshalJSON refuses to serialise the key.
func (k Key) MarshalJSON() ([]byte, error) { return nil, errMarshal }

// MarshalText refuses to serialise the key.
func (k Key) MarshalText() ([]byte, error) { return nil, errMarshal }

// Save writes k to a new key file at path with mode 0600. It refuses to
// replace an existing file, so that a key cannot be lost by accident, and
// writes atomically so that a crash never leaves a partial key behind.
func Save(path string, k Key) error {
	if !k.valid {
		return fmt.Errorf("save key %s: the zero Key is not a key", path)
	}
	// Reserve the name: O_EXCL fails if anything is there already, and a
	// concurrent Save of the same path then loses cleanly.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("save key %s: file exists; refusing to overwrite a key", path)
		}
		return fmt.Errorf("save key %s: %w", path, err)
	}
	f.Close()
	text := make([]byte, 0, len(header)+1+base64.StdEncoding.EncodedLen(Size)+1)
	text = append(text, header...)
	text = append(text, '\n')
	text = base64.StdEncoding.AppendEncode(text, k.b[:])
	text = append(text, '\n')
	if err := atomicfile.WriteFile(path, text, 0o600); err != nil {
		os.Remove(path)
		return fmt.Errorf("save key: %w", err)
	}
	return nil
}

// Load reads a key file written by Save. It refuses a file that its group
// or others may read or write, a file that is not a regular file, and a file
// that is not exactly a version-1 key. Its errors never contain key
// material.
func Load(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, fmt.Errorf("load key: %w", err)
	}
	defer f.Close()
	if err := CheckPrivate(f, path); err != nil {
		return Key{}, fmt.Errorf("load key: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Key{}, fmt.Errorf("load key %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return Key{}, fmt.Errorf("load key %s: file too large to be an exercise key", path)
	}
	k, err := parse(data)
	if err != nil {
		return Key{}, fmt.Errorf("load key %s: %w", path, err)
	}
	return k, nil
}

// parse reads the contents of a key file. Its errors describe the shape of
// the problem only, never the bytes.
func parse(data []byte) (Key, error) {
	first, rest, ok := bytes.Cut(data, []byte("\n"))
	first = bytes.TrimSuffix(first, []byte("\r"))
	if !ok || string(first) != header {
		return Key{}, errors.New("not a datamatch exercise key file (want first line " + header + ")")
	}
	line, rest, _ := bytes.Cut(rest, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(bytes.TrimSpace(rest)) != 0 {
		return Key{}, errors.New("unexpected data after the key line")
	}
	if len(line) != base64.StdEncoding.EncodedLen(Size) {
		return Key{}, fmt.Errorf("key line has %d characters, want %d (base64 of %d bytes)", len(line), base64.StdEncoding.EncodedLen(Size), Size)
	}
	var k Key
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Decode(buf, line)
	if err != nil || n != Size {
		// The decoder's error quotes a byte offset only, but a key error
		// has no business pointing into the key: say nothing more.
		clear(buf)
		return Key{}, errors.New("key line is not valid base64 of 32 bytes")
	}
	copy(k.b[:], buf)
	clear(buf)
	if k.b == ([Size]byte{}) {
		return Key{}, errors.New("key is all zero bytes")
	}
	k.valid = true
	return k, nil
}

// CheckPrivate returns an error if the open file f, read from path, is not a
// regular file or is readable or writable by its group or by others. It is
// the check Load makes, exported for the other secrets of an exercise (the
// vault's age identity files).
func CheckPrivate(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s: secret file is accessible by group or others (mode %04o); run chmod 600 %s", path, perm, path)
	}
	return nil
}
