package site

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/trace"
)

func specs(t *testing.T, texts ...string) []faults.Spec {
	t.Helper()
	var out []faults.Spec
	for _, s := range texts {
		spec, err := faults.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, spec)
	}
	return out
}

func armed(t *testing.T, clock *fakeClock, seed uint64, opts FaultOptions, texts ...string) *Faults {
	t.Helper()
	f := NewFaults(clock, random.NewStreams(seed), 10*time.Minute, opts)
	f.Arm(specs(t, texts...), nil, "", nil)
	return f
}

// The fire decision at a firing key label@place#n is the stateless draw ChanceAt(seed,
// "faults/fire/label@place", n, p): n counts the injector's opportunities at that place alone, and
// rolls of other injectors or at other places in between change nothing.
func TestFireDecisionIsItsKeysDraw(t *testing.T) {
	decide := func(interleave int) []string {
		f := armed(t, &fakeClock{}, 5, FaultOptions{}, "fe-status:p=0.5", "fetch-status:p=0.5")
		a, b := f.All()[0], f.All()[1]
		var keys []string
		for i := 0; i < 100; i++ {
			for j := 0; j < interleave; j++ {
				f.Roll(b, "fetch")
				f.Roll(a, "elsewhere")
			}
			if f.Roll(a, "frontend") {
				keys = append(keys, a.Key())
			}
		}
		return keys
	}
	alone := decide(0)
	if len(alone) < 30 || len(alone) > 70 {
		t.Fatalf("p=0.5 fired %d of 100 opportunities", len(alone))
	}
	streams := random.NewStreams(5)
	for _, k := range alone {
		n, _ := strconv.Atoi(strings.TrimPrefix(k, "fe-status@frontend#"))
		if !streams.ChanceAt("faults/fire/fe-status@frontend", uint64(n), 0.5) {
			t.Fatalf("%s fired but its draw says no", k)
		}
	}
	if got := decide(2); !slices.Equal(got, alone) {
		t.Fatalf("rolls in between changed the decisions:\n  alone %v\n  mixed %v", alone, got)
	}
}

// An injector is open inside [after, until) and before faults_end, and fires at most count times;
// a closed opportunity gets no key.
func TestInjectorWindowAndCount(t *testing.T) {
	c := &fakeClock{}
	f := armed(t, c, 1, FaultOptions{}, "fe-status:p=1,after=1m,until=5m,count=2")
	in := f.All()[0]
	roll := func(at time.Duration) bool {
		c.now = at
		if !f.Roll(in, "frontend") {
			return false
		}
		f.Fire(in, trace.PartyFrontEnd, trace.F("status", 503))
		return true
	}
	got := []bool{roll(30 * time.Second), roll(time.Minute), roll(2 * time.Minute), roll(3 * time.Minute)}
	if !slices.Equal(got, []bool{false, true, true, false}) {
		t.Fatalf("fired %v, want closed before after, then twice, then spent", got)
	}
	f2 := armed(t, c, 1, FaultOptions{}, "fe-status:p=1")
	c.now = 5 * time.Minute
	f2.Roll(f2.All()[0], "frontend")
	c.now = 10 * time.Minute
	if f2.Roll(f2.All()[0], "frontend") || f2.All()[0].Key() != "fe-status@frontend#1" {
		t.Fatalf("an opportunity at faults_end fired or got a key (%s)", f2.All()[0].Key())
	}
	want := []string{
		`world fault.armed fault="fe-status:after=1m,count=2,p=1,until=5m"`,
		"frontend fault.fire fault=fe-status key=fe-status@frontend#1 status=503 injected=true",
		"frontend fault.fire fault=fe-status key=fe-status@frontend#2 status=503 injected=true",
	}
	for i, w := range want {
		if !strings.HasSuffix(c.log[i], w) {
			t.Fatalf("record %d is %q, want %q", i, c.log[i], w)
		}
	}
}

// Under a recorded schedule only its firing keys fire, whatever the dice say, and Unused names those
// that never came up; Decide overrides both.
func TestScriptedAndDecidedFirings(t *testing.T) {
	f := armed(t, &fakeClock{}, 1, FaultOptions{Firings: []string{"fe-status@frontend#2", "fe-status@frontend#9"}}, "fe-status:p=1")
	in := f.All()[0]
	var fired []string
	for i := 0; i < 4; i++ {
		if f.Roll(in, "frontend") {
			fired = append(fired, in.Key())
		}
	}
	if !slices.Equal(fired, []string{"fe-status@frontend#2"}) || !slices.Equal(f.Unused(), []string{"fe-status@frontend#9"}) {
		t.Fatalf("fired %v, unused %v", fired, f.Unused())
	}
	var asked []string
	d := armed(t, &fakeClock{}, 1, FaultOptions{Decide: func(key string) bool { asked = append(asked, key); return len(asked) == 2 }}, "fe-status:p=0")
	a, b := d.Roll(d.All()[0], "x"), d.Roll(d.All()[0], "x")
	if a || !b || !slices.Equal(asked, []string{"fe-status@x#1", "fe-status@x#2"}) {
		t.Fatalf("decided %v %v after asking %v", a, b, asked)
	}
}

// Arming records fault.armed, or fault.na for what the driver cannot inject; labels count every
// spec, so a repeated fault has the same label in every driver.
func TestArmLabelsAndNotApplicable(t *testing.T) {
	c := &fakeClock{}
	f := NewFaults(c, random.NewStreams(1), time.Hour, FaultOptions{})
	f.Arm(specs(t, "drop:p=0.1", "fe-status", "drop:p=0.2"), func(s faults.Spec) bool { return s.Name != "drop" || s.Float("p") > 0.15 },
		NotApplicableReason, nil)
	if all := f.All(); len(all) != 2 || all[0].Label != "fe-status" || all[1].Label != "drop.1" {
		t.Fatalf("armed %v", all)
	}
	if !slices.Equal(f.NotApplicable(), []string{"drop:p=0.1"}) {
		t.Fatalf("not applicable %v", f.NotApplicable())
	}
	wantLog(t, c.log,
		`00:00:00.000 world fault.na fault="drop:p=0.1" reason="not applicable in live mode"`,
		"00:00:00.000 world fault.armed fault=fe-status",
		`00:00:00.000 world fault.armed fault="drop:p=0.2"`)
}

// A timed fault's opportunities come at exponential gaps drawn from its own stream, each rolled at
// place "timed", until faults_end.
func TestTimedOpportunities(t *testing.T) {
	at := func(seed uint64, extra ...string) []time.Duration {
		c := &fakeClock{}
		f := NewFaults(c, random.NewStreams(seed), 10*time.Minute, FaultOptions{})
		var fired []time.Duration
		f.Arm(specs(t, append(extra, "scale-out:every=1m")...), nil, "", func(in *Injector) {
			if in.Spec.Name == "scale-out" {
				fired = append(fired, c.now)
			}
		})
		c.run(time.Hour)
		return fired
	}
	base := at(3)
	if len(base) < 3 || base[len(base)-1] >= 10*time.Minute {
		t.Fatalf("opportunities at %v", base)
	}
	if again := at(3, "scale-in:every=30s"); !slices.Equal(again, base) {
		t.Fatalf("another timed fault moved the gaps: %v, then %v", base, again)
	}
}

// A point fault matches its point (or any) and its background setting, at place point/i<index>.
func TestAtPoint(t *testing.T) {
	f := armed(t, &fakeClock{}, 1, FaultOptions{}, "delete-instance:point=after-publish,count=1,background=true", "restart-instance:point=any,count=1")
	if in := f.AtPoint("after-publish", false, 2); in == nil || in.Spec.Name != "restart-instance" || in.Key() != "restart-instance@after-publish/i2#1" {
		t.Fatalf("a foreground point fired %v", in)
	}
	if in := f.AtPoint("after-publish", true, 0); in == nil || in.Spec.Name != "delete-instance" || in.Key() != "delete-instance@after-publish/i0#1" {
		t.Fatalf("a background point fired %v", in)
	}
}

// HoldBack is one to three times the link's maximum, the same for the same key.
func TestHoldBack(t *testing.T) {
	f := armed(t, &fakeClock{}, 1, FaultOptions{})
	for _, key := range []string{"reorder@link/a#1", "reorder@link/a#2"} {
		d := f.HoldBack(key, 20*time.Millisecond)
		if d < 20*time.Millisecond || d > 60*time.Millisecond || d != f.HoldBack(key, 20*time.Millisecond) {
			t.Fatalf("hold-back %s for %s", d, key)
		}
	}
}

// What a starting host loads: transient-empty wins and leaves a pod's placeholder_for for the next
// start; placeholder_for makes the first start the placeholder with the reference guard; else
// placeholder-active, with its own guard and duration.
func TestAtHostStart(t *testing.T) {
	loaded := host.Loaded{Revision: 4, Functions: []host.Function{{Name: "A"}}}
	cases := []struct {
		name           string
		faults         []string
		placeholderFor time.Duration
		want           string
	}{
		{"none", nil, 0, "rev=4 fns=1 placeholder=false specialize=0s guard=- took=false"},
		{"transient-empty", []string{"transient-empty:p=1"}, 20 * time.Second, "rev=4 fns=0 placeholder=false specialize=0s guard=- took=false"},
		{"placeholder-pool", []string{"placeholder-active:p=1"}, 20 * time.Second, "rev=4 fns=1 placeholder=true specialize=20s guard=- took=true"},
		{"placeholder-active", []string{"placeholder-active:p=1,for=45s,guard=false"}, 0, "rev=4 fns=1 placeholder=true specialize=45s guard=false took=false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{}
			f := armed(t, clock, 1, FaultOptions{}, c.faults...)
			st := f.AtHostStart("instance/pod-a", 3, c.placeholderFor, loaded)
			guard := "-"
			if st.Guard != nil {
				guard = strconv.FormatBool(*st.Guard)
			}
			got := "rev=" + strconv.Itoa(st.Loaded.Revision) + " fns=" + strconv.Itoa(len(st.Loaded.Functions)) +
				" placeholder=" + strconv.FormatBool(st.Loaded.Placeholder) + " specialize=" + st.Specialize.String() +
				" guard=" + guard + " took=" + strconv.FormatBool(st.TookPlaceholder)
			if got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			fires := 0
			for _, l := range clock.log {
				if strings.Contains(l, "fault.fire") {
					fires++
					if !strings.Contains(l, "instance/pod-a fault.fire") || !strings.Contains(l, "@start/i3#1") {
						t.Fatalf("firing %q is not the instance's at start/i3", l)
					}
				}
			}
			if want := map[string]int{"transient-empty": 1, "placeholder-active": 1}[c.name]; fires != want {
				t.Fatalf("%d firings recorded, want %d: %v", fires, want, clock.log)
			}
		})
	}
}

// An instance's lasting faults are decided at create/i<index>; the mesh's skew at "mesh".
func TestAtCreateAndMeshSkew(t *testing.T) {
	clock := &fakeClock{}
	f := armed(t, clock, 1, FaultOptions{}, "clock-skew:party=instance,by=-7m,p=1", "payload-nondeterminism", "clock-skew:party=mesh,by=3m,p=1")
	if c := f.AtCreate("instance/pod-b", 2); c.Skew != -7*time.Minute || !c.UnstablePayload {
		t.Fatalf("created %+v", c)
	}
	if d := f.MeshSkew(); d != 3*time.Minute {
		t.Fatalf("mesh skew %s", d)
	}
	wantLog(t, clock.log[3:],
		"00:00:00.000 instance/pod-b fault.fire fault=clock-skew key=clock-skew@create/i2#1 by=-7m0s injected=true",
		"00:00:00.000 instance/pod-b fault.fire fault=payload-nondeterminism key=payload-nondeterminism@create/i2#1 injected=true",
		"00:00:00.000 mesh fault.fire fault=clock-skew key=clock-skew.1@mesh#1 by=3m0s injected=true")
}

// Swarm's choice for one fault does not depend on the other faults of the profile: arming more
// faults leaves the choices for the others as they were.
func TestSwarmChoicesArePerFault(t *testing.T) {
	sc := loadFleet(t)
	base := SpecsFor(sc, nil)
	more := append(append([]faults.Spec{}, specs(t, "fe-timeout:p=0.1")...), base...)
	for seed := uint64(1); seed <= 20; seed++ {
		a := Swarm(base, random.NewStreams(seed))
		b := Swarm(more, random.NewStreams(seed))
		var kept []string
		for _, s := range b {
			if s.Name != "fe-timeout" {
				kept = append(kept, s.String())
			}
		}
		var want []string
		for _, s := range a {
			want = append(want, s.String())
		}
		if strings.Join(kept, " ") != strings.Join(want, " ") {
			t.Fatalf("seed %d: a fault added in front changed swarm's other choices:\n  without %v\n  with    %v", seed, want, kept)
		}
	}
}

func loadFleet(t *testing.T) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load("../scenarios/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
