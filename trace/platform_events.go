package trace

import "time"

// The records of storage, the platform (front end, mesh, store) and the site router (trace/TRACE.md).

// BlobWrite is blob.write: a successful write of the hash blob, with the hash it now holds (BLOB-1:
// a hash, never a secret, so the trace keeps the value). code is omitted when "".
func BlobWrite(id int, op, blob string, status int, code, value string) Event {
	return Event{KindBlobWrite, append(blobFields(id, op, blob, status, code), F("value", value))}
}

// BlobOp is blob.op: any other storage call and its status; faulted marks a result an injected
// storage fault made (omitted otherwise).
func BlobOp(id int, op, blob string, status int, code string, faulted bool) Event {
	fields := blobFields(id, op, blob, status, code)
	if faulted {
		fields = append(fields, F("faulted", true))
	}
	return Event{KindBlobOp, fields}
}

// blobFields are a storage call's fields, in an array with room for BlobWrite's or BlobOp's last.
func blobFields(id int, op, blob string, status int, code string) []Field {
	fields := make([]Field, 4, 6)
	fields[0], fields[1], fields[2], fields[3] = F("id", id), F("op", op), F("blob", blob), F("status", status)
	if code != "" {
		fields = append(fields, F("code", code))
	}
	return fields
}

// LeaseView is the primary's lock blob's lease as storage holds it right after an operation.
type LeaseView struct {
	// State is none, available, leased, expired, breaking or broken.
	State string
	// Holder is the instance that acquired the lease under its id (recorded while leased or breaking).
	Holder string
	// Expires says whether the lease has an expiry: ExpiresMs (since the simulator's epoch) and
	// Duration are recorded only then.
	Expires   bool
	ExpiresMs int64
	Duration  time.Duration
}

// Lease is lease: an operation on the lock blob (op), who asked (instance, omitted when ""), its
// status, and the lease right after (P14, P15).
func Lease(op, blob string, status int, instance string, v LeaseView) Event {
	fields := make([]Field, 3, 8) // room for every field a lease record may have
	fields[0], fields[1], fields[2] = F("op", op), F("blob", blob), F("status", status)
	if instance != "" {
		fields = append(fields, F("instance", instance))
	}
	fields = append(fields, F("state", v.State))
	if v.State == "leased" || v.State == "breaking" {
		fields = append(fields, F("holder", v.Holder))
	}
	if v.Expires {
		fields = append(fields, F("expires_ms", v.ExpiresMs), F("duration", v.Duration))
	}
	return Event{KindLease, fields}
}

// Delivery names the simulated network's message that carried a request (its id, and whether it was
// an injected duplicate copy); the live runtime has none.
type Delivery struct {
	Msg       uint64
	Duplicate bool
}

// StoreWriteFrontEnd is store.write via the front end: it stored a MSG-1 payload from a sender (hash
// is the payload's PAY-3 hash, canonical its canonical hash); d, when not nil, names the message.
func StoreWriteFrontEnd(hash, canonical string, revision int, from string, d *Delivery) Event {
	fields := []Field{F("via", "frontend"), F("hash", hash), F("canonical", canonical), F("revision", revision), F("from", from)}
	if d != nil {
		fields = append(fields, F("msg", d.Msg), F("duplicate", d.Duplicate))
	}
	return Event{KindStoreWrite, fields}
}

// StoreWriteMesh is store.write via the mesh: a fetch stored its payload, delivering every
// notification up to cover.
func StoreWriteMesh(hash, canonical string, revision, cover int) Event {
	return Event{KindStoreWrite, []Field{F("via", "mesh"), F("hash", hash), F("canonical", canonical),
		F("revision", revision), F("cover", cover)}}
}

// FrontEndReject is fe.reject: the front end answered MSG-1 without storing it.
func FrontEndReject(status int, reason string) Event {
	return Event{KindFrontEndReject, []Field{F("status", status), F("reason", reason)}}
}

// MeshAccept is mesh.accept: the mesh accepted a notification (MSG-2 answered 2xx).
func MeshAccept(notification int, instance string) Event {
	return Event{KindMeshAccept, []Field{F("notification", notification), F("instance", instance)}}
}

// MeshFetch is mesh.fetch: a MSG-3 attempt leaves; token is the digest of its TOK-4 token.
func MeshFetch(fetch, attempt, cover int, token string) Event {
	return Event{KindMeshFetch, []Field{F("fetch", fetch), F("attempt", attempt), F("cover", cover), F("token", token)}}
}

// MeshFetchDone is mesh.fetch.done: a fetch's answer (status), or none (status 0; errText, omitted
// when "", says why).
func MeshFetchDone(fetch, status int, errText string) Event {
	fields := []Field{F("fetch", fetch), F("status", status)}
	if errText != "" {
		fields = append(fields, F("error", errText))
	}
	return Event{KindMeshFetchDone, fields}
}

// MeshAbandon is mesh.abandon: the mesh gave up on the notifications up to cover.
func MeshAbandon(cover, attempts int, reason string) Event {
	return Event{KindMeshAbandon, []Field{F("cover", cover), F("attempts", attempts), F("reason", reason)}}
}

// StoreSnapshot is store.snapshot: what the platform store's Get returns for the site at a moment
// ("write" right after a store write, "settle-end" at the end of the run).
func StoreSnapshot(at, hash, canonical string, revision, writes int) Event {
	return Event{KindStoreSnapshot, []Field{F("at", at), F("hash", hash), F("canonical", canonical),
		F("revision", revision), F("writes", writes)}}
}

// StoreSnapshotEmpty is store.snapshot when the store holds nothing for the site.
func StoreSnapshotEmpty(at string) Event {
	return Event{KindStoreSnapshot, []Field{F("at", at), F("empty", true)}}
}

// RouterRoute is router.route: the site router forwarded a request (message kind) of a caller's call
// to an instance.
func RouterRoute(route int, kind, instance, call string) Event {
	return Event{KindRouterRoute, []Field{F("route", route), F("kind", kind), F("instance", instance), F("call", call)}}
}

// RouterNone is router.none: no instance was ready; the router answered 503 itself.
func RouterNone(kind string) Event { return Event{KindRouterNone, []Field{F("kind", kind)}} }

// The views of the records above (view.go).

// BlobWriteRecord is blob.write's view.
type BlobWriteRecord struct {
	ID     int    `trace:"id"`
	Op     string `trace:"op"`
	Blob   string `trace:"blob"`
	Status int    `trace:"status"`
	Code   string `trace:"code,optional"`
	Value  string `trace:"value"`
}

// AsBlobWrite reads a blob.write record.
var AsBlobWrite = view[BlobWriteRecord](KindBlobWrite)

// BlobOpRecord is blob.op's view.
type BlobOpRecord struct {
	ID      int    `trace:"id"`
	Op      string `trace:"op"`
	Blob    string `trace:"blob"`
	Status  int    `trace:"status"`
	Code    string `trace:"code,optional"`
	Faulted bool   `trace:"faulted,optional"`
}

// AsBlobOp reads a blob.op record.
var AsBlobOp = view[BlobOpRecord](KindBlobOp)

// LeaseRecord is lease's view (Holder while leased or breaking; ExpiresMs and Duration when the
// lease has an expiry).
type LeaseRecord struct {
	Op        string        `trace:"op"`
	Blob      string        `trace:"blob"`
	Status    int           `trace:"status"`
	Instance  string        `trace:"instance,optional"`
	State     string        `trace:"state"`
	Holder    string        `trace:"holder,optional"`
	ExpiresMs *int64        `trace:"expires_ms,optional"`
	Duration  time.Duration `trace:"duration,optional"`
}

// AsLease reads a lease record.
var AsLease = view[LeaseRecord](KindLease)

// StoreWriteRecord is store.write's view, both forms: via the front end (From, and Msg and Duplicate
// when a simulated message carried it) or via the mesh (Cover). Canonical is absent from older
// traces.
type StoreWriteRecord struct {
	Via       string  `trace:"via"`
	Hash      string  `trace:"hash"`
	Canonical string  `trace:"canonical,optional"`
	Revision  int     `trace:"revision"`
	From      string  `trace:"from,optional"`
	Msg       *uint64 `trace:"msg,optional"`
	Duplicate bool    `trace:"duplicate,optional"`
	Cover     *int    `trace:"cover,optional"`
}

// AsStoreWrite reads a store.write record.
var AsStoreWrite = view[StoreWriteRecord](KindStoreWrite)

// FrontEndRejectRecord is fe.reject's view.
type FrontEndRejectRecord struct {
	Status int    `trace:"status"`
	Reason string `trace:"reason"`
}

// AsFrontEndReject reads a fe.reject record.
var AsFrontEndReject = view[FrontEndRejectRecord](KindFrontEndReject)

// MeshAcceptRecord is mesh.accept's view.
type MeshAcceptRecord struct {
	Notification int    `trace:"notification"`
	Instance     string `trace:"instance"`
}

// AsMeshAccept reads a mesh.accept record.
var AsMeshAccept = view[MeshAcceptRecord](KindMeshAccept)

// MeshFetchRecord is mesh.fetch's view.
type MeshFetchRecord struct {
	Fetch   int    `trace:"fetch"`
	Attempt int    `trace:"attempt"`
	Cover   int    `trace:"cover"`
	Token   string `trace:"token"`
}

// AsMeshFetch reads a mesh.fetch record.
var AsMeshFetch = view[MeshFetchRecord](KindMeshFetch)

// MeshFetchDoneRecord is mesh.fetch.done's view.
type MeshFetchDoneRecord struct {
	Fetch  int    `trace:"fetch"`
	Status int    `trace:"status"`
	Error  string `trace:"error,optional"`
}

// AsMeshFetchDone reads a mesh.fetch.done record.
var AsMeshFetchDone = view[MeshFetchDoneRecord](KindMeshFetchDone)

// MeshAbandonRecord is mesh.abandon's view.
type MeshAbandonRecord struct {
	Cover    int    `trace:"cover"`
	Attempts int    `trace:"attempts"`
	Reason   string `trace:"reason"`
}

// AsMeshAbandon reads a mesh.abandon record.
var AsMeshAbandon = view[MeshAbandonRecord](KindMeshAbandon)

// StoreSnapshotRecord is store.snapshot's view: Empty, or what the store holds.
type StoreSnapshotRecord struct {
	At        string `trace:"at"`
	Empty     bool   `trace:"empty,optional"`
	Hash      string `trace:"hash,optional"`
	Canonical string `trace:"canonical,optional"`
	Revision  int    `trace:"revision,optional"`
	Writes    int    `trace:"writes,optional"`
}

// AsStoreSnapshot reads a store.snapshot record.
var AsStoreSnapshot = view[StoreSnapshotRecord](KindStoreSnapshot)

// RouterRouteRecord is router.route's view.
type RouterRouteRecord struct {
	Route    int    `trace:"route"`
	Kind     string `trace:"kind"`
	Instance string `trace:"instance"`
	Call     string `trace:"call"`
}

// AsRouterRoute reads a router.route record.
var AsRouterRoute = view[RouterRouteRecord](KindRouterRoute)

// RouterNoneRecord is router.none's view.
type RouterNoneRecord struct {
	Kind string `trace:"kind"`
}

// AsRouterNone reads a router.none record.
var AsRouterNone = view[RouterNoneRecord](KindRouterNone)
