package sim

import "time"

// Event is one scheduled happening. Events fire in (At, Seq) order: Seq breaks ties in the order the
// events were scheduled, so equal times never depend on heap internals.
type Event struct {
	At  time.Duration
	Seq uint64
	// Party is whose event it is ("" for the world's own), for strategies that prioritize parties.
	Party string
	Fire  func()
	// Note is what the event carries, for state digests (simrun explore): the network sets it to the
	// message a delivery event delivers; nil for timers, whose owners hold their handles.
	Note any
	// stopped events stay in the queue and are skipped when popped: cheaper than a heap removal.
	stopped bool
	// q is the queue the kernel pushed the event on (nil for an event made elsewhere), for a
	// timer's stop in the shape log.
	q *Queue
}

// Queue is a binary min-heap of events ordered by (At, Seq).
type Queue struct {
	items []*Event
	// shape, when set (RecordShapes), logs every push, pop and stop in order.
	shape *Shape
}

func less(a, b *Event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.Seq < b.Seq
}

// Len is the number of queued events, stopped ones included.
func (q *Queue) Len() int { return len(q.items) }

// Push adds an event.
func (q *Queue) Push(e *Event) {
	if q.shape != nil {
		q.shape.Ops = append(q.shape.Ops, ShapeOp{Op: ShapePush, At: e.At, Seq: e.Seq})
	}
	q.items = append(q.items, e)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(q.items[i], q.items[p]) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

// Peek returns the earliest event without removing it, or nil.
func (q *Queue) Peek() *Event {
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

// Pop removes and returns the earliest event, or nil when the queue is empty.
func (q *Queue) Pop() *Event {
	n := len(q.items)
	if n == 0 {
		return nil
	}
	top := q.items[0]
	if q.shape != nil {
		q.shape.Ops = append(q.shape.Ops, ShapeOp{Op: ShapePop, At: top.At, Seq: top.Seq})
	}
	last := q.items[n-1]
	q.items[n-1] = nil
	q.items = q.items[:n-1]
	if n == 1 {
		return top
	}
	q.items[0] = last
	i, m := 0, n-1
	for {
		l := 2*i + 1
		if l >= m {
			break
		}
		c := l
		if r := l + 1; r < m && less(q.items[r], q.items[l]) {
			c = r
		}
		if !less(q.items[c], q.items[i]) {
			break
		}
		q.items[i], q.items[c] = q.items[c], q.items[i]
		i = c
	}
	return top
}
