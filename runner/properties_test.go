package runner

import (
	"testing"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/scenarios"
)

// A situation in which a property is judged: a scenario, a mode, options, and how many seeds may be
// tried (from 1) before the expected verdict must have shown up.
type situation struct {
	scenario string
	mode     host.Mode
	opts     Options
	seeds    int
	edit     func(*scenarios.Scenario)
}

func (s situation) find(t *testing.T, id string, want check.Status) {
	t.Helper()
	sc := loadScenario(t, s.scenario)
	if s.edit != nil {
		c := *sc
		s.edit(&c)
		sc = &c
	}
	s.opts.Raw = true
	seeds := max(s.seeds, 1)
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		res, err := RunOne(sc, s.mode, seed, s.opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Verdicts {
			if v.ID != id || v.Status != want || v.Checked == 0 {
				continue
			}
			if want == check.Fail && len(v.Evidence) == 0 {
				t.Fatalf("%s failed without evidence", id)
			}
			return
		}
	}
	t.Fatalf("%s: no %s with checked > 0 in %s %s within %d seeds", id, want, s.scenario, s.mode, seeds)
}

const (
	smoke      = "scenarios/smoke.yaml"
	incident   = "scenarios/incidents/worker-deleted-before-fetch.yaml"
	overlap    = "sim/world/testdata/overlap.yaml"
	race       = "sim/world/testdata/race.yaml"
	fe503      = "sim/world/testdata/fe503.yaml"
	concurrent = "scenarios/concurrency.yaml"
)

// Each property of the catalogue holds with checked > 0 somewhere and fails somewhere: in a mode, under
// a fault, or with a planted bug (DESIGN.md "Properties"; P12 is shown in sim/world).
func TestEveryPropertyHoldsAndFails(t *testing.T) {
	cases := []struct {
		id         string
		hold, fail situation
	}{
		{"P1", situation{scenario: smoke, mode: host.ModePlatform},
			situation{scenario: incident, mode: host.ModePlatform}},
		{"P2", situation{scenario: race, mode: host.ModeFrontend},
			situation{scenario: race, mode: host.ModeFrontend, seeds: 20, opts: Options{Faults: []string{"delay:from=instance,to=frontend,p=0.5,by=3s"}}}},
		{"P3", situation{scenario: concurrent, mode: host.ModeFrontend},
			situation{scenario: concurrent, mode: host.ModeSignalAll}},
		{"P4", situation{scenario: smoke, mode: host.ModePlatform},
			situation{scenario: incident, mode: host.ModePlatform}},
		{"P5", situation{scenario: incident, mode: host.ModeFrontend},
			situation{scenario: incident, mode: host.ModeFrontend, opts: Options{Plant: plant.Of(plant.PublishUnchanged)}}},
		{"P6", situation{scenario: concurrent, mode: host.ModePlatform},
			situation{scenario: concurrent, mode: host.ModePlatform, opts: Options{Plant: plant.Of(plant.FetchPerNotification)}}},
		{"P7", situation{scenario: race, mode: host.ModeFrontend, seeds: 20, opts: Options{Faults: []string{"duplicate:from=instance,to=frontend,p=0.5"}}},
			situation{scenario: race, mode: host.ModeFrontend, seeds: 60, opts: Options{Faults: []string{"duplicate:from=instance,to=frontend,p=0.5"}},
				edit: func(sc *scenarios.Scenario) { sc.Faults.Random.Reorder = 0.8; sc.Network.DelayMax = 2 * time.Second }}},
		{"P8", situation{scenario: smoke, mode: host.ModeFrontend},
			situation{scenario: smoke, mode: host.ModeFrontend, opts: Options{Plant: plant.Of(plant.AcceptAnyToken), Faults: []string{"clock-skew:p=1,by=10m"}}}},
		{"P9", situation{scenario: fe503, mode: host.ModeFrontend},
			situation{scenario: fe503, mode: host.ModeFrontend, opts: Options{Plant: plant.Of(plant.SwallowPublishError)}}},
		{"P10", situation{scenario: smoke, mode: host.ModeFrontend},
			situation{scenario: smoke, mode: host.ModeFrontend, opts: Options{Faults: []string{"transient-empty:p=1"}, Plant: plant.Of(plant.PublishEmptyBackground)}}},
		{"P11", situation{scenario: smoke, mode: host.ModeFrontend},
			situation{scenario: smoke, mode: host.ModeFrontend, opts: Options{Plant: plant.Of(plant.SecretInLog)}}},
		{"P13", situation{scenario: smoke, mode: host.ModeFrontend},
			situation{scenario: smoke, mode: host.ModeFrontend, edit: func(sc *scenarios.Scenario) { sc.ConvergenceBound = time.Millisecond }}},
		{"P19", situation{scenario: "scenarios/authorization.yaml", mode: host.ModeAdditive},
			situation{scenario: "scenarios/authorization.yaml", mode: host.ModeAdditive, opts: Options{Plant: plant.Of(plant.PlatformClaimAppService)}}},
		{"P20", situation{scenario: "scenarios/caller-truth.yaml", mode: host.ModeAdditive},
			situation{scenario: "scenarios/caller-truth.yaml", mode: host.ModeAdditive, opts: Options{Plant: plant.Of(plant.AdditiveNotifyFails)}}},
		{"P21", situation{scenario: "scenarios/routing.yaml", mode: host.ModePlatform},
			situation{scenario: "scenarios/routing.yaml", mode: host.ModePlatform, opts: Options{Plant: plant.Of(plant.TriggersPrimaryOnly)}}},
		{"P22", situation{scenario: "scenarios/retry-stream.yaml", mode: host.ModePlatform},
			situation{scenario: "scenarios/retry-stream.yaml", mode: host.ModePlatform, opts: Options{Plant: plant.Of(plant.NotificationWaitsForRetry)}}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			c.hold.find(t, c.id, check.Pass)
			c.fail.find(t, c.id, check.Fail)
		})
	}
}

// The expectations of reference/incidents.md and DESIGN.md, as tests.
func TestModeExpectations(t *testing.T) {
	cases := []struct {
		scenario string
		mode     host.Mode
		id       string
		want     check.Status
	}{
		// PR #11690: platform fails P1/P4 when the only instance is deleted after the hash write and the
		// site stays at zero past the retry budget; platform-ack and frontend hold them there.
		{incident, host.ModePlatform, "P1", check.Fail},
		{incident, host.ModePlatform, "P4", check.Fail},
		{incident, host.ModePlatformAck, "P1", check.Pass},
		{incident, host.ModePlatformAck, "P4", check.Pass},
		{incident, host.ModeFrontend, "P1", check.Pass},
		{incident, host.ModeFrontend, "P4", check.Pass},
		// signal-all has no lock: concurrent syncs overlap.
		{concurrent, host.ModeSignalAll, "P3", check.Fail},
		{concurrent, host.ModePlatform, "P3", check.Pass},
		// The host never retries: a foreground publish that hits an FE 503 stays unpublished.
		{fe503, host.ModeFrontend, "P1", check.Fail},
	}
	for _, c := range cases {
		situation{scenario: c.scenario, mode: c.mode}.find(t, c.id, c.want)
	}
}
