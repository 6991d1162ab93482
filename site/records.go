package site

import (
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
	"github.com/syncsim/syncsim/trace/canonical"
)

// The records of host and platform effects (trace/TRACE.md): which record each effect is, so that
// every driver writes the same trace. The field layout of each kind is its constructor's, in
// trace.

// HostEvent is the record of a host effect a checker reads: sync.call, sync.enter and sync.end for a
// SpanEvent, sync.point, log, primary, hash.written and sync.hashread. ok is false for the effects
// that are requests to the driver (timers, sends, blob calls, answers).
func HostEvent(e host.Effect) (ev trace.Event, ok bool) {
	switch e := e.(type) {
	case host.SpanEvent:
		return SpanEvent(e), true
	case host.Point:
		return trace.SyncPoint(e.Name, e.Span, e.Background), true
	case host.Log:
		return trace.Log(e.Level, e.Category, e.Text, e.Exception), true
	case host.PrimaryChanged:
		return trace.Primary(e.Primary), true
	case host.HashWritten:
		return trace.HashWritten(e.Hash), true
	case host.HashRead:
		return trace.SyncHashRead(e.Span, e.Last, e.Current), true
	}
	return trace.Event{}, false
}

// SpanEvent is the record of a sync span event: sync.call, sync.enter or sync.end.
func SpanEvent(e host.SpanEvent) trace.Event {
	switch e.Phase {
	case host.SpanCall:
		return trace.SyncCall(e.Span, e.Background, e.Origin, e.ReqID)
	case host.SpanEnter:
		return trace.SyncEnter(e.Span, e.Background, e.Origin, e.Hash)
	case host.SpanEnd:
		return trace.SyncEnd(e.Span, e.Background, e.Origin, e.Success, e.Published, e.Hash, e.Error)
	}
	panic("site: unknown span phase " + string(e.Phase))
}

// PublishEvent is the sync.publish record of a MSG-1 or MSG-2 (SYNC-6).
func PublishEvent(s host.Send) trace.Event {
	return trace.SyncPublish(s.Span, s.Background, s.Target.String(), s.Hash, s.Triggers, len(s.Body))
}

// TargetParty is the party a Send goes to: the front end (MSG-1) or the mesh (MSG-2).
func TargetParty(t host.Target) string {
	if t == host.TargetMesh {
		return trace.PartyMesh
	}
	return trace.PartyFrontEnd
}

// StorageEvent is the storage party's record of a blob call and its result: blob.write for a
// successful write of the hash blob of hostID (with the hash it now holds), blob.op otherwise.
// faulted marks a result an injected fault made: always blob.op, and the value is not recorded.
func StorageEvent(hostID string, c host.BlobCall, res host.BlobResult, faulted bool) trace.Event {
	// BLOB-1: the hash blob holds a hash, never a secret, so the trace keeps its value.
	if !faulted && c.Op == host.BlobUpload && res.OK() && c.Blob == host.HashBlobName(hostID) {
		return trace.BlobWrite(c.ID, string(c.Op), c.Blob, res.Status, res.Code, string(c.Data))
	}
	return trace.BlobOp(c.ID, string(c.Op), c.Blob, res.Status, res.Code, faulted)
}

// MeshEvent is the record of one of the mesh's effects: Accepted, Log, Stored and Abandoned are
// recorded; the others (timers, fetches) are requests to the driver and ok is false.
func MeshEvent(e mesh.Effect) (ev trace.Event, ok bool) {
	switch e := e.(type) {
	case mesh.Accepted:
		return trace.MeshAccept(e.Notification, e.Instance), true
	case mesh.Log:
		// The reference platform's lines are the harness's: no upstream code writes them.
		return trace.Log(e.Level, trace.CategoryPlatform, e.Text, ""), true
	case mesh.Stored:
		return trace.StoreWriteMesh(e.Entry.Hash, canonical.Hash(e.Entry.Body), e.Entry.Revision, e.Cover), true
	case mesh.Abandoned:
		return trace.MeshAbandon(e.Cover, e.Attempts, e.Reason), true
	}
	return trace.Event{}, false
}

// FrontEndEvent is the record of the front end's answer to MSG-1 from sender: store.write when it
// stored the payload, fe.reject otherwise; d names the simulated network's message (nil live).
func FrontEndEvent(status int, out mesh.Outcome, sender string, d *trace.Delivery) trace.Event {
	if !out.Stored {
		return trace.FrontEndReject(status, out.Reason)
	}
	return trace.StoreWriteFrontEnd(out.Entry.Hash, canonical.Hash(out.Entry.Body), out.Entry.Revision, sender, d)
}

// StoreSnapshotEvent is the record of what the platform store's Get returns for a site (e, ok) at a
// moment: "write" right after a store write, "settle-end" at the end of the run (P1, P2, P4, P13
// judge the store from these).
func StoreSnapshotEvent(e mesh.Entry, ok bool, at string) trace.Event {
	if !ok {
		return trace.StoreSnapshotEmpty(at)
	}
	return trace.StoreSnapshot(at, e.Hash, canonical.Hash(e.Body), e.Revision, e.Writes)
}
