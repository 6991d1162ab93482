package blob

import "time"

// Lease states, statuses and durations as Azure reports them in LeaseInfo.
const (
	LeaseStateAvailable = "available"
	LeaseStateLeased    = "leased"
	LeaseStateExpired   = "expired"
	LeaseStateBreaking  = "breaking"
	LeaseStateBroken    = "broken"

	LeaseStatusLocked   = "locked"
	LeaseStatusUnlocked = "unlocked"

	LeaseDurationInfinite = "infinite"
	LeaseDurationFixed    = "fixed"
)

// InfiniteLease is the AcquireLease duration of a lease that never expires (Azure's -1).
const InfiniteLease time.Duration = -1

// BreakAtLeaseEnd is the BreakLease period meaning "none given": a fixed lease breaks when it would
// have expired, an infinite one at once.
const BreakAtLeaseEnd time.Duration = -1

// Limits of lease durations and break periods, as Azure sets them.
const (
	MinLeaseDuration = 15 * time.Second
	MaxLeaseDuration = 60 * time.Second
	MaxBreakPeriod   = 60 * time.Second
)

// LeaseInfo is a blob's lease as Get Blob Properties reports it. Duration is set only while the
// lease is in state leased.
type LeaseInfo struct {
	State    string // available | leased | expired | breaking | broken
	Status   string // locked | unlocked
	Duration string // infinite | fixed | ""
}

// lease is a blob's lease as last written. Time moves it on its own (leased to expired, breaking to
// broken); at computes the effective state at a moment, so nothing needs a timer.
type lease struct {
	state    string // "" means never leased, the same as available
	id       string
	infinite bool
	duration time.Duration // of a fixed lease
	expires  time.Time     // of a fixed lease in state leased
	breakAt  time.Time     // of a lease in state breaking
}

// at returns the lease as it stands at now. A fixed lease expires at acquire/renew time + duration,
// and breaking ends at the break time (both inclusive, as in Azurite).
func (l lease) at(now time.Time) lease {
	switch {
	case l.state == "":
		l.state = LeaseStateAvailable
	case l.state == LeaseStateLeased && !l.infinite && !now.Before(l.expires):
		l.state = LeaseStateExpired
	case l.state == LeaseStateBreaking && !now.Before(l.breakAt):
		l.state = LeaseStateBroken
	}
	return l
}

// locked reports whether writes need this lease's id.
func (l lease) locked() bool {
	return l.state == LeaseStateLeased || l.state == LeaseStateBreaking
}

// afterWrite is the lease after a successful write: an expired or broken lease is gone (so it can
// no longer be renewed), an active or breaking one stays.
func (l lease) afterWrite() lease {
	if l.locked() {
		return l
	}
	return lease{state: LeaseStateAvailable}
}

func (l lease) info() LeaseInfo {
	switch l.state {
	case LeaseStateLeased:
		d := LeaseDurationFixed
		if l.infinite {
			d = LeaseDurationInfinite
		}
		return LeaseInfo{State: l.state, Status: LeaseStatusLocked, Duration: d}
	case LeaseStateBreaking:
		return LeaseInfo{State: l.state, Status: LeaseStatusLocked}
	case LeaseStateExpired, LeaseStateBroken:
		return LeaseInfo{State: l.state, Status: LeaseStatusUnlocked}
	default:
		return LeaseInfo{State: LeaseStateAvailable, Status: LeaseStatusUnlocked}
	}
}

func validLeaseDuration(d time.Duration) bool {
	return d == InfiniteLease || (d >= MinLeaseDuration && d <= MaxLeaseDuration)
}

func newLease(now time.Time, id string, d time.Duration) lease {
	if d == InfiniteLease {
		return lease{state: LeaseStateLeased, id: id, infinite: true}
	}
	return lease{state: LeaseStateLeased, id: id, duration: d, expires: now.Add(d)}
}

// AcquireLease takes a lease on an existing blob for duration (InfiniteLease, or 15 s to 60 s) and
// returns its id: proposedID, or a generated deterministic id when proposedID is "". Acquiring with
// the id of the active lease renews it with the new duration. Lease operations never change the
// ETag. c.IfMatch / c.IfNoneMatch apply as for writes; c.LeaseID is ignored (Azure takes the
// proposed id instead).
func (s *Store) AcquireLease(now time.Time, containerName, name string, duration time.Duration, proposedID string, c Conditions) (string, error) {
	r := ref{OpAcquireLease, containerName, name}
	_, b, err := s.lookup(r)
	if err != nil {
		return "", err
	}
	// Azurite's acquireBlobLease checks the conditions before it looks for the blob, so If-Match
	// with an ETag on a missing blob fails 412, not 404.
	if err := checkWrite(r, c, b); err != nil {
		return "", err
	}
	if b == nil {
		return "", r.fail(404, CodeBlobNotFound)
	}
	l := b.lease.at(now)
	switch l.state {
	case LeaseStateLeased:
		if proposedID != l.id {
			// BLOB-3: a second acquire fails 409 LeaseAlreadyPresent.
			return "", r.fail(409, CodeLeaseAlreadyPresent)
		}
	case LeaseStateBreaking:
		// Azurite: the breaking lease's own id gets a code of its own.
		if proposedID == l.id {
			return "", r.fail(409, CodeLeaseIsBreakingAndCannotBeAcquired)
		}
		return "", r.fail(409, CodeLeaseAlreadyPresent)
	}
	if !validLeaseDuration(duration) {
		return "", r.fail(400, CodeInvalidHeaderValue)
	}
	id := proposedID
	if id == "" {
		id = s.nextLeaseID()
	}
	b.lease = newLease(now, id, duration)
	return id, nil
}

// RenewLease restarts a fixed lease's duration from now. An expired lease can be renewed as long
// as nobody acquired it and the blob was not written since; like Azurite, with any id, and it keeps
// its own id (Azure requires the lease's own id: see DEVIATIONS.md).
func (s *Store) RenewLease(now time.Time, containerName, name, leaseID string) error {
	r := ref{OpRenewLease, containerName, name}
	b, l, err := s.leaseOf(now, r, leaseID)
	if err != nil {
		return err
	}
	switch l.state {
	case LeaseStateAvailable:
		// Azurite's LeaseAvailableState.renew: 409 LeaseIdMismatchWithLeaseOperation (Azure: 409
		// LeaseNotPresentWithLeaseOperation).
		return r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
	case LeaseStateBreaking, LeaseStateBroken:
		if leaseID == l.id {
			return r.fail(409, CodeLeaseIsBrokenAndCannotBeRenewed)
		}
		return r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
	case LeaseStateLeased:
		if leaseID != l.id {
			return r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
		}
	}
	// Leased under leaseID, or expired: Azurite's LeaseExpiredState.renew ignores the id given and
	// renews the lease under its own id.
	if !l.infinite {
		b.lease = newLease(now, l.id, l.duration)
		b.lease.expires = s.Seams.withReference().RenewedExpiry(now, l.expires, l.duration)
	}
	return nil
}

// ReleaseLease ends the lease held under leaseID; the blob becomes available at once.
func (s *Store) ReleaseLease(now time.Time, containerName, name, leaseID string) error {
	r := ref{OpReleaseLease, containerName, name}
	b, l, err := s.leaseOf(now, r, leaseID)
	if err != nil {
		return err
	}
	// Azurite's LeaseAvailableState.release answers 409 LeaseIdMismatchWithLeaseOperation for a blob
	// with no lease, as for a wrong id (Azure: 409 LeaseNotPresentWithLeaseOperation).
	if leaseID != l.id {
		return r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
	}
	b.lease = lease{state: LeaseStateAvailable}
	return nil
}

// ChangeLease gives the active lease the id proposedID and returns it. Like Azure it is idempotent:
// leaseID may already be the proposed id.
func (s *Store) ChangeLease(now time.Time, containerName, name, leaseID, proposedID string) (string, error) {
	r := ref{OpChangeLease, containerName, name}
	b, l, err := s.leaseOf(now, r, leaseID)
	if err != nil {
		return "", err
	}
	if proposedID == "" {
		return "", r.fail(400, CodeInvalidHeaderValue)
	}
	switch l.state {
	case LeaseStateLeased:
		if leaseID != l.id && proposedID != l.id {
			return "", r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
		}
		b.lease.id = proposedID
		return proposedID, nil
	case LeaseStateBreaking:
		if leaseID == l.id {
			return "", r.fail(409, CodeLeaseIsBreakingAndCannotBeChanged)
		}
		return "", r.fail(409, CodeLeaseIDMismatchWithLeaseOperation)
	default:
		return "", r.fail(409, CodeLeaseNotPresentWithLeaseOperation)
	}
}

// leaseOf finds the blob for renew, release and change, which all require a lease id.
func (s *Store) leaseOf(now time.Time, r ref, leaseID string) (*entry, lease, error) {
	b, err := s.lookupBlob(r)
	if err != nil {
		return nil, lease{}, err
	}
	if leaseID == "" {
		return nil, lease{}, r.fail(400, CodeMissingRequiredHeader)
	}
	return b, b.lease.at(now), nil
}
