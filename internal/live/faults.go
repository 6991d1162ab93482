package live

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/drive"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/internal/trace"
)

// injectable reports whether a live run injects fault s: the catalogue's Live (faults.Fault.Live).
func injectable(s faults.Spec) bool { return s.Fault().Live }

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
	e.Arm(drive.SpecsFor(e.r.sc, nil), injectable, drive.NotApplicableReason, e.timed)
	for _, what := range e.NotApplicable() {
		fmt.Fprintf(e.r.log, "live: fault %s is not applicable in live mode; it is not injected\n", what)
	}
	e.meshSkew = e.MeshSkew()
}

// timed carries out a timed fault the catalogue marks Live (drive.Faults schedules its
// opportunities on the run's clock, as in the simulator).
func (e *faultEngine) timed(in *drive.Injector) {
	switch in.Spec.Name {
	case "oversize-payload":
		e.Fire(in, trace.PartyWorld)
		e.r.timeline.Oversize()
	case "concurrent-syncs":
		// SYNC-2, P3: a burst of MSG-4 calls, pinned to the router's pick or spread as it picks.
		e.Fire(in, trace.PartyClient, trace.F("calls", in.Spec.Int("calls")), trace.F("spread", in.Spec.Str("spread")))
		pin := ""
		if in.Spec.Str("spread") == "one" {
			if h := e.r.router.pick(); h != nil {
				pin = h.name
			}
		}
		for i := 0; i < in.Spec.Int("calls"); i++ {
			e.r.timeline.CallPinned(trace.MsgMSG4, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers,
				Headers: e.r.site.AuthHeaders("admin-key", time.Now())}, pin)
		}
	default:
		panic("live: the catalogue marks timed fault " + in.Spec.Name + " live, and live has no handler for it")
	}
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
		// The new instance starts on a goroutine of the run, which shutdown waits for (the
		// dying host's lock is held here).
		e.r.goroutine(func() { e.r.startInstance("fault restart-instance") })
	}
	return true
}

// atFrontEnd carries out the front end's faults (drive.Faults.AtFrontEnd: fe-timeout, fe-status,
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

// atMesh carries out the mesh's faults (drive.Faults.AtMesh: mesh-timeout, mesh-status,
// mesh-forward-lost) on a MSG-2.
func (e *faultEngine) atMesh(w http.ResponseWriter, req *http.Request) bool {
	r, ok := e.AtMesh(sender(req))
	if ok {
		drain(req)
		e.refuse(w, r, host.DefaultMeshTimeout)
	}
	return ok
}

// atFetch carries out the site's front-door faults (drive.Faults.AtFetch: fetch-refused cuts the
// connection, fetch-status answers) on a MSG-3.
func (e *faultEngine) atFetch(kind string, w http.ResponseWriter) bool {
	if kind != trace.MsgMSG3 {
		return false
	}
	r, ok := e.AtFetch(0)
	if !ok {
		return false
	}
	if r.NoAnswer {
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(r.Status)
	return true
}

// refuse answers a refusal: its status, or nothing until the sender's timeout (scenario time) passed.
func (e *faultEngine) refuse(w http.ResponseWriter, r drive.Refusal, senderTimeout time.Duration) {
	if r.NoAnswer {
		time.Sleep(e.r.scaled(senderTimeout) + 50*time.Millisecond)
		return
	}
	w.WriteHeader(r.Status)
}

// storage performs a host's storage call in Azure Storage under the storage faults
// (drive.Faults.AtStorage): a faulted call answers the fault's result without reaching storage. The
// fault's latency is returned in real time, to wait after the storage record.
func (e *faultEngine) storage(c host.BlobCall) (res host.BlobResult, faulted bool, delay time.Duration) {
	b := e.AtStorage(c, host.HashBlobName(e.r.sc.Site.HostID))
	if b.Faulted {
		return b.Result, true, e.r.scaled(b.Delay)
	}
	return e.r.store.do(c), false, e.r.scaled(b.Delay)
}

// headerTokenFault carries, from the site router to the instance, the firing key of a token-invalid
// fault that replaced a request's token (the instance's token.check names it).
const headerTokenFault = "x-syncsim-token-fault"

// atRouter applies token-invalid to a MSG-3, or a MSG-4 authorized by a token rather than the admin
// key (TOK-6), as the site router receives it: the request's headers are replaced in place, and the
// firing key returned ("" when none fired).
func (e *faultEngine) atRouter(kind string, req *http.Request) string {
	if kind != trace.MsgMSG3 && kind != trace.MsgMSG4 {
		return ""
	}
	headers := map[string]string{}
	for k, v := range req.Header {
		headers[k] = strings.Join(v, ",")
	}
	if kind == trace.MsgMSG4 && drive.HasAdminKey(headers) {
		return ""
	}
	endpoint, sender := "msg3", trace.PartyMesh
	if kind == trace.MsgMSG4 {
		endpoint, sender = "msg4", trace.PartyClient
	}
	out, key := e.BadToken(e.r.sc.Site, endpoint, sender, time.Now(), headers)
	if key != "" {
		req.Header = http.Header{}
		for k, v := range out {
			req.Header.Set(k, v)
		}
	}
	return key
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
			// Specialization completes: the real host starts, in the pod that is already up (the
			// site's content without a container's startup time, as the simulator's world loads it).
			h.r.rec.put(h.party, trace.HostSpecialized())
			h.d.Start(h.r.site.Loaded())
		})
	}
	return st.Loaded
}
