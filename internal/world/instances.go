package world

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// startInstance creates a new instance with a new name; its host runs after the scenario's startup time.
// A start past the scenario's limits.instance_starts is refused and recorded, and gives nil: faults
// (restart-instance, scale-out, scale-to-zero) can start instances the loader cannot count, and every
// instance the run ever started stays in w.nodes.
func (w *World) startInstance(reason string) *node {
	if limit := w.sc.Limits.StartLimit(); len(w.nodes) >= limit {
		w.k.Trace.Add(partyWorld, "instance.refused", trace.F("reason", reason), trace.F("limit", limit))
		return nil
	}
	inst := w.life.Create(w.k.Elapsed())
	n := &node{inst: inst, party: InstanceParty(inst.Name), timers: map[string]sim.Timer{}, waits: map[int]sim.Timer{}, sendSpans: map[int]int{}}
	cfg := host.Config{
		Site: w.sc.Site, Mode: w.mode, ContainerName: inst.Name,
		FrontEndURL: "https://" + w.sc.Site.Name + ".scm.azurewebsites.net", MeshURL: "http://mesh.local/",
		Secrets: w.secretsNow, Rand: w.k.Streams.Stream("host/" + inst.Name), Bugs: w.opts.Bugs,
		PlaceholderGuard: true,
		NoStorage:        w.sc.Settings.NoStorage, MeshStatusThrownOnly: w.sc.Settings.MeshStatusThrownOnly,
		OversizeFallback: w.sc.Settings.OversizeFallback,
		SecretsError:     func() string { return w.secretsError(n) },
	}
	w.instanceFaults(n, &cfg)
	n.m = host.NewMachine(cfg)
	w.nodes[inst.Name] = n
	w.net.Attach(n.party, func(m sim.Message) { w.onInstance(n, m) })
	w.k.Trace.Add(n.party, "instance.create", trace.F("reason", reason), trace.F("index", inst.Index))
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
	loaded := w.hostFaults(n, host.Loaded{Functions: w.content.Functions, Revision: w.content.Revision})
	w.k.Trace.Add(n.party, "host.start", trace.F("revision", loaded.Revision), trace.F("functions", len(loaded.Functions)),
		trace.F("placeholder", loaded.Placeholder))
	w.perform(n, n.m.HostStarted(w.nodeNow(n), loaded))
}

// nodeNow is the instance's own clock: true virtual time plus any injected skew.
func (w *World) nodeNow(n *node) time.Time { return w.now().Add(n.skew) }

// restartHost restarts the host inside a running instance (a deploy): same instance, same name.
func (w *World) restartHost(n *node) {
	if !n.alive() || n.inst.State != sim.Running || !n.m.Running() {
		return
	}
	w.k.Trace.Add(n.party, "host.stop", trace.F("reason", "deploy"))
	w.perform(n, n.m.HostStopping(w.nodeNow(n)))
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
	fields := []trace.Field{trace.F("reason", reason)}
	if injected {
		fields = append(fields, trace.F("injected", true))
	}
	w.k.Trace.Add(n.party, "instance.delete", fields...)
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

// perform carries out a host's effects in order. A fault that deletes the instance at a Point drops
// every effect after it.
func (w *World) perform(n *node, effects []host.Effect) {
	tr := w.k.Trace
	for _, e := range effects {
		if !n.alive() {
			return
		}
		switch e := e.(type) {
		case host.Point:
			w.point(n, e)
		case host.Log:
			tr.Add(n.party, "log", trace.F("level", e.Level), trace.F("text", e.Text))
		case host.SpanEvent:
			w.spanEvent(n, e)
		case host.SetTimer:
			w.setHostTimer(n, e)
		case host.CancelTimer:
			if t, ok := n.timers[e.Key]; ok {
				t.Stop()
				delete(n.timers, e.Key)
			}
		case host.Send:
			w.hostSend(n, e)
		case host.BlobCall:
			w.hostBlob(n, e)
		case host.Respond:
			w.hostRespond(n, e)
		case host.PrimaryChanged:
			tr.Add(n.party, "primary", trace.F("primary", e.Primary))
		case host.HashWritten, host.HashRead:
			kind, fields := HostRecord(e)
			tr.Add(n.party, kind, fields...)
		}
	}
}

// point records a fault point and fires the point faults armed for it.
func (w *World) point(n *node, p host.Point) {
	w.k.Trace.Add(n.party, "sync.point", trace.F("point", p.Name), trace.F("span", p.Span), trace.F("background", p.Background))
	e := w.engine
	for _, in := range e.all {
		if in.kind != faults.KindPoint {
			continue
		}
		if pt := in.spec.Str("point"); pt != p.Name && pt != "any" {
			continue
		}
		if bg := in.spec.Str("background"); bg != "any" && bg != strconv.FormatBool(p.Background) {
			continue
		}
		if !e.roll(in, p.Name+"/i"+strconv.Itoa(n.inst.Index)) {
			continue
		}
		e.fire(in, n.party, trace.F("point", p.Name), trace.F("span", p.Span))
		w.deleteInstance(n, "fault "+in.spec.Name+" at "+p.Name, true)
		if in.spec.Name == "restart-instance" {
			w.startInstance("fault restart-instance")
		}
		return
	}
}

func (w *World) spanEvent(n *node, e host.SpanEvent) {
	kind, fields := SpanRecord(e)
	w.k.Trace.Add(n.party, kind, fields...)
}

func (w *World) setHostTimer(n *node, e host.SetTimer) {
	if t, ok := n.timers[e.Key]; ok {
		t.Stop()
	}
	key := e.Key
	n.timers[key] = w.k.After(e.After, func() {
		if !n.alive() {
			return
		}
		delete(n.timers, key)
		w.perform(n, n.m.Timer(w.nodeNow(n), key))
	})
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

func (w *World) hostSend(n *node, s host.Send) {
	to, kind := partyFrontEnd, kindMSG1
	if s.Target == host.TargetMesh {
		to, kind = partyMesh, kindMSG2
	}
	id := s.ID
	n.sendSpans[id] = s.Span
	w.k.Trace.Add(n.party, "sync.publish", PublishFields(s)...)
	n.waits[-id] = w.k.After(s.Timeout, func() {
		if !n.alive() {
			return
		}
		delete(n.waits, -id)
		w.k.Trace.Add(n.party, "http.timeout", trace.F("id", id), trace.F("to", to))
		w.httpResult(n, id, to, host.HTTPResult{Err: "timeout after " + s.Timeout.String()})
	})
	w.net.Send(sim.Message{From: n.party, To: to, Kind: kind, Body: httpRequest{node: n.inst.Name, send: s},
		Fields: []trace.Field{trace.F("id", id), trace.F("body", trace.SecretDigest(s.Body)), trace.F("bytes", len(s.Body))}})
}

// httpResult records a MSG-1/MSG-2 answer (or its absence) and hands it to the host.
func (w *World) httpResult(n *node, id int, target string, r host.HTTPResult) {
	fields := []trace.Field{trace.F("id", id), trace.F("span", n.sendSpans[id]), trace.F("target", target), trace.F("status", r.Status)}
	delete(n.sendSpans, id)
	if r.Err != "" {
		fields = append(fields, trace.F("error", r.Err))
	}
	w.k.Trace.Add(n.party, "http.result", fields...)
	w.perform(n, n.m.HTTPDone(w.nodeNow(n), id, r))
}

func (w *World) hostBlob(n *node, c host.BlobCall) {
	id := c.ID
	n.waits[id] = w.k.After(blobTimeout, func() {
		if !n.alive() {
			return
		}
		delete(n.waits, id)
		w.k.Trace.Add(n.party, "blob.timeout", trace.F("id", id), trace.F("op", string(c.Op)))
		w.perform(n, n.m.BlobDone(w.nodeNow(n), id, host.BlobResult{}))
	})
	w.net.Send(sim.Message{From: n.party, To: partyStorage, Kind: kindBlobRequest, Body: blobRequest{node: n.inst.Name, call: c},
		Fields: []trace.Field{trace.F("id", id), trace.F("op", string(c.Op)), trace.F("blob", c.Blob)}})
}

func (w *World) hostRespond(n *node, r host.Respond) {
	if rt, ok := w.routes[r.ReqID]; ok {
		rt.answered = true
	}
	w.net.Send(sim.Message{From: n.party, To: partyRouter, Kind: kindInstanceResponse,
		Body:   instanceResponse{route: r.ReqID, resp: r.Response, revision: r.Revision},
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
			w.httpResult(n, b.id, b.target, host.HTTPResult{Status: b.status})
		}
	case blobResponse:
		if t, ok := n.waits[b.id]; ok {
			t.Stop()
			delete(n.waits, b.id)
			w.perform(n, n.m.BlobDone(w.nodeNow(n), b.id, b.result))
		}
	case routedRequest:
		w.instanceRequest(n, b)
	}
}

func (w *World) instanceRequest(n *node, b routedRequest) {
	if b.kind == kindKeys {
		// The key API stored the new key already (the world's content); the controller then runs a
		// foreground sync and answers.
		w.perform(n, n.m.Sync(w.nodeNow(n), "keys"))
		if n.alive() {
			w.hostRespond(n, host.Respond{ReqID: b.route, Response: host.AdminResponse{Status: 200}})
		}
		return
	}
	effects := n.m.Admin(w.nodeNow(n), b.route, b.req)
	w.adminTokenCheck(n, b, effects)
	w.perform(n, effects)
}

func sortedInts[V any](m map[int]V) []int { return slices.Sorted(maps.Keys(m)) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
