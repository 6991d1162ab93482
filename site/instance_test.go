package site

import (
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// Every field of the scenario's host settings (scenarios/SCHEMA.md's site.storage,
// site.mesh_status, site.oversize_fallback) reaches the host's config, with the site itself and
// PR #11874's guard, whichever driver asks (issue 23: live ignored them).
func TestHostConfigCarriesTheSiteSettings(t *testing.T) {
	sc, err := scenarios.Parse("settings.yaml", []byte("site: {name: app, host_id: app-7, storage: none, mesh_status: thrown-only, oversize_fallback: keeps-triggers}\n"+
		"content: {keys: {master: m}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := HostConfig(sc, host.ModePlatform, "pod-1", random.NewStreams(1))
	if !cfg.NoStorage || !cfg.MeshStatusThrownOnly || cfg.OversizeFallback != host.OversizeKeepsTriggers {
		t.Errorf("settings: no storage %v, thrown-only %v, oversize %q; want true, true, %q", cfg.NoStorage, cfg.MeshStatusThrownOnly, cfg.OversizeFallback, host.OversizeKeepsTriggers)
	}
	if cfg.Site != sc.Site || cfg.Mode != host.ModePlatform || cfg.ContainerName != "pod-1" || !cfg.PlaceholderGuard || cfg.Rand == nil {
		t.Errorf("config %+v does not carry the site, mode, name, guard and seed stream", cfg)
	}
	// The host's stream is the simulator's "host/<name>" stream of the run's seed.
	if got, want := cfg.Rand.Uint64(), random.NewStreams(1).Stream("host/pod-1").Uint64(); got != want {
		t.Errorf("the host's stream draws %d, want %d (host/pod-1 of seed 1)", got, want)
	}
}

// A start past limits.instance_starts is refused and recorded by the world, with its reason and the
// limit; the starts before it are admitted silently.
func TestAdmitStartHoldsTheLimit(t *testing.T) {
	sc, err := scenarios.Parse("limit.yaml", []byte("site: {name: app}\ncontent: {keys: {master: m}}\nlimits: {instance_starts: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []trace.Record
	record := func(party string, e trace.Event) {
		recs = append(recs, trace.Record{Party: party, Kind: e.Kind, Fields: e.Fields})
	}
	for started, want := range []bool{true, true, false} {
		if got := AdmitStart(sc, started, "fault scale-out", record); got != want {
			t.Errorf("start with %d started: admitted %v, want %v", started, got, want)
		}
	}
	if len(recs) != 1 || recs[0].Kind != trace.KindInstanceRefused || recs[0].Party != trace.PartyWorld ||
		recs[0].Get("reason") != "fault scale-out" || recs[0].Get("limit") != "2" {
		t.Errorf("records %v, want one instance.refused by the world naming the reason and limit 2", recs)
	}
}
