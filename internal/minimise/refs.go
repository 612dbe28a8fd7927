package minimise

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// KeyedRefs is a Pseudonymiser whose refs are HMAC-SHA256, under a key of
// the exercise, of the dataset name and record ID, truncated to 128 bits
// and written in hex. Without the key a ref cannot be traced back to the
// record, nor linked to refs made under another key.
type KeyedRefs struct {
	key []byte
}

// NewKeyedRefs returns a KeyedRefs under key, which it copies.
func NewKeyedRefs(key []byte) *KeyedRefs {
	return &KeyedRefs{key: append([]byte(nil), key...)}
}

// Ref returns the ref of record recordID of dataset.
func (k *KeyedRefs) Ref(dataset, recordID string) string {
	m := hmac.New(sha256.New, k.key)
	// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
	m.Write([]byte(strconv.Itoa(len(dataset)) + ":" + dataset + recordID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
