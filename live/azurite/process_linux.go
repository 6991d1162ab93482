package azurite

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// setParentDeathSignal makes the kernel kill the server if this process dies without running
// Stop (SIGKILL, a crash): nothing is left running even then. (The signal follows the OS
// thread that forked; Go ends threads only under LockOSThread, which this package never uses.)
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }

// groupAlive reports whether a process other than a zombie is in group pgid. Zombies do not
// count: a child the server left behind is reparented to PID 1, which may reap it late, and a
// zombie runs nothing and holds no port.
func groupAlive(pgid int) (bool, error) {
	if alive, err := groupSignalable(pgid); !alive || err != nil {
		return alive, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true, nil // no /proc: trust kill(2)
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(stat[i+1:])
		if len(fields) < 3 || string(fields[0]) == "Z" || string(fields[0]) == "X" {
			continue
		}
		if pg, err := strconv.Atoi(string(fields[2])); err == nil && pg == pgid {
			return true, nil
		}
	}
	return false, nil
}
