package live

import (
	"net/http"
	"strconv"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/site"
)

// endpoint is one instance's HTTP server (the admin API and the key API), in front of its member
// of the run's fleet, within the fleet's party: the requests waiting for the host's answer are the
// instance's realtime.Waits, under the party's lock.
type endpoint struct {
	party *realtime.Party
	m     *site.Member
	srv   *realtime.Server
	waits *realtime.Waits
	// hashWrites are the host's hash blob writes not yet at storage, which a MSG-3 answer waits for.
	hashWrites hashWrites
}

// firstDirectReq numbers the requests that did not come through the site router past every route's
// id.
const firstDirectReq = 1 << 20

// Header names the live runtime adds so that traces link requests and answers as the simulator's do.
const (
	headerRoute    = "x-syncsim-route"
	headerSpan     = "x-syncsim-span"
	headerInstance = "x-syncsim-instance"
	headerRevision = mesh.RevisionHeader
	// headerPin names the instance a pinned client call asks the site router for.
	headerPin = "x-syncsim-pin"
)

// ServeHTTP is the admin API (MSG-3, MSG-4) and the key API of one instance. A request to an
// instance that is gone, or whose instance goes while it waits, has its connection cut.
func (ep *endpoint) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, ok := realtime.ReadBody(w, req)
	if !ok {
		return
	}
	areq := host.AdminRequest{Method: req.Method, Path: req.URL.Path, Headers: realtime.Headers(req.Header), Body: body}
	route, _ := strconv.Atoi(req.Header.Get(headerRoute))
	var answer <-chan host.Respond
	handed := false
	ep.party.Do(func() {
		var id int
		if id, answer, handed = ep.waits.Add(route); handed {
			ep.m.Request(id, kindOf(req), areq, req.Header.Get(headerTokenFault))
		}
	})
	if !handed {
		panic(http.ErrAbortHandler)
	}
	select {
	case a := <-answer:
		if req.URL.Path == host.PathTriggers {
			// The step that answered may still be sending its hash write (platform-ack): the
			// answer leaves once it reached storage.
			var sent []chan struct{}
			ep.party.Do(func() { sent = ep.hashWrites.sent() })
			wait(sent, ep.waits.Gone())
		}
		for k, v := range a.Response.Headers {
			w.Header().Set(k, v)
		}
		w.Header().Set(headerRevision, strconv.Itoa(a.Revision))
		if a.Span != 0 {
			w.Header().Set(headerSpan, strconv.Itoa(a.Span))
			w.Header().Set(headerInstance, ep.m.Name())
		}
		w.WriteHeader(a.Response.Status)
		w.Write(a.Response.Body)
	case <-ep.waits.Gone():
		panic(http.ErrAbortHandler)
	}
}
