package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// tryExcl makes one attempt at the lock on path by creating it with O_EXCL.
// The file holds the holder's process id and the time, to help whoever has
// to remove a lock left by a crashed process. Release removes the file.
func tryExcl(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	_, werr := fmt.Fprintf(f, "pid %s at %s\n", strconv.Itoa(os.Getpid()), time.Now().UTC().Format(time.RFC3339))
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(path)
		return nil, err
	}
	return func() error { return os.Remove(path) }, nil
}
