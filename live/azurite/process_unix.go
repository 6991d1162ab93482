//go:build unix

package azurite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ownProcessGroup puts the server in a process group of its own, so that Stop can signal the
// group and a Ctrl-C at the terminal reaches only us (we stop it ourselves, in order).
func ownProcessGroup() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)
	return attr
}

// signalGroup sends SIGTERM (or SIGKILL) to the process group pgid.
func signalGroup(_ *os.Process, pgid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pgid, sig) // ESRCH: already gone
}

// waitGroupGone waits until no live process is left in group pgid, killing stragglers after
// grace.
func waitGroupGone(pgid int, grace time.Duration) error {
	deadline := time.Now().Add(grace)
	killed := false
	for {
		alive, err := groupAlive(pgid)
		if err != nil {
			return fmt.Errorf("azurite: checking process group %d: %w", pgid, err)
		}
		if !alive {
			return nil
		}
		if time.Now().After(deadline) {
			if killed {
				return fmt.Errorf("azurite: process group %d still alive after SIGKILL", pgid)
			}
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			killed, deadline = true, time.Now().Add(grace)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// groupSignalable reports whether kill(2) still finds a process (a zombie counts) in group pgid.
func groupSignalable(pgid int) (bool, error) {
	err := syscall.Kill(-pgid, 0)
	switch {
	case errors.Is(err, syscall.ESRCH):
		return false, nil
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, nil
	default:
		return false, err
	}
}
