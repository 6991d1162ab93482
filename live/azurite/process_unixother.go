//go:build unix && !linux

package azurite

import "syscall"

// setParentDeathSignal: only Linux has a parent-death signal; elsewhere Stop, StopAll and
// StopOnSignal are the cleanup.
func setParentDeathSignal(*syscall.SysProcAttr) {}

// groupAlive: without /proc, a process kill(2) finds in the group counts, zombies included.
func groupAlive(pgid int) (bool, error) { return groupSignalable(pgid) }
