package world

import (
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/sim"
)

// The trace records of host and platform effects, shared by every driver (sim/TRACE.md) so that
// the simulator and the live runtime write the same trace.

// SpanRecord is the record of a sync span event: sync.call, sync.enter or sync.end.
func SpanRecord(e host.SpanEvent) (string, []sim.Field) {
	fields := []sim.Field{sim.F("span", e.Span), sim.F("background", e.Background), sim.F("origin", e.Origin)}
	switch e.Phase {
	case host.SpanCall:
		if e.ReqID != 0 {
			fields = append(fields, sim.F("request", e.ReqID))
		}
	case host.SpanEnter:
		fields = append(fields, sim.F("hash", e.Hash))
	case host.SpanEnd:
		fields = append(fields, sim.F("success", e.Success), sim.F("published", e.Published), sim.F("hash", e.Hash))
		if e.Error != "" {
			fields = append(fields, sim.F("error", e.Error))
		}
	}
	return "sync." + string(e.Phase), fields
}

// PublishFields are the fields of a sync.publish record (SYNC-6).
func PublishFields(s host.Send) []sim.Field {
	return []sim.Field{sim.F("span", s.Span), sim.F("background", s.Background), sim.F("target", s.Target.String()),
		sim.F("hash", s.Hash), sim.F("triggers", s.Triggers), sim.F("bytes", len(s.Body))}
}

// HostRecord is the record of the other host effects a checker reads: hash.written, sync.hashread,
// primary, log and sync.point.
func HostRecord(e host.Effect) (string, []sim.Field) {
	switch e := e.(type) {
	case host.HashWritten:
		return "hash.written", []sim.Field{sim.F("hash", e.Hash)}
	case host.HashRead:
		return "sync.hashread", []sim.Field{sim.F("span", e.Span), sim.F("last", e.Last), sim.F("current", e.Current)}
	case host.PrimaryChanged:
		return "primary", []sim.Field{sim.F("primary", e.Primary)}
	case host.Log:
		return "log", []sim.Field{sim.F("level", e.Level), sim.F("text", e.Text)}
	case host.Point:
		return "sync.point", []sim.Field{sim.F("point", e.Name), sim.F("span", e.Span), sim.F("background", e.Background)}
	}
	panic("world: no record for this effect")
}

// StorageRecord is the storage party's record of a blob call and its result: blob.write for a
// successful write of the hash blob (with the hash it now holds), blob.op otherwise.
func StorageRecord(hostID string, c host.BlobCall, res host.BlobResult) (string, []sim.Field) {
	fields := []sim.Field{sim.F("id", c.ID), sim.F("op", string(c.Op)), sim.F("blob", c.Blob), sim.F("status", res.Status)}
	if res.Code != "" {
		fields = append(fields, sim.F("code", res.Code))
	}
	// BLOB-1: the hash blob holds a hash, never a secret, so the trace keeps its value.
	if c.Op == host.BlobUpload && res.OK() && c.Blob == host.HashBlobName(hostID) {
		return "blob.write", append(fields, sim.F("value", string(c.Data)))
	}
	return "blob.op", fields
}

// MeshRecord is the record of one of the mesh's effects: Accepted, Log, Stored and Abandoned are
// recorded; the others (timers, fetches) are carried out by the driver and ok is false.
func MeshRecord(e mesh.Effect) (kind string, fields []sim.Field, ok bool) {
	switch e := e.(type) {
	case mesh.Accepted:
		return "mesh.accept", []sim.Field{sim.F("notification", e.Notification), sim.F("instance", e.Instance)}, true
	case mesh.Log:
		return "log", []sim.Field{sim.F("level", e.Level), sim.F("text", e.Text)}, true
	case mesh.Stored:
		return "store.write", []sim.Field{sim.F("via", "mesh"), sim.F("hash", e.Entry.Hash),
			sim.F("revision", e.Entry.Revision), sim.F("cover", e.Cover)}, true
	case mesh.Abandoned:
		return "mesh.abandon", []sim.Field{sim.F("cover", e.Cover), sim.F("attempts", e.Attempts), sim.F("reason", e.Reason)}, true
	}
	return "", nil, false
}

// FrontEndRecord is the record of the front end's answer to MSG-1 from sender: store.write when it
// stored the payload, fe.reject otherwise; extra fields follow a store.write's own.
func FrontEndRecord(status int, out mesh.Outcome, sender string, extra ...sim.Field) (kind string, fields []sim.Field) {
	if !out.Stored {
		return "fe.reject", []sim.Field{sim.F("status", status), sim.F("reason", out.Reason)}
	}
	return "store.write", append([]sim.Field{sim.F("via", "frontend"), sim.F("hash", out.Entry.Hash),
		sim.F("revision", out.Entry.Revision), sim.F("from", sender)}, extra...)
}
