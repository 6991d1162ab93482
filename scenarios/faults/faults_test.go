package faults

import (
	"strings"
	"testing"
)

// TestProbabilityIsFinite: strconv reads NaN and the infinities, and a NaN probability would pass a
// range check and never fire; every one of them is refused, as is a probability outside [0, 1].
func TestProbabilityIsFinite(t *testing.T) {
	for _, tt := range []struct {
		text string
		ok   bool
	}{
		{"drop:p=0.5", true},
		{"drop:p=0", true},
		{"drop:p=1", true},
		{"drop:p=NaN", false},
		{"drop:p=nan", false},
		{"drop:p=Inf", false},
		{"drop:p=-Inf", false},
		{"drop:p=1.5", false},
		{"drop:p=-0.1", false},
	} {
		_, err := Parse(tt.text)
		if tt.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "not a probability in [0, 1]")) {
			t.Errorf("Parse(%q) = %v; want ok=%v", tt.text, err, tt.ok)
		}
	}
}

// Which faults a live run injects is the catalogue's data (Fault.Live), read by live: a
// point, host or endpoint fault acts on one party's answer, which live serves over real HTTP and
// Azure Storage; the link faults and partitions act on the simulator's network, and of the timed
// faults live carries out the oversize deploy and the admin-call burst (issue 23: this was a name list in live).
func TestLiveApplicability(t *testing.T) {
	for _, f := range Catalogue() {
		var want bool
		switch f.Kind {
		case KindPoint, KindHost, KindEndpoint:
			want = true
		case KindLink:
			want = false
		case KindTimed:
			want = f.Name == "oversize-payload" || f.Name == "concurrent-syncs"
		default:
			t.Fatalf("%s: kind %q has no live rule here", f.Name, f.Kind)
		}
		if f.Live != want {
			t.Errorf("%s (%s): Live is %v, want %v", f.Name, f.Kind, f.Live, want)
		}
	}
}
