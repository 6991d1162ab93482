//go:build unix

package tracefile

import "syscall"

// mkfifo makes a named pipe: opening one blocks until a writer comes, so Read must refuse it first.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
