package sweep

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// A sweep's runs allocate a few megabytes each (a smoke run about 1.9 MB, a fleet run about 11 MB)
// and keep almost nothing (the matrix and the runs without their traces, about 5 KB a run), so with
// the collector's default (a collection whenever the heap doubles) a sweep collects every few runs:
// about 500 collections in 600 smoke runs, a third of the CPU time, and with two workers the
// collector's own workers take the cores the runs need. During a sweep the collector runs when the
// heap has grown to gcPercent percent over the live heap instead, and the heap is kept under
// memoryPerWorker per worker over what the process held when the sweep began
// (runtime/debug.SetMemoryLimit: the collector works harder as the heap nears it, so a scenario whose
// runs keep more gets more collections, not more memory). A GOGC or GOMEMLIMIT the user set, a
// percentage the program set higher (or the collector off) and a limit the program set are kept.
const (
	gcPercent       = 800
	memoryPerWorker = 256 << 20
)

// gcTuning counts the sweeps under way in this process: the first sets the collector's settings, the
// last puts back what it found.
var gcTuning struct {
	sync.Mutex
	sweeps            int
	percent, limit    int64
	setPercent, setLm bool
}

// TuneGC applies the sweep's collector settings for workers workers and returns what undoes them.
// Sweep applies them itself; cmd/simrun/bench applies them to measure the sweep's runs as it makes them.
func TuneGC(workers int) (restore func()) {
	g := &gcTuning
	g.Lock()
	defer g.Unlock()
	if g.sweeps++; g.sweeps == 1 {
		g.setPercent, g.setLm = false, false
		if os.Getenv("GOGC") == "" {
			if old := debug.SetGCPercent(gcPercent); old < 0 || old > gcPercent {
				debug.SetGCPercent(old) // off, or already collecting less often
			} else {
				g.percent, g.setPercent = int64(old), true
			}
		}
		if os.Getenv("GOMEMLIMIT") == "" {
			if old := debug.SetMemoryLimit(-1); old == math.MaxInt64 {
				// Over what the process holds already (a caller's own heap is not the runs').
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				g.limit, g.setLm = old, true
				debug.SetMemoryLimit(int64(ms.HeapAlloc) + int64(max(workers, 1))*memoryPerWorker)
			}
		}
	}
	return func() {
		g.Lock()
		defer g.Unlock()
		if g.sweeps--; g.sweeps > 0 {
			return
		}
		if g.setPercent {
			debug.SetGCPercent(int(g.percent))
		}
		if g.setLm {
			debug.SetMemoryLimit(g.limit)
		}
	}
}
