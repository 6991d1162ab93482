//go:build !unix

package tracefile

import "errors"

// mkfifo: this system has no named pipes; the FIFO case is left out.
func mkfifo(string) error { return errors.ErrUnsupported }
