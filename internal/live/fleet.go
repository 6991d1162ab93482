package live

import (
	"net/http"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/trace"
)

// fleetEnv is the live runtime's drive.FleetEnv: the real clock, the run's recorder, and HTTP and
// Azure Storage as the transport, each request on a goroutine of the run whose answer goes back to
// the fleet under r.fleetMu. Every method runs with r.fleetMu held (the fleet calls them from inside
// a call into it).
type fleetEnv struct{ r *run }

var _ drive.FleetEnv = fleetEnv{}

func (e fleetEnv) Now() time.Time                      { return time.Now() }
func (e fleetEnv) Record(party string, ev trace.Event) { e.r.rec.put(party, ev) }

// After runs fn after real time d under r.fleetMu. The fleet's durations are real time already: it
// scales the scenario's (FleetConfig.TimeScale) and a host's config is scaled (Configure).
func (e fleetEnv) After(d time.Duration, fn func()) drive.Timer {
	r := e.r
	t := &realTimer{r: r}
	if !r.track() {
		t.stopped = true // the run is over: the timer never fires
		return t
	}
	t.t = time.AfterFunc(d, func() {
		defer r.wg.Done()
		if r.isClosed() {
			return
		}
		r.fleetMu.Lock()
		defer r.fleetMu.Unlock()
		// A timer stopped after it fired, while its callback waited for the lock, does not run.
		if t.stopped {
			return
		}
		t.stopped = true
		fn()
	})
	return t
}

// realTimer is a timer of fleetEnv.After; stopped is guarded by r.fleetMu.
type realTimer struct {
	r       *run
	t       *time.Timer
	stopped bool
}

func (t *realTimer) Stop() {
	if t.stopped {
		return
	}
	t.stopped = true
	if t.t.Stop() {
		t.r.wg.Done()
	}
}

// Configure gives a host the live platform's addresses and scales every timer of its config to the
// run's time scale; only the primary lease keeps Azure's 15 s minimum duration.
func (e fleetEnv) Configure(m *drive.Member, cfg *host.Config) {
	r := e.r
	cfg.FrontEndURL, cfg.MeshURL = r.platform.feSrv.url, r.platform.mesh.url+"/"
	cfg.BackgroundDelay, cfg.LeaseDuration = r.scaled(host.DefaultBackgroundDelay), host.DefaultLeaseDuration
	cfg.LeaseRenew, cfg.LeaseRetry, cfg.AdminWait = r.scaled(host.DefaultLeaseRenew), r.scaled(host.DefaultLeaseRetry), r.scaled(host.DefaultAdminWait)
	cfg.FrontEndTimeout, cfg.MeshTimeout = r.scaled(host.DefaultFrontEndTimeout), r.scaled(host.DefaultMeshTimeout)
}

// Attach starts the instance's HTTP server; its address is the instance's.
func (e fleetEnv) Attach(m *drive.Member) (string, error) {
	ep := &endpoint{r: e.r, m: m, dead: make(chan struct{}), waits: map[int]chan host.Respond{}}
	srv, err := listen(http.HandlerFunc(ep.serveHTTP))
	if err != nil {
		return "", err
	}
	ep.srv = srv
	e.r.endpoints[m] = ep
	return srv.url, nil
}

// Detach stops the instance's server: connections refused and cut.
func (e fleetEnv) Detach(m *drive.Member) {
	if ep, ok := e.r.endpoints[m]; ok {
		delete(e.r.endpoints, m)
		ep.close()
	}
}

// Send makes a MSG-1 or MSG-2 request and hands its answer back to the instance.
func (e fleetEnv) Send(m *drive.Member, s host.Send) {
	r := e.r
	headers := map[string]string{"x-syncsim-from": m.Name()}
	for k, v := range s.Headers {
		headers[k] = v
	}
	r.goroutine(func() {
		status, errText := r.post(s.URL, s.Method, headers, s.Body, s.Revision, s.Timeout)
		r.fleetMu.Lock()
		defer r.fleetMu.Unlock()
		m.HTTPDone(s.ID, host.HTTPResult{Status: status, Err: errText})
	})
}

// Blob performs a storage call in Azure Storage (Azurite) and hands the result back to the instance.
func (e fleetEnv) Blob(m *drive.Member, c host.BlobCall) {
	r := e.r
	r.goroutine(func() {
		res, _, delay := r.faults.Storage(c, r.sc.Site.HostID, r.store.do)
		time.Sleep(r.scaled(delay))
		r.fleetMu.Lock()
		defer r.fleetMu.Unlock()
		m.BlobDone(c.ID, res)
	})
}

// Respond hands the host's answer to the request waiting for it at the instance's server.
func (e fleetEnv) Respond(m *drive.Member, a host.Respond) {
	ep, ok := e.r.endpoints[m]
	if !ok {
		return
	}
	if ch, ok := ep.waits[a.ReqID]; ok {
		delete(ep.waits, a.ReqID)
		ch <- a
	}
}

// Forward proxies the router's request to its instance's server; the answer, or a 502 for a
// connection refused or cut, goes back to the router.
func (e fleetEnv) Forward(rt *drive.Route) {
	r := e.r
	url, req, id, tokenFault := rt.To.Address()+rt.Call.Req.Path, rt.Call.Req, rt.ID, rt.TokenFault
	r.goroutine(func() {
		f, err := r.forward(url, req, id, tokenFault)
		r.fleetMu.Lock()
		defer r.fleetMu.Unlock()
		if err != nil {
			r.router.core.Fail(id, http.StatusBadGateway)
			return
		}
		r.router.core.Answer(id, f.span, host.AdminResponse{Status: f.status, Body: f.body, Headers: f.headers}, f.revision)
	})
}
