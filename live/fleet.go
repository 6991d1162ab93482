package live

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// fleetEnv is the live runtime's site.FleetEnv: the real clock, the run's recorder, and HTTP and
// Azure Storage as the transport, all on the fleet's realtime party (r.fleetMu): its timers, and a
// goroutine of it per request, whose answer goes back to the fleet under the party's lock. Every
// method runs with the lock held (the fleet calls them from inside a call into it).
type fleetEnv struct{ r *run }

var _ site.FleetEnv = fleetEnv{}

func (e fleetEnv) Now() time.Time                      { return time.Now() }
func (e fleetEnv) Record(party string, ev trace.Event) { e.r.rec.put(party, ev) }

// After runs fn after real time d under the party's lock. The fleet's durations are real time
// already: it scales the scenario's (FleetConfig.TimeScale) and a host's config is scaled
// (Configure).
func (e fleetEnv) After(d time.Duration, fn func()) site.Timer { return e.r.fleetMu.After(d, fn) }

// Configure gives a host the live platform's addresses and scales every timer of its config to the
// run's time scale. The lease lasts its scaled duration too: the storage adapter enforces it
// against a service that takes no lease under 15 s (storage.go).
func (e fleetEnv) Configure(m *site.Member, cfg *host.Config) {
	r := e.r
	cfg.FrontEndURL, cfg.MeshURL = r.platform.feSrv.url, r.platform.mesh.url+"/"
	cfg.BackgroundDelay, cfg.LeaseDuration = r.scaled(host.DefaultBackgroundDelay), r.scaled(host.DefaultLeaseDuration)
	cfg.LeaseRenew, cfg.LeaseRetry, cfg.AdminWait = r.scaled(host.DefaultLeaseRenew), r.scaled(host.DefaultLeaseRetry), r.scaled(host.DefaultAdminWait)
	cfg.FrontEndTimeout, cfg.MeshTimeout = r.scaled(host.DefaultFrontEndTimeout), r.scaled(host.DefaultMeshTimeout)
}

// Attach starts the instance's HTTP server; its address is the instance's.
func (e fleetEnv) Attach(m *site.Member) (string, error) {
	ep := &endpoint{party: e.r.fleetMu, m: m, waits: realtime.NewWaits(firstDirectReq)}
	srv, err := realtime.Serve(loopback, ep, liveLimits)
	if err != nil {
		return "", err
	}
	ep.srv = srv
	e.r.endpoints[m] = ep
	return srv.URL(), nil
}

// Detach stops the instance's server: connections refused and cut, and the requests waiting for
// its host's answer cut, as a deleted instance's would be.
func (e fleetEnv) Detach(m *site.Member) {
	if ep, ok := e.r.endpoints[m]; ok {
		delete(e.r.endpoints, m)
		ep.waits.Cut()
		ep.srv.Close()
	}
}

// Send makes a MSG-1 or MSG-2 request, naming its instance (realtime.HeaderFrom), and hands its
// answer back to the instance.
func (e fleetEnv) Send(m *site.Member, s host.Send) {
	s.Headers = maps.Clone(s.Headers)
	if s.Headers == nil {
		s.Headers = map[string]string{}
	}
	s.Headers[realtime.HeaderFrom] = m.Name()
	e.r.fleetMu.Go(func(ctx context.Context) func() {
		res := realtime.Publish(ctx, httpClient, s)
		return func() { m.HTTPDone(s.ID, res) }
	})
}

// Blob performs a storage call in Azure Storage (Azurite), under the storage faults, and hands the
// result back to the instance. A hash blob write is noted at the instance's endpoint until it
// reaches storage, for a MSG-3 answer to wait for (hashWrites).
func (e fleetEnv) Blob(m *site.Member, c host.BlobCall) {
	r := e.r
	var reached chan struct{}
	ep := r.endpoints[m]
	if ep != nil && c.Op == host.BlobUpload && c.Blob == host.HashBlobName(r.sc.Site.HostID) {
		reached = ep.hashWrites.start()
	}
	r.fleetMu.Go(func(context.Context) func() {
		res, _, delay := r.faults.Storage(c, r.sc.Site.HostID, r.store.do)
		if reached != nil {
			close(reached)
		}
		if !r.fleetMu.Sleep(r.scaled(delay)) {
			return nil // the run is over
		}
		return func() {
			if reached != nil {
				ep.hashWrites.drop(reached)
			}
			m.BlobDone(c.ID, res)
		}
	})
}

// Respond hands the host's answer to the request waiting for it at the instance's server.
func (e fleetEnv) Respond(m *site.Member, a host.Respond) {
	if ep, ok := e.r.endpoints[m]; ok {
		ep.waits.Respond(a)
	}
}

// Forward proxies the router's request to its instance's server, with its route and the firing key
// of the token-invalid fault that replaced its token; the answer, or a 502 for a connection
// refused or cut (the instance was deleted) or no answer in time, goes back to the router.
func (e fleetEnv) Forward(rt *site.Route) {
	r := e.r
	id, req := rt.ID, rt.Call.Req
	headers := maps.Clone(req.Headers)
	if headers == nil {
		headers = map[string]string{}
	}
	if rt.TokenFault != "" {
		headers[headerTokenFault] = rt.TokenFault
	}
	headers[headerRoute] = strconv.Itoa(id)
	out := realtime.Request{Method: req.Method, URL: rt.To.Address() + req.Path, Headers: headers, Body: req.Body,
		Timeout: r.scaled(2 * time.Minute)}
	r.fleetMu.Go(func(ctx context.Context) func() {
		a, err := realtime.Do(ctx, httpClient, out, 8<<20)
		return func() {
			if err != nil {
				r.router.core.Fail(id, http.StatusBadGateway)
				return
			}
			revision, _ := strconv.Atoi(a.Header.Get(headerRevision))
			span, _ := strconv.Atoi(a.Header.Get(headerSpan))
			r.router.core.Answer(id, span, host.AdminResponse{Status: a.Status, Body: a.Body, Headers: realtime.Headers(a.Header)}, revision)
		}
	})
}
