package runner

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/trace"
)

func repoPath(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", rel)
}

func loadScenario(t testing.TB, rel string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load(repoPath(rel))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// firings counts the records that show a fault firing: fault.fire, and the network's own records of
// the faults it applies (net.drop, net.duplicate), all labelled injected.
func firings(tr *trace.Trace, name string) int {
	n := 0
	for _, r := range tr.Records {
		if r.Get("fault") == name && (r.Kind == trace.KindFaultFire || r.Kind == trace.KindNetDrop || r.Kind == trace.KindNetDuplicate) {
			if r.Get("injected") != "true" {
				panic("fault record not labelled injected: " + r.String())
			}
			n++
		}
	}
	return n
}

// Every fault of the catalogue fires when asked (DESIGN.md "Faults") and never when not.
func TestEveryFaultFiresWhenAskedAndNeverWhenNot(t *testing.T) {
	cases := map[string]struct {
		mode   host.Mode
		params string
	}{
		"delete-instance":        {host.ModeFrontend, "point=after-publish,p=1,count=1"},
		"restart-instance":       {host.ModeFrontend, "point=after-lock,p=1,count=1"},
		"scale-in":               {host.ModeFrontend, "every=30s"},
		"scale-out":              {host.ModeFrontend, "every=30s"},
		"scale-to-zero":          {host.ModeFrontend, "every=1m,for=30s"},
		"primary-lease-lost":     {host.ModeFrontend, "every=30s"},
		"drop":                   {host.ModeFrontend, "p=0.3"},
		"duplicate":              {host.ModeFrontend, "p=0.3"},
		"delay":                  {host.ModeFrontend, "p=0.3,by=1s"},
		"reorder":                {host.ModeFrontend, "p=0.3"},
		"partition":              {host.ModeFrontend, "every=30s,for=5s"},
		"fe-status":              {host.ModeFrontend, "p=1,status=429"},
		"fe-timeout":             {host.ModeFrontend, "p=1"},
		"mesh-status":            {host.ModePlatform, "p=1"},
		"mesh-timeout":           {host.ModePlatform, "p=1"},
		"mesh-forward-lost":      {host.ModePlatform, "p=1"},
		"fetch-status":           {host.ModePlatform, "p=1,status=404"},
		"fetch-refused":          {host.ModePlatform, "p=1"},
		"blob-read-error":        {host.ModeFrontend, "p=1"},
		"blob-write-error":       {host.ModeFrontend, "p=1"},
		"blob-latency":           {host.ModeFrontend, "p=1"},
		"blob-lost-write":        {host.ModeFrontend, "p=1"},
		"concurrent-syncs":       {host.ModeFrontend, "every=30s"},
		"clock-skew":             {host.ModeFrontend, "p=1"},
		"token-expiry":           {host.ModePlatform, "p=1"},
		"token-invalid":          {host.ModeFrontend, "p=1,kind=near-miss-audience,target=frontend"},
		"storage-refuses":        {host.ModeFrontend, "p=1,status=401"},
		"fe-size-limit":          {host.ModeFrontend, "p=1,bytes=100"},
		"placeholder-active":     {host.ModeFrontend, "p=1"},
		"payload-nondeterminism": {host.ModeFrontend, "p=1"},
		"oversize-payload":       {host.ModeFrontend, "every=1m"},
		"transient-empty":        {host.ModeFrontend, "p=1"},
	}
	for _, f := range faults.Catalogue() {
		if _, ok := cases[f.Name]; !ok {
			t.Errorf("fault %s has no case here: every fault must be shown to fire", f.Name)
		}
	}
	sc := loadScenario(t, "scenarios/smoke.yaml")
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			on, err := RunOne(sc, c.mode, 3, Options{Raw: true, Faults: []string{name + ":" + c.params}})
			if err != nil {
				t.Fatal(err)
			}
			if firings(on.Trace, name) == 0 {
				t.Fatalf("%s never fired when asked", name)
			}
			off, err := RunOne(sc, c.mode, 3, Options{Raw: true, Faults: []string{name + ":" + c.params + ",after=1h"}})
			if err != nil {
				t.Fatal(err)
			}
			if n := firings(off.Trace, name); n != 0 {
				t.Fatalf("%s fired %d times outside its window", name, n)
			}
		})
	}
	clean, err := RunOne(sc, host.ModePlatform, 3, Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range clean.Trace.Records {
		if r.Kind == trace.KindFaultFire || r.Get("injected") == "true" {
			t.Fatalf("a fault fired in a run with none: %s", r)
		}
	}
}

// The CLI's fault specs are checked against the catalogue before anything runs.
func TestBadFaultSpecsAreRefused(t *testing.T) {
	sc := loadScenario(t, "scenarios/smoke.yaml")
	for _, bad := range []string{"no-such-fault", "fe-status:status=418", "fe-status:p=2", "drop:from=moon", "delay:by=soon", "fe-status:p"} {
		if _, err := RunOne(sc, host.ModeFrontend, 1, Options{Faults: []string{bad}}); err == nil || !strings.Contains(err.Error(), "--fault") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}
