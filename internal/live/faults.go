package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/internal/trace"
)

// liveFaults are the faults that make sense over real HTTP: an instance deleted at a fault point
// (its server stops), what a host loads and how it builds its payload, clock skew, and HTTP answers
// of the front end, the mesh and the site router.
var liveFaults = map[string]bool{
	"delete-instance": true, "restart-instance": true,
	"transient-empty": true, "placeholder-active": true, "payload-nondeterminism": true, "clock-skew": true,
	"fe-status": true, "fe-timeout": true, "fe-size-limit": true,
	"mesh-status": true, "mesh-timeout": true, "mesh-forward-lost": true,
	"fetch-status": true, "fetch-refused": true,
}

// faultEngine is the run's drive.Faults (arming, the fire decision and the records, as in the
// simulator: the same firing keys and dice) carried out over HTTP.
type faultEngine struct {
	*drive.Faults
	r *run
	// meshSkew is the mesh's clock offset under an injected clock-skew fault.
	meshSkew time.Duration
}

func newFaultEngine(r *run) *faultEngine {
	return &faultEngine{Faults: drive.NewFaults(liveEnv{r}, r.streams, r.sc.FaultsEnd, drive.FaultOptions{}), r: r}
}

// arm arms the scenario's faults; those that cannot be injected live are recorded (fault.na) and
// noted in the log, not dropped silently.
func (e *faultEngine) arm() {
	e.Arm(drive.SpecsFor(e.r.sc, nil), func(s faults.Spec) bool { return liveFaults[s.Name] }, drive.NotApplicableReason, nil)
	for _, what := range e.NotApplicable() {
		fmt.Fprintf(e.r.log, "live: fault %s is not applicable in live mode; it is not injected\n", what)
	}
	e.meshSkew = e.MeshSkew()
}

// atPoint fires the point faults armed for a host's fault point; h.mu is held. It reports whether
// the instance is gone.
func (e *faultEngine) atPoint(h *liveHost, p host.Point) bool {
	in := e.AtPoint(p.Name, p.Background, h.index)
	if in == nil {
		return false
	}
	e.Fire(in, h.party, trace.F("point", p.Name), trace.F("span", p.Span))
	h.killLocked("fault "+in.Spec.Name+" at "+p.Name, true)
	if in.Spec.Name == "restart-instance" {
		go e.r.startInstance("fault restart-instance")
	}
	return true
}

// atFrontEnd applies fe-timeout (no answer until the host gives up), fe-status (an error answer,
// nothing stored) and fe-size-limit (400 to a body over its limit) to a MSG-1 from sender.
func (e *faultEngine) atFrontEnd(w http.ResponseWriter, req *http.Request) bool {
	from := sender(req)
	in := e.First("frontend", "fe-timeout", "fe-status")
	switch {
	case in == nil:
		for _, in := range e.Of("fe-size-limit") {
			if req.ContentLength > int64(in.Spec.Int("bytes")) && e.Roll(in, "frontend") {
				e.Fire(in, trace.PartyFrontEnd, trace.F("status", 400), trace.F("from", from), trace.F("bytes", req.ContentLength))
				w.WriteHeader(http.StatusBadRequest)
				return true
			}
		}
		return false
	case in.Spec.Name == "fe-timeout":
		e.Fire(in, trace.PartyFrontEnd, trace.F("from", from))
		time.Sleep(e.r.scaled(host.DefaultFrontEndTimeout) + 50*time.Millisecond)
	default:
		status := in.Spec.Int("status")
		e.Fire(in, trace.PartyFrontEnd, trace.F("status", status), trace.F("from", from))
		w.WriteHeader(status)
	}
	return true
}

// atMesh applies mesh-timeout, mesh-status and mesh-forward-lost (2xx, but the notification never
// reaches the platform) to a MSG-2.
func (e *faultEngine) atMesh(w http.ResponseWriter, req *http.Request) bool {
	in := e.First("mesh", "mesh-timeout", "mesh-status", "mesh-forward-lost")
	if in == nil {
		return false
	}
	from := sender(req)
	switch in.Spec.Name {
	case "mesh-timeout":
		e.Fire(in, trace.PartyMesh, trace.F("from", from))
		time.Sleep(e.r.scaled(host.DefaultMeshTimeout) + 50*time.Millisecond)
	case "mesh-status":
		status := in.Spec.Int("status")
		e.Fire(in, trace.PartyMesh, trace.F("status", status), trace.F("from", from))
		w.WriteHeader(status)
	default:
		e.Fire(in, trace.PartyMesh, trace.F("from", from))
		w.WriteHeader(http.StatusOK)
	}
	return true
}

// atFetch applies fetch-refused (the connection is cut) and fetch-status at the site's front door.
func (e *faultEngine) atFetch(kind string, w http.ResponseWriter) bool {
	if kind != trace.MsgMSG3 {
		return false
	}
	in := e.First("fetch", "fetch-refused", "fetch-status")
	if in == nil {
		return false
	}
	status := 0
	if in.Spec.Name == "fetch-status" {
		status = in.Spec.Int("status")
	}
	e.Fire(in, trace.PartyRouter, trace.F("status", status))
	if status == 0 {
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(status)
	return true
}

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

// startLoad is what a starting host loads (drive.Faults.AtHostStart), as in the simulator; h.mu is
// held. A placeholder (a pod from the placeholder pool, or placeholder-active) specializes later.
func (h *liveHost) startLoad(l host.Loaded) host.Loaded {
	st := h.r.faults.AtHostStart(h.party, h.index, h.placeholderFor, l)
	if st.TookPlaceholder {
		h.placeholderFor = 0
	}
	if st.Guard != nil {
		h.m.SetPlaceholderGuard(*st.Guard)
	}
	if st.Loaded.Placeholder {
		h.r.after(st.Specialize, func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if !h.alive {
				return
			}
			// Specialization completes: the real host starts.
			h.r.rec.put(h.party, trace.HostSpecialized())
			h.d.Start(h.r.loaded())
		})
	}
	return st.Loaded
}
