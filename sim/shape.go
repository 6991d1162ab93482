package sim

import (
	"sync/atomic"
	"time"
)

// ShapeKind is what a queue operation did.
type ShapeKind uint8

// Queue operations, as a Shape logs them.
const (
	// ShapePush: an event was scheduled (At, AtParty, After, or a choice point putting one back).
	ShapePush ShapeKind = iota + 1
	// ShapePop: the earliest event left the queue, to fire or, if it was stopped, to be skipped.
	ShapePop
	// ShapeStop: a timer still queued was stopped (Timer.Stop); its pop will skip it.
	ShapeStop
)

// ShapeOp is one queue operation: what it did and the (At, Seq) of the event it did it to.
type ShapeOp struct {
	Op  ShapeKind
	At  time.Duration
	Seq uint64
}

// Shape is the log of one kernel's queue operations in the order they happened: the shape of a run
// as its event queue sees it. cmd/simrun/bench replays it on a value heap (the floor) and on a kernel,
// so both do exactly the run's pushes, pops and stops.
type Shape struct {
	Ops []ShapeOp
}

// Count returns the number of operations of each kind.
func (s *Shape) Count() (pushes, pops, stops int) {
	for _, op := range s.Ops {
		switch op.Op {
		case ShapePush:
			pushes++
		case ShapePop:
			pops++
		case ShapeStop:
			stops++
		}
	}
	return pushes, pops, stops
}

// shapeSink, when set, gets the shape of every kernel created (RecordShapes).
var shapeSink atomic.Pointer[func(*Shape)]

// RecordShapes makes every kernel created until stop is called log its queue operations into a new
// Shape, which sink gets when the kernel is created (benchmarks, on one goroutine: a kernel created
// on another goroutine meanwhile is logged too). Off, it costs one atomic load per kernel and one
// nil check per queue operation.
func RecordShapes(sink func(*Shape)) (stop func()) {
	shapeSink.Store(&sink)
	return func() { shapeSink.Store(nil) }
}
