package vault

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/datamatch/datamatch/internal/date"
	"github.com/datamatch/datamatch/internal/money"
	"github.com/datamatch/datamatch/internal/person"
)

func sampleEntries() []Entry {
	return []Entry{
		{Dataset: "tenancies", Record: person.Record{
			RecordID: "T1", Forename: "Siobhán", MiddleNames: "Mary", Surname: "O'Brien",
			DOB: date.MustOf(1980, time.March, 5), NINumber: "AB123456C", Address: "Flat 3, 12 High Street",
			Postcode: "SK1 3NQ", UPRN: "100012345678", Phone: "07700 900123", Email: "s.obrien@example.org",
			TenancyRef: "TEN-1", TenancyRole: "lead", TenancyStart: date.MustOf(2015, time.May, 1),
			Balance: money.Pence(123456), Ethnicity: "x",
		}},
		{Dataset: "tenancies", Record: person.Record{RecordID: "T2", Forename: "Zoë", Surname: "Łukasz"}},
		{Dataset: "utility", Record: person.Record{
			RecordID: "T1", Forename: "José", Surname: "Ørsted", TenancyEnd: date.MustOf(2024, time.January, 31),
			ForwardingAddress: "7 Mill Lane", ForwardingPostcode: "M1 1AE", Balance: -500,
		}},
	}
}

// newReviewer writes a fresh identity file and returns its path and recipient.
func newReviewer(t *testing.T, dir, name string) (path, recipient string) {
	t.Helper()
	id, rcpt, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, name)
	got, err := SaveIdentity(path, id)
	if err != nil {
		t.Fatal(err)
	}
	if got != rcpt {
		t.Fatalf("SaveIdentity recipient %s, NewIdentity said %s", got, rcpt)
	}
	return path, rcpt
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	id1, r1 := newReviewer(t, dir, "alice.key")
	id2, r2 := newReviewer(t, dir, "bob.key")
	path := filepath.Join(dir, "vault.age")
	entries := sampleEntries()
	if err := Write(path, []string{r1, " " + r2 + "\n"}, entries); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("vault mode %04o, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	// Values of five bytes or more: a shorter one (a record id such as
	// "T1") turns up in a few kilobytes of ciphertext by chance, a few
	// runs in a hundred.
	for _, clear := range []string{"O'Brien", "SK1 3NQ", "AB123456C", "tenancies", "Mill Lane"} {
		if bytes.Contains(raw, []byte(clear)) {
			t.Errorf("vault file contains %q in clear", clear)
		}
	}
	for _, idFile := range []string{id1, id2} {
		v, err := Open(path, idFile)
		if err != nil {
			t.Fatalf("Open with %s: %v", filepath.Base(idFile), err)
		}
		if v.Len() != len(entries) {
			t.Errorf("Len = %d, want %d", v.Len(), len(entries))
		}
		for _, e := range entries {
			got, ok := v.Lookup(e.Dataset, e.Record.RecordID)
			if !ok {
				t.Fatalf("Lookup(%s, %s) missing", e.Dataset, e.Record.RecordID)
			}
			if got != e.Record {
				t.Errorf("Lookup(%s, %s) = %+v, want %+v", e.Dataset, e.Record.RecordID, got, e.Record)
			}
		}
		if _, ok := v.Lookup("tenancies", "T3"); ok {
			t.Error("Lookup of an absent record succeeded")
		}
		if _, ok := v.Lookup("nope", "T1"); ok {
			t.Error("Lookup in an absent dataset succeeded")
		}
		if got := v.Entries(); !reflect.DeepEqual(got, entries) {
			t.Errorf("Entries = %+v, want the entries written, in order", got)
		}
		var ranged []Entry
		v.Range(func(dataset string, r person.Record) bool {
			ranged = append(ranged, Entry{Dataset: dataset, Record: r})
			return len(ranged) < 2
		})
		if len(ranged) != 2 || ranged[0] != entries[0] || ranged[1] != entries[1] {
			t.Errorf("Range stopped after %d entries, %+v; want the first two", len(ranged), ranged)
		}
	}
}

func TestEmptyVault(t *testing.T) {
	dir := t.TempDir()
	id, r := newReviewer(t, dir, "id")
	path := filepath.Join(dir, "v")
	if err := Write(path, []string{r}, nil); err != nil {
		t.Fatal(err)
	}
	v, err := Open(path, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 0 {
		t.Errorf("Len = %d", v.Len())
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	_, r := newReviewer(t, dir, "id")
	secret, _, _ := NewIdentity()
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		recipients []string
		entries    []Entry
		want       string
	}{
		{"no recipients", nil, sampleEntries(), "no recipients"},
		{"empty recipient", []string{""}, sampleEntries(), "not an age public key"},
		{"secret key as recipient", []string{secret}, sampleEntries(), "not an age public key"},
		{"malformed recipient", []string{r[:len(r)-2]}, sampleEntries(), "recipient 1"},
		{"ssh key", []string{"ssh-ed25519 AAAAC3Nza"}, sampleEntries(), "not an age public key"},
		{"duplicate recipient", []string{r, r}, sampleEntries(), "twice"},
		{"mixed classic and post-quantum", []string{r, pq.Recipient().String()}, sampleEntries(), "incompatible"},
		{"entry without dataset", []string{r}, []Entry{{Record: person.Record{RecordID: "a"}}}, "entry 0"},
		{"entry without id", []string{r}, []Entry{{Dataset: "d"}}, "entry 0"},
		{"duplicate entry", []string{r}, append(sampleEntries(), sampleEntries()[0]), "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v")
			err := Write(path, tt.recipients, tt.entries)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write: err = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "O'Brien") {
				t.Errorf("error %q leaks a secret or a clear identifier", err)
			}
			if _, err := os.Stat(path); err == nil {
				t.Error("a refused Write left a file")
			}
		})
	}
}

func TestPostQuantumRecipient(t *testing.T) {
	dir := t.TempDir()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(dir, "pq")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "v")
	if err := Write(path, []string{id.Recipient().String()}, sampleEntries()); err != nil {
		t.Fatal(err)
	}
	v, err := Open(path, idFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Lookup("utility", "T1"); !ok {
		t.Error("entry missing")
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	id, r := newReviewer(t, dir, "reviewer")
	stranger, _ := newReviewer(t, dir, "stranger")
	path := filepath.Join(dir, "vault.age")
	if err := Write(path, []string{r}, sampleEntries()); err != nil {
		t.Fatal(err)
	}
	idText, _ := os.ReadFile(id)

	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notAge := write("plain", "just text\n", 0o600)
	truncated := filepath.Join(dir, "truncated")
	raw, _ := os.ReadFile(path)
	os.WriteFile(truncated, raw[:len(raw)-20], 0o600)

	tests := []struct {
		name, vault, identity, want string
	}{
		{"wrong identity", path, stranger, "no identity in " + stranger + " matches any recipient"},
		{"no identity file given", path, "", "no identity file"},
		{"missing identity file", path, filepath.Join(dir, "none"), "no such file"},
		{"empty identity file", path, write("empty", "", 0o600), "no identities"},
		{"comments only", path, write("comments", "# nothing\n", 0o600), "no identities"},
		{"garbage identity", path, write("garbage", "AGE-SECRET-KEY-1XYZ\n", 0o600), "malformed"},
		{"group-readable identity", path, write("g", string(idText), 0o640), "chmod 600"},
		{"world-readable identity", path, write("w", string(idText), 0o604), "chmod 600"},
		{"missing vault", filepath.Join(dir, "nope"), id, "no such file"},
		{"not an age file", notAge, id, "not an age-encrypted file"},
		{"truncated vault", truncated, id, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Open(tt.vault, tt.identity)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: v = %v, err = %v; want an error containing %q", v, err, tt.want)
			}
			if strings.Contains(err.Error(), "AGE-SECRET-KEY-1") || strings.Contains(err.Error(), "just text") {
				t.Errorf("error %q quotes file contents", err)
			}
		})
	}
}

func TestSaveIdentity(t *testing.T) {
	dir := t.TempDir()
	secret, rcpt, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "AGE-SECRET-KEY-1") || !strings.HasPrefix(rcpt, "age1") {
		t.Fatalf("NewIdentity = %.16s..., %s", secret, rcpt)
	}
	path := filepath.Join(dir, "id")
	if _, err := SaveIdentity(path, secret); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("identity mode %04o, want 0600", fi.Mode().Perm())
	}
	text, _ := os.ReadFile(path)
	if !strings.Contains(string(text), "# public key: "+rcpt+"\n") || !strings.HasSuffix(string(text), secret+"\n") {
		t.Errorf("identity file is not in age-keygen form")
	}
	ids, err := age.ParseIdentities(bytes.NewReader(text))
	if err != nil || len(ids) != 1 {
		t.Fatalf("age cannot read the identity file: %v", err)
	}
	other, _, _ := NewIdentity()
	if _, err := SaveIdentity(path, other); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("SaveIdentity over an existing file: err = %v", err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, text) {
		t.Error("refused SaveIdentity changed the file")
	}
	bad := filepath.Join(dir, "bad")
	_, err = SaveIdentity(bad, "AGE-SECRET-KEY-1NOTAKEY")
	if err == nil || strings.Contains(err.Error(), "NOTAKEY") {
		t.Errorf("SaveIdentity of a malformed identity: err = %v", err)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("refused SaveIdentity left a file")
	}
}

func TestManyEntries(t *testing.T) {
	dir := t.TempDir()
	id, r := newReviewer(t, dir, "id")
	var entries []Entry
	for i := range 5000 {
		entries = append(entries, Entry{Dataset: fmt.Sprintf("d%d", i%3), Record: person.Record{
			RecordID: fmt.Sprint(i), Surname: fmt.Sprintf("name-%d", i), DOB: date.FromDays(int32(i)),
		}})
	}
	path := filepath.Join(dir, "v")
	if err := Write(path, []string{r}, entries); err != nil {
		t.Fatal(err)
	}
	v, err := Open(path, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 4999} {
		got, ok := v.Lookup(fmt.Sprintf("d%d", i%3), fmt.Sprint(i))
		if !ok || got.Surname != fmt.Sprintf("name-%d", i) || got.DOB != date.FromDays(int32(i)) {
			t.Errorf("entry %d: %+v %v", i, got, ok)
		}
	}
}

func TestOpenMalformedPlaintext(t *testing.T) {
	dir := t.TempDir()
	id, r := newReviewer(t, dir, "id")
	rcpt, err := age.ParseX25519Recipient(r)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, plain, want string
	}{
		{"not json", "Smith,John,1980-03-05\n", "not a datamatch vault"},
		{"other format", `{"format":"datamatch-vault-v9","entries":0}` + "\n", "not a datamatch vault"},
		{"too few entries", `{"format":"datamatch-vault-v1","entries":2}` + "\n" + `{"Dataset":"d","Record":{"RecordID":"1"}}` + "\n", "truncated: 1 of 2"},
		{"bad entry", `{"format":"datamatch-vault-v1","entries":1}` + "\n" + `{"Dataset":"d","Record":{"Surname":Smith}}`, "entry 0 is malformed"},
		{"repeated entry", `{"format":"datamatch-vault-v1","entries":2}{"Dataset":"d","Record":{"RecordID":"1"}}{"Dataset":"d","Record":{"RecordID":"1"}}`, "repeats"},
		{"extra data", `{"format":"datamatch-vault-v1","entries":0}` + "\n" + `{"Dataset":"d"}`, "unexpected data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := age.Encrypt(&buf, rcpt)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(tt.plain))
			w.Close()
			path := filepath.Join(t.TempDir(), "v")
			os.WriteFile(path, buf.Bytes(), 0o600)
			_, err = Open(path, id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Smith") {
				t.Errorf("error %q quotes the plaintext", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"format":"datamatch-vault-v1","entries":1}` + "\n" + `{"Dataset":"d","Record":{"RecordID":"1","Surname":"Smith"}}`))
	f.Add([]byte(`{"format":"datamatch-vault-v1","entries":0}`))
	f.Add([]byte(`{"format":"datamatch-vault-v1","entries":3}{}{}{"Record":{"DOB":"1980-02-30"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decode(bytes.NewReader(data))
		if err != nil {
			// Errors are fixed messages with counts: they never quote
			// the plaintext.
			msg := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return -1
				}
				return r
			}, err.Error())
			switch msg {
			case "not a datamatch vault (bad header)", "truncated:  of  entries", "entry  is malformed",
				"entry  repeats an earlier entry", "unexpected data after  entries":
			default:
				t.Fatalf("unexpected error %q", err)
			}
			return
		}
		n := 0
		for _, m := range v.entries {
			n += len(m)
		}
		if n != v.Len() {
			t.Fatalf("%d distinct entries but Len %d", n, v.Len())
		}
	})
}

func TestRecipients(t *testing.T) {
	dir := t.TempDir()
	id, r := newReviewer(t, dir, "id")
	got, err := Recipients(id)
	if err != nil || len(got) != 1 || got[0] != r {
		t.Fatalf("Recipients = %v, %v; want [%s]", got, err, r)
	}
	open := filepath.Join(dir, "open")
	text, _ := os.ReadFile(id)
	os.WriteFile(open, text, 0o600)
	os.Chmod(open, 0o644)
	if _, err := Recipients(open); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Recipients of a world-readable identity file: %v", err)
	}
	pq, _ := age.GenerateHybridIdentity()
	pqFile := filepath.Join(dir, "pq")
	os.WriteFile(pqFile, []byte(pq.String()+"\n"), 0o600)
	if _, err := Recipients(pqFile); err == nil {
		t.Error("Recipients of a file without X25519 identities succeeded")
	}
}
