package site

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// fakeClock is a Clock with a queue of timers fired in (time, order) order by run.
type fakeClock struct {
	now     time.Duration
	pending []fakeTimer
	seq     int
	log     []string
}

type fakeTimer struct {
	at  time.Duration
	seq int
	fn  func()
}

func (c *fakeClock) Elapsed() time.Duration { return c.now }
func (c *fakeClock) Now() time.Time         { return trace.Epoch.Add(c.now) }
func (c *fakeClock) At(t time.Duration, fn func()) {
	c.seq++
	c.pending = append(c.pending, fakeTimer{max(t, c.now), c.seq, fn})
}

func (c *fakeClock) Record(party string, e trace.Event) {
	r := trace.Record{At: c.now, Party: party, Kind: e.Kind, Fields: e.Fields}
	line := r.String()
	c.log = append(c.log, line[strings.Index(line, " ")+1:])
}

func (c *fakeClock) note(format string, args ...any) {
	c.log = append(c.log, trace.FormatElapsed(c.now)+" "+fmt.Sprintf(format, args...))
}

// run fires the pending timers up to end.
func (c *fakeClock) run(end time.Duration) {
	for len(c.pending) > 0 {
		i := 0
		for j, p := range c.pending {
			if p.at < c.pending[i].at || p.at == c.pending[i].at && p.seq < c.pending[i].seq {
				i = j
			}
		}
		p := c.pending[i]
		if p.at > end {
			return
		}
		c.pending = slices.Delete(c.pending, i, i+1)
		c.now = p.at
		p.fn()
	}
}

// fakeFleet is an Env whose instances are names; the router answers MSG-4 calls with the statuses
// in answers, in order (200 once they run out), after a second.
type fakeFleet struct {
	*fakeClock
	instances []*fakeInstance
	started   int
	answers   []int
	tl        *Timeline
}

type fakeInstance struct {
	name     string
	primary  bool
	draining bool
}

func (i *fakeInstance) Name() string   { return i.name }
func (i *fakeInstance) Primary() bool  { return i.primary }
func (i *fakeInstance) Draining() bool { return i.draining }

func (f *fakeFleet) Instances() []Instance {
	var out []Instance
	for _, i := range f.instances {
		out = append(out, i)
	}
	return out
}

func (f *fakeFleet) StartInstance(reason string, placeholderFor time.Duration) Instance {
	f.started++
	name := fmt.Sprintf("pod-%d", f.started)
	i := &fakeInstance{name: name}
	f.instances = append(f.instances, i)
	f.note("start %s %s placeholder=%s", name, reason, placeholderFor)
	return i
}

func (f *fakeFleet) DeleteInstance(i Instance, reason string, injected bool) {
	n := i.(*fakeInstance)
	if !slices.Contains(f.instances, n) {
		return
	}
	f.instances = slices.DeleteFunc(f.instances, func(x *fakeInstance) bool { return x == n })
	f.note("delete %s %s", n.name, reason)
}

func (f *fakeFleet) DrainInstance(i Instance, reason string, d time.Duration) {
	n := i.(*fakeInstance)
	n.draining = true
	f.note("drain %s %s for %s", n.name, reason, d)
}

func (f *fakeFleet) RestartHost(i Instance) { f.note("restart-host %s", i.(*fakeInstance).name) }

func (f *fakeFleet) Send(call int, kind string, req host.AdminRequest, pin string) {
	auth := ""
	for k := range req.Headers {
		auth = k
	}
	f.note("send %d %s %s %s %s", call, kind, req.Method, req.Path, auth)
	if kind != trace.MsgMSG4 {
		return
	}
	status := 200
	if len(f.answers) > 0 {
		status, f.answers = f.answers[0], f.answers[1:]
	}
	f.At(f.now+time.Second, func() {
		f.note("answer %d %d", call, status)
		f.tl.Answered(call, status)
	})
}

func testScenario(timeline ...scenarios.Action) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "t",
		Site: host.Site{Name: "app", HostID: "app", EncryptionKey: strings.Repeat("ab", 32)},
		Content: host.Content{Revision: 1, Functions: []host.Function{{Name: "A", Language: "node",
			Bindings: []host.Binding{{"type": "queueTrigger", "direction": "in", "name": "m", "queueName": "q"}}}},
			Keys: host.Keys{Master: "master-1"}},
		Timeline:  timeline,
		FaultsEnd: 10 * time.Minute,
		Settle:    time.Minute,
	}
}

func newFleet(sc *scenarios.Scenario, answers ...int) (*fakeFleet, *App) {
	f := &fakeFleet{fakeClock: &fakeClock{}, answers: answers}
	site := NewApp(sc, random.NewStreams(7))
	f.tl = NewTimeline(sc, site, f)
	return f, site
}

func wantLog(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A failed MSG-4 call is retried retry.Delay after its answer, up to retry.Count times, each retry
// marked retry=n (core-tools #630); a 200 ends the retries, and a caller without retry never retries.
func TestAdminSyncRetries(t *testing.T) {
	cases := []struct {
		name    string
		retry   scenarios.Retry
		answers []int
		want    []string
	}{
		{"until-200", scenarios.Retry{Count: 3, Delay: 10 * time.Second}, []int{503, 500, 200}, []string{
			"00:01:00.000 client client.call call=1 kind=msg4.request path=/admin/host/synctriggers",
			"00:01:00.000 send 1 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:01.000 answer 1 503",
			"00:01:11.000 client client.call call=2 kind=msg4.request path=/admin/host/synctriggers retry=1",
			"00:01:11.000 send 2 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:12.000 answer 2 500",
			"00:01:22.000 client client.call call=3 kind=msg4.request path=/admin/host/synctriggers retry=2",
			"00:01:22.000 send 3 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:23.000 answer 3 200",
		}},
		{"count-spent", scenarios.Retry{Count: 1, Delay: 5 * time.Second}, []int{503, 503}, []string{
			"00:01:00.000 client client.call call=1 kind=msg4.request path=/admin/host/synctriggers",
			"00:01:00.000 send 1 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:01.000 answer 1 503",
			"00:01:06.000 client client.call call=2 kind=msg4.request path=/admin/host/synctriggers retry=1",
			"00:01:06.000 send 2 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:07.000 answer 2 503",
		}},
		{"no-retry", scenarios.Retry{}, []int{503}, []string{
			"00:01:00.000 client client.call call=1 kind=msg4.request path=/admin/host/synctriggers",
			"00:01:00.000 send 1 msg4.request POST /admin/host/synctriggers x-functions-key",
			"00:01:01.000 answer 1 503",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := newFleet(testScenario(), c.answers...)
			f.now = time.Minute
			f.tl.AdminSyncs(1, 0, "admin-key", c.retry)
			f.run(time.Hour)
			wantLog(t, f.log, c.want...)
		})
	}
}

// Each action kind does what the timeline says, in order: a deploy records the new revision,
// restarts every host in place and makes the hook's calls interval apart; a start passes its
// placeholder_for; a restart deletes and starts; a rotation records a new revision and calls the
// key API.
func TestTimelineActions(t *testing.T) {
	sc := testScenario(
		scenarios.Action{At: time.Minute, Line: 10, Kind: scenarios.ActionStart, Start: &scenarios.Start{Count: 2, PlaceholderFor: 30 * time.Second}},
		scenarios.Action{At: 2 * time.Minute, Line: 11, Kind: scenarios.ActionDeploy, Deploy: &scenarios.Deploy{HookSyncs: 2, HookInterval: 5 * time.Second}},
		scenarios.Action{At: 3 * time.Minute, Line: 12, Kind: scenarios.ActionRestart, Restart: &scenarios.Restart{Which: "oldest", Count: 1}},
		scenarios.Action{At: 4 * time.Minute, Line: 13, Kind: scenarios.ActionRotateKey, RotateKey: &scenarios.RotateKey{Key: scenarios.KeyRef{Kind: "host", Name: "default"}}},
		scenarios.Action{At: 5 * time.Minute, Line: 14, Kind: scenarios.ActionDelete, Delete: &scenarios.Delete{Which: "all"}},
	)
	f, site := newFleet(sc)
	f.tl.Schedule(func(i int) bool { return i != 4 })
	f.run(time.Hour)
	deploy, rotate := NewApp(sc, random.NewStreams(7)), NewApp(sc, random.NewStreams(7))
	deploy.Deploy(nil, "deploy")
	rotate.Deploy(nil, "deploy")
	rotated := rotate.RotateKey(sc.Timeline[3].RotateKey)
	wantLog(t, f.log,
		"00:01:00.000 world timeline index=0 action=start line=10",
		"00:01:00.000 start pod-1 scale-out placeholder=30s",
		"00:01:00.000 start pod-2 scale-out placeholder=30s",
		"00:02:00.000 world timeline index=1 action=deploy line=11",
		"00:02:00.000 world "+eventText(deploy.Changed("deploy")),
		"00:02:00.000 restart-host pod-1",
		"00:02:00.000 restart-host pod-2",
		"00:02:00.000 client client.call call=1 kind=msg4.request path=/admin/host/synctriggers",
		"00:02:00.000 send 1 msg4.request POST /admin/host/synctriggers x-functions-key",
		"00:02:01.000 answer 1 200",
		"00:02:05.000 client client.call call=2 kind=msg4.request path=/admin/host/synctriggers",
		"00:02:05.000 send 2 msg4.request POST /admin/host/synctriggers x-functions-key",
		"00:02:06.000 answer 2 200",
		"00:03:00.000 world timeline index=2 action=restart line=12",
		"00:03:00.000 delete pod-1 restart",
		"00:03:00.000 start pod-3 restart placeholder=0s",
		"00:04:00.000 world timeline index=3 action=rotate_key line=13",
		"00:04:00.000 world "+eventText(rotated),
		"00:04:00.000 client client.call call=3 kind=keys.request path=/admin/host/keys/default",
		"00:04:00.000 send 3 keys.request PUT /admin/host/keys/default ",
		"00:10:00.000 world faults.end",
		"00:10:00.000 world settle.start",
	)
	keys, rev := site.SecretsNow()
	if rev != 3 || !strings.HasPrefix(keys.Host["default"], "rotated-") {
		t.Fatalf("after the rotation the host reads revision %d, keys %+v", rev, keys)
	}
	if !slices.Contains(site.Secrets(), keys.Host["default"]) || !slices.Contains(site.Secrets(), "master-1") {
		t.Fatalf("secrets %v miss the rotated or the initial key", site.Secrets())
	}
	if site.Revision() != 3 || len(site.Functions()) != 0 {
		t.Fatalf("revision %d with %d functions, want 3 with none", site.Revision(), len(site.Functions()))
	}
}

func eventText(e trace.Event) string {
	r := trace.Record{Kind: e.Kind, Fields: e.Fields}
	s := r.String()
	// "#0 00:00:00.000  kind ...": drop the number, the time and the empty party.
	return s[strings.Index(s, "  ")+2:]
}

// Pick: all, the count oldest, the primary (else the newest), the count newest.
func TestPick(t *testing.T) {
	f, _ := newFleet(testScenario())
	for i := 0; i < 4; i++ {
		f.StartInstance("initial", 0)
	}
	names := func(is []Instance) string {
		var out []string
		for _, i := range is {
			out = append(out, i.(*fakeInstance).name)
		}
		return strings.Join(out, ",")
	}
	check := func(which string, count int, want string) {
		t.Helper()
		if got := names(f.tl.Pick(which, count)); got != want {
			t.Errorf("pick %s %d = %s, want %s", which, count, got, want)
		}
	}
	check("all", 1, "pod-1,pod-2,pod-3,pod-4")
	check("oldest", 2, "pod-1,pod-2")
	check("oldest", 9, "pod-1,pod-2,pod-3,pod-4")
	check("newest", 2, "pod-4,pod-3")
	check("primary", 2, "pod-4,pod-3")
	f.instances[1].primary = true
	check("primary", 2, "pod-2")
}

// MSG-4's authorization: the current master key (TOK-6), or a TOK-5 token issued at the clock's now.
func TestAuthHeaders(t *testing.T) {
	sc := testScenario()
	site := NewApp(sc, random.NewStreams(1))
	if h := site.AuthHeaders("admin-key", trace.Epoch); h["x-functions-key"] != "master-1" || len(h) != 1 {
		t.Fatalf("admin-key headers %v", h)
	}
	site.RotateKey(&scenarios.RotateKey{Key: scenarios.KeyRef{Kind: "master"}, Value: "master-2"})
	if h := site.AuthHeaders("admin-key", trace.Epoch); h["x-functions-key"] != "master-2" {
		t.Fatalf("after rotating the master key, headers %v", h)
	}
	h := site.AuthHeaders("token", trace.Epoch)
	key, _ := host.ParseKey(sc.Site.EncryptionKey)
	want, _ := host.IssuePlatformToken(key, sc.Site.Name, trace.Epoch, 5*time.Minute)
	if h["x-ms-site-token"] != want || len(h) != 1 {
		t.Fatalf("token headers %v, want the TOK-5 token %q", h, want)
	}
	sc.Site.EncryptionKey = ""
	if h := NewApp(sc, random.NewStreams(1)).AuthHeaders("token", trace.Epoch); len(h) != 0 {
		t.Fatalf("with no encryption key, token headers %v", h)
	}
}

// A rotated key the scenario leaves unset comes from the seed: the same seed, the same value.
func TestRotatedKeyFromSeed(t *testing.T) {
	r := &scenarios.RotateKey{Key: scenarios.KeyRef{Kind: "function", Function: "A", Name: "default"}}
	value := func(seed uint64) string {
		s := NewApp(testScenario(), random.NewStreams(seed))
		s.RotateKey(r)
		k, _ := s.SecretsNow()
		return k.Functions["A"]["default"]
	}
	if a, b, c := value(3), value(3), value(4); a != b || a == c || !strings.HasPrefix(a, "rotated-") {
		t.Fatalf("seed 3 gave %q and %q, seed 4 %q", a, b, c)
	}
}

// Named instances and drains (scenarios.Delete, scenarios.Restart): a delete or restart by name acts
// on the instance instances.names or a start named, also after others came and went; with a drain
// the instance is drained at once and deleted drain later, and no pick or deploy touches it
// meanwhile; a name whose instance is gone or draining does nothing and says so.
func TestTimelineNamedInstancesAndDrains(t *testing.T) {
	sc := testScenario(
		scenarios.Action{At: time.Minute, Line: 10, Kind: scenarios.ActionStart, Start: &scenarios.Start{Count: 1, Name: "canary"}},
		scenarios.Action{At: 2 * time.Minute, Line: 11, Kind: scenarios.ActionDelete, Delete: &scenarios.Delete{Count: 1, Instance: "web-b", Drain: 30 * time.Second}},
		scenarios.Action{At: 2*time.Minute + 10*time.Second, Line: 12, Kind: scenarios.ActionDeploy, Deploy: &scenarios.Deploy{}},
		scenarios.Action{At: 2*time.Minute + 20*time.Second, Line: 13, Kind: scenarios.ActionDelete, Delete: &scenarios.Delete{Which: "newest", Count: 1}},
		scenarios.Action{At: 3 * time.Minute, Line: 14, Kind: scenarios.ActionRestart, Restart: &scenarios.Restart{Count: 1, Instance: "web-a", Drain: 5 * time.Second}},
		scenarios.Action{At: 4 * time.Minute, Line: 15, Kind: scenarios.ActionDelete, Delete: &scenarios.Delete{Count: 1, Instance: "canary"}},
	)
	sc.Instances.Names = []string{"web-a", "web-b"}
	f, _ := newFleet(sc)
	for i := 0; i < 3; i++ {
		f.tl.Initial(i, f.StartInstance("initial", 0))
	}
	f.log = nil
	f.tl.Schedule(nil)
	f.run(time.Hour)
	wantLog(t, f.log,
		"00:01:00.000 world timeline index=0 action=start line=10",
		"00:01:00.000 start pod-4 scale-out placeholder=0s",
		"00:02:00.000 world timeline index=1 action=delete line=11 instance=web-b",
		"00:02:00.000 drain pod-2 scale-in for 30s",
		"00:02:10.000 world timeline index=2 action=deploy line=12",
		"00:02:10.000 world "+eventText(NewApp(sc, random.NewStreams(7)).Deploy(nil, "deploy")),
		"00:02:10.000 restart-host pod-1",
		"00:02:10.000 restart-host pod-3",
		"00:02:10.000 restart-host pod-4",
		"00:02:20.000 world timeline index=3 action=delete line=13",
		"00:02:20.000 delete pod-4 scale-in",
		"00:02:30.000 delete pod-2 scale-in",
		"00:03:00.000 world timeline index=4 action=restart line=14 instance=web-a",
		"00:03:00.000 drain pod-1 restart for 5s",
		"00:03:00.000 start pod-5 restart placeholder=0s",
		"00:03:05.000 delete pod-1 restart",
		"00:04:00.000 world timeline index=5 action=delete line=15 instance=canary gone=true",
		"00:10:00.000 world faults.end",
		"00:10:00.000 world settle.start",
	)
	// A which pick leaves a draining instance out; a named entry for one does nothing.
	f2, _ := newFleet(testScenario(scenarios.Action{At: time.Minute, Line: 20, Kind: scenarios.ActionDelete, Delete: &scenarios.Delete{Count: 1, Instance: "web-a"}}))
	f2.sc().Instances.Names = []string{"web-a"}
	f2.tl.Initial(0, f2.StartInstance("initial", 0))
	f2.StartInstance("initial", 0)
	f2.instances[0].draining = true
	if got := f2.tl.Pick("oldest", 2); len(got) != 1 || got[0].(*fakeInstance).name != "pod-2" {
		t.Errorf("pick oldest 2 with pod-1 draining = %v", got)
	}
	f2.log = nil
	f2.tl.Apply(0, f2.sc().Timeline[0])
	wantLog(t, f2.log, "00:00:00.000 world timeline index=0 action=delete line=20 instance=web-a draining=true")
}

// sc is the scenario the fleet's timeline plays.
func (f *fakeFleet) sc() *scenarios.Scenario { return f.tl.sc }
