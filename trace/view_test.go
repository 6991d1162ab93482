package trace

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func decoder[T any](f func(Record) (T, error)) func(Record) (any, error) {
	return func(r Record) (any, error) { return f(r) }
}

func ptr[T any](v T) *T { return &v }

// viewCases build every record kind with its constructor, once with every optional field set and,
// where a constructor omits fields, once without them, and say what the view must read.
func viewCases() []struct {
	name   string
	event  Event
	decode func(Record) (any, error)
	want   any
} {
	type c = struct {
		name   string
		event  Event
		decode func(Record) (any, error)
		want   any
	}
	facts := []Field{F("form", "present"), F("alg", "HS256"), F("iss", "i"), F("iss_form", "cut"), F("aud", `["a"]`),
		F("aud_form", "list"), F("exp", "1767225900"), F("nbf", "1767225600"), F("iat", "1767225600"), F("crit", true),
		F("bad_claims", "alg"), F("hs256", "ok")}
	return []c{
		{"run.start", RunStart{Scenario: "s.yaml", Mode: "platform", Site: "site", HostID: "h", Seed: 7, Strategy: "random",
			TimeScale: 0.5, End: time.Minute, SettleStart: 50 * time.Second, FaultsEnd: 40 * time.Second, MeshMaxWait: time.Second}.Event(),
			decoder(AsRunStart), RunStartRecord{"s.yaml", "platform", "site", "h", 7, "random", 0.5, time.Minute, 50 * time.Second, 40 * time.Second, time.Second}},
		{"run.start bare", RunStart{Scenario: "s.yaml", Mode: "platform", Seed: 7, Strategy: "random", End: time.Minute}.Event(),
			decoder(AsRunStart), RunStartRecord{Scenario: "s.yaml", Mode: "platform", Seed: 7, Strategy: "random", End: time.Minute}},
		{"content.change", ContentChange(2, "deploy", "h", "c", 3, 4), decoder(AsContentChange), ContentChangeRecord{2, "deploy", "h", "c", 3, 4}},
		{"timeline", Timeline(1, "deploy", 12), decoder(AsTimeline), TimelineRecord{Index: 1, Action: "deploy", Line: 12}},
		// site's additions to a named delete or restart (Event.With).
		{"timeline named", Timeline(1, "delete", 12).With(F("instance", "a"), F("gone", true), F("draining", true)), decoder(AsTimeline),
			TimelineRecord{1, "delete", 12, "a", true, true}},
		{"faults.end", FaultsEnd(), decoder(AsMark), MarkRecord{}},
		{"settle.start", SettleStart(), decoder(AsMark), MarkRecord{}},
		{"host.specialized", HostSpecialized(), decoder(AsMark), MarkRecord{}},
		{"run.end", RunEnd("end", true), decoder(AsRunEnd), RunEndRecord{"end", true}},
		{"instance.refused", InstanceRefused("limit", 3), decoder(AsInstanceRefused), InstanceRefusedRecord{"limit", 3}},
		{"fault.armed", FaultArmed("drop p=1"), decoder(AsFaultArmed), FaultArmedRecord{"drop p=1"}},
		{"fault.na", FaultNA("drop", "live"), decoder(AsFaultNA), FaultNARecord{"drop", "live"}},
		{"fault.fire", FaultFire("storage-refuses", "k1", F("op", "put"), F("status", 503)), decoder(AsFaultFire),
			FaultFireRecord{"storage-refuses", "k1", true, Fields{F("op", "put"), F("status", 503)}}},
		{"client.call", ClientCall(1, MsgMSG4, "/admin/host/synctriggers"), decoder(AsClientCall),
			ClientCallRecord{Call: 1, Kind: MsgMSG4, Path: "/admin/host/synctriggers"}},
		// site's additions to a retried or pinned call (Event.With).
		{"client.call retry", ClientCall(1, MsgMSG4, "/p").With(F("retry", 2), F("pin", "")), decoder(AsClientCall),
			ClientCallRecord{1, MsgMSG4, "/p", 2, ptr("")}},
		{"client.response", ClientAnswer{Call: 1, Route: 2, Kind: MsgMSG4Response, Status: 200, Span: 3, Instance: "instance/a", Result: "ok"}.Event(),
			decoder(AsClientResponse), ClientResponseRecord{1, ptr(2), MsgMSG4Response, 200, "instance/a", 3, "ok"}},
		{"client.response no route", ClientAnswer{Call: 1, NoRoute: true, Kind: MsgMSG4Response}.Event(),
			decoder(AsClientResponse), ClientResponseRecord{Call: 1, Kind: MsgMSG4Response}},
		{"sched.pick event", SchedPickEvent("k", 4, "instance/a", 3), decoder(AsSchedPick), SchedPickRecord{Key: "k", Event: 4, Party: "instance/a", Over: "3"}},
		{"sched.pick delay", SchedPickDelay("k", 5, "a", "b", time.Millisecond, 2*time.Millisecond), decoder(AsSchedPick),
			SchedPickRecord{Key: "k", Msg: 5, From: "a", To: "b", Delay: time.Millisecond, Over: "2ms"}},
		{"net.send", NetSend(9, PartyStorage, MsgBlobRequest, []Field{F("id", 1), F("op", "put"), F("blob", "b"), F("status", 201),
			F("route", 2), F("call", 3), F("fetch", 4), F("body", "sha256:00"), F("bytes", 5)}), decoder(AsNetSend),
			NetSendRecord{9, PartyStorage, MsgBlobRequest, 1, "put", "b", ptr(201), ptr(2), 3, 4, "sha256:00", 5}},
		{"net.send bare", NetSend(9, PartyStorage, MsgBlobRequest, nil), decoder(AsNetSend), NetSendRecord{Msg: 9, To: PartyStorage, Kind: MsgBlobRequest}},
		{"net.drop", NetDrop(9, "drop", "k"), decoder(AsNetFault), NetFaultRecord{9, "drop", "k", true}},
		{"net.duplicate", NetDuplicate(9, "dup", "k"), decoder(AsNetFault), NetFaultRecord{9, "dup", "k", true}},
		{"net.deliver", NetDeliver(9, "a", MsgMSG1, true, true), decoder(AsNetDelivery), NetDeliveryRecord{9, "a", MsgMSG1, true, true, true, ""}},
		{"net.deliver bare", NetDeliver(9, "a", MsgMSG1, false, false), decoder(AsNetDelivery), NetDeliveryRecord{Msg: 9, From: "a", Kind: MsgMSG1}},
		{"net.lost", NetLost(9, "a", MsgMSG1, false, false), decoder(AsNetDelivery), NetDeliveryRecord{Msg: 9, From: "a", Kind: MsgMSG1, Reason: "no-receiver"}},
		{"instance.create", InstanceCreate("start", 1, "http://x"), decoder(AsInstanceCreate), InstanceCreateRecord{"start", 1, "http://x"}},
		{"instance.create bare", InstanceCreate("start", 1, ""), decoder(AsInstanceCreate), InstanceCreateRecord{Reason: "start", Index: 1}},
		{"host.start", HostStart(2, 3, true), decoder(AsHostStart), HostStartRecord{2, 3, true}},
		{"host.stop", HostStop("deploy"), decoder(AsHostStop), HostStopRecord{"deploy"}},
		{"instance.delete", InstanceDelete("fault", true), decoder(AsInstanceDelete), InstanceDeleteRecord{"fault", true}},
		{"instance.delete bare", InstanceDelete("timeline", false), decoder(AsInstanceDelete), InstanceDeleteRecord{Reason: "timeline"}},
		{"instance.drain", InstanceDrain("restart", time.Second), decoder(AsInstanceDrain), InstanceDrainRecord{"restart", time.Second}},
		{"log", Log("Information", CategoryWorld, "t", "E: m"), decoder(AsLog), LogRecord{"Information", CategoryWorld, "t", "E: m"}},
		{"log bare", Log("Information", CategoryWorld, "t", ""), decoder(AsLog), LogRecord{Level: "Information", Category: CategoryWorld, Text: "t"}},
		{"primary", Primary(true), decoder(AsPrimary), PrimaryRecord{true}},
		{"sync.call", SyncCall(1, true, "timer", 4), decoder(AsSyncCall), SyncCallRecord{1, true, "timer", 4}},
		{"sync.call bare", SyncCall(1, false, "admin", 0), decoder(AsSyncCall), SyncCallRecord{Span: 1, Origin: "admin"}},
		{"sync.enter", SyncEnter(1, true, "timer", "h"), decoder(AsSyncEnter), SyncEnterRecord{1, true, "timer", "h"}},
		{"sync.end", SyncEnd(1, true, "timer", true, true, "h", "oops"), decoder(AsSyncEnd), SyncEndRecord{1, true, "timer", true, true, "h", "oops"}},
		{"sync.end bare", SyncEnd(1, false, "timer", false, false, "h", ""), decoder(AsSyncEnd), SyncEndRecord{Span: 1, Origin: "timer", Hash: "h"}},
		{"sync.point", SyncPoint("before-publish", 1, true), decoder(AsSyncPoint), SyncPointRecord{"before-publish", 1, true}},
		{"sync.hashread", SyncHashRead(1, "a", "b"), decoder(AsSyncHashRead), SyncHashReadRecord{1, "a", "b"}},
		{"sync.publish", SyncPublish(1, true, "frontend", "h", 3, 100), decoder(AsSyncPublish), SyncPublishRecord{1, true, "frontend", "h", 3, 100}},
		{"http.result", HTTPResult(1, 2, "mesh", 0, "timeout"), decoder(AsHTTPResult), HTTPResultRecord{1, ptr(2), "mesh", 0, "timeout"}},
		{"http.result bare", HTTPResult(1, 2, "mesh", 200, ""), decoder(AsHTTPResult), HTTPResultRecord{ID: 1, Span: ptr(2), Target: "mesh", Status: 200}},
		{"hash.written", HashWritten("h"), decoder(AsHashWritten), HashWrittenRecord{"h"}},
		{"http.timeout", HTTPTimeout(1, "mesh"), decoder(AsHTTPTimeout), HTTPTimeoutRecord{1, "mesh"}},
		{"blob.timeout", BlobTimeout(1, "put"), decoder(AsBlobTimeout), BlobTimeoutRecord{1, "put"}},
		{"token.check", TokenCheck("msg3", "site", "mesh", true, 1767225600123, facts, "k"), decoder(AsTokenCheck),
			TokenCheckRecord{"msg3", "site", "mesh", true, "1767225600.123", "present", "HS256", ptr("i"), "cut", ptr(`["a"]`), "list",
				ptr("1767225900"), ptr("1767225600"), ptr("1767225600"), true, "alg", "ok", "k"}},
		{"token.check bare", TokenCheck("msg4", "site", "client", false, 0, []Field{F("form", "absent")}, ""), decoder(AsTokenCheck),
			TokenCheckRecord{Endpoint: "msg4", Site: "site", Sender: "client", Now: "0.000", Form: "absent"}},
		{"blob.write", BlobWrite(1, "put", "b", 201, "c", "v"), decoder(AsBlobWrite), BlobWriteRecord{1, "put", "b", 201, "c", "v"}},
		{"blob.write bare", BlobWrite(1, "put", "b", 201, "", "v"), decoder(AsBlobWrite), BlobWriteRecord{ID: 1, Op: "put", Blob: "b", Status: 201, Value: "v"}},
		{"blob.op", BlobOp(1, "get", "b", 503, "c", true), decoder(AsBlobOp), BlobOpRecord{1, "get", "b", 503, "c", true}},
		{"blob.op bare", BlobOp(1, "get", "b", 200, "", false), decoder(AsBlobOp), BlobOpRecord{ID: 1, Op: "get", Blob: "b", Status: 200}},
		{"lease", Lease("acquire", "l", 201, "instance/a", LeaseView{State: "leased", Holder: "instance/a", Expires: true, ExpiresMs: 15000, Duration: 15 * time.Second}),
			decoder(AsLease), LeaseRecord{"acquire", "l", 201, "instance/a", "leased", "instance/a", ptr(int64(15000)), 15 * time.Second}},
		{"lease bare", Lease("acquire", "l", 409, "", LeaseView{State: "available"}), decoder(AsLease), LeaseRecord{Op: "acquire", Blob: "l", Status: 409, State: "available"}},
		{"store.write frontend", StoreWriteFrontEnd("h", "c", 2, "instance/a", &Delivery{Msg: 9, Duplicate: true}), decoder(AsStoreWrite),
			StoreWriteRecord{Via: "frontend", Hash: "h", Canonical: "c", Revision: 2, From: "instance/a", Msg: ptr(uint64(9)), Duplicate: true}},
		{"store.write frontend bare", StoreWriteFrontEnd("h", "c", 2, "instance/a", nil), decoder(AsStoreWrite),
			StoreWriteRecord{Via: "frontend", Hash: "h", Canonical: "c", Revision: 2, From: "instance/a"}},
		{"store.write mesh", StoreWriteMesh("h", "c", 2, 3), decoder(AsStoreWrite), StoreWriteRecord{Via: "mesh", Hash: "h", Canonical: "c", Revision: 2, Cover: ptr(3)}},
		{"fe.reject", FrontEndReject(413, "size"), decoder(AsFrontEndReject), FrontEndRejectRecord{413, "size"}},
		{"mesh.accept", MeshAccept(1, "instance/a"), decoder(AsMeshAccept), MeshAcceptRecord{1, "instance/a"}},
		{"mesh.fetch", MeshFetch(1, 2, 3, "sha256:00"), decoder(AsMeshFetch), MeshFetchRecord{1, 2, 3, "sha256:00"}},
		{"mesh.fetch.done", MeshFetchDone(1, 0, "timeout"), decoder(AsMeshFetchDone), MeshFetchDoneRecord{1, 0, "timeout"}},
		{"mesh.fetch.done bare", MeshFetchDone(1, 200, ""), decoder(AsMeshFetchDone), MeshFetchDoneRecord{Fetch: 1, Status: 200}},
		{"mesh.abandon", MeshAbandon(3, 9, "budget"), decoder(AsMeshAbandon), MeshAbandonRecord{3, 9, "budget"}},
		{"store.snapshot", StoreSnapshot("write", "h", "c", 2, 3), decoder(AsStoreSnapshot), StoreSnapshotRecord{At: "write", Hash: "h", Canonical: "c", Revision: 2, Writes: 3}},
		{"store.snapshot empty", StoreSnapshotEmpty("settle-end"), decoder(AsStoreSnapshot), StoreSnapshotRecord{At: "settle-end", Empty: true}},
		{"router.route", RouterRoute(1, MsgMSG4, "instance/a", "2"), decoder(AsRouterRoute), RouterRouteRecord{1, MsgMSG4, "instance/a", "2"}},
		{"router.none", RouterNone(MsgMSG4), decoder(AsRouterNone), RouterNoneRecord{MsgMSG4}},
	}
}

// Every constructor's record reads back through its view, field by field.
func TestViewsReadConstructors(t *testing.T) {
	for _, c := range viewCases() {
		r := Record{Seq: 1, Kind: c.event.Kind, Fields: c.event.Fields}
		got, err := c.decode(r)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if any, err := View(r); err != nil || !reflect.DeepEqual(any, got) {
			t.Errorf("%s: View = %+v, %v; want %+v", c.name, any, err, got)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: view %+v, want %+v", c.name, got, c.want)
		}
	}
}

// The views and the constructors know the same fields: every field a constructor writes is one its
// view names (or the view takes extra fields), every field the view requires is written, and every
// field a view names is written by at least one case of its kind (so no view names a field nobody
// writes); every kind has a view and a case.
func TestViewsMatchConstructors(t *testing.T) {
	written := map[reflect.Type]map[string]bool{} // by view: the kinds that share one share its fields
	cased := map[Kind]bool{}
	for _, c := range viewCases() {
		fields, extra, ok := ViewOf(c.event.Kind)
		if !ok {
			t.Errorf("%s: kind %s has no view", c.name, c.event.Kind)
			continue
		}
		keys := map[string]bool{}
		for _, f := range c.event.Fields {
			keys[f.Key] = true
		}
		vt := viewTypes[c.event.Kind]
		if written[vt] == nil {
			written[vt] = map[string]bool{}
		}
		cased[c.event.Kind] = true
		named := map[string]bool{}
		for _, f := range fields {
			named[f.Key] = true
			if !f.Optional && !keys[f.Key] {
				t.Errorf("%s: the view requires %q, which the constructor does not write", c.name, f.Key)
			}
		}
		for k := range keys {
			written[vt][k] = true
			if !named[k] && !extra {
				t.Errorf("%s: the constructor writes %q, which the view does not know", c.name, k)
			}
		}
	}
	for _, k := range Kinds() {
		fields, _, ok := ViewOf(k)
		if !ok {
			t.Errorf("kind %s has no view", k)
			continue
		}
		if !cased[k] {
			t.Errorf("kind %s has no case in viewCases", k)
			continue
		}
		for _, f := range fields {
			if !written[viewTypes[k]][f.Key] {
				t.Errorf("kind %s: the view names %q, which no constructor writes", k, f.Key)
			}
		}
	}
}

// A missing field, a field of the wrong type, an unknown field and a record of another kind are each
// a *DecodeError naming the record and the field, never a zero value.
func TestViewDecodeErrors(t *testing.T) {
	pub := SyncPublish(1, true, "frontend", "h", 3, 100)
	without := func(key string) []Field {
		var out []Field
		for _, f := range pub.Fields {
			if f.Key != key {
				out = append(out, f)
			}
		}
		return out
	}
	replaced := func(key, value string) []Field {
		out := append([]Field(nil), pub.Fields...)
		for i := range out {
			if out[i].Key == key {
				out[i].Value = value
			}
		}
		return out
	}
	cases := []struct {
		name   string
		r      Record
		field  string
		phrase string
	}{
		{"missing", Record{Seq: 7, Kind: KindSyncPublish, Fields: without("span")}, "span", "missing"},
		{"renamed", Record{Seq: 7, Kind: KindSyncPublish, Fields: append(without("triggers"), F("trigger_count", 3))}, "trigger_count", "unknown"},
		{"not an int", Record{Seq: 7, Kind: KindSyncPublish, Fields: replaced("bytes", "")}, "bytes", "not an integer"},
		{"not a bool", Record{Seq: 7, Kind: KindSyncPublish, Fields: replaced("background", "yes")}, "background", "not a bool"},
		{"other kind", Record{Seq: 7, Kind: KindSyncEnter, Fields: pub.Fields}, "", "not a sync.publish record"},
	}
	for _, c := range cases {
		_, err := AsSyncPublish(c.r)
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: err %v, want a *DecodeError", c.name, err)
		}
		if de.Seq != 7 || de.Field != c.field || !contains(de.Error(), c.phrase) || !contains(de.Error(), "#7") {
			t.Errorf("%s: %v (field %q), want field %q and %q", c.name, err, de.Field, c.field, c.phrase)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
