package trace

// Kind is a record's kind (trace/TRACE.md lists each with its fields).
type Kind string

// Record kinds, in the order trace/TRACE.md lists them.
const (
	KindRunStart      Kind = "run.start"
	KindContentChange Kind = "content.change"
	KindTimeline      Kind = "timeline"
	KindFaultsEnd     Kind = "faults.end"
	KindSettleStart   Kind = "settle.start"
	KindRunEnd        Kind = "run.end"

	KindInstanceCreate  Kind = "instance.create"
	KindInstanceRefused Kind = "instance.refused"
	KindHostStart       Kind = "host.start"
	KindHostStop        Kind = "host.stop"
	KindHostSpecialized Kind = "host.specialized"
	KindInstanceDelete  Kind = "instance.delete"
	KindInstanceDrain   Kind = "instance.drain"
	KindLog             Kind = "log"
	KindPrimary         Kind = "primary"
	KindSyncCall        Kind = "sync.call"
	KindSyncEnter       Kind = "sync.enter"
	KindSyncPoint       Kind = "sync.point"
	KindSyncHashRead    Kind = "sync.hashread"
	KindSyncPublish     Kind = "sync.publish"
	KindHTTPResult      Kind = "http.result"
	KindSyncEnd         Kind = "sync.end"
	KindHashWritten     Kind = "hash.written"
	KindHTTPTimeout     Kind = "http.timeout"
	KindBlobTimeout     Kind = "blob.timeout"
	KindTokenCheck      Kind = "token.check"

	KindFaultArmed Kind = "fault.armed"
	KindFaultNA    Kind = "fault.na"
	KindFaultFire  Kind = "fault.fire"

	KindBlobWrite Kind = "blob.write"
	KindBlobOp    Kind = "blob.op"
	KindLease     Kind = "lease"

	KindStoreWrite     Kind = "store.write"
	KindFrontEndReject Kind = "fe.reject"
	KindMeshAccept     Kind = "mesh.accept"
	KindMeshFetch      Kind = "mesh.fetch"
	KindMeshFetchDone  Kind = "mesh.fetch.done"
	KindMeshAbandon    Kind = "mesh.abandon"
	KindStoreSnapshot  Kind = "store.snapshot"

	KindRouterRoute    Kind = "router.route"
	KindRouterNone     Kind = "router.none"
	KindClientCall     Kind = "client.call"
	KindClientResponse Kind = "client.response"

	KindNetSend      Kind = "net.send"
	KindNetDeliver   Kind = "net.deliver"
	KindNetDrop      Kind = "net.drop"
	KindNetDuplicate Kind = "net.duplicate"
	KindNetLost      Kind = "net.lost"

	KindSchedPick Kind = "sched.pick"
)

// Kinds lists every record kind.
func Kinds() []Kind {
	return []Kind{KindRunStart, KindContentChange, KindTimeline, KindFaultsEnd, KindSettleStart, KindRunEnd,
		KindInstanceCreate, KindInstanceRefused, KindHostStart, KindHostStop, KindHostSpecialized, KindInstanceDelete,
		KindInstanceDrain, KindLog, KindPrimary, KindSyncCall, KindSyncEnter, KindSyncPoint, KindSyncHashRead, KindSyncPublish,
		KindHTTPResult, KindSyncEnd, KindHashWritten, KindHTTPTimeout, KindBlobTimeout, KindTokenCheck,
		KindFaultArmed, KindFaultNA, KindFaultFire, KindBlobWrite, KindBlobOp, KindLease,
		KindStoreWrite, KindFrontEndReject, KindMeshAccept, KindMeshFetch, KindMeshFetchDone, KindMeshAbandon,
		KindStoreSnapshot, KindRouterRoute, KindRouterNone, KindClientCall, KindClientResponse,
		KindNetSend, KindNetDeliver, KindNetDrop, KindNetDuplicate, KindNetLost, KindSchedPick}
}

// Party names (trace/TRACE.md); an instance's party is InstanceParty(name).
const (
	PartyWorld    = "world"
	PartyStorage  = "storage"
	PartyFrontEnd = "frontend"
	PartyMesh     = "mesh"
	PartyRouter   = "router"
	PartyClient   = "client"
	PartySim      = "sim"
	// InstancePrefix begins every instance's party name.
	InstancePrefix = "instance/"
)

// InstanceParty is an instance's party name.
func InstanceParty(name string) string { return InstancePrefix + name }

// Message kinds on the simulated network (the kind field of net.* records).
const (
	MsgBlobRequest  = "blob.request"
	MsgBlobResponse = "blob.response"
	MsgMSG1         = "msg1.request"
	MsgMSG1Response = "msg1.response"
	MsgMSG2         = "msg2.request"
	MsgMSG2Response = "msg2.response"
	MsgMSG3         = "msg3.request"
	MsgMSG3Response = "msg3.response"
	MsgMSG4         = "msg4.request"
	MsgMSG4Response = "msg4.response"
	MsgKeys         = "keys.request"
	MsgKeysResponse = "keys.response"
)
