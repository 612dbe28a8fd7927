// Package vault keeps the re-identification vault: the clear identifiers of
// the records that end up in review cases, encrypted with age
// (https://age-encryption.org) to the reviewers of an exercise, so that a
// reviewer holding an identity can see who a case is about and nobody else
// can.
//
// A vault file is an age file. Its plaintext is JSON Lines: a header object
// {"format":"datamatch-vault-v1","entries":N}, then one object per entry
// with the dataset name and the person.Record fields. Entries are keyed by
// dataset name and record ID, neither of which is a personal identifier, so
// errors may name them; errors never contain any other field.
package vault

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/datamatch/datamatch/internal/atomicfile"
	"github.com/datamatch/datamatch/internal/key"
	"github.com/datamatch/datamatch/internal/person"
)

// format names the plaintext format version.
const format = "datamatch-vault-v1"

// maxIdentityFile bounds how much of an identity file is read.
const maxIdentityFile = 64 << 10

// Entry is one person in a vault: a record as its dataset holds it.
type Entry struct {
	Dataset string // the dataset's name in the exercise
	// Ref is the record's pseudonymised reference, as review cases name
	// it; it lets a reviewer open a case's records without the exercise
	// key. It may be empty.
	Ref    string `json:",omitempty"`
	Record person.Record
}

// header is the first line of the plaintext.
type header struct {
	Format  string `json:"format"`
	Entries int    `json:"entries"`
}

// Write encrypts entries to every recipient and writes them to a new vault
// at path, atomically and with mode 0600. Recipients are age public keys
// ("age1..." for X25519, "age1pq1..." for post-quantum hybrid keys, which
// cannot be mixed with X25519 ones). Write refuses an empty or malformed
// recipient list, an entry without a dataset name or record ID, and two
// entries with the same dataset and record ID.
func Write(path string, recipients []string, entries []Entry) error {
	recs, err := parseRecipients(recipients)
	if err != nil {
		return fmt.Errorf("vault %s: %w", path, err)
	}
	seen := make(map[[2]string]bool, len(entries))
	for i, e := range entries {
		if e.Dataset == "" || e.Record.RecordID == "" {
			return fmt.Errorf("vault %s: entry %d has no dataset name or record ID", path, i)
		}
		k := [2]string{e.Dataset, e.Record.RecordID}
		if seen[k] {
			return fmt.Errorf("vault %s: dataset %q record %q is listed twice", path, e.Dataset, e.Record.RecordID)
		}
		seen[k] = true
	}
	err = atomicfile.Write(path, 0o600, func(w io.Writer) error {
		enc, err := age.Encrypt(w, recs...)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(enc)
		je := json.NewEncoder(bw)
		if err := je.Encode(header{Format: format, Entries: len(entries)}); err != nil {
			return err
		}
		for i := range entries {
			if err := je.Encode(&entries[i]); err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return enc.Close()
	})
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}

// parseRecipients parses age public keys. A string that is not one is not
// quoted in the error: it may be a secret key pasted in the wrong place.
func parseRecipients(recipients []string) ([]age.Recipient, error) {
	if len(recipients) == 0 {
		return nil, errors.New("no recipients: a vault must be readable by at least one reviewer")
	}
	recs := make([]age.Recipient, 0, len(recipients))
	seen := make(map[string]bool, len(recipients))
	for i, s := range recipients {
		s = strings.TrimSpace(s)
		var r age.Recipient
		var err error
		switch {
		case strings.HasPrefix(s, "age1pq1"):
			r, err = age.ParseHybridRecipient(s)
		case strings.HasPrefix(s, "age1"):
			r, err = age.ParseX25519Recipient(s)
		default:
			return nil, fmt.Errorf("recipient %d is not an age public key (want age1...)", i+1)
		}
		if err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i+1, err)
		}
		if seen[s] {
			return nil, fmt.Errorf("recipient %d is listed twice", i+1)
		}
		seen[s] = true
		recs = append(recs, r)
	}
	return recs, nil
}

// Vault is an opened vault, held decrypted in memory.
type Vault struct {
	entries map[string]map[string]person.Record
	refs    map[[2]string]string // (dataset, ref) -> record ID
	list    []Entry              // every entry, in the vault's order
	n       int
}

// Open decrypts the vault at path with the age identities in identityFile.
// The identity file must not be readable or writable by group or others.
// Open fails if no identity in the file is one the vault was encrypted to.
func Open(path, identityFile string) (*Vault, error) {
	ids, err := loadIdentities(identityFile)
	if err != nil {
		return nil, fmt.Errorf("vault %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	r, err := age.Decrypt(bufio.NewReader(f), ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, fmt.Errorf("vault %s: no identity in %s matches any recipient", path, identityFile)
		}
		// age's header errors may quote the start of the file, which for a
		// file that is not a vault may be clear personal data.
		return nil, fmt.Errorf("vault %s: not an age-encrypted file, or its header is damaged", path)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("vault %s: damaged or truncated: %w", path, err)
	}
	v, err := decode(bytes.NewReader(plain))
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("vault %s: %w", path, err)
	}
	return v, nil
}

// decode reads the plaintext. JSON syntax errors quote input characters, so
// they are reported by entry number only.
func decode(r io.Reader) (*Vault, error) {
	dec := json.NewDecoder(r)
	var h header
	if err := dec.Decode(&h); err != nil || h.Format != format {
		return nil, errors.New("not a datamatch vault (bad header)")
	}
	v := &Vault{entries: make(map[string]map[string]person.Record), refs: make(map[[2]string]string)}
	for i := 0; i < h.Entries; i++ {
		var e Entry
		if err := dec.Decode(&e); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("truncated: %d of %d entries", i, h.Entries)
			}
			return nil, fmt.Errorf("entry %d is malformed", i)
		}
		m := v.entries[e.Dataset]
		if m == nil {
			m = make(map[string]person.Record)
			v.entries[e.Dataset] = m
		}
		if _, dup := m[e.Record.RecordID]; dup {
			return nil, fmt.Errorf("entry %d repeats an earlier entry", i)
		}
		m[e.Record.RecordID] = e.Record
		v.list = append(v.list, e)
		if e.Ref != "" {
			v.refs[[2]string{e.Dataset, e.Ref}] = e.Record.RecordID
		}
		v.n++
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after %d entries", h.Entries)
	}
	return v, nil
}

// LookupRef returns the record of dataset whose pseudonymised reference is
// ref.
func (v *Vault) LookupRef(dataset, ref string) (person.Record, bool) {
	id, ok := v.refs[[2]string{dataset, ref}]
	if !ok {
		return person.Record{}, false
	}
	return v.Lookup(dataset, id)
}

// Lookup returns the record with recordID in dataset.
func (v *Vault) Lookup(dataset, recordID string) (person.Record, bool) {
	r, ok := v.entries[dataset][recordID]
	return r, ok
}

// Len returns the number of entries in v.
func (v *Vault) Len() int { return v.n }

// Range calls fn with each entry's dataset and record, in the vault's
// order, until fn returns false.
func (v *Vault) Range(fn func(dataset string, r person.Record) bool) {
	for i := range v.list {
		if !fn(v.list[i].Dataset, v.list[i].Record) {
			return
		}
	}
}

// Entries returns a copy of every entry of v, in the vault's order: what
// Write needs to write the vault anew.
func (v *Vault) Entries() []Entry { return slices.Clone(v.list) }

// loadIdentities reads an age identity file after checking that it is
// private to its owner.
func loadIdentities(path string) ([]age.Identity, error) {
	if path == "" {
		return nil, errors.New("no identity file given")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	defer f.Close()
	if err := key.CheckPrivate(f, path); err != nil {
		return nil, fmt.Errorf("identity file %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIdentityFile+1))
	if err != nil {
		return nil, fmt.Errorf("identity file %s: %w", path, err)
	}
	if len(data) > maxIdentityFile {
		return nil, fmt.Errorf("identity file %s: too large", path)
	}
	// age's parser never quotes a line that may hold a secret key.
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("identity file %s: %w", path, err)
	}
	return ids, nil
}

// NewIdentity generates an age X25519 identity for a reviewer. It returns
// the secret identity ("AGE-SECRET-KEY-1...") and its public recipient
// ("age1..."), which goes into the exercise config.
func NewIdentity() (identity, recipient string, err error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", "", fmt.Errorf("generate identity: %w", err)
	}
	return id.String(), id.Recipient().String(), nil
}

// SaveIdentity writes identity to a new identity file at path, with mode
// 0600, in the format of age-keygen (comment lines with the creation time
// and the public key, then the secret key). It refuses to overwrite an
// existing file and refuses an identity that is not an age X25519 secret
// key. It returns the identity's recipient.
func SaveIdentity(path, identity string) (recipient string, err error) {
	id, err := age.ParseX25519Identity(strings.TrimSpace(identity))
	if err != nil {
		return "", fmt.Errorf("save identity %s: not an age X25519 secret key", path)
	}
	recipient = id.Recipient().String()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("save identity %s: file exists; refusing to overwrite an identity", path)
		}
		return "", fmt.Errorf("save identity: %w", err)
	}
	f.Close()
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), recipient, id.String())
	if err := atomicfile.WriteFile(path, []byte(text), 0o600); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("save identity: %w", err)
	}
	return recipient, nil
}
