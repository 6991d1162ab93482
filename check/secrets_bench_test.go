package check_test

import (
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim/world"
)

// BenchmarkP11 judges one smoke run's trace (platform, seed 1) for secrets, as every run does:
// go test -run '^$' -bench P11 -benchmem ./check/
func BenchmarkP11(b *testing.B) {
	sc, err := scenarios.Load("../scenarios/smoke.yaml")
	if err != nil {
		b.Fatal(err)
	}
	res, err := world.Run(sc, host.ModePlatform, 1, world.Options{})
	if err != nil {
		b.Fatal(err)
	}
	in := check.Input{Trace: res.Trace, Complete: true, Secrets: res.Secrets}
	b.ReportAllocs()
	for b.Loop() {
		if v := check.SecretsRedacted(in); v.Status != check.Pass {
			b.Fatal(v.EvidenceText())
		}
	}
}
