package random

import (
	"math"
	"testing"
)

// A derived draw depends on (seed, name, n) and nothing else: not on draws made before it, nor on
// which other names were asked about.
func TestDerivedDrawsAreStateless(t *testing.T) {
	s := NewStreams(11)
	first := s.Uint64At("faults/fire/drop@link/MSG-1/instance>frontend", 3)
	for i := uint64(0); i < 100; i++ {
		s.Uint64At("faults/fire/fe-status@frontend", i)
		s.Stream("faults").Uint64()
	}
	if again := s.Uint64At("faults/fire/drop@link/MSG-1/instance>frontend", 3); again != first {
		t.Fatalf("the same (seed, name, n) gave %x, then %x", first, again)
	}
	if again := NewStreams(11).Uint64At("faults/fire/drop@link/MSG-1/instance>frontend", 3); again != first {
		t.Fatalf("a new Streams of the same seed gave %x, want %x", again, first)
	}
	tests := []struct {
		name string
		seed uint64
		key  string
		n    uint64
	}{
		{"another seed", 12, "faults/fire/drop@link/MSG-1/instance>frontend", 3},
		{"another name", 11, "faults/fire/drop@link/MSG-1/instance>mesh", 3},
		{"another n", 11, "faults/fire/drop@link/MSG-1/instance>frontend", 4},
		{"n zero", 11, "faults/fire/drop@link/MSG-1/instance>frontend", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewStreams(tc.seed).Uint64At(tc.key, tc.n); got == first {
				t.Fatalf("%s gave the same value %x", tc.name, got)
			}
		})
	}
}

// The values are pinned: a change to the hash reshuffles every recorded fault schedule, so it must
// come with a new trace format (runner/tracefile) and regenerated traces.
func TestDerivedDrawsArePinned(t *testing.T) {
	tests := []struct {
		seed uint64
		name string
		n    uint64
		want uint64
	}{
		{1, "faults/fire/drop@link/MSG-1/instance>frontend", 1, 0xab9416ca03ab4ddb},
		{11, "faults/fire/delete-instance@after-hash-write/i0", 1, 0x732ffb8755cb191f},
		{0, "", 0, 0xd7293fe83b1a2bc},
	}
	for _, tc := range tests {
		if got := NewStreams(tc.seed).Uint64At(tc.name, tc.n); got != tc.want {
			t.Errorf("Uint64At(seed %d, %q, %d) = %#x, want %#x", tc.seed, tc.name, tc.n, got, tc.want)
		}
	}
}

// Float64At is uniform on [0, 1): a chi-square test over 20 bins of 200,000 consecutive n (the
// pattern the fault engine uses) stays under the 0.999 quantile of chi-square with 19 degrees of
// freedom (43.82), and ChanceAt's rate matches p within five standard deviations.
func TestDerivedDrawsAreUniform(t *testing.T) {
	const draws, bins = 200000, 20
	s := NewStreams(7)
	var count [bins]int
	hits := 0
	for n := uint64(0); n < draws; n++ {
		f := s.Float64At("faults/fire/fetch-status@fetch", n)
		if f < 0 || f >= 1 {
			t.Fatalf("Float64At = %v, outside [0, 1)", f)
		}
		count[int(f*bins)]++
		if s.ChanceAt("faults/fire/fetch-status@fetch", n, 0.1) {
			hits++
		}
	}
	chi := 0.0
	want := float64(draws) / bins
	for _, c := range count {
		chi += (float64(c) - want) * (float64(c) - want) / want
	}
	if chi > 43.82 {
		t.Errorf("chi-square over %d bins = %.1f, want <= 43.82 (counts %v)", bins, chi, count)
	}
	sd := math.Sqrt(draws * 0.1 * 0.9)
	if math.Abs(float64(hits)-draws*0.1) > 5*sd {
		t.Errorf("ChanceAt(p=0.1) fired %d of %d, want %d +- %.0f", hits, draws, draws/10, 5*sd)
	}
	if s.ChanceAt("x", 0, 0) || !s.ChanceAt("x", 0, 1) {
		t.Error("ChanceAt(p=0) fired or ChanceAt(p=1) did not")
	}
}

// StreamAt gives the same stream for the same (seed, name, n) and different ones otherwise.
func TestStreamAtIsDerived(t *testing.T) {
	s := NewStreams(5)
	a, b := s.StreamAt("faults/holdback/reorder@link", 2), s.StreamAt("faults/holdback/reorder@link", 2)
	c := s.StreamAt("faults/holdback/reorder@link", 3)
	for i := 0; i < 10; i++ {
		x, y, z := a.Uint64(), b.Uint64(), c.Uint64()
		if x != y {
			t.Fatalf("draw %d: %x and %x from the same (seed, name, n)", i, x, y)
		}
		if x == z {
			t.Fatalf("draw %d: n=2 and n=3 both gave %x", i, x)
		}
	}
}
