package conformance

import (
	"context"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/plant"
)

// testTiming keeps rule runs short: MESH-4 watches 5 s, fetches are awaited 5 s, notifications
// are answered within 4 s (MESH-1, scaled; every mesh of the tests answers in milliseconds unless
// slowness is its bug, which the reference's slow-accept makes 6 s).
func testTiming(env *Env) {
	env.Observe = 5 * time.Second
	env.FetchWait = 5 * time.Second
	env.AnswerWait = 4 * time.Second
}

func prepare(t *testing.T, kind string, defects ...string) *Env {
	t.Helper()
	p, err := Prepare(context.Background(), Target{Kind: kind, Defects: defects})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	testTiming(p.Env)
	if testing.Verbose() {
		p.Env.Log = os.Stderr
	}
	return p.Env
}

// runIsolated runs each rule against a fresh reference part of its own, all rules at once: the
// rules cannot disturb each other, and a slow defect costs one rule's time, not the sum.
func runIsolated(t *testing.T, kind string, defects ...string) []check.Verdict {
	t.Helper()
	rules := rulesOf(kind)
	vs := make([]check.Verdict, len(rules))
	var wg sync.WaitGroup
	for i, r := range rules {
		env := prepare(t, kind, defects...)
		env.Log = nil
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs[i] = r.Run(context.Background(), env)
		}()
	}
	wg.Wait()
	return vs
}

func rulesOf(kind string) []Rule {
	switch kind {
	case "mesh":
		return MeshRules()
	case "frontend":
		return FrontEndRules()
	}
	return HostRules()
}

func logVerdicts(t *testing.T, vs []check.Verdict) {
	t.Helper()
	for _, v := range vs {
		t.Logf("%-7s %-6s %-12s checked=%d\n    %s", v.ID, v.Level, v.Status, v.Checked, strings.Join(v.EvidenceText(), "\n    "))
	}
}

// Our reference front end and host pass every rule; every MUST rule examined something. (The
// reference mesh is a row of TestIsolation.)
func TestReferencePartsPass(t *testing.T) {
	for _, kind := range []string{"frontend", "host"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			env := prepare(t, kind)
			vs := Run(context.Background(), env, rulesOf(kind), nil)
			logVerdicts(t, vs)
			for _, v := range vs {
				// PAY-4: no key, token or payload secret in evidence.
				for _, e := range v.EvidenceText() {
					for _, secret := range []string{env.Key, "eyJ", "conformance-master-", "conformance-host-", env.HostMasterKey} {
						if secret != "" && strings.Contains(e, secret) {
							t.Errorf("%s: evidence holds a secret: %q", v.ID, e)
						}
					}
				}
				if v.Status != check.Pass {
					t.Errorf("%s: %s, want pass: %v", v.ID, v.Status, v.Evidence)
				}
				if v.Level == check.Must && v.Checked == 0 {
					t.Errorf("%s: passed vacuously", v.ID)
				}
			}
			if code := ExitCode(vs, true); code != ExitOK {
				t.Errorf("exit code %d, want 0", code)
			}
		})
	}
}

// Each planted defect of the front end and host fails exactly the rule it breaks, and no other MUST
// rule fails. (The reference mesh's defects are rows of TestIsolation.)
func TestPlantedDefects(t *testing.T) {
	tables := []struct {
		kind    string
		defects map[string]plant.Defect
	}{
		{"frontend", plant.FrontEndServer},
		{"host", plant.HostServer},
	}
	for _, tb := range tables {
		names := make([]string, 0, len(tb.defects))
		for n := range tb.defects {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			d := tb.defects[name]
			t.Run(tb.kind+"/"+name, func(t *testing.T) {
				t.Parallel()
				vs := runIsolated(t, tb.kind, name)
				for _, v := range vs {
					switch {
					case v.ID == d.Rule && v.Status != check.Fail:
						logVerdicts(t, vs)
						t.Errorf("defect %s (%s): %s is %s, want fail", name, d.Description, v.ID, v.Status)
					case v.ID != d.Rule && v.Level == check.Must && v.Status == check.Fail:
						logVerdicts(t, vs)
						t.Errorf("defect %s breaks %s only, but %s failed too: %v", name, d.Rule, v.ID, v.Evidence)
					}
				}
				if got := ExitCode(vs, true); got != ExitFailed {
					t.Errorf("exit code %d, want 1", got)
				}
			})
		}
	}
}
