package realtime

import (
	"context"
	"net/http"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/site"
)

// Platform is the site's platform on the real clock: the platform store, and the mesh machine and
// the front end with their interpreters (site.Mesh, site.FrontEnd), behind the party's lock. A
// driver drives the parts it serves (the live runtime both, the reference mesh server the mesh, the
// reference front-end server the front end); every answer of the front end comes from the one
// interpreter, as in the simulator.
type Platform struct {
	*Party
	store *mesh.Store
	mesh  *site.Mesh
	fe    *site.FrontEnd
}

// NewPlatform returns a platform within p over store, driving no part yet.
func NewPlatform(p *Party, store *mesh.Store) *Platform { return &Platform{Party: p, store: store} }

// DriveMesh drives mesh machine m (over the platform's store) through env.
func (pl *Platform) DriveMesh(m *mesh.Mesh, env site.MeshEnv) { pl.mesh = site.NewMesh(m, env) }

// DriveFrontEnd drives front end fe (over the platform's store, or a store of the driver's choosing)
// of site through env.
func (pl *Platform) DriveFrontEnd(fe *mesh.FrontEnd, st host.Site, env site.FrontEndEnv) {
	pl.fe = site.NewFrontEnd(fe, st, env)
}

// Store is the platform store; read it with the lock held.
func (pl *Platform) Store() *mesh.Store { return pl.store }

// Mesh is the mesh's interpreter; call it with the lock held.
func (pl *Platform) Mesh() *site.Mesh { return pl.mesh }

// Notify hands MSG-2 to the mesh and returns its answer; ok is false when the party is stopping.
func (pl *Platform) Notify(req mesh.Request) (resp mesh.Response, ok bool) {
	ok = pl.Do(func() { resp = pl.mesh.Notify(req) })
	return resp, ok
}

// SetTriggers answers MSG-1 req from sender through the front end's interpreter (site.FrontEnd)
// and tells what it did; ok is false when the party is stopping. fault is as
// site.FrontEnd.SetTriggers's.
func (pl *Platform) SetTriggers(req mesh.Request, sender, fault string) (resp mesh.Response, out mesh.Outcome, ok bool) {
	ok = pl.Do(func() { resp, out = pl.fe.SetTriggers(req, sender, fault, nil) })
	return resp, out, ok
}

// MeshTimer arms the mesh's timer key (site.MeshEnv's SetTimer); the lock is held.
func (pl *Platform) MeshTimer(key string, after time.Duration) {
	pl.SetTimer(key, after, func() { pl.mesh.Timer(key) })
}

// Fetch makes MSG-3 f, a GET of url, with c on the party's goroutine and hands the answer to the
// mesh (site.MeshEnv's Fetch); the lock is held. answered, when not nil, wraps the delivery (the
// answer's status, and deliver, which it must call), under the lock.
func (pl *Platform) Fetch(f mesh.Fetch, url string, c *http.Client, answered func(status int, deliver func())) {
	pl.Go(func(ctx context.Context) func() {
		status, body, revision := Get(ctx, c, url, f.Headers, f.Timeout)
		return func() {
			deliver := func() { pl.mesh.FetchDone(f.ID, status, body, revision) }
			if answered == nil {
				deliver()
				return
			}
			answered(status, deliver)
		}
	})
}
