// Package lockfile provides advisory, exclusive, cross-process locks on
// files, so that processes sharing an append-only log or a queue file take
// turns to change it.
//
// A lock is advisory: it excludes only other holders of the same lock path,
// not readers or writers that do not ask for it. Locks are held per call to
// Lock, not per process, so two goroutines of one process exclude each other
// as two processes do.
//
// On Linux, the BSDs and macOS the lock is flock(2) on the lock file, which
// the kernel releases when the holder exits, however it exits; the lock
// file itself is created if missing and left in place. On other platforms
// the lock is the existence of the lock file, created with O_EXCL and
// removed on unlock; a process that dies holding it leaves the file behind,
// and it must then be removed by hand once no process holds it.
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Polling intervals while the lock is held by someone else. The wait starts
// short, so uncontended hand-overs are quick, and backs off to the maximum.
const (
	minPoll = 500 * time.Microsecond
	maxPoll = 50 * time.Millisecond
)

// Lock takes the exclusive lock on path, waiting until it is free or ctx is
// done. It returns a function that releases the lock; calling it more than
// once returns the first call's result.
//
// path names a lock file, not the file it protects: by convention the
// protected file's path with ".lock" appended.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	return acquire(ctx, path, tryLock)
}

// ErrLocked is returned by TryLock when someone else holds the lock.
var ErrLocked = errors.New("held by another process")

// TryLock takes the exclusive lock on path if it is free, and otherwise
// returns an error wrapping ErrLocked at once: for work that should not
// queue behind another holder, such as two runs of one exercise. The
// returned function is Lock's.
func TryLock(path string) (unlock func() error, err error) {
	release, err := tryLock(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("lock %s: %w", path, err)
	case release == nil:
		return nil, fmt.Errorf("lock %s: %w", path, ErrLocked)
	}
	return releaseOnce(path, release), nil
}

// releaseOnce wraps release so that calls after the first return the
// first call's result.
func releaseOnce(path string, release func() error) func() error {
	var once sync.Once
	var rerr error
	return func() error {
		once.Do(func() {
			if err := release(); err != nil {
				rerr = fmt.Errorf("unlock %s: %w", path, err)
			}
		})
		return rerr
	}
}

// tryFunc makes one attempt at the lock on path. It returns a nil release
// function and no error when the lock is held by someone else.
type tryFunc func(path string) (release func() error, err error)

// acquire retries try until it gets the lock, fails, or ctx is done.
func acquire(ctx context.Context, path string, try tryFunc) (func() error, error) {
	poll := minPoll
	var timer *time.Timer
	for {
		release, err := try(path)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if release != nil {
			if ctx.Err() != nil {
				// Never hand a lock to a caller that has given up.
				release()
				return nil, fmt.Errorf("lock %s: %w", path, context.Cause(ctx))
			}
			return releaseOnce(path, release), nil
		}
		if timer == nil {
			timer = time.NewTimer(poll)
			defer timer.Stop()
		} else {
			timer.Reset(poll)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", path, context.Cause(ctx))
		case <-timer.C:
		}
		poll = min(poll*2, maxPoll)
	}
}
