package lockfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// helperEnv, when set, makes the test binary act as a lock holder for the
// cross-process tests: it takes the lock on the named path, prints
// "locked", and holds it until its standard input closes.
const helperEnv = "LOCKFILE_TEST_HOLD"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(hold(path))
	}
	os.Exit(m.Run())
}

func hold(path string) int {
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := unlock(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

var impls = []struct {
	name string
	try  tryFunc
}{
	{"platform", tryLock},
	{"excl", tryExcl},
}

func TestMutualExclusion(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			const workers, rounds = 8, 20
			var inside, entered atomic.Int32
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						unlock, err := acquire(context.Background(), path, impl.try)
						if err != nil {
							errs <- err
							return
						}
						if n := inside.Add(1); n != 1 {
							errs <- fmt.Errorf("%d holders at once", n)
						}
						entered.Add(1)
						time.Sleep(50 * time.Microsecond)
						inside.Add(-1)
						if err := unlock(); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := entered.Load(); got != workers*rounds {
				t.Errorf("entered %d times, want %d", got, workers*rounds)
			}
		})
	}
}

func TestContextCancelWhileWaiting(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			unlock, err := acquire(context.Background(), path, impl.try)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			_, err = acquire(ctx, path, impl.try)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
		})
	}
}

func TestCancelledContextNeverGetsLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Lock(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	// The failed attempt must not have left the lock held.
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestUnlockTwice(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.lock")
			unlock, err := acquire(context.Background(), path, impl.try)
			if err != nil {
				t.Fatal(err)
			}
			if err := unlock(); err != nil {
				t.Fatal(err)
			}
			if err := unlock(); err != nil {
				t.Fatalf("second unlock: %v", err)
			}
			// A second unlock must not release someone else's lock.
			other, err := acquire(context.Background(), path, impl.try)
			if err != nil {
				t.Fatal(err)
			}
			defer other()
			unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			if _, err := acquire(ctx, path, impl.try); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("lock was free after a stale unlock: %v", err)
			}
		})
	}
}

func TestExclRemovesFileOnUnlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := acquire(context.Background(), path, tryExcl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock file missing while held: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file left after unlock: %v", err)
	}
}

func TestLockErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "x.lock")
	_, err := Lock(context.Background(), path)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want not-exist naming %s", err, path)
	}
}

// startHolder runs the test binary as a separate process holding the lock
// on path, and returns once it holds it. Closing the returned writer makes
// it unlock and exit.
func startHolder(t *testing.T, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("holder said %q, %v", line, err)
	}
	return cmd, stdin
}

func TestAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd, stdin := startHolder(t, path)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got the lock while another process held it: %v", err)
	}

	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	unlock, err := Lock(ctx2, path)
	if err != nil {
		t.Fatalf("lock after holder released: %v", err)
	}
	unlock()
}

func TestReleasedWhenHolderDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	cmd, _ := startHolder(t, path)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlock, err := Lock(ctx, path)
	if err != nil {
		t.Fatalf("lock after holder was killed: %v", err)
	}
	unlock()
}

func TestTryLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	// Held in this process: a second TryLock fails at once, naming the path.
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("TryLock of a held lock = %v, want ErrLocked naming %s", err, path)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// Held by another process: refused too; free again once it exits.
	cmd, stdin := startHolder(t, path)
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock while another process holds the lock = %v, want ErrLocked", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("holder: %v", err)
	}
	unlock, err = TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the holder exited: %v", err)
	}
	if err := unlock(); err != nil || unlock() != nil {
		t.Errorf("unlock twice: %v", err)
	}
}
