//go:build !unix

package azurite

import (
	"os"
	"syscall"
	"time"
)

// ownProcessGroup: no process groups here; Stop kills the server process itself.
func ownProcessGroup() *syscall.SysProcAttr { return nil }

func signalGroup(p *os.Process, _ int, _ bool) { _ = p.Kill() }

func waitGroupGone(int, time.Duration) error { return nil }
