// Package site is the site core every driver of the step machines shares: the simulator
// (sim/world: the kernel's event queue), the live runtime (live: goroutines, net/http,
// azblob) and the reference HTTP servers (live/hosthttp, live/meshhttp). It holds one
// interpreter per machine (Host, Mesh, FrontEnd), which steps the machine, writes the records of
// its effects and hands the rest to the driver's small Env (HostEnv, MeshEnv, FrontEndEnv: send,
// blob call, set/cancel timer, respond, record), as etcd-io/raft's node.go wraps RawNode; the
// site's orchestration (Fleet: starting, restarting, draining and deleting instances, the start
// limit, the faults at creation, start and fault points; Router: the site router's pick, pins,
// routes and answers), which is the host's HostEnv and asks a driver only for a clock, a recorder
// and a Transport (FleetEnv); and the function app's content and keys (App), the timeline (Timeline) and
// the fault decisions (Faults). So the drivers differ only in how they carry effects out, and write
// the same trace.
//
//	f := site.NewFleet(site.FleetConfig{Scenario: sc, Mode: mode, Streams: streams, Site: site, Faults: faults}, env)
//	rt := site.NewRouter(f)       // env implements FleetEnv
//	m, _ := f.Start("initial", 0)  // records instance.create, env.Attach, env.After(startup)
//	rt.Receive(site.Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Req: req, Reply: reply})
//	m.BlobDone(call.ID, res)       // the driver's answer to env.Blob
//
// Fleet, Router and the interpreters are single-threaded: the simulator calls them from the
// kernel's events, a live run under one lock. Like the machines, the package does no I/O and reads
// no clock (internal/purity).
package site

import (
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// HostEnv is what a driver does for one instance's host: the I/O the machine's effects ask for, on
// the driver's clock, network and storage (the simulator's kernel; goroutines, net/http and azblob
// live; net/http and an in-memory blob model in the standalone host server). The interpreter (Host)
// calls it in effect order, never concurrently with itself: a driver that runs answers on goroutines
// holds its instance's lock around every call into Host.
type HostEnv interface {
	// Now is the site's true clock (the time token.check records).
	Now() time.Time
	// HostNow is the instance's own clock (true time plus an injected skew): the machine's steps
	// take it.
	HostNow() time.Time
	// Alive reports whether the instance still exists; the interpreter drops every effect once it
	// is gone (a fault point that deleted it).
	Alive() bool
	// Record appends a record by party.
	Record(party string, e trace.Event)
	// SetTimer arms the machine's timer key (replacing one armed earlier); when it fires, the
	// driver calls Host.Timer(key) if the instance is still alive.
	SetTimer(key string, after time.Duration)
	// CancelTimer stops timer key; an unknown key is ignored.
	CancelTimer(key string)
	// Send makes a MSG-1 or MSG-2 request (its sync.publish is recorded already) and answers with
	// Host.HTTPDone, or Host.HTTPTimeout when nothing came back within s.Timeout.
	Send(s host.Send)
	// Blob performs a storage call and answers with Host.BlobDone, or Host.BlobTimeout.
	Blob(c host.BlobCall)
	// Respond delivers the host's answer to an admin request.
	Respond(r host.Respond)
	// Point is a fault point the machine reached (its sync.point is recorded already): the driver
	// fires the point faults armed for it, which may delete the instance.
	Point(p host.Point)
}

// MeshEnv is what a driver does for the site's mesh: its clock, record, timers and fetches.
type MeshEnv interface {
	// MeshNow is the mesh's own clock (true time plus an injected skew): the machine's steps take it.
	MeshNow() time.Time
	// Record appends a record by party.
	Record(party string, e trace.Event)
	// SetTimer arms the mesh's timer key (replacing one armed earlier); when it fires, the driver
	// calls Mesh.Timer(key).
	SetTimer(key string, after time.Duration)
	// FetchHeaders are the headers fetch f goes out with: f.Headers, unless an injected fault or a
	// planted defect replaces the token. Called before the fetch is recorded.
	FetchHeaders(f mesh.Fetch) map[string]string
	// Fetch makes MSG-3 f (recorded already) through the site router and answers with
	// Mesh.FetchDone, or Mesh.FetchTimeout.
	Fetch(f mesh.Fetch)
	// Observe is told of every recorded effect (Accepted, Log, Stored, Abandoned), right after its
	// record: the simulator snapshots the store after a Stored, the mesh server counts, logs and
	// persists.
	Observe(e mesh.Effect)
}

// FrontEndEnv is what a driver does for the site's front end.
type FrontEndEnv interface {
	// Now is the front end's clock (the site's true clock).
	Now() time.Time
	// Record appends a record by party.
	Record(party string, e trace.Event)
	// Stored is called right after the store.write of a payload the front end stored.
	Stored()
}
