//go:build unix

package httpbound

import "syscall"

// openFileLimit is the soft RLIMIT_NOFILE (the os package raises it to the hard limit at start).
// An unlimited value is a large number, which DefaultConns caps.
func openFileLimit() (uint64, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, false
	}
	return uint64(r.Cur), true
}
