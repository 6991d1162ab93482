package validate

import (
	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/trace"
)

// performMesh carries out the platform machine's effects: a fetch (MSG-3) is routed at once to the
// first running instance (the site router; 503 with none); log lines are owed by the platform.
func (c *checker) performMesh(effs []mesh.Effect) {
	for _, e := range effs {
		switch e := e.(type) {
		case mesh.SetTimer:
			c.meshTimers[e.Key] = c.now.Add(e.After)
		case mesh.Log:
			if o, ok := c.classify(trace.CategoryPlatform, e.Level, e.Text); ok {
				c.platform = append(c.platform, o)
			}
		case mesh.Fetch:
			status, body, rev := c.route(e)
			c.performMesh(c.mesh.FetchDone(c.now, e.ID, status, body, rev))
		}
	}
}

// route serves a platform fetch through the site router.
func (c *checker) route(f mesh.Fetch) (int, []byte, int) {
	for _, n := range c.names {
		in := c.insts[n]
		if !in.alive || !in.m.Running() {
			continue
		}
		c.nextReq++
		c.perform(in, in.m.Admin(c.now, c.nextReq, host.AdminRequest{Method: "GET", Path: host.PathTriggers, Headers: f.Headers}))
		if r, ok := in.resps[c.nextReq]; ok {
			delete(in.resps, c.nextReq)
			return r.Status, r.Body, 0
		}
		return 503, nil, 0
	}
	return 503, nil, 0
}

// platformStep checks a platform line. The platform's log may be sampled, so the line may pass over
// lines the model owes; its retry timing is free within MESH-4, so a retry may come early.
func (c *checker) platformStep(l line) *Failure {
	if c.takePlatform(l) {
		return nil
	}
	if _, ok := c.meshTimers["retry"]; ok && (l.Kind() == logs.KindFetchFailed || l.Kind() == logs.KindFetchAbandoned) {
		// MESH-4 bounds the backoff only from below (100 ms, which the reference's backoff already
		// keeps): the real platform may retry before the reference's jittered deadline.
		delete(c.meshTimers, "retry")
		c.performMesh(c.mesh.Timer(c.now, "retry"))
		if c.takePlatform(l) {
			return nil
		}
	}
	why := "the platform owes no such line"
	if !c.mesh.Busy() && len(c.platform) == 0 {
		why = "the platform has no notification to fetch for (MESH-2)"
	}
	return c.fail(l, why)
}

// takePlatform consumes the owed platform lines up to the first that matches the line.
func (c *checker) takePlatform(l line) bool {
	for i, o := range c.platform {
		if o.kind != l.Kind() {
			continue
		}
		if l.Kind() == logs.KindFetchFailed {
			a, _ := logs.StatusCode(o.args["status"])
			b, _ := logs.StatusCode(l.Arg("status"))
			if a != b {
				continue
			}
		}
		if l.Kind() == logs.KindHarnessNote && o.text != l.Message {
			continue
		}
		c.platform = c.platform[i+1:]
		return true
	}
	return false
}
