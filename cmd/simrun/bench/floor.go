package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"time"

	"github.com/syncsim/syncsim/sim"
)

// item is the floor's queue entry: a plain value, ordered by (at, seq) as sim.Event is.
type item struct {
	at  time.Duration
	seq uint64
}

// valueHeap is a binary min-heap of items stored by value: the least a discrete-event queue can do.
type valueHeap []item

func (h *valueHeap) push(x item) {
	*h = append(*h, x)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !before(s[i], s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *valueHeap) pop() item {
	s := *h
	n := len(s) - 1
	top := s[0]
	s[0] = s[n]
	s = s[:n]
	*h = s
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && before(s[r], s[l]) {
			c = r
		}
		if !before(s[c], s[i]) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	return top
}

func before(a, b item) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// floor does a run's bare work: its queue's operations on a value heap (pushes, pops, stops in the
// run's order; a stopped item is skipped when popped) and its SHA-256 and HMAC-SHA256 computations
// over inputs of the run's sizes. Its buffers are reused across calls: its only allocations are
// hmac.New's, one per token, as in the run.
type floor struct {
	heap    valueHeap
	stopped []bool
	input   []byte
	key     []byte
	sum     []byte
}

func newFloor() *floor { return &floor{key: make([]byte, 32)} }

// events replays the shape on the value heap and returns the number of events fired.
func (f *floor) events(s *sim.Shape) int {
	f.heap = f.heap[:0]
	clear(f.stopped)
	fired := 0
	for _, op := range s.Ops {
		switch op.Op {
		case sim.ShapePush:
			for uint64(len(f.stopped)) <= op.Seq {
				f.stopped = append(f.stopped, false)
			}
			f.heap.push(item{op.At, op.Seq})
		case sim.ShapeStop:
			f.stopped[op.Seq] = true
		case sim.ShapePop:
			if it := f.heap.pop(); !f.stopped[it.seq] {
				fired++
			}
		}
	}
	return fired
}

// crypto does the run's hashes and MACs.
func (f *floor) crypto(w *Work) {
	for _, n := range w.SHA256 {
		sha256.Sum256(f.bytes(n))
	}
	for _, n := range w.HMAC {
		// hmac.New per token, as the run's signers and validators do.
		m := hmac.New(sha256.New, f.key)
		m.Write(f.bytes(n))
		f.sum = m.Sum(f.sum[:0])
	}
}

func (f *floor) bytes(n int) []byte {
	if len(f.input) < n {
		f.input = make([]byte, n)
	}
	return f.input[:n]
}

// run is one run's floor: its events on the value heap and its crypto.
func (f *floor) run(w *Work) int {
	n := f.events(w.Shape)
	f.crypto(w)
	return n
}

// replay is a shape prepared for the kernel: live marks the pops that fire (not of a stopped timer).
type replay struct {
	shape *sim.Shape
	live  []bool
	end   time.Duration
}

func newReplay(s *sim.Shape) *replay {
	r := &replay{shape: s, live: make([]bool, len(s.Ops))}
	stopped := map[uint64]bool{}
	for i, op := range s.Ops {
		switch op.Op {
		case sim.ShapeStop:
			stopped[op.Seq] = true
		case sim.ShapePop:
			r.live[i] = !stopped[op.Seq]
			r.end = max(r.end, op.At)
		}
	}
	return r
}

// kernel replays the shape on the simulator's own kernel: the operations before the first pop are
// made before Run; each event the kernel fires makes the operations that followed its pop in the run,
// up to the next pop; the kernel skips stopped timers itself. It returns the kernel after the replay
// (its queue did what the run's did: a test compares the shapes) and the events it fired.
func (r *replay) kernel() (*sim.Kernel, int) {
	k := sim.NewKernel(1, sim.Budget{})
	ops := r.shape.Ops
	timers := make([]sim.Timer, len(ops)+1)
	next := 0
	var fire func()
	apply := func(i int) int {
		for ; i < len(ops) && ops[i].Op != sim.ShapePop; i++ {
			switch ops[i].Op {
			case sim.ShapePush:
				t := k.At(ops[i].At, fire)
				if ops[i].Seq < uint64(len(timers)) {
					timers[ops[i].Seq] = t
				}
			case sim.ShapeStop:
				if ops[i].Seq < uint64(len(timers)) {
					timers[ops[i].Seq].Stop()
				}
			}
		}
		return i
	}
	fire = func() {
		for next < len(ops) && !r.live[next] {
			next++
		}
		next = apply(next + 1)
	}
	next = apply(0)
	out := k.Run(r.end)
	return k, out.Events
}
