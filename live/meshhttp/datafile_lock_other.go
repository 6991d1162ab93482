//go:build !unix

package meshhttp

import (
	"os"
	"time"
)

// lockDataFile leaves the lock to bbolt here, whose timeout is reported as in use.
func lockDataFile(*os.File, time.Duration) (held bool, err error) { return false, nil }
