package site

import (
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/trace"
)

// Mesh is the site's mesh machine with the one interpreter of its effects, for every driver: a driver
// feeds it notifications, timers and fetch answers; Mesh steps the machine, writes the records of its
// effects (mesh.accept, log, store.write, mesh.abandon, mesh.fetch, mesh.fetch.done) by the mesh
// party and carries out timers and fetches through the driver's MeshEnv, in the machine's order.
// Mesh is not safe for concurrent use.
type Mesh struct {
	m   *mesh.Mesh
	env MeshEnv
}

// NewMesh drives machine m through env.
func NewMesh(m *mesh.Mesh, env MeshEnv) *Mesh { return &Mesh{m: m, env: env} }

// Machine is the mesh machine (for its read-only state: AcceptedCount, Busy).
func (d *Mesh) Machine() *mesh.Mesh { return d.m }

// Notify hands MSG-2 to the machine and returns its answer.
func (d *Mesh) Notify(req mesh.Request) mesh.Response {
	resp, effects := d.m.Notify(d.env.MeshNow(), req)
	d.step(effects)
	return resp
}

// Timer fires the mesh's timer key.
func (d *Mesh) Timer(key string) { d.step(d.m.Timer(d.env.MeshNow(), key)) }

// FetchDone answers fetch id: status (0 for a refused or reset connection), body and the revision
// the answer names.
func (d *Mesh) FetchDone(id, status int, body []byte, revision int) {
	d.env.Record(trace.PartyMesh, trace.MeshFetchDone(id, status, ""))
	d.step(d.m.FetchDone(d.env.MeshNow(), id, status, body, revision))
}

// FetchTimeout answers fetch id that got no answer within its timeout.
func (d *Mesh) FetchTimeout(id int) {
	d.env.Record(trace.PartyMesh, trace.MeshFetchDone(id, 0, "timeout"))
	d.step(d.m.FetchDone(d.env.MeshNow(), id, 0, nil, 0))
}

// step carries out the effects of one of the machine's steps, then hands their array back to it.
func (d *Mesh) step(effects []mesh.Effect) {
	d.Perform(effects)
	d.m.Recycle(effects)
}

// Perform carries out effects in order: it records those a checker reads (and tells the driver of
// them) and hands timers and fetches to the driver.
func (d *Mesh) Perform(effects []mesh.Effect) {
	for _, e := range effects {
		if ev, ok := MeshEvent(e); ok {
			d.env.Record(trace.PartyMesh, ev)
			d.env.Observe(e)
			continue
		}
		switch e := e.(type) {
		case mesh.SetTimer:
			d.env.SetTimer(e.Key, e.After)
		case mesh.Fetch:
			e.Headers = d.env.FetchHeaders(e)
			d.env.Record(trace.PartyMesh, trace.MeshFetch(e.ID, e.Attempt, e.Cover, trace.SecretDigest([]byte(e.Headers["x-ms-site-token"]))))
			d.env.Fetch(e)
		}
	}
}
