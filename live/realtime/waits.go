package realtime

import "github.com/syncsim/syncsim/host"

// Waits are one instance's admin requests waiting for its host's answers, by request id: the
// handler that handed a request to the machine waits on the request's channel, and the host's
// Respond effect hands the answer over. A request without an id of its own (one that did not come
// through a site router's route) is numbered past firstReq, so that it never takes a route's id.
// Every method runs with the party's lock held.
type Waits struct {
	waits map[int]chan host.Respond
	next  int
	gone  chan struct{}
	cut   bool
}

// NewWaits returns an instance's waits, numbering requests without an id from firstReq + 1.
func NewWaits(firstReq int) *Waits {
	return &Waits{waits: map[int]chan host.Respond{}, next: firstReq, gone: make(chan struct{})}
}

// Add registers request id (0: the next free one) and returns its id and the channel its answer
// comes on; ok is false once Cut (the instance is gone: nothing is handed to it).
func (w *Waits) Add(id int) (_ int, answer <-chan host.Respond, ok bool) {
	if w.cut {
		return 0, nil, false
	}
	if id == 0 {
		w.next++
		id = w.next
	}
	ch := make(chan host.Respond, 1)
	w.waits[id] = ch
	return id, ch, true
}

// Forget drops request id's wait (its client went away).
func (w *Waits) Forget(id int) { delete(w.waits, id) }

// Respond hands r to the request waiting for it, if it still waits.
func (w *Waits) Respond(r host.Respond) {
	if ch, ok := w.waits[r.ReqID]; ok {
		delete(w.waits, r.ReqID)
		ch <- r
	}
}

// Cut ends every wait for good, as a deleted instance cuts its connections: Gone closes, and Add
// refuses from now on.
func (w *Waits) Cut() {
	if w.cut {
		return
	}
	w.cut = true
	clear(w.waits)
	close(w.gone)
}

// Gone is closed once Cut: a handler waiting for an answer selects on it.
func (w *Waits) Gone() <-chan struct{} { return w.gone }
