package world

import (
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// drainScenario: web-a (the first instance, so the primary) is drained from 31 s for 30 s, a second
// before its background sync is due; web-b started at 10 s (and extra while it runs) take the
// admin calls made during the drain. extra is deleted by a which pick (the newest not draining), and later by name; late is
// started and drained before its host starts.
const drainScenario = `site: {name: app}
content:
  functions:
    - name: Q
      bindings: [{type: queueTrigger, direction: in, name: m, queueName: q}]
  keys: {master: drain-master-key-0001}
instances: {count: 1, names: [web-a]}
timeline:
  - at: 10s
    start: {name: web-b}
  - at: 31s
    delete: {instance: web-a, drain: 30s}
  - at: 35s
    admin_sync: {count: 10, interval: 1s}
  - at: 40s
    start: {name: extra}
  - at: 45s
    delete: {which: newest}
  - at: 50s
    start: {name: late}
  - at: 51s
    delete: {instance: late, drain: 10s}
  - at: 70s
    delete: {instance: extra}
settle: 2m
modes: [frontend]
`

// A draining instance takes no new request but runs on: its timer-driven background sync finishes
// and publishes, the router sends every call of the drain elsewhere, and it is deleted at the
// drain's end; a which pick leaves it out. An instance drained before its host started never
// starts it. A named delete of an instance a which pick deleted does nothing and says so. The run passes every property.
func TestDrainedInstanceTakesNoRequestsAndFinishesItsWork(t *testing.T) {
	sc, err := scenarios.Parse("drain.yaml", []byte(drainScenario))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, sc, host.ModeFrontend, 1, Options{})
	party := map[string]string{} // the scenario's names by party, from the instance.create order
	order := []string{"web-a", "web-b", "extra", "late"}
	var drains, deletes, routes []trace.Record
	var webAPublished, lateStarted bool
	var gone string
	for _, r := range res.Trace.Records {
		switch r.Kind {
		case trace.KindInstanceCreate:
			party[r.Party] = order[len(party)]
		case trace.KindInstanceDrain:
			drains = append(drains, r)
		case trace.KindInstanceDelete:
			deletes = append(deletes, r)
		case trace.KindRouterRoute:
			routes = append(routes, r)
		case trace.KindSyncEnd:
			if party[r.Party] == "web-a" && r.Get("background") == "true" && r.Get("published") == "true" &&
				r.At > 31*time.Second && r.At < 61*time.Second {
				webAPublished = true
			}
		case trace.KindHostStart:
			lateStarted = lateStarted || party[r.Party] == "late"
		case trace.KindTimeline:
			if r.Get("gone") == "true" {
				gone = r.Get("instance")
			}
		}
	}
	if len(drains) != 2 || party[drains[0].Party] != "web-a" || drains[0].At != 31*time.Second || drains[0].Get("for") != "30s" ||
		party[drains[1].Party] != "late" || drains[1].At != 51*time.Second {
		t.Fatalf("drains: %v", drains)
	}
	if len(deletes) != 3 || party[deletes[0].Party] != "extra" || deletes[0].At != 45*time.Second ||
		party[deletes[1].Party] != "web-a" || deletes[1].At != 61*time.Second || deletes[1].Get("reason") != "scale-in" ||
		party[deletes[2].Party] != "late" || deletes[2].At != 61*time.Second {
		t.Fatalf("deletions: %v", deletes)
	}
	if !webAPublished {
		t.Error("web-a's background sync did not finish and publish during its drain")
	}
	if lateStarted {
		t.Error("an instance drained before its host started started it")
	}
	if gone != "extra" {
		t.Errorf("the named delete of extra after a pick deleted it says gone=%q, want extra", gone)
	}
	during := 0
	for _, r := range routes {
		if r.At >= 31*time.Second && r.At < 61*time.Second {
			during++
			if name := party[trace.InstanceParty(r.Get("instance"))]; name == "web-a" || name == "late" {
				t.Errorf("a request during the drain was routed to draining %s: %v", name, r)
			}
		}
	}
	if during < 10 {
		t.Errorf("%d requests routed during the drain, want the 10 admin calls", during)
	}
	for _, p := range check.TraceCheckers() {
		if v := p.Check(check.Input{Trace: res.Trace, Complete: true, Secrets: res.Secrets}); v.Status != check.Pass {
			t.Errorf("%s %s: %s", p.ID, p.Name, strings.Join(v.EvidenceText(), "; "))
		}
	}
}
