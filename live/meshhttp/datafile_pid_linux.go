//go:build linux

package meshhttp

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder reads /proc/locks for the pid holding a flock on f (0 when it cannot tell).
// A line is "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF", device numbers in hex.
func lockHolder(f *os.File) int {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer locks.Close()
	var byInode []int
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && fields[1] == "->" { // a waiter, not the holder
			continue
		}
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		pid, err1 := strconv.Atoi(fields[4])
		id := strings.Split(fields[5], ":")
		if err1 != nil || len(id) != 3 || id[2] != strconv.FormatUint(uint64(st.Ino), 10) {
			continue
		}
		ma, err2 := strconv.ParseUint(id[0], 16, 64)
		mi, err3 := strconv.ParseUint(id[1], 16, 64)
		if err2 == nil && err3 == nil && ma == major && mi == minor {
			return pid
		}
		byInode = append(byInode, pid)
	}
	// Some file systems (overlayfs) report another device there: one lock on the inode will do.
	if len(byInode) == 1 {
		return byInode[0]
	}
	return 0
}
