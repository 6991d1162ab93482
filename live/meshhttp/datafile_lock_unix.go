//go:build unix

package meshhttp

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockDataFile takes the exclusive flock bbolt takes (bbolt's own flock on the same descriptor
// then succeeds at once), waiting up to wait; held is true when another holder kept it.
func lockDataFile(f *os.File, wait time.Duration) (held bool, err error) {
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return false, nil
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return false, err
		case !time.Now().Before(deadline):
			return true, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}
