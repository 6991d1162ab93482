package blob

import "time"

// Seams are the blob model's decision points that no rewrite of its answers can reach, one
// function per decision: a nil field is the reference decision, so the zero value is the reference
// store. A planted defect (package plant) supplies another function.
type Seams struct {
	// RenewedExpiry is when a fixed lease renewed at now ends (PROTOCOL.md section 1, the primary
	// lease; Renew Lease restarts the lease's duration). Reference: now + duration.
	RenewedExpiry func(now, expires time.Time, duration time.Duration) time.Time
}

func (s Seams) withReference() Seams {
	if s.RenewedExpiry == nil {
		s.RenewedExpiry = func(now, _ time.Time, d time.Duration) time.Time { return now.Add(d) }
	}
	return s
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
