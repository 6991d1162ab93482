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
