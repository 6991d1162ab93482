package site

import (
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// HostConfig is what every driver gives a new instance's host machine from the scenario: the site,
// the mode, the instance's name and its seed stream ("host/<name>"), PR #11874's placeholder guard,
// and the site's host settings (site.storage, site.mesh_status, site.oversize_fallback). The driver
// adds only what is its own: addresses, the secrets reads, planted defects, timer scaling and the
// faults that stay with the instance (Faults.AtCreate). One function for all drivers, so that a
// live run hosts the same host the simulator does (issue 23: live ignored `storage: none`).
func HostConfig(sc *scenarios.Scenario, mode host.Mode, name string, streams random.Streams) host.Config {
	return host.Config{
		Site: sc.Site, Mode: mode, ContainerName: name,
		Rand:                 streams.Stream("host/" + name),
		PlaceholderGuard:     true,
		NoStorage:            sc.Settings.NoStorage,
		MeshStatusThrownOnly: sc.Settings.MeshStatusThrownOnly,
		OversizeFallback:     sc.Settings.OversizeFallback,
	}
}

// AdmitStart applies the scenario's start limit (limits.instance_starts) to a start, when the run
// has started `started` instances so far: a start past the limit is refused, recorded as
// instance.refused (reason, limit) by the world, and AdmitStart reports false. Faults
// (restart-instance, scale-out, scale-to-zero) start instances the loader cannot count, so every
// driver asks here before it creates one.
func AdmitStart(sc *scenarios.Scenario, started int, reason string, record func(party string, e trace.Event)) bool {
	limit := sc.Limits.StartLimit()
	if started < limit {
		return true
	}
	record(trace.PartyWorld, trace.InstanceRefused(reason, limit))
	return false
}
