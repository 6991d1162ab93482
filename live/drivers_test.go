package live_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim/world"
	"github.com/syncsim/syncsim/trace"
)

// settingScenario is a small scenario (one instance, one deploy with its hook's sync call, about
// two scenario minutes) with one of the scenario's host settings (scenarios/SCHEMA.md: site.*,
// a start's placeholder_for, limits.instance_starts) set by extra, the YAML text spliced in.
func settingScenario(name, site, extra string) string {
	return `
name: ` + name + `
site:
  name: settingapp
` + site + `
content:
  functions:
    - name: HttpHello
      bindings:
        - {type: httpTrigger, direction: in, name: req, authLevel: function}
  keys: {master: setting-master-key-0001}
` + extra
}

// deployTimeline is the timeline every setting's scenario shares unless it names its own.
const deployTimeline = `
timeline:
  - at: 20s
    deploy:
      add:
        - name: OrdersQueue
          bindings:
            - {type: queueTrigger, direction: in, name: msg, queueName: orders, connection: Storage2}
      hook_syncs: 1
settle: 1m
`

// oversizeBinding is a queue trigger whose binding pushes the payload past PAY-1's 204,800
// characters, so the host publishes the minimal form.
var oversizeBinding = `{type: queueTrigger, direction: in, name: msg, queueName: big, padding: ` + strings.Repeat("x", host.MaxPayloadLength+1) + `}`

// hostSettings lists every host setting of a scenario (scenarios/SCHEMA.md's site.*, instances.*,
// start's placeholder_for, limits.instance_starts), each in the modes where it changes what the host
// does. shows is a line part the simulator's story must hold, so that the comparison is not vacuous:
// the setting made its difference. covers names the scenario fields the setting sets
// (TestHostSettingsCoverEveryField holds the list to scenarios.Scenario).
var hostSettings = []struct {
	name, site, extra string
	modes             []host.Mode
	shows             string
	covers            []string
}{
	{"defaults", "", deployTimeline, []host.Mode{host.ModeFrontend, host.ModePlatform}, "sync.publish background=false", []string{"Site.Name"}},
	{"host-id", "  host_id: settings-host-7", deployTimeline, []host.Mode{host.ModeFrontend}, "hash.written", []string{"Site.HostID"}},
	{"encryption-key", "  encryption_key: " + strings.Repeat("ab", 32), deployTimeline, []host.Mode{host.ModePlatform}, "target=mesh", []string{"Site.EncryptionKey"}},
	// SYNC-1: without WEBSITE_AUTH_ENCRYPTION_KEY the gate is closed; SYNC-8: no background timer.
	{"encryption-key-absent", `  encryption_key: ""`, deployTimeline, []host.Mode{host.ModeFrontend, host.ModeAdditive},
		"level=Warning text=\"Invalid environment for SyncTriggers operation.\"", []string{"Site.EncryptionKey"}},
	// #10686: no hash blob, every instance primary, the background sync short-circuits.
	{"storage-none", "  storage: none", deployTimeline, []host.Mode{host.ModeFrontend, host.ModePlatform}, "No storage configured", []string{"Settings.NoStorage"}},
	// SYNC-7 on the mesh path: a 500 from the mesh fails the span when checked, publishes when thrown-only.
	{"mesh-status-checked", "  mesh_status: checked", deployTimeline + `
faults:
  profile:
    - {fault: mesh-status, params: {status: 500, p: 1}}
faults_end: 2m
`, []host.Mode{host.ModePlatform}, "error=Failed to notify triggers changed.", []string{"Settings.MeshStatusThrownOnly"}},
	{"mesh-status-thrown-only", "  mesh_status: thrown-only", deployTimeline + `
faults:
  profile:
    - {fault: mesh-status, params: {status: 500, p: 1}}
faults_end: 2m
`, []host.Mode{host.ModePlatform}, "hash.written", []string{"Settings.MeshStatusThrownOnly"}},
	// PAY-1 over 204,800 characters under a front end that takes no more (#12035).
	{"oversize-minimal", "  oversize_fallback: minimal", oversizeTimeline, []host.Mode{host.ModeFrontend},
		"level=Error text=\"SyncTriggers call failed (StatusCode=BadRequest).\"", []string{"Settings.OversizeFallback"}},
	// The same past the limit by the oversize-payload fault's deploy (the catalogue's live timed fault).
	{"oversize-keeps-triggers", "  oversize_fallback: keeps-triggers", `
faults:
  profile:
    - {fault: oversize-payload, params: {every: 5s, count: 1, after: 20s}}
    - {fault: fe-size-limit, params: {bytes: 204800, p: 1}}
# Well after the restarted host's background sync (about 30 s after the deploy), so that no sync
# races the faults' end on the real clock.
faults_end: 3m
settle: 1m
`, []host.Mode{host.ModeFrontend, host.ModeAdditive}, "level=Debug text=\"SyncTriggers call failed (StatusCode=BadRequest).\"", []string{"Settings.OversizeFallback"}},
	// A pod from the placeholder pool answers as WarmUp, then specializes (PR #11874's guard on); not
	// at 30 s, where its background timer would race the specialization on the real clock.
	{"placeholder", "", `
timeline:
  - at: 10s
    start: {placeholder_for: 15s}
settle: 1m
`, []host.Mode{host.ModeFrontend}, "host.specialized", []string{"Start.PlaceholderFor"}},
	// limits.instance_starts: a restart-instance fault's start past the limit is refused.
	{"start-limit", "", deployTimeline + `
limits: {instance_starts: 1}
faults:
  scripted:
    - {fault: restart-instance, point: after-lock, after: 10s}
faults_end: 2m
`, []host.Mode{host.ModeFrontend}, "instance.refused reason=fault restart-instance limit=1", []string{"Limits.InstanceStarts"}},
	// Two instances with a startup of their own; the named first one is deleted before its host
	// could try for the lease (5 s after its start), so the second is the only primary in both
	// drivers and which instance syncs does not hang on a lease race on the real clock.
	{"instances", "", `
instances:
  count: 2
  startup: 7s
  names: [first, second]
timeline:
  - at: 9s
    delete: {instance: first}
` + strings.TrimPrefix(deployTimeline, "\ntimeline:\n"), []host.Mode{host.ModeFrontend},
		"text=\"Host started (7000ms)\"", []string{"Instances.Count", "Instances.Startup", "Instances.Names"}},
}

var oversizeTimeline = `
timeline:
  - at: 20s
    deploy:
      add:
        - name: Big
          bindings:
            - ` + oversizeBinding + `
      hook_syncs: 1
faults:
  profile:
    - {fault: fe-size-limit, params: {bytes: 204800, p: 1}}
faults_end: 2m
settle: 1m
`

// Every host setting of a scenario runs the same host in both drivers: the simulator's world and a
// live run against Azurite write the same records where real time does not enter (issue 23: live
// ignored storage: none, the mesh-status reading, the oversize fallback and the start limit).
// Compared are the records of what the hosts and the site did (hostStory), per instance by start
// order, in each host's own order; the times, the spans' numbers, addresses and instance names
// are left out, as are records whose number depends on timers racing the real clock.
func TestHostSettingsSameInBothDrivers(t *testing.T) {
	inst := live.StartAzurite(t)
	for _, tc := range hostSettings {
		sc, err := scenarios.Parse(tc.name+".yaml", []byte(settingScenario(tc.name, tc.site, tc.extra)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, mode := range tc.modes {
			sim, err := world.Run(sc, mode, 1, world.Options{})
			if err != nil {
				t.Fatalf("%s %s: simulator: %v", tc.name, mode, err)
			}
			lv, err := live.Run(context.Background(), sc, mode, 1, live.Options{ConnectionString: inst.ConnectionString})
			if err != nil {
				t.Fatalf("%s %s: live: %v", tc.name, mode, err)
			}
			want, got := hostStory(sim.Trace.Records), hostStory(lv.Trace.Records)
			if !strings.Contains(strings.Join(want, "\n"), tc.shows) {
				t.Errorf("%s %s: the simulator's records lack %q: the setting made no difference to compare", tc.name, mode, tc.shows)
			}
			if diff := storyDiff(want, got); diff != "" {
				t.Errorf("%s %s: the drivers' records differ (- simulator, + live):\n%s", tc.name, mode, diff)
			}
		}
	}
}

// hostStory renders the records that do not depend on real time, one line each, grouped by party
// (the world, then each instance in start order, as "instance#<index>") and kept in each party's
// order.
func hostStory(recs []trace.Record) []string {
	index := map[string]string{}
	byParty := map[string][]string{}
	for _, r := range recs {
		party := r.Party
		if r.Kind == trace.KindInstanceCreate {
			index[r.Party] = "instance#" + r.Get("index")
		}
		if p, ok := index[party]; ok {
			party = p
		}
		line, ok := storyLine(r)
		if ok {
			byParty[party] = append(byParty[party], party+" "+line)
		}
	}
	var out []string
	for _, p := range slices.Sorted(maps.Keys(byParty)) {
		out = append(out, byParty[p]...)
	}
	return out
}

// storyFields are the kinds compared and the fields of each that do not depend on real time.
var storyFields = map[trace.Kind][]string{
	trace.KindContentChange:   {"revision", "reason", "expected_hash", "triggers", "functions"},
	trace.KindInstanceCreate:  {"reason", "index"},
	trace.KindInstanceRefused: {"reason", "limit"},
	trace.KindInstanceDelete:  {"reason", "injected"},
	trace.KindHostStart:       {"revision", "functions", "placeholder"},
	trace.KindHostSpecialized: nil,
	trace.KindFaultArmed:      {"fault"},
	trace.KindFaultNA:         {"fault", "reason"},
	trace.KindSyncEnter:       {"background", "origin", "hash"},
	trace.KindSyncPublish:     {"background", "target", "hash", "triggers", "bytes"},
	trace.KindSyncEnd:         {"background", "origin", "success", "published", "hash", "error"},
	trace.KindHashWritten:     {"hash"},
}

// storyLogs are the categories of the host's log lines compared: the sync manager's (what a span
// reports, and at which level: P9) and syncsim's own notes (SYNC-4's no-storage short-circuit).
var storyLogs = []string{"Microsoft.Azure.WebJobs.Script.WebHost.Management.FunctionsSyncManager", "Syncsim.Host"}

// storyStarted is the start line's prefix kept of Host.Startup: `Host started ({ms}ms)` carries the
// scenario's startup time; `Starting Host (...)` names ids drawn per instance name, which differ.
const storyStarted = "Host started ("

func storyLine(r trace.Record) (string, bool) {
	if r.Kind == trace.KindLog {
		started := r.Get("category") == "Host.Startup" && strings.HasPrefix(r.Get("text"), storyStarted)
		// A request's line names the front end's or the mesh's address, which is the driver's.
		if !started && (!slices.Contains(storyLogs, r.Get("category")) || strings.Contains(r.Get("text"), "Uri=")) {
			return "", false
		}
		return fmt.Sprintf("%s level=%s text=%q", r.Kind, r.Get("level"), r.Get("text")), true
	}
	fields, ok := storyFields[r.Kind]
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.WriteString(string(r.Kind))
	for _, f := range fields {
		if r.Has(f) {
			fmt.Fprintf(&b, " %s=%s", f, r.Get(f))
		}
	}
	return b.String(), true
}

// storyDiff lists the lines only one side has, in order; "" when the two are the same.
func storyDiff(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "", ""
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Fprintf(&b, "  %s\n", w)
			continue
		}
		if w != "" {
			fmt.Fprintf(&b, "- %s\n", w)
		}
		if g != "" {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	return b.String()
}

// hostSettingTypes are the parts of scenarios.Scenario that configure the hosts, by the name
// covers uses: every field of each must be set by some entry of hostSettings. The timeline's own
// host-facing fields are named one by one in hostSettingFields.
var hostSettingTypes = map[string]reflect.Type{
	"Site":      reflect.TypeFor[host.Site](),
	"Settings":  reflect.TypeFor[scenarios.Settings](),
	"Instances": reflect.TypeFor[scenarios.Instances](),
}

// hostSettingFields are the fields outside hostSettingTypes that reach a host: a start's placeholder
// (what the pod's first host start runs) and the start limit (which starts the run admits).
var hostSettingFields = []string{"Start.PlaceholderFor", "Limits.InstanceStarts"}

// Every field of a scenario that configures a host is run by TestHostSettingsSameInBothDrivers: a
// field added to scenarios.Settings, host.Site or scenarios.Instances fails here until a setting of
// hostSettings covers it.
func TestHostSettingsCoverEveryField(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range hostSettings {
		for _, f := range tc.covers {
			covered[f] = true
		}
	}
	want := slices.Clone(hostSettingFields)
	for _, name := range slices.Sorted(maps.Keys(hostSettingTypes)) {
		for f := range hostSettingTypes[name].Fields() {
			if f.IsExported() {
				want = append(want, name+"."+f.Name)
			}
		}
	}
	for _, f := range want {
		if !covered[f] {
			t.Errorf("%s configures a host, and no setting of hostSettings covers it", f)
		}
	}
}
