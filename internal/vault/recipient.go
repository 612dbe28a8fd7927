package vault

import (
	"fmt"

	"filippo.io/age"
)

// Recipients returns the public recipients (age1...) of the X25519
// identities in identityFile, which must be private to its owner like any
// identity file.
func Recipients(identityFile string) ([]string, error) {
	ids, err := loadIdentities(identityFile)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			out = append(out, x.Recipient().String())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("identity %s: no X25519 identity", identityFile)
	}
	return out, nil
}
