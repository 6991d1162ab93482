package host

import (
	"fmt"

	"github.com/syncsim/syncsim/internal/ids"
)

// The primary lease loop (PROTOCOL.md section 1), as upstream's PrimaryHostCoordinator runs it
// (src/Microsoft.Azure.WebJobs.Host/Hosting/PrimaryHostCoordinator.cs@f79ea0b in
// Azure/azure-webjobs-sdk): a timer ticks every LeaseRetry (the first tick LeaseRetry after start)
// while the instance is not primary, trying to acquire the lease on
// azure-webjobs-hosts/locks/{hostId}/host; once acquired it ticks every LeaseRenew and renews. A tick
// while the previous operation is still out does nothing (`_processingLease`). Only the primary runs
// the background sync (SYNC-8).
func (m *Machine) leaseTick() {
	if m.primary {
		m.emit(m.renewTimer)
	} else {
		m.emit(m.retryTimer)
	}
	if m.leaseBusy {
		return
	}
	m.leaseBusy = true
	if m.primary {
		m.leaseAsked = m.now
		id := m.id()
		m.blobs[id] = blobWait{lease: BlobRenewLease}
		m.emit(BlobCall{ID: id, Op: BlobRenewLease, Container: HostsContainer, Blob: m.lockBlob, LeaseID: m.leaseID})
		return
	}
	m.acquire()
}

// acquire sends an acquisition of the lease, with the instance's proposed lease id.
func (m *Machine) acquire() {
	if m.leaseID == "" {
		m.leaseID = ids.UUID(m.cfg.Rand)
	}
	m.leaseAsked = m.now
	id := m.id()
	m.blobs[id] = blobWait{lease: BlobAcquireLease}
	m.emit(BlobCall{ID: id, Op: BlobAcquireLease, Container: HostsContainer, Blob: m.lockBlob,
		LeaseID: m.leaseID, Duration: m.cfg.LeaseDuration})
}

func (m *Machine) leaseDone(op BlobOp, r BlobResult) {
	if op == "early-hash" {
		// The HashBeforePublish bug's write: nothing waits for it.
		return
	}
	m.leaseBusy = false
	switch {
	case op == BlobUpload && (r.OK() || r.Status == 409 || r.Status == 412):
		// The lock blob exists now (or someone else made it): the lock manager acquires at once, in
		// the same attempt (Singleton/BlobLeaseDistributedLockManager.cs@f79ea0b:204-222,254-282).
		m.leaseBusy = true
		m.acquire()
	case op == BlobUpload:
		m.acquireFailed(r)
	case r.OK():
		// Storage started the lease's period when the call arrived, after it was sent: counting
		// from the send keeps the host's view of the expiry no later than storage's.
		m.leaseUntil = m.leaseAsked.Add(m.cfg.LeaseDuration)
		m.leaseDoneAt, m.leaseTook = m.now, m.now.Sub(m.leaseAsked)
		if !m.primary {
			m.primary = true
			m.logAs("Information", CategoryGeneral, fmt.Sprintf(TextLeaseAcquired, m.cfg.ContainerName))
			m.emit(PrimaryChanged{Primary: true})
			// PrimaryHostCoordinator.cs:159: once acquired, the timer runs at the renewal interval.
			m.emit(m.renewTimer)
		}
	case r.Status == 404 && !m.primary:
		// The lock blob does not exist yet: create it, then acquire (BlobLeaseDistributedLockManager.cs
		// @f79ea0b:195-222).
		id := m.id()
		m.blobs[id] = blobWait{lease: BlobUpload}
		m.leaseBusy = true
		m.emit(BlobCall{ID: id, Op: BlobUpload, Container: HostsContainer, Blob: m.lockBlob, IfNoneMatch: "*"})
	case m.primary:
		// PrimaryHostCoordinator.cs:126-140,166-173: any failed renewal is read as a stolen lease;
		// the lease is dropped and acquisition is retried every LeaseRetry.
		m.loseLease()
	case r.Status == 409:
		// Someone else holds the lease: not logged upstream (PrimaryHostCoordinator.cs:145-150).
	default:
		m.acquireFailed(r)
	}
}

// acquireFailed logs an acquisition that threw (a storage error or no answer): upstream's Debug
// line with the exception as the reason (PrimaryHostCoordinator.cs:98-111,174-177); the next tick
// tries again.
func (m *Machine) acquireFailed(r BlobResult) {
	m.logAs("Debug", CategoryGeneral, fmt.Sprintf(TextLeaseAcquireFailed, m.cfg.ContainerName, blobException(r)))
}

// loseLease drops the primary role with upstream's renewal-failure line and goes back to trying to
// acquire every LeaseRetry (PrimaryHostCoordinator.cs#ResetLease).
func (m *Machine) loseLease() {
	m.primary = false
	m.logAs("Information", CategoryGeneral, leaseRenewFailed(m.now, m.leaseDoneAt, m.leaseTook))
	m.emit(PrimaryChanged{Primary: false})
	m.emit(m.retryTimer)
}

// checkLeaseFresh drops the primary role when the lease has expired on this host's own clock: the
// renewals since the last successful one failed or got no answer yet (a lost request waits for the
// blob timeout, longer than the lease), so storage may already have granted the lease to another
// instance. Upstream has no such check (its IsPrimary is "holds a lock handle"); the model keeps it
// so that a stale primary does not act while storage has granted the lease to another instance
// (FIDELITY.md, SYNC-8; P14, P15). The line logged is upstream's renewal failure, which the real host
// writes when the late renewal fails.
func (m *Machine) checkLeaseFresh() {
	if !m.primary || m.cfg.NoStorage || m.now.Before(m.leaseUntil) {
		return
	}
	m.loseLease()
}
