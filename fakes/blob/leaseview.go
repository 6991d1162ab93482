package blob

import "time"

// Bugs are planted defects of the blob model, all off in a normal build. Tests switch them on to show
// that a property fails when the storage semantics it relies on are broken.
type Bugs struct {
	// RenewKeepsExpiry makes RenewLease answer success without restarting the lease's duration, so a
	// primary that renews on time still loses its lease 15 s after acquiring it (P15).
	RenewKeepsExpiry bool
}

// LeaseView is a blob's lease as it stands at a moment, for the trace: its state, its id and, for a
// fixed lease in state leased, when it expires.
type LeaseView struct {
	State   string
	ID      string
	Expires time.Time
	// Duration is a fixed lease's duration (0 for an infinite one).
	Duration time.Duration
}

// PeekLease returns a blob's lease at now without side effects (ok is false when the blob does not
// exist). The simulator records it after every lease operation, so that checkers judge the lease's own
// history rather than what the hosts believe.
func (s *Store) PeekLease(now time.Time, containerName, name string) (LeaseView, bool) {
	c, found := s.containers[containerName]
	if !found {
		return LeaseView{}, false
	}
	b, found := c.blobs[name]
	if !found {
		return LeaseView{}, false
	}
	l := b.lease.at(now)
	v := LeaseView{State: l.state, ID: l.id}
	if l.state == LeaseStateLeased && !l.infinite {
		v.Expires, v.Duration = l.expires, l.duration
	}
	return v, true
}
