package sim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// enumerate runs every schedule of a run under Explore: the run asks the choice filter by key, a
// schedule takes the non-default answer at a set of the asked decisions, and every decision after
// a schedule's last taken one is branched on. It returns the outcome of each schedule and the keys
// each one took.
func enumerate(t *testing.T, run func(k *Kernel) string) (outcomes []string, taken [][]string) {
	t.Helper()
	type sched []int
	frontier := []sched{nil}
	for len(frontier) > 0 && len(outcomes) < 1000 {
		s := frontier[0]
		frontier = frontier[1:]
		k := NewKernel(1, Budget{})
		k.SetStrategy(NewExplore(k.Streams))
		ord := 0
		var asked []int
		var keys []string
		k.SetChoiceFilter(func(key string) bool {
			i := ord
			ord++
			if slices.Contains(s, i) {
				keys = append(keys, key)
				return true
			}
			if len(s) == 0 || i > s[len(s)-1] {
				asked = append(asked, i)
			}
			return false
		})
		outcomes = append(outcomes, run(k))
		taken = append(taken, keys)
		for _, i := range asked {
			frontier = append(frontier, append(slices.Clip(s), i))
		}
	}
	return outcomes, taken
}

// A choice point of three events due together reaches all six orders over successive choice
// points, and every schedule replays: the keys it took, given to a plain filter, give its order.
func TestExploreThreeEventsEveryOrder(t *testing.T) {
	three := func(k *Kernel) string {
		var got []string
		for _, p := range []string{"a", "b", "c"} {
			k.AtParty(10*time.Millisecond, p, func() { got = append(got, p) })
		}
		k.Run(time.Second)
		return strings.Join(got, "")
	}
	outs, taken := enumerate(t, three)
	sorted := slices.Clone(outs)
	slices.Sort(sorted)
	want := []string{"abc", "acb", "bac", "bca", "cab", "cba"}
	if !slices.Equal(sorted, want) {
		t.Fatalf("orders %v, want each of %v once (3 branches, then 2)", sorted, want)
	}
	for i, keys := range taken {
		k := NewKernel(1, Budget{})
		k.SetStrategy(NewExplore(k.Streams))
		k.SetChoiceFilter(func(key string) bool { return slices.Contains(keys, key) })
		if got := three(k); got != outs[i] {
			t.Errorf("schedule %v replays to %s, want %s", keys, got, outs[i])
		}
	}
}

// Two messages to one receiver whose delivery windows overlap arrive in either order under delay
// choices, while the seed alone gives one order.
func TestExploreDelayChoiceReachesOtherOrder(t *testing.T) {
	two := func(k *Kernel) string {
		n := NewNetwork(k, Link{DelayMin: 10 * time.Millisecond, DelayMax: 50 * time.Millisecond}, 0)
		var got []string
		n.Attach("r", func(m Message) { got = append(got, m.From) })
		n.Send(Message{From: "a", To: "r", Kind: "x"})
		k.After(5*time.Millisecond, func() { n.Send(Message{From: "b", To: "r", Kind: "x"}) })
		k.Run(time.Second)
		return strings.Join(got, "")
	}
	outs, taken := enumerate(t, two)
	reached := map[string]bool{}
	for _, o := range outs {
		reached[o] = true
	}
	if !reached["ab"] || !reached["ba"] {
		t.Fatalf("orders reached %v, want ab and ba", reached)
	}
	k := NewKernel(1, Budget{})
	k.SetStrategy(NewExplore(k.Streams))
	k.SetChoiceFilter(func(string) bool { return false })
	def := two(k)
	other := "ab"
	if def == "ab" {
		other = "ba"
	}
	for i, o := range outs {
		if o != other {
			continue
		}
		for _, key := range taken[i] {
			if !strings.HasSuffix(key, ":lo") && !strings.HasSuffix(key, ":hi") {
				t.Errorf("order %s reached by %v: want delay keys only", o, taken[i])
			}
		}
		return
	}
	t.Fatalf("seed 1's order %s only", def)
}
