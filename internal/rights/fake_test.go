package rights

import (
	"hash/fnv"
	"strings"

	"github.com/datamatch/datamatch/internal/person"
	"github.com/datamatch/datamatch/internal/pseudo"
)

// fakeEncoder stands in for the exercise encoder: it normalises the fields
// the rules use in the simplest way and hashes them with a salt, so that two
// fakeEncoders with different salts share no tokens, as two keys would not.
type fakeEncoder struct{ salt string }

var fakeNicknames = map[string]string{
	"bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "robert": "robert",
	"peggy": "margaret", "maggie": "margaret", "meg": "margaret", "margaret": "margaret",
	"bill": "william", "will": "william", "william": "william",
}

func (f fakeEncoder) tok(field, v string) pseudo.Token {
	if v == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(f.salt + "\x00" + field + "\x00" + v))
	t := pseudo.Token(h.Sum64())
	if t == 0 {
		t = 1
	}
	return t
}

func fakeName(s string) string {
	s = strings.ToLower(s)
	if s == "unknown" {
		return ""
	}
	return strings.Join(strings.Fields(s), " ")
}

func (f fakeEncoder) Encode(dst *pseudo.Record, src *person.Record) {
	*dst = pseudo.Record{RecordID: src.RecordID}
	fore := fakeName(src.Forename)
	if i := strings.IndexByte(fore, ' '); i >= 0 {
		fore = fore[:i]
	}
	dst.Forename = f.tok("forename", fore)
	group := fore
	if g, ok := fakeNicknames[fore]; ok {
		group = g
	}
	dst.ForenameGroup = f.tok("group", group)
	dst.Surname = f.tok("surname", fakeName(src.Surname))
	if !src.DOB.IsZero() {
		dst.DOB = f.tok("dob", src.DOB.String())
	}
	ni := strings.ToUpper(strings.Join(strings.Fields(src.NINumber), ""))
	if len(ni) == 9 {
		ni = ni[:8]
	}
	dst.NINumber = f.tok("ni", ni)
	dst.Passport = f.tok("passport", strings.ToUpper(strings.Join(strings.Fields(src.Passport), "")))
	dst.Postcode = f.tok("postcode", strings.ToUpper(strings.Join(strings.Fields(src.Postcode), "")))
}
