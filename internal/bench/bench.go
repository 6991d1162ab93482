// Package bench measures the simulator's speed against two baselines measured in the same process:
// (a) the kernel baseline, a container/heap queue with the same event struct and (time, sequence)
// comparator doing the same pushes and pops as a run; (b) the work baseline, (a) plus the same number
// of SHA-256 and HMAC-SHA256 computations over inputs of the same sizes as the run's payload hashes
// and token signatures. A run here is one simulated run judged by every trace property, with every
// payload hashed and every token signed and checked for real.
//
//	r, err := bench.Measure(sc, host.ModePlatform, time.Second)
//	fmt.Println(r.RunsPerSecPerCore, r.KernelRatio, r.RatioToBaseline)
package bench

import (
	"container/heap"
	"crypto/hmac"
	"crypto/sha256"
	"runtime"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/internal/world"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
)

// Result is one scenario's measurement.
type Result struct {
	Scenario          string  `json:"scenario"`
	Mode              string  `json:"mode"`
	Runs              int     `json:"runs"`
	EventsPerRun      int     `json:"events_per_run"`
	RunsPerSecPerCore float64 `json:"runs_per_sec_per_core"`
	EventsPerSec      float64 `json:"events_per_sec"`
	SimToReal         float64 `json:"sim_to_real"`
	AllocsPerEvent    float64 `json:"allocs_per_event"`
	BytesPerEvent     float64 `json:"bytes_per_event"`
	// KernelRatio is our kernel's event rate over baseline (a)'s.
	KernelRatio float64 `json:"kernel_ratio"`
	// RatioToBaseline is our runs/s over baseline (b)'s runs/s.
	RatioToBaseline float64 `json:"ratio_to_baseline"`
	// Work is what a run must do at least: its events, hashes and signatures.
	Work Work `json:"work"`
}

// Work counts a run's irreducible work, read off its trace.
type Work struct {
	Events      int `json:"events"`
	SHA256      int `json:"sha256"`
	HMAC        int `json:"hmac"`
	PayloadSize int `json:"payload_bytes"`
	TokenSize   int `json:"token_bytes"`
}

// run is one judged run.
func run(sc *scenarios.Scenario, mode host.Mode, seed uint64) (*world.Result, error) {
	res, err := world.Run(sc, mode, seed, world.Options{})
	if err != nil {
		return nil, err
	}
	in := check.Input{Trace: res.Trace, Complete: res.Outcome.Reason.Complete(), Secrets: res.Secrets}
	for _, p := range check.TraceCheckers() {
		p.Check(in)
	}
	return res, nil
}

// Measure runs a scenario for at least d on one goroutine (seeds 1, 2, ...) and measures it against
// the baselines.
func Measure(sc *scenarios.Scenario, mode host.Mode, d time.Duration) (Result, error) {
	r := Result{Scenario: sc.Path, Mode: mode.String()}
	first, err := run(sc, mode, 1)
	if err != nil {
		return r, err
	}
	r.Work = workOf(first.Trace, first.Outcome.Events)
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	events := 0
	var simulated time.Duration
	start := time.Now()
	for seed := uint64(1); time.Since(start) < d || r.Runs == 0; seed++ {
		res, err := run(sc, mode, seed)
		if err != nil {
			return r, err
		}
		r.Runs++
		events += res.Outcome.Events
		simulated += res.Outcome.At
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms1)
	r.EventsPerRun = events / r.Runs
	r.RunsPerSecPerCore = float64(r.Runs) / elapsed.Seconds()
	r.EventsPerSec = float64(events) / elapsed.Seconds()
	r.SimToReal = simulated.Seconds() / elapsed.Seconds()
	r.AllocsPerEvent = float64(ms1.Mallocs-ms0.Mallocs) / float64(events)
	r.BytesPerEvent = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(events)
	kernel := KernelRate(r.EventsPerRun, d/4)
	heapRate := HeapRate(r.EventsPerRun, d/4)
	r.KernelRatio = kernel / heapRate
	r.RatioToBaseline = r.RunsPerSecPerCore / WorkRate(r.Work, d/4)
	return r, nil
}

// workOf reads a run's irreducible work off its trace: a SHA-256 for every payload built or stored
// (sync.enter, a served MSG-3, content.change, store.write) and an HMAC for every token signed or
// checked (MSG-1 with its token, a mesh fetch, token checks).
func workOf(tr *trace.Trace, events int) Work {
	w := Work{Events: events, TokenSize: 300}
	payloads, bytes := 0, 0
	for _, r := range tr.Records {
		switch r.Kind {
		case "sync.enter", "content.change", "store.write":
			w.SHA256++
		case "token.check":
			w.HMAC++
			if r.Get("endpoint") == "msg3" && r.Get("accepted") == "true" {
				w.SHA256++
			}
		case "mesh.fetch":
			w.HMAC++
		case "sync.publish":
			if r.Get("target") == "frontend" {
				w.HMAC++
			}
			payloads++
			bytes += r.Int("bytes")
		}
	}
	if payloads > 0 {
		w.PayloadSize = bytes / payloads
	}
	if w.PayloadSize == 0 {
		w.PayloadSize = 2048
	}
	return w
}

// KernelRate is our kernel's rate of events (schedule and fire a no-op), in events per second.
func KernelRate(perRun int, d time.Duration) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < d || n == 0 {
		k := sim.NewKernel(1, sim.Budget{})
		for i := 0; i < perRun; i++ {
			k.At(time.Duration(i%97)*time.Millisecond, func() {})
		}
		k.Run(time.Hour)
		n += perRun
	}
	return float64(n) / time.Since(start).Seconds()
}

// baseEvent is the kernel baseline's event: the same fields as sim.Event.
type baseEvent struct {
	At      time.Duration
	Seq     uint64
	Party   string
	Fire    func()
	stopped bool
}

type baseHeap []*baseEvent

func (h baseHeap) Len() int { return len(h) }
func (h baseHeap) Less(i, j int) bool {
	if h[i].At != h[j].At {
		return h[i].At < h[j].At
	}
	return h[i].Seq < h[j].Seq
}
func (h baseHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *baseHeap) Push(x any)   { *h = append(*h, x.(*baseEvent)) }
func (h *baseHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	*h = old[:n-1]
	return e
}

// heapRun does a run's pushes and pops on a container/heap queue.
func heapRun(perRun int) {
	h := &baseHeap{}
	for i := 0; i < perRun; i++ {
		heap.Push(h, &baseEvent{At: time.Duration(i%97) * time.Millisecond, Seq: uint64(i), Fire: func() {}})
	}
	for h.Len() > 0 {
		heap.Pop(h).(*baseEvent).Fire()
	}
}

// HeapRate is baseline (a): events per second of a container/heap queue.
func HeapRate(perRun int, d time.Duration) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < d || n == 0 {
		heapRun(perRun)
		n += perRun
	}
	return float64(n) / time.Since(start).Seconds()
}

// WorkRate is baseline (b): runs per second of baseline (a) plus a run's hashes and signatures.
func WorkRate(w Work, d time.Duration) float64 {
	payload := make([]byte, w.PayloadSize)
	token := make([]byte, w.TokenSize)
	key := make([]byte, 32)
	runs := 0
	start := time.Now()
	for time.Since(start) < d || runs == 0 {
		heapRun(w.Events)
		for i := 0; i < w.SHA256; i++ {
			sha256.Sum256(payload)
		}
		for i := 0; i < w.HMAC; i++ {
			m := hmac.New(sha256.New, key)
			m.Write(token)
			m.Sum(nil)
		}
		runs++
	}
	return float64(runs) / time.Since(start).Seconds()
}
