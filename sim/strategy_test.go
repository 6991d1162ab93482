package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/trace"
)

func TestStrategiesAreDeterministicPerSeed(t *testing.T) {
	for _, name := range StrategyNames() {
		t.Run(name, func(t *testing.T) {
			_, k1 := demoRun(t, 7, name, nil)
			_, k2 := demoRun(t, 7, name, nil)
			_, k3 := demoRun(t, 8, name, nil)
			tr := func(k *Kernel) *trace.Trace { return &trace.Trace{Records: k.Trace.Records()} }
			if h1, h2 := tr(k1).RecordsHash(), tr(k2).RecordsHash(); h1 != h2 {
				t.Fatalf("same seed, different traces; first difference at record %d",
					trace.FirstDifference(k1.Trace.Records(), k2.Trace.Records()))
			}
			if tr(k1).RecordsHash() == tr(k3).RecordsHash() {
				t.Fatal("seeds 7 and 8 gave the same trace")
			}
			picks := 0
			for _, r := range k1.Trace.Records() {
				if r.Kind == trace.KindSchedPick {
					picks++
				}
			}
			if reorders := name != "uniform"; reorders != (picks > 0) {
				t.Fatalf("%d sched.pick records", picks)
			}
		})
	}
}

// pickWorkload fires events of several parties at jittered times and checks, at every firing, that the
// event was due within window of the earliest pending event. It returns how many events fired before
// an event that was due earlier.
func pickWorkload(t *testing.T, st Strategy, seed uint64, window time.Duration) (reordered int) {
	t.Helper()
	k := NewKernel(seed, Budget{})
	k.SetStrategy(st)
	jitter := k.Streams.Stream("test/jitter")
	pending := map[uint64]time.Duration{}
	var id uint64
	var latest time.Duration
	var schedule func(party string, at time.Duration, left int)
	schedule = func(party string, at time.Duration, left int) {
		id++
		me := id
		pending[me] = at
		k.AtParty(at, party, func() {
			earliest := at
			for _, p := range pending { // the minimum does not depend on map order
				earliest = min(earliest, p)
			}
			if at > earliest+window {
				t.Fatalf("event due %v fired while %v was pending (window %v)", at, earliest, window)
			}
			if at < latest {
				reordered++
			}
			latest = max(latest, at)
			delete(pending, me)
			if left > 0 {
				schedule(party, k.Elapsed()+time.Duration(random.Between(jitter, 100, 1500))*time.Microsecond, left-1)
			}
		})
	}
	for i := 0; i < 6; i++ {
		schedule(fmt.Sprintf("p%d", i), time.Duration(i)*50*time.Microsecond, 200)
	}
	k.Run(time.Hour)
	if len(pending) != 0 {
		t.Fatalf("%d events never fired", len(pending))
	}
	return reordered
}

func TestRandomPicksWithinWindowAndReorders(t *testing.T) {
	for _, w := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond} {
		r := NewRandom(random.NewStreams(5), w)
		want := w
		if w == 0 {
			want = DefaultRandomWindow
		}
		if r.Window() != want {
			t.Fatalf("window %v, want %v", r.Window(), want)
		}
		if n := pickWorkload(t, r, 5, want); n == 0 {
			t.Fatalf("window %v: random never reordered", want)
		}
	}
	if n := pickWorkload(t, NewUniform(random.NewStreams(5)), 5, 0); n != 0 {
		t.Fatalf("uniform reordered %d events", n)
	}
	if n := pickWorkload(t, NewPCT(random.NewStreams(5), PCTConfig{}), 5, DefaultPCTWindow); n == 0 {
		t.Fatal("pct never reordered")
	}
	// Every candidate index is picked, and only valid ones.
	r := NewRandom(random.NewStreams(9), 0)
	counts := make([]int, 5)
	for i := 0; i < 5000; i++ {
		counts[r.Pick(make([]Candidate, 5))]++
	}
	for i, c := range counts {
		if c < 800 || c > 1200 {
			t.Fatalf("candidate %d picked %d of 5000 times: %v", i, c, counts)
		}
	}
}

func TestDelaysStayWithinLinkBounds(t *testing.T) {
	s := random.NewStreams(3)
	bounds := s.Stream("test/bounds")
	for _, name := range StrategyNames() {
		st, err := NewStrategy(name, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		sawLo, sawHi := false, false
		for i := 0; i < 5000; i++ {
			lo := time.Duration(random.Between(bounds, 0, 5000)) * time.Microsecond
			hi := lo + time.Duration(random.Between(bounds, 0, 3))*time.Microsecond
			d := st.Delay("a", "b", lo, hi)
			if d < lo || d > hi {
				t.Fatalf("%s: delay %v outside [%v, %v]", name, d, lo, hi)
			}
			sawLo = sawLo || (d == lo && hi > lo)
			sawHi = sawHi || (d == hi && hi > lo)
		}
		if !sawLo || !sawHi {
			t.Fatalf("%s: never drew a bound (lo %v, hi %v)", name, sawLo, sawHi)
		}
	}
}

// The number of picks never shifts the delays: they come from separate streams.
func TestRandomDelaysIndependentOfPicks(t *testing.T) {
	for _, mk := range []func() Strategy{
		func() Strategy { return NewRandom(random.NewStreams(4), 0) },
		func() Strategy { return NewPCT(random.NewStreams(4), PCTConfig{}) },
	} {
		a, b := mk(), mk()
		cands := []Candidate{{Party: "x"}, {Party: "y"}, {Party: "z"}}
		for i := 0; i < 100; i++ {
			for j := 0; j < i%4; j++ {
				b.Pick(cands)
			}
			if da, db := a.Delay("a", "b", 0, time.Second), b.Delay("a", "b", 0, time.Second); da != db {
				t.Fatalf("%s: delay %d differs after picks: %v vs %v", a.Name(), i, da, db)
			}
		}
	}
}

// recordingStrategy wraps a strategy and keeps every choice point and its answer.
type recordingStrategy struct {
	Strategy
	cands [][]Candidate
	picks []int
}

func (r *recordingStrategy) Pick(c []Candidate) int {
	i := r.Strategy.Pick(c)
	r.cands = append(r.cands, slices.Clone(c))
	r.picks = append(r.picks, i)
	return i
}

func TestPCTDepthOneHighestPriorityAlwaysWins(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		p := NewPCT(random.NewStreams(seed), PCTConfig{Depth: 1, Steps: 10})
		rec := &recordingStrategy{Strategy: p}
		pickWorkload(t, rec, seed, DefaultPCTWindow)
		if len(p.ChangePoints()) != 0 || len(p.Changed()) != 0 {
			t.Fatalf("depth 1 has change points %v", p.ChangePoints())
		}
		if len(rec.picks) < 100 {
			t.Fatalf("only %d choice points", len(rec.picks))
		}
		beats := map[[2]string]bool{}
		for n, cands := range rec.cands {
			w := cands[rec.picks[n]]
			for i, c := range cands {
				if c.Party == w.Party {
					if i < rec.picks[n] {
						t.Fatalf("choice %d: picked %d over the earlier %d of the same party", n, rec.picks[n], i)
					}
					continue
				}
				if p.priority[c.Party] > p.priority[w.Party] {
					t.Fatalf("choice %d: %s won over higher-priority %s", n, w.Party, c.Party)
				}
				if beats[[2]string{c.Party, w.Party}] {
					t.Fatalf("choice %d: %s beat %s, which beat it before", n, w.Party, c.Party)
				}
				beats[[2]string{w.Party, c.Party}] = true
			}
		}
	}
}

func TestPCTPrioritiesAreDistinctAndSeeded(t *testing.T) {
	parties := []Candidate{{Party: "a"}, {Party: "b"}, {Party: "c"}, {Party: "d"}, {Party: ""}}
	first := map[string]int{}
	for seed := uint64(1); seed <= 400; seed++ {
		p := NewPCT(random.NewStreams(seed), PCTConfig{Depth: 1})
		w := parties[p.Pick(parties)].Party
		first[w]++
		q := NewPCT(random.NewStreams(seed), PCTConfig{Depth: 1})
		if parties[q.Pick(parties)].Party != w {
			t.Fatalf("seed %d: same seed, different winner", seed)
		}
		seen := map[int64]bool{}
		for _, c := range parties {
			if v := p.priority[c.Party]; v < 1 || seen[v] {
				t.Fatalf("seed %d: priority %d of %q not distinct or below d", seed, v, c.Party)
			}
			seen[p.priority[c.Party]] = true
		}
	}
	for _, c := range parties {
		if first[c.Party] < 50 {
			t.Fatalf("party %q won first only %d of 400 times: %v", c.Party, first[c.Party], first)
		}
	}
}

func TestPCTChangePointsHappenExactlyAtDrawnIndices(t *testing.T) {
	cands := []Candidate{{Party: "a"}, {Party: "b"}, {Party: "c"}, {Party: "d"}, {Party: "e"}, {Party: "f"}}
	for _, d := range []int{2, 3, 5} {
		for seed := uint64(1); seed <= 30; seed++ {
			p := NewPCT(random.NewStreams(seed), PCTConfig{Depth: d, Steps: 40})
			at := p.ChangePoints()
			if len(at) != d-1 {
				t.Fatalf("d=%d: %d change points", d, len(at))
			}
			for i, x := range at {
				if x < 1 || x > 40 || (i > 0 && x <= at[i-1]) {
					t.Fatalf("d=%d: change points %v not distinct, sorted, in [1, 40]", d, at)
				}
			}
			// With the same candidates every time, the winner changes exactly at the change points.
			var switched []int
			prev := ""
			for step := 1; step <= 100; step++ {
				w := cands[p.Pick(cands)].Party
				if prev != "" && w != prev {
					switched = append(switched, step)
				}
				prev = w
			}
			// A change point at step 1 demotes before any winner was observed.
			want := slices.DeleteFunc(slices.Clone(at), func(x int) bool { return x == 1 })
			if !slices.Equal(switched, want) {
				t.Fatalf("d=%d seed %d: winner changed at %v, change points %v", d, seed, switched, at)
			}
			if !slices.Equal(p.Changed(), at) || len(p.Demoted()) != d-1 {
				t.Fatalf("d=%d: applied %v (demoted %v), drawn %v", d, p.Changed(), p.Demoted(), at)
			}
			for i, party := range p.Demoted() {
				if p.priority[party] != int64(d-(i+1)) {
					t.Fatalf("d=%d: demoted %s has priority %d, want %d", d, party, p.priority[party], d-(i+1))
				}
			}
		}
	}
	// The indices are uniform over [1, k].
	counts := make([]int, 11)
	for seed := uint64(1); seed <= 2000; seed++ {
		counts[NewPCT(random.NewStreams(seed), PCTConfig{Depth: 2, Steps: 10}).ChangePoints()[0]]++
	}
	for i := 1; i <= 10; i++ {
		if counts[i] < 140 || counts[i] > 260 {
			t.Fatalf("change point index %d drawn %d of 2000 times: %v", i, counts[i], counts[1:])
		}
	}
}

func TestNewStrategy(t *testing.T) {
	s := random.NewStreams(1)
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string // Name() of the result, or "" for an error
		check  func(Strategy) bool
	}{
		{"", nil, "uniform", nil},
		{"uniform", nil, "uniform", nil},
		{"random", nil, "random", func(st Strategy) bool { return st.Window() == 2*time.Millisecond }},
		{"random", map[string]string{"window": "750us"}, "random", func(st Strategy) bool { return st.Window() == 750*time.Microsecond }},
		{"swarm", map[string]string{"window": "4"}, "swarm", func(st Strategy) bool { return st.Window() == 4*time.Millisecond }},
		{"pct", nil, "pct", func(st Strategy) bool {
			p := st.(*PCT)
			return p.Depth() == 3 && p.Steps() == 1000 && p.Window() == 5*time.Millisecond
		}},
		{"pct", map[string]string{"depth": "2", "steps": "50", "window": "10ms"}, "pct", func(st Strategy) bool {
			p := st.(*PCT)
			return p.Depth() == 2 && p.Steps() == 50 && p.Window() == 10*time.Millisecond
		}},
		{"dfs", nil, "", nil},
		{"pct", map[string]string{"depth": "0"}, "", nil},
		{"pct", map[string]string{"steps": "many"}, "", nil},
		{"pct", map[string]string{"window": "-1ms"}, "", nil},
		{"random", map[string]string{"depth": "2"}, "", nil},
		{"uniform", map[string]string{"window": "1ms"}, "", nil},
	} {
		st, err := NewStrategy(tc.name, s, tc.params)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q %v: no error", tc.name, tc.params)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("%q", tc.name)) || !strings.Contains(msg, "pct, random, swarm, uniform") {
				t.Errorf("%q %v: error %q does not name the strategy and the known ones", tc.name, tc.params, msg)
			}
			if !errors.Is(err, ErrUnknownStrategy) && !errors.Is(err, ErrStrategyParam) {
				t.Errorf("%q %v: error %q wraps no sentinel", tc.name, tc.params, msg)
			}
			continue
		}
		if err != nil || st.Name() != tc.want || (tc.check != nil && !tc.check(st)) {
			t.Errorf("%q %v: got %v, %v", tc.name, tc.params, st, err)
		}
	}
	if got := StrategyNames(); !slices.Equal(got, []string{"explore", "pct", "random", "swarm", "uniform"}) {
		t.Errorf("names %v", got)
	}
}
