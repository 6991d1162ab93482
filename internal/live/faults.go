package live

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/faults"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/sim"
)

// liveFaults are the faults that make sense over real HTTP: an instance deleted at a fault point
// (its server stops), and HTTP answers of the front end, the mesh and the site router.
var liveFaults = map[string]bool{
	"delete-instance": true, "restart-instance": true,
	"fe-status": true, "fe-timeout": true, "mesh-status": true, "mesh-timeout": true, "mesh-forward-lost": true,
	"fetch-status": true, "fetch-refused": true,
}

// injector is one armed live fault.
type injector struct {
	spec  faults.Spec
	fired int
}

type faultEngine struct {
	r             *run
	mu            sync.Mutex
	rng           *rand.Rand
	all           []*injector
	notApplicable []string
}

func newFaultEngine(r *run, rng *rand.Rand) *faultEngine { return &faultEngine{r: r, rng: rng} }

// arm reads the scenario's faults; those that cannot be injected live are reported, not dropped
// silently.
func (e *faultEngine) arm() {
	sc := e.r.sc
	for _, f := range sc.Faults.Scripted {
		s := faults.Spec{Name: f.Fault, Params: map[string]string{"point": f.Point, "count": strconv.Itoa(f.Count), "after": f.After.String()}}
		for k, v := range f.Params {
			s.Params[k] = v
		}
		if f.Background != nil {
			s.Params["background"] = strconv.FormatBool(*f.Background)
		}
		e.add(s)
	}
	for _, f := range sc.Faults.Profile {
		e.add(f.Spec)
	}
	if rf := sc.Faults.Random; rf.Drop > 0 || rf.Duplicate > 0 || rf.Reorder > 0 {
		e.na("random link faults (drop, duplicate, reorder)")
	}
}

func (e *faultEngine) add(s faults.Spec) {
	if !liveFaults[s.Name] {
		e.na(s.String())
		return
	}
	e.all = append(e.all, &injector{spec: s})
	e.r.rec.add(partyWorld, "fault.armed", trace.F("fault", s.String()))
}

func (e *faultEngine) na(what string) {
	e.notApplicable = append(e.notApplicable, what)
	e.r.rec.add(partyWorld, "fault.na", trace.F("fault", what), trace.F("reason", "not applicable in live mode"))
	fmt.Fprintf(e.r.log, "live: fault %s is not applicable in live mode; it is not injected\n", what)
}

// roll decides one opportunity of an injector: inside its window and before faults_end, under its
// count, with its probability.
func (e *faultEngine) roll(in *injector) bool {
	now := e.r.rec.elapsed()
	end := e.r.sc.FaultsEnd
	if u := in.spec.Duration("until"); u > 0 {
		end = min(end, u)
	}
	if now < in.spec.Duration("after") || now >= end {
		return false
	}
	if c := in.spec.Int("count"); c > 0 && in.fired >= c {
		return false
	}
	p := 1.0
	if _, ok := in.spec.Fault().Param("p"); ok {
		p = in.spec.Float("p")
	}
	return sim.Chance(e.rng, p)
}

func (e *faultEngine) first(names ...string) *injector {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range names {
		for _, in := range e.all {
			if in.spec.Name == n && e.roll(in) {
				in.fired++
				return in
			}
		}
	}
	return nil
}

// atPoint fires the point faults armed for a host's fault point; h.mu is held. It reports whether
// the instance is gone.
func (e *faultEngine) atPoint(h *liveHost, p host.Point) bool {
	e.mu.Lock()
	var hit *injector
	for _, in := range e.all {
		if in.spec.Fault().Kind != faults.KindPoint {
			continue
		}
		if pt := in.spec.Str("point"); pt != p.Name && pt != "any" {
			continue
		}
		if bg := in.spec.Str("background"); bg != "any" && bg != strconv.FormatBool(p.Background) {
			continue
		}
		if e.roll(in) {
			in.fired++
			hit = in
			break
		}
	}
	e.mu.Unlock()
	if hit == nil {
		return false
	}
	e.r.rec.add(h.party, "fault.fire", trace.F("fault", hit.spec.Name), trace.F("point", p.Name), trace.F("span", p.Span), trace.F("injected", true))
	h.killLocked("fault "+hit.spec.Name+" at "+p.Name, true)
	if hit.spec.Name == "restart-instance" {
		go e.r.startInstance("fault restart-instance")
	}
	return true
}

// atFrontEnd applies fe-timeout (no answer until the host gives up) and fe-status.
func (e *faultEngine) atFrontEnd(w http.ResponseWriter) bool {
	in := e.first("fe-timeout", "fe-status")
	if in == nil {
		return false
	}
	if in.spec.Name == "fe-timeout" {
		e.r.rec.add(partyFrontEnd, "fault.fire", trace.F("fault", in.spec.Name), trace.F("injected", true))
		time.Sleep(e.r.scaled(host.DefaultFrontEndTimeout) + 50*time.Millisecond)
		return true
	}
	status := in.spec.Int("status")
	e.r.rec.add(partyFrontEnd, "fault.fire", trace.F("fault", in.spec.Name), trace.F("status", status), trace.F("injected", true))
	w.WriteHeader(status)
	return true
}

// atMesh applies mesh-timeout, mesh-status and mesh-forward-lost.
func (e *faultEngine) atMesh(w http.ResponseWriter) bool {
	in := e.first("mesh-timeout", "mesh-status", "mesh-forward-lost")
	if in == nil {
		return false
	}
	e.r.rec.add(partyMesh, "fault.fire", trace.F("fault", in.spec.Name), trace.F("injected", true))
	switch in.spec.Name {
	case "mesh-timeout":
		time.Sleep(e.r.scaled(host.DefaultMeshTimeout) + 50*time.Millisecond)
	case "mesh-status":
		w.WriteHeader(in.spec.Int("status"))
	default:
		w.WriteHeader(http.StatusOK)
	}
	return true
}

// atFetch applies fetch-refused (the connection is cut) and fetch-status at the site's front door.
func (e *faultEngine) atFetch(kind string, w http.ResponseWriter) bool {
	if kind != "msg3.request" {
		return false
	}
	in := e.first("fetch-refused", "fetch-status")
	if in == nil {
		return false
	}
	e.r.rec.add(partyRouter, "fault.fire", trace.F("fault", in.spec.Name), trace.F("injected", true))
	if in.spec.Name == "fetch-refused" {
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(in.spec.Int("status"))
	return true
}

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
