package site

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// Router is the site router (PROTOCOL.md section 1), for every driver: it forwards each request to
// a running, ready instance that is not draining, of its seeded choice (the run's "router"
// stream), or to the instance a pinned call names while that one is routable; it answers 503 when
// there is none, and 502 for what it forwarded to an instance that was deleted before answering. At
// the site's front door it applies the fetch faults (MSG-3) and token-invalid (MSG-3, and MSG-4
// authorized by a token: TOK-6). It writes router.route and router.none; the driver's transport
// carries the forwards (Transport.Forward) and each call's Reply carries the answers. Router is not
// safe for concurrent use: it runs under the fleet's lock.
type Router struct {
	f      *Fleet
	rng    *rand.Rand
	routes map[int]*Route
	next   int
}

// NewRouter is the site router over fleet f; f's deletes answer its routes to the deleted instance.
func NewRouter(f *Fleet) *Router {
	rt := &Router{f: f, rng: f.streams.Stream("router"), routes: map[int]*Route{}}
	f.router = rt
	return rt
}

// Call is a request that reaches the site router: MSG-3 from the mesh, MSG-4 or the key API from a
// client.
type Call struct {
	// Kind is trace.MsgMSG3, trace.MsgMSG4 or trace.MsgKeys.
	Kind string
	// From is the caller's party; ID its number for the call (the mesh's fetch, the client's call),
	// 0 when the driver does not know it.
	From string
	ID   int
	Req  host.AdminRequest
	// Pin asks for one instance (concurrent syncs inside an instance): it overrides the seeded
	// choice while that instance is routable.
	Pin string
	// Reply takes the router's answer to the call, once.
	Reply func(Answer)
}

// Answer is the router's answer to a call.
type Answer struct {
	// Status is the answer's status; 0 is no connection (fetch-refused).
	Status   int
	Body     []byte
	Revision int
	// Headers are the instance's answer's headers (Allow on a 405); the router adds none.
	Headers map[string]string
	// Route is the route's number (0 when the router answered itself); Instance the instance it
	// went to; Span the sync span that answered a MSG-4 (0 otherwise).
	Route    int
	Instance string
	Span     int
}

// Route is a request the router forwarded to an instance and has not answered yet.
type Route struct {
	ID   int
	Call Call
	To   *Member
	// TokenFault is the firing key of a token-invalid fault that replaced the request's token.
	TokenFault string
	// answered is set once the instance sent its answer: it is on its way to the router and
	// reaches it even if the instance is deleted now.
	answered bool
}

// Receive routes call c.
func (rt *Router) Receive(c Call) {
	env := rt.f.env
	if c.Kind == trace.MsgMSG3 {
		if r, ok := rt.f.faults.AtFetch(c.ID); ok {
			// The front door refused the fetch: the router answers its status (0: no connection).
			c.Reply(Answer{Status: r.Status})
			return
		}
	}
	tokenFault := ""
	if c.Kind == trace.MsgMSG3 || (c.Kind == trace.MsgMSG4 && !HasAdminKey(c.Req.Headers)) {
		c.Req.Headers, tokenFault = rt.f.faults.BadToken(rt.f.sc.Site, tokenEndpoint(c.Kind), c.From, env.Now(), c.Req.Headers)
	}
	// The seeded pick is drawn whether or not a pin overrides it, so that a pinned call leaves the
	// router's stream where an unpinned one would.
	m := rt.Pick()
	if p := rt.f.routableNamed(c.Pin); p != nil {
		m = p
	}
	if m == nil {
		env.Record(trace.PartyRouter, trace.RouterNone(c.Kind))
		c.Reply(Answer{Status: 503})
		return
	}
	rt.next++
	r := &Route{ID: rt.next, Call: c, To: m, TokenFault: tokenFault}
	rt.routes[r.ID] = r
	env.Record(trace.PartyRouter, trace.RouterRoute(r.ID, c.Kind, m.Name(), callRef(c.ID)))
	env.Forward(r)
}

// Pick chooses a routable instance with the router's stream; nil when there is none.
func (rt *Router) Pick() *Member {
	ready := rt.f.Routable()
	if len(ready) == 0 {
		return nil
	}
	return ready[rt.rng.IntN(len(ready))]
}

// Answer relays the instance's answer to route id (its sync span span, for a MSG-4) to the caller;
// a route answered already (a duplicate, or after its instance was deleted) is ignored.
func (rt *Router) Answer(id, span int, resp host.AdminResponse, revision int) {
	r, ok := rt.routes[id]
	if !ok {
		return
	}
	delete(rt.routes, id)
	r.Call.Reply(Answer{Status: resp.Status, Body: resp.Body, Revision: revision, Headers: resp.Headers, Route: id, Instance: r.To.Name(), Span: span})
}

// Fail answers route id with status when the transport could not deliver it or its answer (a
// connection cut for another reason than a delete, a timeout); a route answered already is ignored.
func (rt *Router) Fail(id, status int) {
	r, ok := rt.routes[id]
	if !ok {
		return
	}
	delete(rt.routes, id)
	r.Call.Reply(Answer{Status: status, Route: id, Instance: r.To.Name()})
}

// responded marks route id answered by its instance.
func (rt *Router) responded(id int) {
	if r, ok := rt.routes[id]; ok {
		r.answered = true
	}
}

// lost answers 502 to every route to deleted instance m that m had not answered, in route order:
// the router sees the connection to the instance reset.
func (rt *Router) lost(m *Member) {
	for _, id := range slices.Sorted(maps.Keys(rt.routes)) {
		if r := rt.routes[id]; r.To == m && !r.answered {
			rt.Fail(id, 502)
		}
	}
}

// tokenEndpoint names the receiver of a routed request as token.check and token-invalid do.
func tokenEndpoint(kind string) string {
	if kind == trace.MsgMSG3 {
		return "msg3"
	}
	return "msg4"
}

// callRef is the caller's number as router.route records it ("" when unknown).
func callRef(id int) string {
	if id == 0 {
		return ""
	}
	return strconv.Itoa(id)
}
