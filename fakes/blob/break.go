package blob

import "time"

// BreakLease breaks the blob's lease without its id and returns the time left until it is broken.
// breakPeriod is 0 to 60 s, or BreakAtLeaseEnd. A leased blob becomes breaking until
// now + breakPeriod (never later than a fixed lease's expiry) or broken at once for 0; while
// breaking, writes still need the lease id and acquires fail 409. Breaking a broken lease changes
// nothing; breaking a breaking lease can only shorten it.
func (s *Store) BreakLease(now time.Time, containerName, name string, breakPeriod time.Duration) (time.Duration, error) {
	r := ref{OpBreakLease, containerName, name}
	b, err := s.lookupBlob(r)
	if err != nil {
		return 0, err
	}
	if breakPeriod != BreakAtLeaseEnd && (breakPeriod < 0 || breakPeriod > MaxBreakPeriod) {
		return 0, r.fail(400, CodeInvalidHeaderValue)
	}
	l := b.lease.at(now)
	switch l.state {
	case LeaseStateAvailable:
		return 0, r.fail(409, CodeLeaseNotPresentWithLeaseOperation)
	case LeaseStateLeased:
		l = l.breakFrom(now, breakPeriod)
	case LeaseStateBreaking:
		l = l.shortenBreak(now, breakPeriod)
	case LeaseStateExpired:
		// Decided here, after Azurite: an expired lease breaks at once (Azure answers 409).
		l = lease{state: LeaseStateBroken, id: l.id}
	}
	b.lease = l
	if l.state == LeaseStateBreaking {
		return l.breakAt.Sub(now), nil
	}
	return 0, nil
}

// breakFrom starts breaking an active lease (Azurite's LeaseLeasedState.break).
func (l lease) breakFrom(now time.Time, period time.Duration) lease {
	broken := lease{state: LeaseStateBroken, id: l.id}
	if period == 0 || (period == BreakAtLeaseEnd && l.infinite) {
		return broken
	}
	at := l.expires
	if period != BreakAtLeaseEnd {
		at = now.Add(period)
		if !l.infinite && l.expires.Before(at) {
			at = l.expires
		}
	}
	return lease{state: LeaseStateBreaking, id: l.id, breakAt: at}
}

// shortenBreak applies a second break to a breaking lease (Azurite's LeaseBreakingState.break).
func (l lease) shortenBreak(now time.Time, period time.Duration) lease {
	switch {
	case period == BreakAtLeaseEnd:
		return l
	case period == 0:
		return lease{state: LeaseStateBroken, id: l.id}
	}
	if at := now.Add(period); at.Before(l.breakAt) {
		l.breakAt = at
	}
	return l
}
