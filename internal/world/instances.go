package world

import (
	"maps"
	"slices"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// startInstance creates a new instance with a new name; its host runs after the scenario's startup time.
// A start past the scenario's limits.instance_starts is refused and recorded, and gives nil: faults
// (restart-instance, scale-out, scale-to-zero) can start instances the loader cannot count, and every
// instance the run ever started stays in w.nodes.
func (w *World) startInstance(reason string) *node {
	if !drive.AdmitStart(w.sc, len(w.nodes), reason, w.k.Trace.Put) {
		return nil
	}
	inst := w.life.Create(w.k.Elapsed())
	n := &node{inst: inst, party: trace.InstanceParty(inst.Name), timers: map[string]sim.Timer{}, waits: map[int]sim.Timer{}}
	// The scenario's part of the host's config is drive.HostConfig's, as live's is.
	cfg := drive.HostConfig(w.sc, w.mode, inst.Name, w.k.Streams)
	cfg.FrontEndURL, cfg.MeshURL = "https://"+w.sc.Site.Name+".scm.azurewebsites.net", "http://mesh.local/"
	cfg.Secrets, cfg.Seams, cfg.Wrapper = w.secretsNow, w.opts.Plant.Host, w.opts.Plant.HostWrapper
	cfg.SecretsError = func() string { return w.secretsError(n) }
	w.instanceFaults(n, &cfg)
	n.m = host.NewMachine(cfg)
	n.h = drive.NewHost(n.m, n.party, w.sc.Site, hostEnv{w, n, map[string]func(){}})
	w.nodes[inst.Name] = n
	w.net.Attach(n.party, func(m sim.Message) { w.onInstance(n, m) })
	w.k.Trace.Put(n.party, trace.InstanceCreate(reason, inst.Index, ""))
	n.starting = w.k.After(w.sc.Instances.Startup, func() { w.hostStart(n) })
	return n
}

// hostStart makes the instance ready and starts its host with the content of the moment, unless a
// host fault has it load something else.
func (w *World) hostStart(n *node) {
	if !n.alive() {
		return
	}
	n.inst.State = sim.Running
	loaded := w.hostFaults(n, w.site.Loaded())
	// The host's start took the scenario's startup time (`Host started ({ms}ms)`).
	loaded.Took = w.sc.Instances.Startup
	w.k.Trace.Put(n.party, trace.HostStart(loaded.Revision, len(loaded.Functions), loaded.Placeholder))
	n.h.Start(loaded)
}

// nodeNow is the instance's own clock: true virtual time plus any injected skew.
func (w *World) nodeNow(n *node) time.Time { return w.now().Add(n.skew) }

// restartHost restarts the host inside a running instance (a deploy): same instance, same name.
func (w *World) restartHost(n *node) {
	if !n.alive() || n.inst.State != sim.Running || !n.m.Running() {
		return
	}
	w.k.Trace.Put(n.party, trace.HostStop("deploy"))
	n.h.Stop()
	n.restart.Stop()
	n.restart = w.k.After(w.sc.Instances.Startup, func() { w.hostStart(n) })
}

// deleteInstance removes an instance with all its memory and in-flight work. Messages it already sent
// stay in the network; requests the router forwarded to it fail.
func (w *World) deleteInstance(n *node, reason string, injected bool) {
	if !n.alive() {
		return
	}
	n.inst.State = sim.Deleted
	w.k.Trace.Put(n.party, trace.InstanceDelete(reason, injected))
	w.net.Detach(n.party)
	for _, key := range sortedKeys(n.timers) {
		n.timers[key].Stop()
	}
	for _, id := range sortedInts(n.waits) {
		n.waits[id].Stop()
	}
	n.restart.Stop()
	n.starting.Stop()
	for _, id := range sortedInts(w.routes) {
		r := w.routes[id]
		if r.instance == n.inst.Name && !r.answered {
			delete(w.routes, id)
			r.id = id
			// The router sees the connection to the instance reset.
			w.routerAnswer(r, 502, nil, 0)
		}
	}
}

// drainInstance takes an instance out of the site router's choice for good: it takes no new
// request (MSG-3, MSG-4, key API, pinned or not), while its host runs on and what it has in flight
// finishes; the timeline deletes it d later. An instance whose host has not started yet never
// starts it, and a pending in-place restart does not happen.
func (w *World) drainInstance(n *node, reason string, d time.Duration) {
	if !n.alive() || n.draining {
		return
	}
	n.draining = true
	w.k.Trace.Put(n.party, trace.InstanceDrain(reason, d))
	n.starting.Stop()
	n.restart.Stop()
}

// routable are the instances the site router may pick: running, ready and not draining, sorted by
// name (sim.Lifecycle.Ready).
func (w *World) routable() []*sim.Instance {
	ready := w.life.Ready()
	out := ready[:0:0]
	for _, inst := range ready {
		if !w.nodes[inst.Name].draining {
			out = append(out, inst)
		}
	}
	return out
}

// messages between a host and the platform or storage
type httpRequest struct {
	node string
	send host.Send
}

type httpResponse struct {
	id     int
	status int
	target string
}

type blobRequest struct {
	node string
	call host.BlobCall
}

type blobResponse struct {
	id     int
	result host.BlobResult
}

// hostEnv is the simulator's drive.HostEnv for one instance: the kernel's timers, the simulated
// network to the platform, storage and the router, and the point faults.
type hostEnv struct {
	w *World
	n *node
	// fires are the instance's timer callbacks by key, each made the first time its timer is set:
	// they depend on nothing but the instance and the key.
	fires map[string]func()
}

var _ drive.HostEnv = hostEnv{}

func (e hostEnv) Now() time.Time                      { return e.w.now() }
func (e hostEnv) HostNow() time.Time                  { return e.w.nodeNow(e.n) }
func (e hostEnv) Alive() bool                         { return e.n.alive() }
func (e hostEnv) Record(party string, ev trace.Event) { e.w.k.Trace.Put(party, ev) }
func (e hostEnv) Point(p host.Point)                  { e.w.pointFault(e.n, p) }

func (e hostEnv) SetTimer(key string, after time.Duration) {
	n, w := e.n, e.w
	if t, ok := n.timers[key]; ok {
		t.Stop()
	}
	fire, ok := e.fires[key]
	if !ok {
		fire = func() {
			if !n.alive() {
				return
			}
			delete(n.timers, key)
			n.h.Timer(key)
		}
		e.fires[key] = fire
	}
	n.timers[key] = w.k.After(after, fire)
}

func (e hostEnv) CancelTimer(key string) {
	if t, ok := e.n.timers[key]; ok {
		t.Stop()
		delete(e.n.timers, key)
	}
}

// Send sends MSG-1 to the front end or MSG-2 to the mesh, with the host's timeout.
func (e hostEnv) Send(s host.Send) {
	n, w := e.n, e.w
	to, kind := trace.PartyFrontEnd, trace.MsgMSG1
	if s.Target == host.TargetMesh {
		to, kind = trace.PartyMesh, trace.MsgMSG2
	}
	id := s.ID
	n.waits[-id] = w.k.After(s.Timeout, func() {
		if !n.alive() {
			return
		}
		delete(n.waits, -id)
		n.h.HTTPTimeout(id)
	})
	w.net.Send(sim.Message{From: n.party, To: to, Kind: kind, Body: httpRequest{node: n.inst.Name, send: s},
		Fields: []trace.Field{trace.F("id", id), trace.F("body", trace.SecretDigest(s.Body)), trace.F("bytes", len(s.Body))}})
}

// Blob sends a storage call, with the blob client's timeout.
func (e hostEnv) Blob(c host.BlobCall) {
	n, w := e.n, e.w
	id, op := c.ID, c.Op // the timeout holds these, not the whole call
	n.waits[id] = w.k.After(blobTimeout, func() {
		if !n.alive() {
			return
		}
		delete(n.waits, id)
		n.h.BlobTimeout(id, op)
	})
	w.net.Send(sim.Message{From: n.party, To: trace.PartyStorage, Kind: trace.MsgBlobRequest, Body: blobRequest{node: n.inst.Name, call: c},
		Fields: []trace.Field{trace.F("id", id), trace.F("op", string(c.Op)), trace.F("blob", c.Blob)}})
}

// Respond sends the host's answer to the router; the route counts as answered from now on.
func (e hostEnv) Respond(r host.Respond) {
	if rt, ok := e.w.routes[r.ReqID]; ok {
		rt.answered = true
	}
	e.w.net.Send(sim.Message{From: e.n.party, To: trace.PartyRouter, Kind: kindInstanceResponse,
		Body:   instanceResponse{route: r.ReqID, resp: r.Response, revision: r.Revision, span: r.Span},
		Fields: []trace.Field{trace.F("route", r.ReqID), trace.F("status", r.Response.Status), trace.F("body", trace.SecretDigest(r.Response.Body))}})
}

// onInstance delivers a message to an instance.
func (w *World) onInstance(n *node, m sim.Message) {
	if !n.alive() {
		return
	}
	switch b := m.Body.(type) {
	case httpResponse:
		if t, ok := n.waits[-b.id]; ok {
			t.Stop()
			delete(n.waits, -b.id)
			n.h.HTTPDone(b.id, host.HTTPResult{Status: b.status})
		}
	case blobResponse:
		if t, ok := n.waits[b.id]; ok {
			t.Stop()
			delete(n.waits, b.id)
			n.h.BlobDone(b.id, b.result)
		}
	case routedRequest:
		w.instanceRequest(n, b)
	}
}

func (w *World) instanceRequest(n *node, b routedRequest) {
	if b.kind == trace.MsgKeys {
		// The key API stored the new key already (the site's content).
		n.h.PutKey(b.route)
		return
	}
	n.h.Admin(b.route, b.req, b.tokenFault)
}

func sortedInts[V any](m map[int]V) []int { return slices.Sorted(maps.Keys(m)) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
