package live

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// A live run plays the timeline and the faults with the simulator's interpreter (site):
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

// token-invalid is injected live as in the simulator: every invalid token of the scenario reaches
// its receiver with the firing key named by the receiver's token.check, and is refused (P8).
func TestLiveInvalidTokens(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/tokens.yaml")
	for _, mode := range []host.Mode{host.ModeFrontend, host.ModePlatform} {
		res, err := Run(context.Background(), sc, mode, 1, Options{ConnectionString: inst.ConnectionString})
		if err != nil {
			t.Fatal(err)
		}
		fired, checked := map[string]bool{}, map[string]bool{}
		for _, r := range res.Trace.Records {
			switch r.Kind {
			case trace.KindFaultNA:
				t.Errorf("%s: %s", mode, r.String())
			case trace.KindFaultFire:
				if r.Get("fault") == "token-invalid" {
					fired[r.Get("key")] = true
				}
			case trace.KindTokenCheck:
				if k := r.Get("fault"); k != "" {
					checked[k] = true
					if r.Get("accepted") != "false" {
						t.Errorf("%s: an invalid token was accepted: %s", mode, r.String())
					}
				}
			}
		}
		t.Logf("%s: %d token-invalid firings, %d named by token.check records", mode, len(fired), len(checked))
		// Every firing is named by its receiver's token.check; each receiver the mode reaches gets some.
		targets := map[string]bool{}
		for key := range fired {
			_, place, _ := strings.Cut(key, "@")
			target, _, _ := strings.Cut(place, "#")
			targets[target] = true
			if !checked[key] {
				t.Errorf("%s: %s fired but no token.check names it", mode, key)
			}
		}
		want := "frontend,msg4"
		if mode == host.ModePlatform {
			want = "msg3,msg4"
		}
		if got := strings.Join(slices.Sorted(maps.Keys(targets)), ","); got != want {
			t.Errorf("%s: token-invalid fired at %s, want %s", mode, got, want)
		}
		if v := verdicts(t, res)["P8"]; v.Status != check.Pass || v.Checked == 0 {
			t.Errorf("%s P8: %s checked=%d %v", mode, v.Status, v.Checked, v.Evidence)
		}
	}
}

// Storage faults are injected live as in the simulator: storage-refuses answers 403 on the host's
// blob calls (recorded faulted) and on its secrets reload, and the deploy never converges (P1 and
// P13 fail in frontend mode, as the scenario expects of every mode).
func TestLiveStorageRefuses(t *testing.T) {
	inst := startAzurite(t)
	sc := loadScenario(t, "scenarios/incidents/storage-forbidden-after-injected-connection.yaml")
	res, err := Run(context.Background(), sc, host.ModeFrontend, 1, Options{ConnectionString: inst.ConnectionString})
	if err != nil {
		t.Fatal(err)
	}
	ops, faulted := map[string]bool{}, 0
	for _, r := range res.Trace.Records {
		switch {
		case r.Kind == trace.KindFaultNA:
			t.Errorf("%s", r.String())
		case r.Kind == trace.KindFaultFire && r.Get("fault") == "storage-refuses":
			ops[r.Get("op")] = true
			if r.Get("status") != "403" || !strings.HasPrefix(r.Get("key"), "storage-refuses@") {
				t.Errorf("firing without the simulator's key and fields: %s", r.String())
			}
		case r.Kind == trace.KindBlobOp && r.Get("faulted") == "true":
			faulted++
		}
	}
	if !ops["read-secrets"] || len(ops) < 2 || faulted == 0 {
		t.Errorf("storage-refuses fired on %v, %d blob calls faulted: want the secrets reload and blob calls", ops, faulted)
	}
	vs := verdicts(t, res)
	for _, id := range []string{"P1", "P13"} {
		if vs[id].Status != check.Fail {
			t.Errorf("%s: %s, want fail; %v", id, vs[id].Status, vs[id].Evidence)
		}
	}
}

// Functions due at the same scenario time run in the order they were scheduled, as the
// simulator's kernel runs them (the timeline's delete and start at 1m33s of
// fetch-lands-on-placeholder-pod); a later time still runs later.
func TestDueAtSameTimeRunsInScheduleOrder(t *testing.T) {
	r := &run{scale: 0.01, rec: newRecorder(0.01)}
	var mu sync.Mutex
	var order []int
	note := func(i int) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, i)
		}
	}
	env := liveEnv{r}
	for i := range 40 {
		env.At(time.Second, note(i))
	}
	env.At(2*time.Second, note(40))
	r.join.Wait()
	want := make([]int, 41)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(order, want) {
		t.Errorf("ran in the order %v, want %v", order, want)
	}
}
