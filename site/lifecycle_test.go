package site

import (
	"testing"

	"github.com/syncsim/syncsim/internal/random"
)

// Every new instance gets a new name; Ready and Live count by state.
func TestLifecycleNamesAreNew(t *testing.T) {
	l := NewLifecycle(random.NewStreams(1), "pod")
	seen := map[string]bool{}
	for i := 0; i < 300; i++ {
		in := l.Create(0)
		if seen[in.Name] {
			t.Fatalf("name %s reused", in.Name)
		}
		seen[in.Name] = true
		if i%2 == 0 {
			in.State = Running
		}
	}
	if len(l.Ready()) != 150 || len(l.Live()) != 300 {
		t.Fatalf("ready %d live %d", len(l.Ready()), len(l.Live()))
	}
}
