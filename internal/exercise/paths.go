package exercise

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/datamatch/datamatch/internal/load"
)

// Path returns p resolved against the config file's directory; an absolute
// p is returned cleaned. It is for the operational paths (state_dir,
// output_dir, key_file, model_file, restrictions_file), which may lie
// anywhere. Dataset paths go through DatasetPath instead.
func (e *Exercise) Path(p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(e.Dir, p)
}

// DatasetPath returns the absolute path of d's file, with symbolic links
// resolved. It refuses a path that is absolute, that climbs out of the
// config file's directory with "..", or that leads out of it through a
// symbolic link. The file need not exist yet.
func (e *Exercise) DatasetPath(d *Dataset) (string, error) {
	p, err := resolveInside(e.Dir, d.Path)
	if err != nil {
		return "", fmt.Errorf("dataset %q: path: %w", d.Name, err)
	}
	return p, nil
}

// Sources returns the datasets as the loader takes them, with their paths
// resolved by DatasetPath.
func (e *Exercise) Sources() ([]load.Source, error) {
	out := make([]load.Source, 0, len(e.Datasets))
	for i := range e.Datasets {
		d := &e.Datasets[i]
		p, err := e.DatasetPath(d)
		if err != nil {
			return nil, err
		}
		out = append(out, load.Source{Name: d.Name, Path: p, Role: d.Role, Mapping: d.Mapping()})
	}
	return out, nil
}

// Mapping returns d's column mapping as the loader takes it. The zero
// Mapping, for a dataset without columns or full_name, reads a canonical
// file by column name.
func (d *Dataset) Mapping() load.Mapping {
	var m load.Mapping
	if len(d.Columns) > 0 {
		m.Fields = make(map[string]load.FieldMap, len(d.Columns))
		for name, c := range d.Columns {
			m.Fields[name] = load.FieldMap{From: append([]string(nil), c.From...), Format: c.Format}
		}
	}
	if d.FullName != nil {
		m.FullName = &load.FullNameMap{From: d.FullName.From, Order: d.FullName.Order}
	}
	return m
}

// resolveInside returns the absolute, symlink-resolved path of rel inside
// root. rel must be relative and stay inside root both as written and
// after every symbolic link on the way is followed. Parts of the path that
// do not exist yet are taken as written.
func resolveInside(root, rel string) (string, error) {
	if rel == "" {
		return "", errors.New("missing")
	}
	if strings.ContainsRune(rel, 0) {
		return "", errors.New("contains a NUL byte")
	}
	if filepath.IsAbs(rel) || filepath.VolumeName(rel) != "" {
		return "", errors.New("must be relative to the config file's directory, not absolute")
	}
	clean := filepath.Clean(rel)
	if clean == "." {
		return "", errors.New("names the config file's directory itself, not a file")
	}
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", errors.New(`climbs out of the config file's directory with ".."`)
	}
	if root == "" {
		root = "."
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("config directory: %w", err)
	}
	realRoot, err = filepath.Abs(realRoot)
	if err != nil {
		return "", fmt.Errorf("config directory: %w", err)
	}
	real, err := evalExisting(filepath.Join(realRoot, clean))
	if err != nil {
		return "", err
	}
	if !within(realRoot, real) {
		return "", errors.New("leads out of the config file's directory through a symbolic link")
	}
	return real, nil
}

// evalExisting resolves the symbolic links of the longest existing prefix
// of p and appends the rest as written.
func evalExisting(p string) (string, error) {
	rest := ""
	cur := p
	for {
		_, err := os.Lstat(cur)
		if err == nil {
			real, err := filepath.EvalSymlinks(cur)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					// A dangling symbolic link: its target cannot be checked.
					return "", errors.New("is a symbolic link to a missing file")
				}
				return "", err
			}
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether p is root or lies under it.
func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}
