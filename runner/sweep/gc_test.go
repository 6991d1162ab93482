package sweep

import (
	"math"
	"runtime/debug"
	"testing"
)

func gcPercentNow() int {
	old := debug.SetGCPercent(100)
	debug.SetGCPercent(old)
	return old
}

// During a sweep the collector runs at gcPercent with the heap kept under memoryPerWorker per
// worker over what the process held (the test binary: well under 1 GiB); nested sweeps share the
// settings, and the last one out puts back what the first found.
func TestSweepTunesTheCollectorAndPutsItBack(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	outer := TuneGC(2)
	if p, l := gcPercentNow(), debug.SetMemoryLimit(-1); p != gcPercent || l < 2*memoryPerWorker || l > 2*memoryPerWorker+1<<30 {
		t.Fatalf("during the sweep: GC percent %d, memory limit %d", p, l)
	}
	inner := TuneGC(1)
	inner()
	if p := gcPercentNow(); p != gcPercent {
		t.Fatalf("an inner sweep's end put the GC percent back to %d while the outer one runs", p)
	}
	outer()
	if p, l := gcPercentNow(), debug.SetMemoryLimit(-1); p != 100 || l != math.MaxInt64 {
		t.Fatalf("after the sweep: GC percent %d, memory limit %d", p, l)
	}
}

// A GOGC or GOMEMLIMIT the user set is kept, and so is a GC percent set higher than the sweep's.
func TestSweepKeepsTheUsersCollectorSettings(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(1 << 40))
	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1TiB")
	restore := TuneGC(2)
	if p, l := gcPercentNow(), debug.SetMemoryLimit(-1); p != 50 || l != 1<<40 {
		t.Fatalf("GOGC=50 GOMEMLIMIT=1TiB: GC percent %d, memory limit %d during the sweep", p, l)
	}
	restore()
	t.Setenv("GOGC", "")
	debug.SetGCPercent(5000)
	TuneGC(1)()
	if p := gcPercentNow(); p != 5000 {
		t.Fatalf("a GC percent of 5000 became %d", p)
	}
}
