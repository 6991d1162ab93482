package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// Range is an inclusive range of seeds, From..To.
type Range struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// Count is the number of seeds in the range (0 when To < From).
func (r Range) Count() uint64 {
	if r.To < r.From {
		return 0
	}
	return r.To - r.From + 1
}

// String renders the range as `--seeds` spells it: "1-300", or "7" for a single seed.
func (r Range) String() string {
	if r.From == r.To {
		return strconv.FormatUint(r.From, 10)
	}
	return strconv.FormatUint(r.From, 10) + "-" + strconv.FormatUint(r.To, 10)
}

// ParseRange reads `--seeds`: "A-B" (inclusive, A <= B) or a single seed "N".
func ParseRange(s string) (Range, error) {
	const want = "want A-B with A <= B (e.g. 1-300) or a single seed N"
	from, to, isRange := strings.Cut(strings.TrimSpace(s), "-")
	a, err := strconv.ParseUint(from, 10, 64)
	if err != nil {
		return Range{}, fmt.Errorf("--seeds %q: %q is not a seed number (%s)", s, from, want)
	}
	if !isRange {
		return Range{From: a, To: a}, nil
	}
	b, err := strconv.ParseUint(to, 10, 64)
	if err != nil {
		return Range{}, fmt.Errorf("--seeds %q: %q is not a seed number (%s)", s, to, want)
	}
	if b < a {
		return Range{}, fmt.Errorf("--seeds %q: the range ends before it starts (%s)", s, want)
	}
	return Range{From: a, To: b}, nil
}
