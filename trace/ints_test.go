package trace

import (
	"math"
	"strconv"
	"testing"
)

// The table's texts are strconv's, at its ends, around them and far outside.
func TestFormatIntIsStrconvs(t *testing.T) {
	n := int64(len(smallInts))
	for _, v := range []int64{0, 1, 9, 10, 99, 100, 101, 999, 1000, n - 2, n - 1, n, n + 1, -1, -100, math.MinInt64, math.MaxInt64} {
		if got, want := formatInt(v), strconv.FormatInt(v, 10); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", v, got, want)
		}
		if v >= 0 {
			if got, want := formatUint(uint64(v)), strconv.FormatUint(uint64(v), 10); got != want {
				t.Errorf("formatUint(%d) = %q, want %q", v, got, want)
			}
		}
	}
	for i := range n {
		if smallInts[i] != strconv.FormatInt(i, 10) {
			t.Fatalf("smallInts[%d] = %q", i, smallInts[i])
		}
	}
	if got := formatUint(math.MaxUint64); got != strconv.FormatUint(math.MaxUint64, 10) {
		t.Errorf("formatUint(MaxUint64) = %q", got)
	}
}

// A field of a small integer shares the table's text: building one allocates nothing.
func TestSmallIntFieldsDoNotAllocate(t *testing.T) {
	n := len(smallInts) - 1
	var sink Field
	if a := testing.AllocsPerRun(100, func() { sink = F("id", n) }); a != 0 {
		t.Errorf("F of int %d allocates %v times", n, a)
	}
	if a := testing.AllocsPerRun(100, func() { sink = F("msg", uint64(n)) }); a != 0 {
		t.Errorf("F of uint64 %d allocates %v times", n, a)
	}
	if sink.Value != strconv.Itoa(n) {
		t.Errorf("F = %+v", sink)
	}
}
