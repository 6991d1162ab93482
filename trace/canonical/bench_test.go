package canonical_test

import (
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace/canonical"
)

// BenchmarkHash is the canonical hash of smoke's payload, as the driver records it for
// content.change, store.write and store.snapshot:
// go test -run '^$' -bench Hash -benchmem ./trace/canonical/
func BenchmarkHash(b *testing.B) {
	sc, err := scenarios.Load("../../scenarios/smoke.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p := host.BuildPayload(sc.Site, sc.Content.Functions, sc.Content.Keys)
	b.ReportAllocs()
	for b.Loop() {
		if canonical.Hash(p.Body) == "" {
			b.Fatal("not JSON")
		}
	}
}
