package world

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// firing is one keyed fault firing of a trace, when it happened.
type firing struct {
	key string
	at  time.Duration
}

func firingsOf(tr *trace.Trace) []firing {
	var out []firing
	for _, r := range tr.Records {
		if k := r.Get("key"); k != "" && (r.Kind == "fault.fire" || r.Kind == "net.drop" || r.Kind == "net.duplicate") {
			out = append(out, firing{k, r.At})
		}
	}
	return out
}

// withoutArmed drops the fault.armed records of the never-firing extra faults (p below 1e-9, also
// after swarm scaled it) and the sequence numbers, which those records shift.
func withoutArmed(tr *trace.Trace) []trace.Record {
	var out []trace.Record
	for _, r := range tr.Records {
		if r.Kind == "fault.armed" {
			if s, err := faults.Parse(r.Get("fault")); err == nil && s.Params["p"] != "" && s.Float("p") < 1e-9 {
				continue
			}
		}
		r.Seq = 0
		out = append(out, r)
	}
	return out
}

// extraOpportunities are faults that never fire in practice (p = 1e-12) but add opportunities all
// over a run: fe-timeout and mesh-timeout are rolled before fe-status and mesh-status at every MSG-1
// and MSG-2, a second drop on every message sent before faults_end. Under one shared fault stream,
// each of those rolls moved every later draw.
var extraOpportunities = []string{"fe-timeout:p=1e-12", "mesh-timeout:p=1e-12", "drop:p=1e-12"}

func parseSpecs(t *testing.T, specs []string) []faults.Spec {
	t.Helper()
	var out []faults.Spec
	for _, s := range specs {
		spec, err := faults.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, spec)
	}
	return out
}

// Adding opportunities of other faults leaves every firing of the fleet's profile identical, key and
// time, over 50 seeds: in fact the whole trace is the same but for the extra faults' fault.armed
// records. The extra opportunities come before unrelated firings in (nearly) every seed, so under a
// shared stream the firings would have moved.
func TestUnrelatedFiringsSurviveExtraOpportunities(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	extra := parseSpecs(t, extraOpportunities)
	cases := []struct {
		strategy string
		mode     host.Mode
		seeds    uint64
	}{
		{"", host.ModePlatform, 50},
		{"", host.ModeFrontend, 50},
		{"swarm", host.ModePlatform, 20},
	}
	for _, c := range cases {
		t.Run(c.strategy+"/"+c.mode.String(), func(t *testing.T) {
			exposed, fired := 0, 0
			for seed := uint64(1); seed <= c.seeds; seed++ {
				base := run(t, sc, c.mode, seed, Options{Strategy: c.strategy})
				more := run(t, sc, c.mode, seed, Options{Strategy: c.strategy, Faults: extra})
				a, b := firingsOf(base.Trace), firingsOf(more.Trace)
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("seed %d: firings differ with extra opportunities:\n  without %v\n  with    %v", seed, a, b)
				}
				ra, rb := withoutArmed(base.Trace), withoutArmed(more.Trace)
				if len(ra) != len(rb) || trace.FirstDifference(ra, rb) >= 0 {
					t.Fatalf("seed %d: traces differ at record %d (%d and %d records)", seed, trace.FirstDifference(ra, rb), len(ra), len(rb))
				}
				fired += len(a)
				if exposedBefore(more.Trace, a) {
					exposed++
				}
			}
			// The test has teeth only if extra opportunities precede firings.
			if fired == 0 || exposed < int(c.seeds)*9/10 {
				t.Fatalf("%d firings; extra opportunities preceded a firing in only %d of %d seeds", fired, exposed, c.seeds)
			}
		})
	}
}

// exposedBefore reports whether some message was sent while faults were on (an opportunity of the
// extra drop) before the last of the firings.
func exposedBefore(tr *trace.Trace, fs []firing) bool {
	if len(fs) == 0 {
		return false
	}
	last := fs[len(fs)-1].at
	for _, r := range tr.Records {
		if r.Kind == "net.send" && r.At < last {
			return true
		}
	}
	return false
}

// The old coupling is gone: an injector's decisions depend on its key alone, not on what other
// injectors rolled in between, nor on the order they were rolled in; and every firing of a run is
// the pure function of its key that replay relies on.
func TestDecisionsDependOnlyOnTheirKey(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	decide := func(interleave int) string {
		w := newWorld(sc, host.ModePlatform, 9, Options{})
		w.armFaults(parseSpecs(t, []string{"fe-status:p=0.5", "fetch-status:p=0.5"}))
		a, b := w.engine.All()[0], w.engine.All()[1]
		var out strings.Builder
		for i := 0; i < 200; i++ {
			for j := 0; j < interleave; j++ {
				w.engine.Roll(b, "fetch")
			}
			if w.engine.Roll(a, "frontend") {
				out.WriteString(a.Key() + " ")
			}
		}
		return out.String()
	}
	alone := decide(0)
	if n := strings.Count(alone, " "); n < 60 || n > 140 {
		t.Fatalf("p=0.5 fired %d of 200 opportunities", n)
	}
	for _, k := range []int{1, 3} {
		if got := decide(k); got != alone {
			t.Fatalf("with %d rolls of another injector between, the decisions changed:\n  alone %s\n  mixed %s", k, alone, got)
		}
	}
	// In a whole run: each fired key rolls true from (seed, key) alone.
	res := run(t, sc, host.ModePlatform, 9, Options{})
	streams := random.NewStreams(9)
	p := map[string]float64{}
	for i, s := range site.Labels(site.SpecsFor(sc, nil)) {
		spec := site.SpecsFor(sc, nil)[i]
		p[s] = 1
		if _, ok := spec.Fault().Param("p"); ok {
			p[s] = spec.Float("p")
		}
	}
	checked := 0
	for _, f := range firingsOf(res.Trace) {
		place, nth, _ := strings.Cut(f.key, "#")
		label, _, _ := strings.Cut(place, "@")
		n, err := strconv.Atoi(nth)
		if err != nil {
			t.Fatalf("firing key %q has no number", f.key)
		}
		if !streams.ChanceAt("faults/fire/"+place, uint64(n), p[label]) {
			t.Fatalf("firing %s: its key's own draw says it does not fire (p=%v)", f.key, p[label])
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d firings checked", checked)
	}
}
