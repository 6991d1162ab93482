package host

import "github.com/syncsim/syncsim/internal/ids"

// The primary lease loop (PROTOCOL.md section 1): every LeaseRenew the primary renews its lease on
// azure-webjobs-hosts/locks/{hostId}/host; the others try to acquire it. Only the primary runs the
// background sync (SYNC-8).
func (m *Machine) leaseTick() {
	m.emit(m.leaseTimer)
	if m.leaseBusy {
		return
	}
	m.leaseBusy = true
	m.leaseAsked = m.now
	id := m.id()
	if m.primary {
		m.blobs[id] = blobWait{lease: BlobRenewLease}
		m.emit(BlobCall{ID: id, Op: BlobRenewLease, Container: HostsContainer, Blob: m.lockBlob, LeaseID: m.leaseID})
		return
	}
	if m.leaseID == "" {
		m.leaseID = ids.UUID(m.cfg.Rand)
	}
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
	case op == BlobUpload:
		// The lock blob exists now (or someone else made it): the next tick acquires.
	case r.OK():
		// Storage started the lease's period when the call arrived, after it was sent: counting
		// from the send keeps the host's view of the expiry no later than storage's.
		m.leaseUntil = m.leaseAsked.Add(m.cfg.LeaseDuration)
		if !m.primary {
			m.primary = true
			m.log("Information", "Host lock lease acquired by instance ID '"+m.cfg.ContainerName+"'.")
			m.emit(PrimaryChanged{Primary: true})
		}
	case r.Status == 404 && !m.primary:
		// The lock blob does not exist yet: create it; the next tick acquires.
		id := m.id()
		m.blobs[id] = blobWait{lease: BlobUpload}
		m.leaseBusy = true
		m.emit(BlobCall{ID: id, Op: BlobUpload, Container: HostsContainer, Blob: m.lockBlob, IfNoneMatch: "*"})
	default:
		if m.primary {
			m.primary = false
			m.log("Information", "Host lock lease lost by instance ID '"+m.cfg.ContainerName+"'.")
			m.emit(PrimaryChanged{Primary: false})
		}
	}
}

// checkLeaseFresh drops the primary role when the lease has expired on this host's own clock: the
// renewals since the last successful one failed or got no answer yet (a lost request waits for the
// blob timeout, longer than the lease), so storage may already have granted the lease to another
// instance. PROTOCOL.md section 1 "primary", SYNC-8: only the lease's holder runs the background
// sync, so the host checks the lease's freshness before it acts as primary.
func (m *Machine) checkLeaseFresh() {
	if !m.primary || m.cfg.NoStorage || m.now.Before(m.leaseUntil) {
		return
	}
	m.primary = false
	m.log("Information", "Host lock lease lost by instance ID '"+m.cfg.ContainerName+"'.")
	m.emit(PrimaryChanged{Primary: false})
}
