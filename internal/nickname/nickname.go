// Package nickname groups English given names with their nicknames,
// diminutives and alternative spellings, so that Bob and Robert, or Kate and
// Catherine, can be compared after they are keyed.
//
// The groups are read from an embedded table, groups.txt, derived from the
// nickname list of github.com/carltonnorthern/nicknames (Apache License 2.0)
// and adapted to names in use in England and Wales; see README.md. The group
// keys are hashed into pseudonyms, so changing the table changes every
// nickname-group pseudonym.
//
// The package is safe for concurrent use: the table is parsed once, at
// initialisation, and never changed.
package nickname

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

//go:embed groups.txt
var table string

var (
	// groupOf maps every name of the table to its group key.
	groupOf map[string]string
	// members maps every group key to the names of its group, key first.
	members map[string][]string
)

func init() {
	var err error
	groupOf, members, err = parse(table)
	if err != nil {
		panic("nickname: embedded groups.txt: " + err.Error())
	}
}

// parse reads a table in the format of groups.txt.
func parse(t string) (map[string]string, map[string][]string, error) {
	groupOf := make(map[string]string)
	members := make(map[string][]string)
	for n, line := range strings.Split(t, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		names := strings.Fields(line)
		if len(names) == 0 {
			continue
		}
		for _, name := range names {
			if !isNormalised(name) {
				return nil, nil, fmt.Errorf("line %d: name %q is not lower-case ASCII letters", n+1, name)
			}
			if g, dup := groupOf[name]; dup {
				return nil, nil, fmt.Errorf("line %d: name %q is already in group %q", n+1, name, g)
			}
			groupOf[name] = names[0]
		}
		members[names[0]] = slices.Clip(names)
	}
	return groupOf, members, nil
}

func isNormalised(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < 'a' || name[i] > 'z' {
			return false
		}
	}
	return name != ""
}

// Group returns the group key of a forename normalised by normalize.Name:
// the formal name of its group ("robert" for bob, bobby, rob, robbie, robby
// and robert). A nickname of several formal names belongs to the group of
// the one most common in England and Wales (harry → henry, sam → samuel,
// pat → patricia). A name not in the table is its own group, and is
// returned unchanged; so is a name of several words ("mary jane"), which
// callers may split first.
func Group(forename string) string {
	if g, ok := groupOf[forename]; ok {
		return g
	}
	return forename
}

// Variants returns the names of the group of name (see Group), the group
// key first; for a name not in the table, that is the name alone. It
// returns nil for "". The slice is the caller's to modify.
func Variants(name string) []string {
	if name == "" {
		return nil
	}
	if m, ok := members[Group(name)]; ok {
		return slices.Clone(m)
	}
	return []string{name}
}
