// Package mutants measures syncsim's bug-finding power: a catalogue of planted bugs in the reference
// host and platform, each an interceptor of package plant that a run plants through
// runner.Options.Plant (the reference parts carry no trace of them), and a hunt that runs scenarios with one
// switched on until a property of the catalogue (P1-P22) catches it. Only the catalogue's properties
// may detect a mutant: one that none detects is reported as a gap in the catalogue, never patched with
// a special check.
//
//	rep, err := mutants.Hunt(mutants.Options{Seeds: 20})
//	for _, m := range rep.Mutants { fmt.Println(m.Name, m.Detected, m.Property) }
package mutants

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/explore/replay"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/plant"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// Mutant is one planted bug.
type Mutant struct {
	Name        string
	Description string
	// Ref is the contract rule the bug breaks.
	Ref string
	// plant is the bug's interceptor, defined in package plant.
	plant plant.Interceptor
	// Targets are the properties meant to catch the bug: when set, only their failures count as a
	// detection (an unrelated property failing by chance does not). Empty means any property.
	Targets []string
}

// Apply plants the bug in a run's options (a sweep plants it with sweep.Config.Adjust).
func (m Mutant) Apply(o *runner.Options) { m.plant(&o.Plant) }

// Catalogue lists the planted bugs.
func Catalogue() []Mutant {
	return []Mutant{
		{"no-lock", "syncs of one instance run without SYNC-2's lock", "SYNC-2", plant.NoLock, []string{"P3"}},
		{"hash-before-publish", "the hash blob is written before the publish, not after its success", "SYNC-6", plant.HashBeforePublish, []string{"P4", "P1"}},
		{"hash-after-failed-publish", "the hash blob is written after a failed publish too", "SYNC-6", plant.HashAfterFailedPublish, []string{"P4", "P1"}},
		{"empty-background-published", "a background sync with no triggers publishes", "SYNC-4", plant.PublishEmptyBackground, []string{"P10"}},
		{"read-error-as-changed", "a hash read error counts as changed, not unchanged", "SYNC-5", plant.ReadErrorAsChanged, []string{"P5"}},
		{"hash-on-foreground", "foreground syncs read and write the hash blob too", "SYNC-5, SYNC-6", plant.HashOnForeground, []string{"P1", "P4"}},
		{"publish-unchanged", "a background sync publishes although the hash equals the blob's", "SYNC-5", plant.PublishUnchanged, []string{"P5"}},
		{"swallowed-publish-error", "a failed publish is reported as a success, silently", "SYNC-7", plant.SwallowPublishError, []string{"P9"}},
		{"token-without-expiry", "the host's TOK-3 tokens carry no exp claim", "TOK-2, TOK-3", plant.TokenWithoutExpiry, []string{"P8", "P1"}},
		{"secret-in-log", "the host master key is written into a log line", "PAY-4", plant.SecretInLog, []string{"P11"}},
		{"unseeded-request-ids", "request ids come from a process-wide counter, not the run's seed", "DESIGN.md principle 3", plant.GlobalRequestIDs, []string{"P12"}},
		{"mesh-without-retry", "the mesh gives up after a fetch's first failure", "MESH-4", plant.MeshNoRetry, []string{"P1", "P4"}},
		{"debounce-drops-mid-fetch", "the mesh drops notifications that arrive during a fetch", "MESH-5", plant.DropMidFetch, []string{"P1", "P4"}},
		{"fetch-per-notification", "the mesh fetches once per notification, without coalescing", "MESH-6", plant.FetchPerNotification, []string{"P6"}},
		{"fe-accepts-bad-signature", "the front end stores MSG-1 bodies whatever their token", "FE-2, TOK-5", plant.AcceptAnyToken, []string{"P8"}},
		{"background-on-every-instance", "every instance runs the background sync, not only the primary", "SYNC-8", plant.BackgroundOnEveryInstance, []string{"P14", "P15"}},
		{"lease-renew-keeps-expiry", "storage answers a lease renewal with success but does not extend the lease", "PROTOCOL.md section 1 (primary)", plant.RenewKeepsExpiry, []string{"P15", "P14"}},
		{"debounce-without-max-wait", "the mesh waits for a quiet period only: a trickle of notifications postpones the fetch", "MESH-6, MESH-2", plant.NoMaxWait, []string{"P16", "P17"}},
		{"host-audience-prefix", "the admin API takes an audience that merely starts with one of TOK-5's (.evil, /azurefunctionsX)", "TOK-5, HOST-1", plant.AudiencePrefix, []string{"P8"}},
		{"fe-ignores-nbf", "the front end takes a token that is not yet valid beyond the skew", "FE-2, TOK-2", plant.FrontEndIgnoresNotBefore, []string{"P8"}},
		{"store-loses-every-other-write", "the platform store acknowledges every second write but keeps the old entry", "PROTOCOL.md section 1 (platform store), FE-5", plant.StoreLosesEveryOtherWrite, []string{"P2", "P1"}},
		{"store-drops-equal-revision", "the platform store treats a write of the revision it holds as a replay and keeps the old entry", "PROTOCOL.md section 1 (platform store), FE-5", plant.StoreDropsEqualRevision, []string{"P2", "P1"}},
		{"payload-keys-in-map-order", "the host writes the payload object's keys in map order, so unchanged content hashes differently on every build", "PAY-2", plant.PayloadKeysInMapOrder, []string{"P18"}},
		{"short-retry-budget", "the mesh gives up retrying a fetch after 4 minutes instead of 10", "MESH-4", plant.ShortRetryBudget, []string{"P1"}},
		// Authorization (P19): a claim granted or refused for the wrong reason where every token is valid.
		{"platform-claim-app-service", "MSG-3 grants the platform claim to a valid token issued by App Service, not only Legion's", "TOK-4, TOK-5, MSG-3; PR #11697", plant.PlatformClaimAppService, []string{"P19", "P8"}},
		{"platform-claim-site-issuer", "MSG-3 grants the platform claim to a valid token issued by the site or its scm site", "TOK-4, TOK-5, MSG-3; PR #11697", plant.PlatformClaimSiteIssuer, []string{"P19", "P8"}},
		{"forbidden-as-unauthorized", "MSG-3 answers 401, not 403, to a valid token without the platform claim", "TOK-5, HOST-1", plant.ForbiddenAsUnauthorized, []string{"P19"}},
		{"sync-needs-platform-claim", "MSG-4 refuses (403) a valid TOK-5 token without the platform claim", "TOK-5, MSG-4, HOST-2", plant.SyncNeedsPlatformClaim, []string{"P19"}},
		// The caller's truth (P20): what MSG-4 is told against what the platform took.
		{"additive-notify-failure-fails", "in additive mode a failed best-effort MSG-2 fails the sync although MSG-1 stored the payload", "PROTOCOL.md section 7 (additive), SYNC-7", plant.AdditiveNotifyFails, []string{"P20"}},
		{"answer-while-locked", "MSG-4 that finds the sync lock held is answered success at once and runs no sync", "MSG-4, SYNC-2", plant.AnswerWhileLocked, []string{"P20"}},
		{"answer-at-publish", "MSG-4 is answered success when the publish is sent, before its result is known", "MSG-4, SYNC-7", plant.AnswerAtPublish, []string{"P20"}},
		// Routing (P21): a request that works only on the primary.
		{"admin-sync-primary-only", "MSG-4 on an instance that is not primary answers success without syncing", "MSG-4, SYNC-8", plant.AdminSyncPrimaryOnly, []string{"P21"}},
		{"triggers-primary-only", "MSG-3 on an instance that is not primary answers 503", "MSG-3, HOST-1; PR #11697", plant.TriggersPrimaryOnly, []string{"P21"}},
		{"keys-sync-primary-only", "the key API's foreground sync runs on the primary only", "SYNC-8 (foreground syncs)", plant.KeysSyncPrimaryOnly, []string{"P21"}},
		// Timing under a stream of notifications and retries (P16, P22).
		{"notification-waits-for-retry", "a notification that arrives while a failed fetch waits to retry waits for the whole backoff", "MESH-6, MESH-5", plant.NotificationWaitsForRetry, []string{"P22"}},
		{"max-wait-grows-per-notification", "the debounce's max-wait doubles with every pending notification", "MESH-6", plant.MaxWaitGrowsPerNotification, []string{"P16", "P22"}},
		{"retry-backoff-shrinks", "the retry backoff halves with every retry of a round, without the 100 ms floor after the first", "MESH-4", plant.RetryBackoffShrinks, []string{"P22"}},
	}
}

// Target is a scenario and a mode the hunt runs.
type Target struct {
	Scenario string
	Mode     host.Mode
	// Faults are added to every run of the target.
	Faults []string
}

// DefaultTargets are the standard scenarios in the modes of record, cheapest first; the fleet's random
// fault profile gives the faults some bugs need to show.
func DefaultTargets(root string) []Target {
	p := func(rel string) string { return filepath.Join(root, rel) }
	return []Target{
		{Scenario: p("scenarios/smoke.yaml"), Mode: host.ModeFrontend},
		{Scenario: p("scenarios/smoke.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/concurrency.yaml"), Mode: host.ModePlatform},
		{Scenario: p("explore/mutants/testdata/rotations.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/incidents/transient-empty-function-set.yaml"), Mode: host.ModeFrontend},
		{Scenario: p("scenarios/fleet.yaml"), Mode: host.ModeFrontend},
		{Scenario: p("scenarios/fleet.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/retry-budget.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/notification-trickle.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/tokens.yaml"), Mode: host.ModeFrontend},
		{Scenario: p("scenarios/tokens.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/authorization.yaml"), Mode: host.ModeAdditive},
		{Scenario: p("scenarios/routing.yaml"), Mode: host.ModePlatform},
		{Scenario: p("scenarios/routing.yaml"), Mode: host.ModeFrontend},
		{Scenario: p("scenarios/caller-truth.yaml"), Mode: host.ModeAdditive},
		{Scenario: p("scenarios/retry-stream.yaml"), Mode: host.ModePlatform},
	}
}

// Options configure a hunt.
type Options struct {
	// Seeds is how many seeds (1..Seeds) each target runs at most.
	Seeds   int
	Targets []Target
	// Shrink shrinks the detecting trace (a few seconds a mutant).
	Shrink bool
	// Only restricts the hunt to these mutants (by name).
	Only []string
	// Judges, when set, are the only properties whose failures count as a detection, for every
	// mutant hunted, in place of each mutant's Targets: a class's own property (BlindSpots).
	Judges []string
}

// Result is one mutant's hunt.
type Result struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
	// Class is the bug's class when it belongs to one of BlindSpots().
	Class    string `json:"class,omitempty"`
	Detected bool   `json:"detected"`
	Property string `json:"property,omitempty"`
	// SeedsToDetect counts the (target, seed) runs made until detection.
	SeedsToDetect int    `json:"seeds_to_detect"`
	CPUMs         int64  `json:"cpu_ms"`
	ShrunkSize    int    `json:"shrunk_size,omitempty"`
	Replay        string `json:"replay,omitempty"`
	// Gap is set when no property of the catalogue detected the mutant within the budget.
	Gap bool `json:"gap,omitempty"`
	// Method is how the mutant was detected: "run" (a targeted property fails with the bug and
	// passes without it in the same run) or "rate" (a targeted cell of a scenario with a baseline
	// fails significantly more often than the baseline, sweep.FisherGreater). Target names the
	// scenario and mode, Seed the seed of the detecting run.
	Method string `json:"method,omitempty"`
	Target string `json:"target,omitempty"`
	Seed   uint64 `json:"seed,omitempty"`
	// P is the p-value of a detection by rate.
	P float64 `json:"p,omitempty"`
}

// RateAlpha is the significance level of a detection by rate, over all of a mutant's targeted
// cells (Bonferroni).
const RateAlpha = 0.001

// Report is a hunt over the catalogue.
type Report struct {
	Seeds   int      `json:"seeds"`
	Mutants []Result `json:"mutants"`
}

// Hunt runs every mutant: for each seed, each target runs without and with the bug; the mutant is
// detected by the first property that fails with the bug and passes without it, in that same run.
func Hunt(opts Options) (*Report, error) {
	rep := &Report{Seeds: opts.Seeds}
	scs := map[string]*scenarios.Scenario{}
	bases := map[string]sweep.BaselineScenario{}
	for _, t := range opts.Targets {
		if _, ok := scs[t.Scenario]; ok {
			continue
		}
		sc, err := scenarios.Load(t.Scenario)
		if err != nil {
			return nil, err
		}
		scs[t.Scenario] = sc
		if sc.Baseline != "" && len(t.Faults) == 0 {
			b, err := sweep.ReadBaseline(sc.Baseline)
			if err != nil {
				return nil, fmt.Errorf("%s: baseline: %w", sc.Path, err)
			}
			if cells, ok := b.For(sc.Name); ok && b.Strategy == "" && len(b.Faults) == 0 {
				bases[t.Scenario] = cells
			}
		}
	}
	for _, m := range Catalogue() {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, m.Name) {
			continue
		}
		r, err := hunt(m, scs, bases, opts)
		if err != nil {
			return nil, err
		}
		rep.Mutants = append(rep.Mutants, r)
	}
	return rep, nil
}

func hunt(m Mutant, scs map[string]*scenarios.Scenario, bases map[string]sweep.BaselineScenario, opts Options) (res Result, err error) {
	res = Result{Name: m.Name, Ref: m.Ref, Class: classOf(m.Name)}
	if len(opts.Judges) > 0 {
		m.Targets = opts.Judges
	}
	began := time.Now()
	defer func() { res.CPUMs = time.Since(began).Milliseconds() }()
	rates := newRateDetector(m, opts.Targets, bases)
	for seed := uint64(1); seed <= uint64(opts.Seeds); seed++ {
		for ti, t := range opts.Targets {
			res.SeedsToDetect++
			base := runner.Options{Raw: true, Faults: t.Faults}
			bugged := base
			m.Apply(&bugged)
			sc := scs[t.Scenario]
			clean, err := runner.RunOne(sc, t.Mode, seed, base)
			if err != nil {
				return res, err
			}
			mut, err := runner.RunOne(sc, t.Mode, seed, bugged)
			if err != nil {
				return res, err
			}
			res.Target, res.Seed = filepath.Base(t.Scenario)+" "+t.Mode.String(), seed
			id := detector(clean.Verdicts, mut.Verdicts, m.Targets)
			res.Method = "run"
			if id == "" {
				if id, res.P = rates.add(ti, mut.Verdicts); id == "" {
					continue
				}
				res.Method = "rate"
			}
			res.Detected, res.Property = true, id
			res.Replay = fmt.Sprintf("%s (with the %s mutant)", mut.Replay, m.Name)
			if opts.Shrink {
				if out, _, err := replay.ShrinkWith(runner.TraceFile(mut), id, 400, bugged); err == nil {
					res.ShrunkSize = out.Size
				}
			}
			return res, nil
		}
	}
	res.Gap = true
	res.Target, res.Seed, res.Method = "", 0, ""
	return res, nil
}

// rateDetector counts, per target with a baseline, the bugged runs and the failures of each targeted
// property, and flags a cell whose failures are significantly more frequent than the baseline's.
type rateDetector struct {
	targets   []string
	cells     map[int]sweep.BaselineScenario
	modes     []string
	runs      map[int]int
	failures  map[int]map[string]int
	threshold float64
}

func newRateDetector(m Mutant, targets []Target, bases map[string]sweep.BaselineScenario) *rateDetector {
	r := &rateDetector{targets: m.Targets, cells: map[int]sweep.BaselineScenario{}, runs: map[int]int{}, failures: map[int]map[string]int{}}
	for i, t := range targets {
		r.modes = append(r.modes, t.Mode.String())
		if b, ok := bases[t.Scenario]; ok {
			r.cells[i] = b
			r.failures[i] = map[string]int{}
		}
	}
	r.threshold = RateAlpha / float64(max(1, len(r.cells)*len(m.Targets)))
	return r
}

// add folds a bugged run of target i and returns the targeted property that now fails
// significantly more often than in the baseline, with its p-value.
func (r *rateDetector) add(i int, verdicts []check.Verdict) (string, float64) {
	base, ok := r.cells[i]
	if !ok || len(r.targets) == 0 {
		return "", 0
	}
	r.runs[i]++
	for _, v := range verdicts {
		if v.Status == check.Fail && slices.Contains(r.targets, v.ID) {
			r.failures[i][v.ID]++
		}
	}
	for _, id := range r.targets {
		k := r.failures[i][id]
		if k == 0 {
			continue
		}
		for _, c := range base.Cells {
			if c.Mode != r.modes[i] || c.Property != id || c.Failures == 0 {
				continue
			}
			if p := sweep.FisherGreater(k, r.runs[i], c.Failures, c.Runs-c.Inconclusive); p < r.threshold {
				return id, p
			}
		}
	}
	return "", 0
}

// detector is the first property (in catalogue order) that fails with the bug and passes without it;
// with targets, only a targeted property counts.
func detector(clean, mut []check.Verdict, targets []string) string {
	passed := map[string]bool{}
	for _, v := range clean {
		passed[v.ID] = v.Status == check.Pass
	}
	for _, v := range mut {
		if v.Status == check.Fail && passed[v.ID] && (len(targets) == 0 || slices.Contains(targets, v.ID)) {
			return v.ID
		}
	}
	return ""
}
