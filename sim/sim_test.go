package sim

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/trace"
)

func TestQueueOrdersByTimeThenSequence(t *testing.T) {
	k := NewKernel(1, Budget{})
	var got []string
	add := func(at time.Duration, name string) { k.At(at, func() { got = append(got, name) }) }
	add(3*time.Second, "c")
	add(time.Second, "a1")
	add(2*time.Second, "b")
	add(time.Second, "a2") // same time as a1, scheduled later: fires after it
	add(0, "zero")
	k.Run(time.Hour)
	want := []string{"zero", "a1", "a2", "b", "c"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestQueueHeapAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var q Queue
	for i := 0; i < 2000; i++ {
		q.Push(&Event{At: time.Duration(r.IntN(100)), Seq: uint64(i)})
	}
	var last *Event
	for q.Len() > 0 {
		e := q.Pop()
		if last != nil && less(e, last) {
			t.Fatalf("popped (%v,%d) after (%v,%d)", e.At, e.Seq, last.At, last.Seq)
		}
		last = e
	}
}

func TestTimerStopAndClock(t *testing.T) {
	k := NewKernel(1, Budget{})
	fired := false
	tm := k.After(time.Second, func() { fired = true })
	if !tm.Active() {
		t.Fatal("new timer not active")
	}
	tm.Stop()
	var at time.Time
	k.After(2*time.Second, func() { at = k.Now() })
	out := k.Run(time.Minute)
	if fired {
		t.Fatal("stopped timer fired")
	}
	if !at.Equal(trace.Epoch.Add(2 * time.Second)) {
		t.Fatalf("virtual now %v", at)
	}
	if trace.Epoch != time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Fatal("epoch moved")
	}
	if out.Reason != ReasonIdle || out.Events != 1 {
		t.Fatalf("outcome %+v", out)
	}
}

func TestRunStopsAtPlannedEnd(t *testing.T) {
	k := NewKernel(1, Budget{})
	var tick func()
	n := 0
	tick = func() { n++; k.After(time.Second, tick) }
	k.At(0, tick)
	out := k.Run(10 * time.Second)
	if out.Reason != ReasonEnd || n != 11 || k.Elapsed() != 10*time.Second {
		t.Fatalf("outcome %+v after %d ticks at %v", out, n, k.Elapsed())
	}
}

// Budgets end a run as inconclusive, never as a hang.
func TestBudgetsEndRuns(t *testing.T) {
	forever := func(k *Kernel) {
		var tick func()
		tick = func() { k.After(time.Millisecond, tick) }
		k.At(0, tick)
	}
	k := NewKernel(1, Budget{MaxEvents: 100})
	forever(k)
	if out := k.Run(time.Hour); out.Reason != ReasonMaxEvents || out.Events != 100 || out.Reason.Complete() {
		t.Fatalf("event budget: %+v", out)
	}
	k = NewKernel(1, Budget{MaxTime: time.Second})
	forever(k)
	if out := k.Run(time.Hour); out.Reason != ReasonMaxTime || out.At != time.Second {
		t.Fatalf("time budget: %+v", out)
	}
	// A zero-delay loop cannot hang either.
	k = NewKernel(1, Budget{MaxEvents: 50})
	var spin func()
	spin = func() { k.After(0, spin) }
	k.At(0, spin)
	if out := k.Run(time.Hour); out.Reason != ReasonMaxEvents {
		t.Fatalf("zero-delay loop: %+v", out)
	}
}

func TestStreamsAreIndependentAndSeeded(t *testing.T) {
	a, b := random.NewStreams(5), random.NewStreams(5)
	x, y := a.Stream("net"), b.Stream("net")
	for i := 0; i < 10; i++ {
		if x.Uint64() != y.Uint64() {
			t.Fatal("same seed and name gave different draws")
		}
	}
	if random.NewStreams(5).Stream("net").Uint64() == random.NewStreams(5).Stream("router").Uint64() {
		t.Fatal("different subsystems share a stream")
	}
	if random.NewStreams(5).Stream("net").Uint64() == random.NewStreams(6).Stream("net").Uint64() {
		t.Fatal("different seeds share a stream")
	}
}

func TestBetweenAndChance(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 1000; i++ {
		if v := random.Between(r, 5, 9); v < 5 || v > 9 {
			t.Fatalf("Between gave %d", v)
		}
	}
	if random.Between(r, 4, 4) != 4 || random.Chance(r, 0) || !random.Chance(r, 1) {
		t.Fatal("degenerate bounds")
	}
	hits := 0
	for i := 0; i < 10000; i++ {
		if random.Chance(r, 0.25) {
			hits++
		}
	}
	if hits < 2200 || hits > 2800 {
		t.Fatalf("random.Chance(0.25) hit %d of 10000", hits)
	}
}

func netRun(t *testing.T, seed uint64, l Link, sends int) (*Kernel, []uint64) {
	t.Helper()
	k := NewKernel(seed, Budget{})
	n := NewNetwork(k, l, time.Hour)
	var got []uint64
	n.Attach("b", func(m Message) { got = append(got, m.ID) })
	for i := 0; i < sends; i++ {
		k.At(time.Duration(i)*time.Millisecond, func() { n.Send(Message{From: "a", To: "b", Kind: "x"}) })
	}
	k.Run(time.Hour)
	return k, got
}

func TestNetworkDelayWithinLinkBounds(t *testing.T) {
	k, got := netRun(t, 3, Link{DelayMin: 5 * time.Millisecond, DelayMax: 7 * time.Millisecond}, 50)
	if len(got) != 50 {
		t.Fatalf("delivered %d of 50", len(got))
	}
	sent := map[string]time.Duration{}
	for _, r := range k.Trace.Records() {
		switch r.Kind {
		case trace.KindNetSend:
			sent[r.Get("msg")] = r.At
		case trace.KindNetDeliver:
			d := r.At - sent[r.Get("msg")]
			if d < 5*time.Millisecond || d > 7*time.Millisecond {
				t.Fatalf("message %s took %v", r.Get("msg"), d)
			}
		}
	}
}

func TestNetworkFaultsAreLabelledInjected(t *testing.T) {
	k, got := netRun(t, 9, Link{DelayMin: time.Millisecond, DelayMax: 2 * time.Millisecond, Drop: 0.2, Duplicate: 0.2, Reorder: 0.3}, 300)
	counts := map[trace.Kind]int{}
	for _, r := range k.Trace.Records() {
		counts[r.Kind]++
		if (r.Kind == trace.KindNetDrop || r.Kind == trace.KindNetDuplicate || r.Has("reordered")) && r.Get("injected") != "true" {
			t.Fatalf("fault record not labelled injected: %s", r)
		}
	}
	if counts[trace.KindNetDrop] == 0 || counts[trace.KindNetDuplicate] == 0 {
		t.Fatalf("no drops or duplicates: %v", counts)
	}
	if len(got) != 300-counts[trace.KindNetDrop]+counts[trace.KindNetDuplicate] {
		t.Fatalf("delivered %d, sends 300, drops %d, dups %d", len(got), counts[trace.KindNetDrop], counts[trace.KindNetDuplicate])
	}
	inversions := 0
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			inversions++
		}
	}
	if inversions == 0 {
		t.Fatal("reorder rate 0.3 reordered nothing")
	}
}

// Faults heal at faults_end: no drop after it.
func TestNetworkFaultsHealAtFaultsEnd(t *testing.T) {
	k := NewKernel(1, Budget{})
	n := NewNetwork(k, Link{DelayMin: time.Millisecond, DelayMax: time.Millisecond, Drop: 1}, time.Second)
	got := 0
	n.Attach("b", func(Message) { got++ })
	k.At(0, func() { n.Send(Message{From: "a", To: "b"}) })
	k.At(2*time.Second, func() { n.Send(Message{From: "a", To: "b"}) })
	k.Run(time.Minute)
	if got != 1 {
		t.Fatalf("delivered %d, want only the message after faults_end", got)
	}
}

func TestNetworkLosesMessagesToDetachedParty(t *testing.T) {
	k := NewKernel(1, Budget{})
	n := NewNetwork(k, Link{DelayMin: time.Millisecond, DelayMax: time.Millisecond}, 0)
	n.Attach("b", func(Message) { t.Fatal("delivered to a detached party") })
	k.At(0, func() { n.Send(Message{From: "a", To: "b"}); n.Detach("b") })
	k.Run(time.Minute)
	recs := k.Trace.Records()
	if recs[len(recs)-1].Kind != trace.KindNetLost {
		t.Fatalf("last record %s", recs[len(recs)-1])
	}
}

func TestTraceHashAndFirstDifference(t *testing.T) {
	mk := func(v string) *trace.Trace {
		k := NewKernel(1, Budget{})
		k.Trace.Add("a", "x", trace.F("v", v), trace.F("n", 3), trace.F("d", time.Second), trace.F("b", true))
		k.Trace.Add("a", "y")
		return &trace.Trace{Header: trace.Header{Seed: 1}, Records: k.Trace.Records()}
	}
	a, b, c := mk("1"), mk("1"), mk("2")
	if a.Hash() != b.Hash() || a.Hash() == c.Hash() {
		t.Fatal("hash does not follow records")
	}
	if trace.FirstDifference(a.Records, b.Records) != -1 || trace.FirstDifference(a.Records, c.Records) != 0 {
		t.Fatal("FirstDifference")
	}
	if trace.FirstDifference(a.Records, a.Records[:1]) != 1 {
		t.Fatal("prefix difference")
	}
	d := &trace.Trace{Header: trace.Header{Seed: 2}, Records: a.Records}
	if d.Hash() == a.Hash() || d.RecordsHash() != a.RecordsHash() {
		t.Fatal("header must change Hash but not RecordsHash")
	}
	if got := a.Records[0].String(); got != "#1 00:00:00.000 a x v=1 n=3 d=1s b=true" {
		t.Fatalf("record renders as %q", got)
	}
}

func TestSecretDigestHidesContent(t *testing.T) {
	d := trace.SecretDigest([]byte("s3cr3t"))
	if len(d) != len("sha256:")+16 || d == trace.SecretDigest([]byte("other")) {
		t.Fatalf("digest %s", d)
	}
}
