package scenarios

import (
	"sort"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
)

// Scenario is one loaded scenario file: the site, its content at revision 1, the instances, the
// timeline, the fault profile and the modes to run with their expected failures (DESIGN.md,
// "Scenarios, settle window, expectations"). Every default is applied by the loader, so a run reads
// the fields as they are.
type Scenario struct {
	// ConvergenceBound gates P13: the longest acceptable time from the last content change to
	// convergence; zero means no bound (the latency is still recorded).
	ConvergenceBound time.Duration
	// Path is the file the scenario came from, as given to Load or Parse.
	Path string
	// SHA256 is the lowercase hex SHA-256 of the file's bytes; traces record it so a replay can tell
	// that the scenario changed.
	SHA256 string
	// Name defaults to the file name without its extension.
	Name        string
	Description string
	Site        host.Site
	// Settings are the site's host settings: storage, the mesh-status reading, the oversize fallback.
	Settings Settings
	// Content is the site's content at t=0, with Revision 1.
	Content   host.Content
	Instances Instances
	// Timeline lists the actions in file order; their At values never decrease.
	Timeline []Action
	Faults   Faults
	// FaultsEnd is when every fault heals; faults fire only before it.
	FaultsEnd time.Duration
	// Settle is the length of the settle window, which starts at SettleStart.
	Settle  time.Duration
	Network Network
	Mesh    Mesh
	// Modes lists the modes to run, in file order, without duplicates.
	Modes []host.Mode
	// Expect holds, per mode listed in the file, the property IDs expected to fail (xfail), sorted
	// by property number.
	Expect map[host.Mode][]string
	Budget Budget
	// Limits are the scenario's bounds on what a run does (limits.go).
	Limits Limits
	// Baseline is the file a sweep judges this scenario against (`baseline:`, resolved against the
	// scenario's directory); "" for none (runner/sweep, Baseline).
	Baseline string

	nameLine int // line of the explicit name field, for errors across files
}

// SettleStart is when the settle window starts: the later of FaultsEnd and the last timeline action.
func (s *Scenario) SettleStart() time.Duration {
	start := s.FaultsEnd
	for _, a := range s.Timeline {
		// The last entry's at, or later the end of a drain that ends after it.
		start = max(start, a.End())
	}
	return start
}

// End is the end of the settle window, where liveness properties are judged.
func (s *Scenario) End() time.Duration { return s.SettleStart() + s.Settle }

// Expected lists the properties expected to fail in mode m, sorted by property number; nil when
// none are.
func (s *Scenario) Expected(m host.Mode) []string { return s.Expect[m] }

// Instances are the instances started at t=0.
type Instances struct {
	// Count is how many instances start at t=0 (0..50).
	Count int
	// Startup is the time from a container's start to its host running and its container ready.
	Startup time.Duration
	// Names are the scenario's names of the first len(Names) of them, in start order
	// (instances.names), by which timeline entries pick an instance (Delete.Instance).
	Names []string
}

// ActionKind names a timeline action; it is the action's key in the file.
type ActionKind string

// The timeline actions.
const (
	ActionDeploy    ActionKind = "deploy"
	ActionRotateKey ActionKind = "rotate_key"
	ActionAdminSync ActionKind = "admin_sync"
	ActionStart     ActionKind = "start"
	ActionDelete    ActionKind = "delete"
	ActionRestart   ActionKind = "restart"
)

// ActionKinds lists every action kind in the order the schema documents them.
var ActionKinds = []ActionKind{ActionDeploy, ActionRotateKey, ActionAdminSync, ActionStart, ActionDelete, ActionRestart}

// Action is one timeline entry. Exactly the pointer that matches Kind is set.
// End is when the entry's last effect is due: At, or the end of its drain.
type Action struct {
	At   time.Duration
	Line int // line of the entry in the file, for traces and messages
	Kind ActionKind

	Deploy    *Deploy
	RotateKey *RotateKey
	AdminSync *AdminSync
	Start     *Start
	Delete    *Delete
	Restart   *Restart
}

// End is At, or for a delete or restart with a drain, At plus the drain: when the drained
// instances are deleted.
func (a Action) End() time.Duration {
	switch {
	case a.Delete != nil:
		return a.At + a.Delete.Drain
	case a.Restart != nil:
		return a.At + a.Restart.Drain
	}
	return a.At
}

// Deploy installs a new content revision.
type Deploy struct {
	// Functions is the site's full function list after this deploy: the file's replace, add and
	// remove already applied in timeline order.
	Functions []host.Function
	// HookSyncs is how many MSG-4 calls the deploy hook makes afterwards (0..5).
	HookSyncs int
	// HookInterval is the time between the hook's calls.
	HookInterval time.Duration
}

// RotateKey changes one key, a new content revision.
type RotateKey struct {
	Key KeyRef
	// Value is the new key value, a credential (PAY-4); "" means the simulator generates one from
	// the seed.
	Value string
}

// KeyRef names one key of a site.
type KeyRef struct {
	// Kind is "master", "host", "system" or "function".
	Kind string
	// Function is the function whose key it is, for Kind "function"; its spelling is the one the
	// function has at that point of the timeline.
	Function string
	// Name is the key's name; empty for Kind "master".
	Name string
}

// String renders the reference as the file spells it: master, host.<name>, system.<name> or
// function.<fn>.<name>.
func (k KeyRef) String() string {
	switch k.Kind {
	case "master":
		return "master"
	case "function":
		return "function." + k.Function + "." + k.Name
	default:
		return k.Kind + "." + k.Name
	}
}

// AdminSync makes MSG-4 calls through the site router.
type AdminSync struct {
	Count    int
	Interval time.Duration
	// Auth is "admin-key" (the master key, TOK-6) or "token" (a TOK-5 token).
	Auth string
	// Retry is the caller's retry of a call that did not answer 200 (deploy tools and ARM retry a
	// failed sync a few times, core-tools #630; the host itself never retries, MSG-1).
	Retry Retry
}

// Retry repeats a failed MSG-4 call up to Count more times, Delay after each failed answer.
type Retry struct {
	Count int
	Delay time.Duration
}

// Settings are host settings of the site (the file's site.storage, site.mesh_status and
// site.oversize_fallback); the zero value is the reference host with storage.
type Settings struct {
	// NoStorage is `storage: none`: no AzureWebJobsStorage (#10686, SYNC-4's short-circuit).
	NoStorage bool
	// MeshStatusThrownOnly is `mesh_status: thrown-only`: upstream's SYNC-7 reading, where only a
	// thrown mesh call fails (default `checked`: a non-2xx answer fails too).
	MeshStatusThrownOnly bool
	// OversizeFallback is `oversize_fallback` (PAY-1; #12035): "" for minimal (default) or keeps-triggers.
	OversizeFallback host.OversizeFallback
}

// Start scales out by Count new instances. With PlaceholderFor set, each new pod comes from the
// placeholder pool: its host runs as the placeholder (WarmUp) for that long, then specializes; the
// site router may send it MSG-3 meanwhile (PR #11697: the platform fetches from any pod).
type Start struct {
	Count          int
	PlaceholderFor time.Duration
	// Name is the scenario's name of the one instance started (start.name; Count is then 1),
	// by which later entries pick it; "" for none.
	Name string
}

// Delete scales in. Which is "oldest", "newest", "primary" or "all"; Count is ignored for "all".
// Instance, when set, names the one instance to delete instead (a name of instances.names or of
// an earlier start.name); Which and Count are then empty. With Drain, the deletion is a window: at
// At the instances stop taking new requests (the site router no longer picks them) while their
// hosts finish what they are doing, and Drain later they are deleted.
type Delete struct {
	Which    string
	Count    int
	Instance string
	Drain    time.Duration
}

// Restart replaces instances by new ones with new names; Which, Count, Instance and Drain as for
// Delete: with Drain the new instances start at At and the old ones are deleted Drain later.
type Restart struct {
	Which    string
	Count    int
	Instance string
	Drain    time.Duration
}

// Faults is the scenario's fault profile.
type Faults struct {
	Scripted []ScriptedFault
	// Profile lists catalogue faults with their parameters (rates, windows, targets).
	Profile []ProfileFault
	Random  RandomFaults
}

// ProfileFault is one catalogue fault of the profile.
type ProfileFault struct {
	Spec faults.Spec
	Line int
}

// ScriptedFault fires a named fault at a named fault point (PROTOCOL.md section 6).
type ScriptedFault struct {
	Fault string
	Point string
	// After: the fault fires the first Count times the point is reached at or after this time.
	After time.Duration
	Count int
	// Background, when set, limits the fault to background (true) or foreground (false) syncs.
	Background *bool
	// Params are passed through to the fault, scalars as their YAML text.
	Params map[string]string
	Line   int
}

// RandomFaults are per-link network fault probabilities, each in [0, 1].
type RandomFaults struct {
	Drop      float64
	Duplicate float64
	Reorder   float64
}

// Network bounds the per-link delay.
type Network struct {
	DelayMin time.Duration
	DelayMax time.Duration
}

// Mesh configures the reference mesh.
type Mesh struct {
	RetryBudget time.Duration
	Debounce    time.Duration
}

// Budget bounds a run; a run whose budget ends before End is inconclusive.
type Budget struct {
	// MaxEvents defaults to, and is at most, the package's MaxEvents (2,000,000).
	MaxEvents int
	// MaxTime is virtual time from t=0.
	MaxTime time.Duration
}

// The registries the loader validates names against. Packages that implement more faults or points
// append to them in init(); keep each sorted (PropertyIDs by number).
var (
	// FaultNames are the faults a scripted entry may name: the catalogue's point faults.
	FaultNames = pointFaults()
	// FaultPoints are the fault points of PROTOCOL.md section 6, in the order a sync reaches them.
	FaultPoints = faults.Points
	// PropertyIDs are the stable property IDs of DESIGN.md, "Properties": schema.json's propertyID
	// enum, which editors read too. The checkers' catalogue is a layer above the scenarios, so the
	// list is the schema's, and TestPropertyIDsAreTheCatalogues holds it equal to check.Catalogue().
	PropertyIDs = schemaPropertyIDs()
)

func pointFaults() []string {
	var out []string
	for _, f := range faults.Catalogue() {
		if f.Kind == faults.KindPoint {
			out = append(out, f.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Secrets lists the credentials scenarios state: every key of their content and the site's
// encryption key, for the redaction to mask by value. Keys made during a run (rotations) are random
// and never reach a report; traces refer to them by digest.
func Secrets(scs ...*Scenario) []string {
	var out []string
	for _, sc := range scs {
		out = append(out, sc.Content.Keys.Values()...)
		if sc.Site.EncryptionKey != "" {
			out = append(out, sc.Site.EncryptionKey)
		}
	}
	return out
}
