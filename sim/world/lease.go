package world

import (
	"strings"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// recordLease writes storage's `lease` record after an operation on the primary's lock blob
// (PROTOCOL.md section 1): the operation, who asked, its status, and the lease as the blob model holds
// it right after (state, holder, expiry). It is read from the blob model itself, never from a host's
// belief, so that P14 and P15 judge the lease's own history. Lease ids stay out of the trace; the
// holder is the instance that acquired the lease under that id.
func (w *World) recordLease(op host.BlobOp, caller string, c host.BlobCall, res host.BlobResult) {
	if !isLockBlob(c.Blob, w.sc.Site.HostID) {
		return
	}
	lock := c.Blob
	switch op {
	case host.BlobAcquireLease, host.BlobRenewLease, opLeaseBreak:
	default:
		return
	}
	if w.leaseHolders == nil {
		w.leaseHolders = map[string]string{}
	}
	if op == host.BlobAcquireLease && res.OK() && res.LeaseID != "" {
		w.leaseHolders[res.LeaseID] = caller
	}
	v, ok := w.blobs.PeekLease(w.now(), host.HostsContainer, lock)
	view := trace.LeaseView{State: "none"}
	if ok {
		view.State, view.Holder = v.State, w.leaseHolders[v.ID]
		if !v.Expires.IsZero() {
			view.Expires, view.ExpiresMs, view.Duration = true, v.Expires.Sub(trace.Epoch).Milliseconds(), v.Duration
		}
	}
	w.k.Trace.Put(trace.PartyStorage, trace.Lease(string(op), lock, res.Status, caller, view))
}

// isLockBlob reports whether name is host.LockBlobName(hostID), without building that name for
// every storage call.
func isLockBlob(name, hostID string) bool {
	const prefix, suffix = "locks/", "/host"
	return len(name) == len(prefix)+len(hostID)+len(suffix) && strings.HasPrefix(name, prefix) &&
		strings.HasSuffix(name, suffix) && name[len(prefix):len(name)-len(suffix)] == hostID
}

// opLeaseBreak names the injected primary-lease-lost fault's break in the lease record.
const opLeaseBreak host.BlobOp = "break-lease"
