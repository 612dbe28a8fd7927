//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lockfile

// tryLock falls back to an O_EXCL lock file where flock(2) is not
// available; see the package documentation for its limits.
func tryLock(path string) (func() error, error) { return tryExcl(path) }
