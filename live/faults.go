package live

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// injectable reports whether a live run injects fault s: the catalogue's Live (faults.Fault.Live).
func injectable(s faults.Spec) bool { return s.Fault().Live }

// faultEngine is the run's site.Faults (arming, the fire decision and the records, as in the
// simulator: the same firing keys and dice) carried out over HTTP.
type faultEngine struct {
	*site.Faults
	r *run
	// meshSkew is the mesh's clock offset under an injected clock-skew fault.
	meshSkew time.Duration
}

func newFaultEngine(r *run) *faultEngine {
	return &faultEngine{Faults: site.NewFaults(liveEnv{r}, r.streams, r.sc.FaultsEnd, site.FaultOptions{}), r: r}
}

// arm arms the scenario's faults; those that cannot be injected live are recorded (fault.na) and
// noted in the log, not dropped silently.
func (e *faultEngine) arm() {
	e.Arm(site.SpecsFor(e.r.sc, nil), injectable, site.NotApplicableReason, e.timed)
	for _, what := range e.NotApplicable() {
		fmt.Fprintf(e.r.log, "live: fault %s is not applicable in live mode; it is not injected\n", what)
	}
	e.meshSkew = e.MeshSkew()
}

// timed carries out a timed fault the catalogue marks Live (site.Faults schedules its
// opportunities on the run's clock, as in the simulator).
func (e *faultEngine) timed(in *site.Injector) {
	switch in.Spec.Name {
	case "oversize-payload":
		e.Fire(in, trace.PartyWorld)
		e.r.timeline.Oversize()
	case "concurrent-syncs":
		// SYNC-2, P3: a burst of MSG-4 calls, pinned to the router's pick or spread as it picks.
		e.Fire(in, trace.PartyClient, trace.F("calls", in.Spec.Int("calls")), trace.F("spread", in.Spec.Str("spread")))
		pin := ""
		if in.Spec.Str("spread") == "one" {
			e.r.fleetMu.Lock()
			if m := e.r.router.core.Pick(); m != nil {
				pin = m.Name()
			}
			e.r.fleetMu.Unlock()
		}
		for i := 0; i < in.Spec.Int("calls"); i++ {
			e.r.timeline.CallPinned(trace.MsgMSG4, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers,
				Headers: e.r.site.AuthHeaders("admin-key", time.Now())}, pin)
		}
	default:
		panic("live: the catalogue marks timed fault " + in.Spec.Name + " live, and live has no handler for it")
	}
}

// atFrontEnd carries out the front end's faults (site.Faults.AtFrontEnd: fe-timeout, fe-status,
// fe-size-limit) on a MSG-1. It reports whether a fault handled the request.
func (e *faultEngine) atFrontEnd(w http.ResponseWriter, req *http.Request) bool {
	r, ok := e.AtFrontEnd(sender(req), int(req.ContentLength))
	if ok {
		drain(req)
		e.refuse(w, r, host.DefaultFrontEndTimeout)
	}
	return ok
}

// drain reads a refused request's body before the answer, as the simulator's front end and mesh
// take the whole message: a server that answers first and closes can reset the connection while the
// host still writes a large body (fe-size-limit's), and the host would see a transport error where
// the simulator's sees the status.
func drain(req *http.Request) { io.Copy(io.Discard, io.LimitReader(req.Body, 8<<20)) }

// atMesh carries out the mesh's faults (site.Faults.AtMesh: mesh-timeout, mesh-status,
// mesh-forward-lost) on a MSG-2.
func (e *faultEngine) atMesh(w http.ResponseWriter, req *http.Request) bool {
	r, ok := e.AtMesh(sender(req))
	if ok {
		drain(req)
		e.refuse(w, r, host.DefaultMeshTimeout)
	}
	return ok
}

// refuse answers a refusal: its status, or nothing until the sender's timeout (scenario time) passed
// or the run ended.
func (e *faultEngine) refuse(w http.ResponseWriter, r site.Refusal, senderTimeout time.Duration) {
	if r.NoAnswer {
		e.r.fleetMu.Sleep(e.r.scaled(senderTimeout) + 50*time.Millisecond)
		return
	}
	w.WriteHeader(r.Status)
}

// headerTokenFault carries, from the site router to the instance, the firing key of a token-invalid
// fault that replaced a request's token (the instance's token.check names it).
const headerTokenFault = "x-syncsim-token-fault"

// sender is the party that made a request to the front end or the mesh (the live host names itself).
func sender(req *http.Request) string { return trace.InstanceParty(req.Header.Get("x-syncsim-from")) }

// statusText reads MSG-4's {"status": "..."} answer.
func statusText(body []byte) string {
	var b struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Status
}
