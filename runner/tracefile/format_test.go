package tracefile

import (
	"errors"
	"strings"
	"testing"
)

// A format-1 trace was recorded with one shared fault stream: it is refused with the reason and the
// fix (record it again), not replayed into firings that never come up; other unknown formats get the
// general message.
func TestFormatOneIsRefusedWithItsReason(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"format 1", `{"format": 1, "scenario": {"path": "s.yaml"}, "mode": "platform"}`, "trace format 1 was recorded when every fault decision drew from one shared stream"},
		{"format 9", `{"format": 9}`, "trace format 9, this build reads format 2"},
	}
	for _, tc := range tests {
		_, err := Parse("old.json", []byte(tc.text))
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "old.json") || !strings.Contains(err.Error(), "fix:") {
			t.Errorf("%s: %v, want an error naming old.json, %q and the fix", tc.name, err, tc.want)
		}
	}
	if Format != 2 {
		t.Fatalf("Format = %d: a change of the fault engine's randomness needs a new format and re-recorded traces", Format)
	}
}
