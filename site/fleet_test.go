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

// fakeSite is a FleetEnv over fakeClock: stoppable timers on its queue, records and transport
// calls in its log, forwarded routes kept for the test to deliver or answer.
type fakeSite struct {
	*fakeClock
	forwarded []*Route
	answers   []string
}

type stoppable struct{ stopped bool }

func (t *stoppable) Stop() { t.stopped = true }

func (s *fakeSite) After(d time.Duration, fn func()) Timer {
	t := &stoppable{}
	s.At(s.now+d, func() {
		if !t.stopped {
			fn()
		}
	})
	return t
}

func (s *fakeSite) Configure(m *Member, cfg *host.Config) {}
func (s *fakeSite) Attach(m *Member) (string, error) {
	return "addr-" + m.Name(), nil
}
func (s *fakeSite) Detach(m *Member)                { s.note("detach %s", m.Name()) }
func (s *fakeSite) Send(m *Member, sd host.Send)    {}
func (s *fakeSite) Blob(m *Member, c host.BlobCall) {}
func (s *fakeSite) Respond(m *Member, r host.Respond) {
	s.note("respond %s route=%d", m.Name(), r.ReqID)
}
func (s *fakeSite) Forward(r *Route) { s.forwarded = append(s.forwarded, r) }

// reply is a Call's Reply that logs the answer.
func (s *fakeSite) reply(call int) func(Answer) {
	return func(a Answer) {
		s.answers = append(s.answers, fmt.Sprintf("call=%d status=%d route=%d instance=%s", call, a.Status, a.Route, a.Instance))
	}
}

// newFakeSite is a fleet and router of the scenario whose YAML is extra after a site and its
// content, with its faults armed.
func newFakeSite(t *testing.T, extra string) (*fakeSite, *Fleet, *Router) {
	t.Helper()
	sc, err := scenarios.Parse("fleet.yaml", []byte("site: {name: app}\ncontent: {keys: {master: m}}\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSite{fakeClock: &fakeClock{}}
	streams := random.NewStreams(1)
	faults := NewFaults(s, streams, sc.FaultsEnd, FaultOptions{})
	faults.Arm(SpecsFor(sc, nil), nil, "", nil)
	f := NewFleet(FleetConfig{Scenario: sc, Mode: host.ModeFrontend, Streams: streams, Site: NewApp(sc, streams), Faults: faults}, s)
	return s, f, NewRouter(f)
}

func (s *fakeSite) kinds() []string {
	var out []string
	for _, l := range s.log {
		out = append(out, strings.Fields(l)[2])
	}
	return out
}

func (s *fakeSite) has(part string) bool {
	return slices.ContainsFunc(s.log, func(l string) bool { return strings.Contains(l, part) })
}

func mustStart(t *testing.T, f *Fleet) *Member {
	t.Helper()
	m, err := f.Start("initial", 0)
	if err != nil || m == nil {
		t.Fatalf("start: %v, %v", m, err)
	}
	return m
}

// A start past limits.instance_starts is refused with its record and no instance; the ones before
// it are created with their address, and their hosts start after the scenario's startup time.
func TestFleetStartLimit(t *testing.T) {
	s, f, _ := newFakeSite(t, "instances: {startup: 3s}\nlimits: {instance_starts: 2}\n")
	mustStart(t, f)
	mustStart(t, f)
	if m, err := f.Start("fault scale-out", 0); m != nil || err != nil {
		t.Fatalf("third start gave %v, %v; want a refusal", m, err)
	}
	s.run(2 * time.Second)
	if got := len(f.Routable()); got != 0 {
		t.Errorf("%d instances routable before the startup time, want 0", got)
	}
	s.run(3 * time.Second)
	if got := len(f.Routable()); got != 2 {
		t.Errorf("%d instances routable after the startup time, want 2", got)
	}
	want := []string{string(trace.KindInstanceCreate), string(trace.KindInstanceCreate), string(trace.KindInstanceRefused)}
	if got := s.kinds()[:3]; !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
	if !s.has("reason=\"fault scale-out\" limit=2") || !s.has("url=addr-") {
		t.Errorf("log lacks the refusal's reason and limit or the instance's address:\n%s", strings.Join(s.log, "\n"))
	}
}

// Fleet and router behaviour, each case on a fresh site of two instances (PROTOCOL.md section 1:
// the site router forwards to a running, ready instance of its seeded choice, 503 with none).
func TestRouterTable(t *testing.T) {
	msg4 := host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: map[string]string{"x-functions-key": "m"}}
	cases := []struct {
		name string
		// act runs on the started site (both hosts up) and returns what the test checks.
		act  func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string
		want string
	}{
		{"no instance is 503 and router.none", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			f.Delete(a, "scale-in", false)
			f.Delete(b, "scale-in", false)
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Req: msg4, Reply: s.reply(1)})
			return strings.Join(s.answers, ";") + fmt.Sprint(" none=", s.has("router.none kind="+trace.MsgMSG4), " forwarded=", len(s.forwarded))
		}, "call=1 status=503 route=0 instance= none=true forwarded=0"},
		{"pin overrides the pick", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			var to []string
			for i := 1; i <= 4; i++ {
				rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: i, Req: msg4, Pin: b.Name(), Reply: s.reply(i)})
				to = append(to, s.forwarded[len(s.forwarded)-1].To.Name())
			}
			return fmt.Sprint(to[0] == b.Name() && to[1] == b.Name() && to[2] == b.Name() && to[3] == b.Name())
		}, "true"},
		{"a draining pin is not taken", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			f.Drain(b, "scale-in", time.Minute)
			f.Drain(b, "scale-in", time.Minute) // a second drain does nothing
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Req: msg4, Pin: b.Name(), Reply: s.reply(1)})
			drains := strings.Count(strings.Join(s.log, "\n"), "instance.drain")
			return fmt.Sprint(s.forwarded[0].To == a, " drains=", drains)
		}, "true drains=1"},
		{"delete answers in-flight routes 502", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Req: msg4, Pin: a.Name(), Reply: s.reply(1)})
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 2, Req: msg4, Pin: a.Name(), Reply: s.reply(2)})
			// Route 2's answer is on its way when the instance goes: it is relayed, not answered 502.
			rt.responded(2)
			f.Delete(a, "scale-in", false)
			rt.Answer(2, 0, host.AdminResponse{Status: 200}, 1)
			rt.Answer(1, 0, host.AdminResponse{Status: 200}, 1) // too late: answered 502 already
			return strings.Join(s.answers, ";")
		}, "call=1 status=502 route=1 instance=" + "A" + ";call=2 status=200 route=2 instance=A"},
		{"an answer is relayed with its span and headers", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			var got Answer
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Req: msg4, Pin: a.Name(), Reply: func(x Answer) { got = x }})
			rt.Answer(1, 7, host.AdminResponse{Status: 405, Headers: map[string]string{"Allow": "GET"}}, 3)
			return fmt.Sprintf("%d %d %d %s %s", got.Status, got.Span, got.Revision, got.Headers["Allow"], got.Instance)
		}, "405 7 3 GET A"},
		{"a drained instance never starts a pending restart", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			f.Restart(a)
			f.Drain(a, "restart", time.Minute)
			s.run(time.Hour)
			return fmt.Sprint(strings.Count(strings.Join(s.log, "\n"), "host.start"), " ", len(f.Routable()))
		}, "2 1"},
		{"restart stops and starts the host in place", func(s *fakeSite, f *Fleet, rt *Router, a, b *Member) string {
			f.Restart(a)
			s.run(time.Hour)
			return fmt.Sprint(s.has("host.stop reason=deploy"), " ", strings.Count(strings.Join(s.log, "\n"), "host.start"), " ", len(f.Live()))
		}, "true 3 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, f, rt := newFakeSite(t, "")
			a, b := mustStart(t, f), mustStart(t, f)
			s.run(time.Minute)
			got := strings.ReplaceAll(tc.act(s, f, rt, a, b), a.Name(), "A")
			if got != tc.want {
				t.Errorf("got %q, want %q\n%s", got, tc.want, strings.Join(s.log, "\n"))
			}
		})
	}
}

// A pinned call draws the router's seeded pick all the same, so that what the unpinned calls after
// it get does not depend on whether it was pinned.
func TestPinLeavesThePickStreamAlone(t *testing.T) {
	picks := func(pin bool) []string {
		s, f, rt := newFakeSite(t, "instances: {count: 3}\n")
		var ms []*Member
		for range 3 {
			ms = append(ms, mustStart(t, f))
		}
		s.run(time.Minute)
		first := Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Reply: s.reply(1)}
		if pin {
			first.Pin = ms[2].Name()
		}
		rt.Receive(first)
		for i := 2; i <= 6; i++ {
			rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: i, Reply: s.reply(i)})
		}
		var out []string
		for _, r := range s.forwarded[1:] {
			out = append(out, r.To.Name())
		}
		return out
	}
	if a, b := picks(false), picks(true); !slices.Equal(a, b) {
		t.Errorf("picks after an unpinned call %v, after a pinned one %v", a, b)
	}
}

// A scripted restart-instance at a fault point deletes the instance whose host reached it (its
// route answered 502) and starts a new one with a new name.
func TestPointFaultRestartsTheInstance(t *testing.T) {
	s, f, rt := newFakeSite(t, "faults:\n  scripted:\n    - {fault: restart-instance, point: after-lock}\nfaults_end: 10m\n")
	a := mustStart(t, f)
	s.run(time.Minute)
	rt.Receive(Call{Kind: trace.MsgMSG4, From: trace.PartyClient, ID: 1, Reply: s.reply(1),
		Req: host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: map[string]string{"x-functions-key": "m"}}})
	r := s.forwarded[0]
	r.To.Request(r.ID, r.Call.Kind, r.Call.Req, r.TokenFault)
	live := f.Live()
	if a.Alive() || len(live) != 1 || live[0].Name() == a.Name() || live[0].Index() != 1 {
		t.Fatalf("after the fault: first alive %v, live %d; want it deleted and one new instance", a.Alive(), len(live))
	}
	for _, want := range []string{"fault.fire", "restart-instance", "instance.delete reason=\"fault restart-instance at after-lock\" injected=true", "detach " + a.Name()} {
		if !s.has(want) {
			t.Errorf("log lacks %q:\n%s", want, strings.Join(s.log, "\n"))
		}
	}
	if want := "call=1 status=502 route=1 instance=" + a.Name(); !slices.Equal(s.answers, []string{want}) {
		t.Errorf("answers %v, want [%s]", s.answers, want)
	}
}
