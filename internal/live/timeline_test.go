package live

import (
	"context"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/trace"
)

// A live run plays the timeline and the faults with the simulator's interpreter (internal/drive):
// the deploy tool's MSG-4 is retried three times after failed answers (admin_sync's retry,
// core-tools #630), every fe-status firing carries its firing key, and frontend mode fails P1 and
// P13 as in the simulator while P9 holds.
func TestLiveCallerRetriesAndKeyedFirings(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/incidents/frontend-not-ready-caller-gives-up.yaml")
	res, err := Run(context.Background(), sc, host.ModeFrontend, 1, Options{ConnectionString: inst.ConnectionString})
	if err != nil {
		t.Fatal(err)
	}
	var retries []string
	fires := 0
	for _, r := range res.Trace.Records {
		switch {
		case r.Kind == trace.KindClientCall && r.Has("retry"):
			retries = append(retries, r.Get("retry"))
		case r.Kind == trace.KindFaultFire:
			fires++
			if !strings.HasPrefix(r.Get("key"), "fe-status@frontend#") || r.Get("status") != "503" || !strings.HasPrefix(r.Get("from"), "instance/") {
				t.Errorf("firing without the simulator's key and fields: %s", r.String())
			}
		}
	}
	if strings.Join(retries, ",") != "1,2,3" {
		t.Errorf("the caller's retries are %v, want 1,2,3", retries)
	}
	if fires < 4 {
		t.Errorf("%d fe-status firings, want the caller's four at least", fires)
	}
	vs := verdicts(t, res)
	for id, want := range map[string]check.Status{"P1": check.Fail, "P13": check.Fail, "P9": check.Pass} {
		if vs[id].Status != want {
			t.Errorf("%s: %s, want %s; %v", id, vs[id].Status, want, vs[id].Evidence)
		}
	}
}

// A start's placeholder_for makes the new pod's first host start the placeholder, which
// specializes later (the simulator's fetch-lands-on-placeholder-pod story).
func TestLivePlaceholderPod(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/incidents/fetch-lands-on-placeholder-pod.yaml")
	res, err := Run(context.Background(), sc, host.ModeFrontend, 1, Options{ConnectionString: inst.ConnectionString})
	if err != nil {
		t.Fatal(err)
	}
	placeholder := map[string]bool{}
	var specialized []string
	for _, r := range res.Trace.Records {
		switch r.Kind {
		case trace.KindHostStart:
			if r.Get("placeholder") == "true" {
				placeholder[r.Party] = true
			}
		case trace.KindHostSpecialized:
			specialized = append(specialized, r.Party)
		}
	}
	if len(placeholder) != 1 || len(specialized) != 1 || !placeholder[specialized[0]] {
		t.Fatalf("placeholder starts %v, specializations %v: want one pod that starts as the placeholder and specializes", placeholder, specialized)
	}
}
