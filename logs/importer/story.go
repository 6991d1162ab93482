package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
)

// startup is the simulator's default time from instance creation to a running host (SCHEMA.md
// instances.startup): a host start at log time T is an instance created at T-startup.
const startup = 2 * time.Second

// backgroundDelay is SYNC-8's: the background sync runs 30 s after each host start.
const backgroundDelay = 30 * time.Second

// deleteWindow is how soon after a hash write a deletion counts as "right after" it (the PR #11690
// edge case), so that it becomes a fault at the after-hash-write point rather than a timeline delete.
const deleteWindow = time.Second

// settleAfterLast is how long the settle window lasts past the log's last event.
const settleAfterLast = 10 * time.Minute

// coveredBy is how long before a foreground sync's first line a timeline action that makes a sync
// (a caller's call, a key rotation) may be and still be the sync's cause.
const coveredBy = 5 * time.Second

// siteName is SCHEMA.md's site.name rule; hostIDRule its site.host_id rule.
var (
	siteName   = regexp.MustCompile(`^[a-z0-9-]{1,60}$`)
	hostIDRule = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// feStatuses and meshStatuses are the statuses the catalogue's fe-status and mesh-status answer.
var (
	feStatuses   = []int{429, 500, 503}
	meshStatuses = []int{429, 500, 502, 503}
)

// item is one entry of the rendered timeline: a comment line, or an action with its comment.
// Items render sorted by at, stably, so comments keep the log's order.
type item struct {
	comment string
	at      time.Duration
	action  []string // the action's YAML lines after `- at: ...`, indented by 4; nil for a comment
}

// scriptedFault is a delete-instance fault at the after-hash-write point.
type scriptedFault struct {
	comment string
	after   time.Duration
}

// profileFault is a catalogue fault with a window and its parameters, in the order written.
type profileFault struct {
	comment string
	fault   string
	params  []string // `name: value` pairs before after/until
	after   time.Duration
	until   time.Duration
	// holdable: the window may be held past the model's own next sync when the log shows no
	// success after it (a failure the log never recovers from).
	holdable bool
	line     int
	// effect says what the fault makes the run do ("": the call in it fails as the logged one did).
	effect string
}

// story is the scenario the log tells, before rendering.
type story struct {
	file, name         string
	set                Settings
	site, hostID, mode string
	start              time.Time
	first              string // the instance whose host start defines t=0; "" when the log has none
	count              int    // instances at t=0
	items              []item
	scripted           []scriptedFault
	profile            []profileFault
	faultsEnd          time.Duration
	lastEvent          time.Duration
	retryBudget        time.Duration
	hostKeys           []string
	systemKeys         []string
	deploys            int
	clamped            int
	events, unknown    int
	plot               []string
	notes              []string
	live               []string                 // live instances, oldest first
	pending            map[string]bool          // a Starting Host whose Host started has not come yet
	hostStart          map[string]time.Duration // instance → offset of its last host start
	hashWrites         map[string]time.Duration // instance → offset of its last hash write
	inSpan             map[string]bool          // instance → a sync span the log shows is open
	emptyArmed         map[string]bool          // instance → transient-empty armed at its last start
	otherSites         []string
	gaps               []gap // quiet stretches longer than maxIdle, in log order
	// syncCauses are the offsets of timeline actions that make a foreground sync.
	syncCauses []time.Duration
	// foreground are the foreground syncs the log shows, by offset and line, that no action
	// caused yet: each becomes an admin_sync when finish finds no cause for it.
	foreground []foregroundSync
	calls      []*call
	// callerDeployed: the deploy a caller's call follows is in the story.
	callerDeployed bool
	// failures are the log's failures, each with why, for the expect explanation; lastFailure
	// and lastSuccess are the offsets of the last of each.
	failures                 []string
	lastFailure, lastSuccess time.Duration
	failed, succeeded        bool
	// cannot says which parts of the story the model cannot tell; why explains the expect section.
	cannot, why []string
}

// foregroundSync is a sync the log shows without a background line before it.
type foregroundSync struct {
	at   time.Duration
	line int
	why  string
}

// maxIdle is the longest quiet stretch between two logged events that the scenario keeps. Every
// timer of the model (background sync, primary lease, the mesh's retries and give-up) settles well
// within it, so a longer gap is shortened to maxIdle rather than simulated tick by tick: a log whose
// lines are years apart imports in milliseconds and runs within the default budget.
const maxIdle = time.Hour

// gap is one shortened quiet stretch: log times after `after` move earlier by cut (the sum of
// every shortening up to and including this one).
type gap struct {
	after time.Time
	cut   time.Duration
}

func isHostStart(k logs.Kind) bool { return k == logs.KindHostStarting || k == logs.KindHostStarted }

// known reports whether an entry carries an event the story reads.
func known(e Entry) bool { return e.Kind() != logs.KindUnknown && e.Kind() != "" }

// newStory starts the story at the first host start, or, in a log without one, with an instance
// started at the beginning so that it runs by the log's first line.
func newStory(l *Log) (*story, error) {
	s := &story{file: l.Name, name: scenarioName(l.Name), set: l.Settings, mode: l.Settings.Mode.Value,
		pending: map[string]bool{}, hostStart: map[string]time.Duration{}, hashWrites: map[string]time.Duration{},
		inSpan: map[string]bool{}, emptyArmed: map[string]bool{}}
	s.site = l.Settings.Site.Value
	if !siteName.MatchString(s.site) {
		return nil, fmt.Errorf("%s: %w: site %q (%s) is not a site name (fix: a site name is [a-z0-9-]{1,60}; give one with --site)",
			l.Name, ErrBadLog, s.site, l.Settings.Site.From)
	}
	if hostIDRule.MatchString(l.Settings.HostID.Value) {
		s.hostID = l.Settings.HostID.Value
	}
	for _, e := range l.Entries {
		if isHostStart(e.Kind()) {
			s.start, s.first = e.At.Add(-startup), e.Instance
			return s, nil
		}
	}
	s.start = l.Entries[0].At.Add(-startup)
	s.count = 1
	s.live = []string{l.Settings.Unnamed.Value}
	s.hostStart[l.Settings.Unnamed.Value] = startup
	s.notes = append(s.notes, fmt.Sprintf("the log shows no host start: one instance (%s) starts at t=0 and runs from %s, before the log's first line",
		l.Settings.Unnamed.Value, duration(startup)))
	return s, nil
}

// scenarioName makes a scenario name of the log's file name.
func scenarioName(file string) string {
	base := file[strings.LastIndexAny(file, `/\`)+1:]
	if i := strings.LastIndex(base, "."); i > 0 {
		base = base[:i]
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, base)
	if name == "" || name == "-" {
		return "imported"
	}
	return name
}

// shorten finds the quiet stretches between the events at or after t=0 longer than maxIdle, or
// than twice the longest fetch retry budget the log shows, if that is longer.
func (s *story) shorten(entries []Entry) {
	keep := maxIdle
	var times []time.Time
	for _, e := range entries {
		if e.Kind() == logs.KindFetchAbandoned {
			var secs int
			fmt.Sscan(e.Arg("seconds"), &secs)
			keep = max(keep, 2*time.Duration(secs)*time.Second)
		}
		if known(e) && !e.At.Before(s.start) {
			times = append(times, e.At)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	prev, cut, longest := s.start, time.Duration(0), time.Duration(0)
	for _, t := range times {
		if d := t.Sub(prev); d > keep {
			cut += d - keep
			longest = max(longest, d)
			s.gaps = append(s.gaps, gap{after: prev, cut: cut})
		}
		prev = t
	}
	if len(s.gaps) > 0 {
		s.notes = append(s.notes, fmt.Sprintf("%d quiet stretch(es) between logged events, the longest %s, are shortened to %s each: every timer of the model settles within %s, so the story is the same",
			len(s.gaps), duration(longest), duration(keep), duration(keep)))
	}
}

// offset is a log time as a duration from the start, rounded to the millisecond and clamped at 0
// (before reports the clamping).
func (s *story) offset(e Entry) (at time.Duration, before bool) {
	d := e.At.Sub(s.start)
	for _, g := range s.gaps {
		if e.At.After(g.after) {
			d = e.At.Sub(s.start) - g.cut
		}
	}
	d = d.Round(time.Millisecond)
	if d < 0 {
		s.clamped++
		return 0, true
	}
	return d, false
}

// add plays one entry of the log into the story.
func (s *story) add(e Entry) {
	if !known(e) {
		s.unknown++
		at, _ := s.offset(e)
		s.comment(at, fmt.Sprintf("unknown line %d: %s", e.Line, oneLine(e.Message))) // render masks credentials (PAY-4)
		return
	}
	s.events++
	at, before := s.offset(e)
	s.lastEvent = max(s.lastEvent, at)
	clock := e.At.Format("15:04:05.000")
	if y, m, d := e.At.Date(); y != s.start.Year() || m != s.start.Month() || d != s.start.Day() {
		clock = e.At.Format("2006-01-02 15:04:05.000")
	}
	switch {
	case e.Placed:
		clock = "no time, placed"
	case before:
		clock += ", before t=0"
	}
	who := e.Instance
	if who == "" {
		who = string(e.Event.Side)
	}
	stamp := fmt.Sprintf("%s (%s) line %d %s:", duration(at), clock, e.Line, who)
	if e.Event.Side == logs.SideCaller {
		s.caller(stamp, at, e)
		return
	}
	s.hostLine(stamp, at, e)
}

// hostLine plays a host's or the harness's entry.
func (s *story) hostLine(stamp string, at time.Duration, e Entry) {
	switch e.Kind() {
	case logs.KindSiteSettings:
		s.comment(at, stamp+" the harness's site settings (site, host id and mode above)")
	case logs.KindDeploy:
		s.deploy(stamp, at, e)
	case logs.KindHostStarting, logs.KindHostStarted:
		s.hostStarted(stamp, at, e)
	case logs.KindBackgroundStart:
		s.inSpan[e.Instance] = true
		s.comment(at, stamp+" background sync starts (the simulator's host starts it 30 s after its host start, SYNC-8)")
	case logs.KindHashChecked:
		s.hashChecked(stamp, at, e)
	case logs.KindNotifyPlatform:
		s.comment(at, stamp+" triggers changed notification (MSG-2)")
	case logs.KindMeshRequest:
		s.comment(at, stamp+" mesh request "+e.Arg("operation")+" (MSG-2)")
	case logs.KindMeshResponse:
		s.meshResponse(stamp, at, e)
	case logs.KindHashUpdated:
		s.hashWrites[e.Instance] = at
		s.inSpan[e.Instance] = false
		s.comment(at, fmt.Sprintf("%s hash blob written (%s, SYNC-6)", stamp, short(e.Arg("hash"))))
		s.tell(e.Instance + " writes the hash")
	case logs.KindInstanceDeleted:
		s.deleted(stamp, at, e)
	case logs.KindFetchFailed:
		s.comment(at, fmt.Sprintf("%s the platform's GET /admin/host/triggers fails (%s): a consequence, the simulator's platform fetches and retries by itself", stamp, e.Arg("status")))
		s.tell("the platform's fetch fails (" + e.Arg("status") + ")")
	case logs.KindFetchAbandoned:
		s.fetchAbandoned(stamp, at, e)
	case logs.KindKeyUpdated:
		s.keyUpdated(stamp, at, e)
	case logs.KindFrontEndRequest:
		s.frontEndRequest(stamp, at, e)
	case logs.KindFrontEndSucceeded:
		s.success(at)
		s.inSpan[e.Instance] = false
		s.comment(at, stamp+" the front end accepts the payload")
		s.tell("the front end accepts")
	case logs.KindFrontEndFailed:
		s.frontEndFailed(stamp, at, e)
	case logs.KindSyncFailed, logs.KindException:
		s.syncFailed(stamp, at, e)
	case logs.KindHashReadError, logs.KindHashWriteError:
		if e.Arg("storage") == "refused" {
			s.storageRefused(stamp, at, e, "the hash blob's "+map[bool]string{true: "read", false: "write"}[e.Kind() == logs.KindHashReadError]+" is refused by storage ("+e.Arg("status")+")")
			return
		}
		s.comment(at, fmt.Sprintf("%s %s: storage fails the hash blob's call; the sync goes on (BLOB-2: a read error counts as unchanged, a write error is swallowed)", stamp, oneLine(e.Message)))
	case logs.KindStorageRefused:
		s.storageRefused(stamp, at, e, "storage refuses the host ("+e.Arg("status")+")")
	case logs.KindLeaseRenewFailed:
		s.leaseLost(stamp, at, e)
	case logs.KindLeaseAcquired:
		s.comment(at, fmt.Sprintf("%s %s becomes the primary (the simulator's lease decides who)", stamp, e.Arg("instance")))
	case logs.KindNoFunctions:
		s.comment(at, stamp+" no functions found: the sync skips (SYNC-4)")
		if !strings.Contains(e.Message, "GetTriggers") {
			s.emptyStart(at, e, "the host found no functions (`No functions found. Skipping Sync operation.`)")
		}
	default:
		s.comment(at, fmt.Sprintf("%s %s (%s): noted, changes nothing the simulator plays", stamp, oneLine(e.Message), e.Kind()))
	}
}

func (s *story) comment(at time.Duration, text string) {
	s.items = append(s.items, item{comment: text, at: at})
}

// act appends a timeline action.
func (s *story) act(comment string, at time.Duration, lines ...string) {
	s.items = append(s.items, item{comment: comment, at: at, action: lines})
}

// lastAt is the offset of the last timeline action.
func (s *story) lastAt() time.Duration {
	var last time.Duration
	for _, it := range s.items {
		if it.action != nil {
			last = max(last, it.at)
		}
	}
	return last
}

// tell adds a step to the one-line story, merging a repeat of the step before.
func (s *story) tell(step string) {
	if n := len(s.plot); n > 0 && strings.TrimSuffix(s.plot[n-1], " (repeated)") == step {
		s.plot[n-1] = step + " (repeated)"
		return
	}
	s.plot = append(s.plot, step)
}

func (s *story) success(at time.Duration) {
	s.succeeded, s.lastSuccess = true, at
}

// endsFailed says whether the log's story ends in a failure: it shows one, and no success after
// the last.
func (s *story) endsFailed() bool {
	return s.failed && !(s.succeeded && s.lastSuccess > s.lastFailure)
}

// failure records one of the log's failures with why, for the expect explanation.
func (s *story) failure(at time.Duration, line int, why string) {
	s.failed, s.lastFailure = true, max(s.lastFailure, at)
	s.failures = append(s.failures, fmt.Sprintf("line %d: %s", line, why))
}

func (s *story) deploy(stamp string, at time.Duration, e Entry) {
	s.deployAt(stamp+" deployment completed:", at)
	if site := strings.ToLower(e.Arg("site")); site != s.site && site != "" {
		s.otherSites = append(s.otherSites, e.Arg("site"))
	}
}

// deployAt adds a deploy that adds a timer function; it restarts every running host (the simulator
// does it), whose background sync runs 30 s later.
func (s *story) deployAt(what string, at time.Duration) {
	s.deploys++
	fn := fmt.Sprintf("TimerTrigger%d", s.deploys)
	s.act(what+" a deploy that adds "+fn+" (the log does not show the content)", at,
		"deploy:",
		"  add:",
		"    - name: "+fn,
		"      bindings:",
		`        - {type: timerTrigger, direction: in, name: timer, schedule: "0 */5 * * * *"}`)
	s.tell("a deploy")
	for _, n := range s.live {
		s.hostStart[n] = max(s.hostStart[n], at+startup)
	}
}

func (s *story) hostStarted(stamp string, at time.Duration, e Entry) {
	what := "host starting"
	if e.Kind() == logs.KindHostStarted {
		what = "host started"
	}
	if id := strings.ToLower(e.Arg("hostId")); id != "" && s.hostID != "" && id != s.hostID {
		s.otherSites = append(s.otherSites, "host id "+e.Arg("hostId"))
	}
	if slices.Contains(s.live, e.Instance) {
		if e.Kind() == logs.KindHostStarted && s.pending[e.Instance] {
			s.pending[e.Instance] = false
			s.comment(at, stamp+" "+what+" (the start above completes)")
			return
		}
		s.pending[e.Instance] = e.Kind() == logs.KindHostStarting
		s.hostStart[e.Instance] = at
		s.emptyArmed[e.Instance] = false
		s.comment(at, stamp+" host restarts in place (a deploy restarts every running host; the simulator does it)")
		return
	}
	s.live = append(s.live, e.Instance)
	s.pending[e.Instance] = e.Kind() == logs.KindHostStarting
	s.hostStart[e.Instance] = at
	created := max(at-startup, 0)
	if created < time.Second && s.lastAt() == 0 {
		s.count++
		s.comment(at, fmt.Sprintf("%s %s on a new instance, created at t=0: instances.count", stamp, what))
		if e.Instance != s.first {
			s.tell(e.Instance + " starts too")
		}
		return
	}
	s.act(fmt.Sprintf("%s %s on a new instance, so one starts %s earlier", stamp, what, duration(startup)), created,
		"start: {count: 1}")
	s.tell(e.Instance + " starts")
}

func (s *story) hashChecked(stamp string, at time.Duration, e Entry) {
	last, current := e.Arg("last"), e.Arg("current")
	if last == current {
		s.inSpan[e.Instance] = false
		s.comment(at, fmt.Sprintf("%s hash check: Last = Current (%s), the background sync skips (SYNC-5)", stamp, short(current)))
		s.tell(e.Instance + "'s background sync finds the same hash and skips")
		return
	}
	s.comment(at, fmt.Sprintf("%s hash check: Last %s, Current %s: changed, the sync publishes", stamp, short(last), short(current)))
	s.tell(e.Instance + "'s background sync finds a new hash")
}

func (s *story) meshResponse(stamp string, at time.Duration, e Entry) {
	code, ok := logs.StatusCode(e.Arg("status"))
	if !ok || code < 300 {
		s.success(at)
		s.comment(at, stamp+" the mesh answers "+e.Arg("status"))
		s.tell("the mesh accepts")
		return
	}
	s.tell("the mesh answers " + e.Arg("status"))
	if s.mode == "additive" {
		// PR #11813: the notification is best effort; its failure is logged and ignored, and the
		// sync's result is the front end's publish.
		s.notes = append(s.notes, fmt.Sprintf("the mesh's %s at line %d is ignored in the additive mode (PR #11813: the notification is best effort, the sync's result is the front end's publish), so it is no failure of the story", e.Arg("status"), e.Line))
	} else {
		s.failure(at, e.Line, "the mesh answers "+e.Arg("status")+" to the notification (MSG-2)")
	}
	s.statusFault(stamp, at, e, "the mesh's "+e.Arg("status")+" to MSG-2", "mesh-status", code, meshStatuses)
}

// frontEndRequest is a publish (MSG-1); one whose content has an empty triggers array is the
// transient-empty story (#6822): the host indexed nothing at its last start.
func (s *story) frontEndRequest(stamp string, at time.Duration, e Entry) {
	s.syncShown(at, e, "the host POSTs the payload to the front end")
	if e.Arg("triggers") == "0" {
		s.comment(at, stamp+" the sync POSTs a payload with an empty triggers array to the front end (MSG-1): an empty publish")
		s.tell(e.Instance + " publishes an empty trigger set")
		s.emptyStart(at, e, "the host published an empty triggers array (`Making SyncTriggers request` with `\"triggers\": []`)")
		return
	}
	s.comment(at, stamp+" the sync POSTs the payload to the front end (MSG-1)")
}

// syncShown notes a sync the log shows on an instance: the background one when a background line
// came before it, else a foreground sync whose cause finish looks for.
func (s *story) syncShown(at time.Duration, e Entry, what string) {
	if s.inSpan[e.Instance] {
		return
	}
	s.inSpan[e.Instance] = true // the same span's later lines are not another sync
	s.foreground = append(s.foreground, foregroundSync{at: at, line: e.Line, why: what})
}

// emptyStart arms transient-empty at the instance's last host start (#6822: a host start that
// indexes no functions until the next start).
func (s *story) emptyStart(at time.Duration, e Entry, why string) {
	if s.emptyArmed[e.Instance] {
		return
	}
	s.emptyArmed[e.Instance] = true
	started, ok := s.hostStart[e.Instance]
	if !ok {
		started = startup
	}
	after := max(started-time.Second, 0).Truncate(time.Second)
	f := profileFault{fault: "transient-empty", params: []string{"p: 1"}, after: after, until: started + time.Second, line: e.Line,
		effect:  "so that the host start in it indexes nothing, as the logged one did",
		comment: fmt.Sprintf("%s at %s: the host start at %s indexes no functions (transient-empty, #6822), so its syncs publish or skip an empty set", why, duration(at), duration(started))}
	s.profile = append(s.profile, f)
	s.faultsEnd = max(s.faultsEnd, f.until+time.Second)
	s.failure(at, e.Line, why+": the platform is left with an empty trigger set (the transient-empty story)")
}

func (s *story) frontEndFailed(stamp string, at time.Duration, e Entry) {
	s.syncShown(at, e, "the host's publish fails")
	s.inSpan[e.Instance] = false
	code, _ := logs.StatusCode(e.Arg("status"))
	s.tell("the front end answers " + e.Arg("status") + " and the host does not retry")
	s.comment(at, stamp+" "+oneLine(e.Message)+" (SYNC-7); the host never retries")
	s.failure(at, e.Line, "the front end answers "+e.Arg("status")+" to the publish (MSG-1) and the host does not retry")
	s.feFault(stamp, at, e, "the front end's "+e.Arg("status")+" to MSG-1", code)
}

// feFault makes the front end answer code around at: fe-status for the statuses it answers,
// fe-size-limit (bytes 1: every body is over it) for a 400.
func (s *story) feFault(stamp string, at time.Duration, e Entry, what string, code int) {
	if code == 400 {
		s.window(stamp, at, e, what, "fe-size-limit", []string{"bytes: 1", "p: 1"},
			"; fe-size-limit is the catalogue's only 400 of the front end: with bytes 1 every MSG-1 is over it (the log does not say why the front end refused)")
		return
	}
	s.statusFault(stamp, at, e, what, "fe-status", code, feStatuses)
}

// statusFault makes an endpoint fault answer code, with probability 1, in a window around at, so
// that the simulator's call at that time fails as the logged one did.
func (s *story) statusFault(stamp string, at time.Duration, e Entry, what, fault string, code int, allowed []int) {
	if !slices.Contains(allowed, code) {
		s.comment(at, fmt.Sprintf("%s %s: no catalogue fault answers it (%s answers %v), kept as a comment", stamp, what, fault, allowed))
		s.cannot = append(s.cannot, fmt.Sprintf("%s (line %d): no fault of the catalogue answers %d (%s answers %v)", what, e.Line, code, fault, allowed))
		return
	}
	s.window(stamp, at, e, what, fault, []string{fmt.Sprintf("status: %d", code), "p: 1"}, "")
}

// window adds a profile fault around at, one second either side, that finish may hold open.
func (s *story) window(stamp string, at time.Duration, e Entry, what, fault string, params []string, why string) {
	f := profileFault{fault: fault, params: params, after: max(at-time.Second, 0).Truncate(time.Second), holdable: true, line: e.Line}
	f.until = (at + time.Second).Truncate(time.Second) + time.Second
	f.comment = fmt.Sprintf("%s at %s (line %d): %s%s", what, duration(at), e.Line, fault, why)
	s.comment(at, fmt.Sprintf("%s %s: a %s fault below", stamp, what, fault))
	s.profile = append(s.profile, f)
	s.faultsEnd = max(s.faultsEnd, f.until)
}

// syncFailed is `SyncTriggers operation failed.` with its exception, or an exception pasted alone
// whose stack is the sync's: a failed sync span.
func (s *story) syncFailed(stamp string, at time.Duration, e Entry) {
	inSync := e.Kind() == logs.KindSyncFailed || strings.Contains(e.Message, "FunctionsSyncManager") || strings.Contains(e.Message, "SyncTriggers")
	if !inSync && strings.Contains(e.Message, "host.json") {
		s.comment(at, fmt.Sprintf("%s host.json could not be read (%s): the host indexes no functions until its next start, the transient-empty story (#6822)", stamp, e.Arg("type")))
		s.tell("host.json cannot be read")
		return
	}
	if !inSync {
		s.comment(at, fmt.Sprintf("%s an exception (%s) outside the sync: the model has no step for it, kept as a comment", stamp, e.Arg("type")))
		s.cannot = append(s.cannot, fmt.Sprintf("line %d's %s is not thrown by a sync the log shows, and the model has no step for it", e.Line, orSome(e.Arg("type"))))
		return
	}
	if e.Arg("storage") == "refused" {
		s.storageRefused(stamp, at, e, "the sync fails: storage refuses the host ("+e.Arg("status")+")")
		return
	}
	s.syncShown(at, e, "the sync fails")
	s.inSpan[e.Instance] = false
	exc := e.Arg("exception") + e.Arg("type")
	if exc == "" {
		exc = "an exception the log does not name"
	}
	s.tell(e.Instance + "'s sync fails with " + exc)
	s.failure(at, e.Line, "the sync fails with "+exc+" while it builds or sends the payload (SYNC-7's `SyncTriggers operation failed.`)")
	s.cannot = append(s.cannot, fmt.Sprintf("what threw line %d's failure (%s): the model's only failure while building the payload (SYNC-3) is unreadable host keys, so storage-refuses (403) stands for it in a window around the line, and the span fails with the same text", e.Line, exc))
	s.window(stamp, at, e, "the sync's "+exc, "storage-refuses", []string{"status: 403", "p: 1"},
		"; it stands for the exception (see above)")
}

func orSome(t string) string {
	if t == "" {
		return "an exception"
	}
	return t
}

// storageRefused is a storage authorization failure (403/401): storage-refuses from the line on.
func (s *story) storageRefused(stamp string, at time.Duration, e Entry, what string) {
	status := e.Arg("status")
	if status != "401" {
		status = "403"
	}
	s.syncShownIfSync(at, e)
	s.tell("storage refuses the host (" + status + ")")
	s.failure(at, e.Line, "storage refuses the host ("+status+", "+orSome(e.Arg("type")+e.Arg("exception"))+"): its blob calls, the lease and the host keys' reads fail")
	for i := range s.profile {
		if p := &s.profile[i]; p.fault == "storage-refuses" && p.params[0] == "status: "+status && at <= p.until+time.Minute {
			p.until = max(p.until, (at+time.Second).Truncate(time.Second)+time.Second)
			s.faultsEnd = max(s.faultsEnd, p.until)
			s.comment(at, stamp+" "+what+": the storage-refuses window below covers it")
			return
		}
	}
	s.window(stamp, at, e, what, "storage-refuses", []string{"status: " + status, "p: 1"}, "")
}

// syncShownIfSync counts a storage failure as a sync's when its text names the sync.
func (s *story) syncShownIfSync(at time.Duration, e Entry) {
	if strings.Contains(e.Message, "SyncTriggers") {
		s.syncShown(at, e, "the sync fails on storage")
	}
}

// leaseLost is `Failed to renew host lock lease` (another host has the lease): primary-lease-lost,
// once, in a window around the line.
func (s *story) leaseLost(stamp string, at time.Duration, e Entry) {
	reason := e.Arg("reason")
	if reason == "" {
		reason = "no reason given"
	}
	s.tell(e.Instance + " loses the primary lease")
	after := max(at-time.Second, 0).Truncate(time.Second)
	for _, p := range s.profile {
		if p.fault == "primary-lease-lost" && p.comment != "" && strings.HasPrefix(p.comment, e.Instance+" ") && at-p.until < host.DefaultLeaseRenew {
			// One failed renewal, told by two loggers: the SDK's `Singleton lock renewal failed`
			// and the coordinator's `Failed to renew host lock lease`.
			s.comment(at, fmt.Sprintf("%s the same lost lease, told by another logger (%s)", stamp, reason))
			return
		}
	}
	f := profileFault{fault: "primary-lease-lost", params: []string{"every: 100ms"}, after: after, until: after + 2*time.Second, line: e.Line,
		effect: "so that the primary loses its lease then, as the logged one did",
		comment: fmt.Sprintf("%s loses the primary lease at %s (line %d: %s): primary-lease-lost breaks the lease in storage once",
			e.Instance, duration(at), e.Line, reason)}
	f.params = append(f.params, "count: 1")
	s.profile = append(s.profile, f)
	s.faultsEnd = max(s.faultsEnd, f.until)
	s.comment(at, fmt.Sprintf("%s the primary lease is lost (%s): a primary-lease-lost fault below", stamp, reason))
	s.failure(at, e.Line, "the primary lease is lost ("+reason+")")
}

func (s *story) deleted(stamp string, at time.Duration, e Entry) {
	i := slices.Index(s.live, e.Instance)
	if w, ok := s.hashWrites[e.Instance]; ok && at-w <= deleteWindow {
		delete(s.hashWrites, e.Instance)
		if i >= 0 {
			s.live = slices.Delete(s.live, i, i+1)
		}
		after := max(w-time.Second, 0).Truncate(time.Second)
		s.scripted = append(s.scripted, scriptedFault{after: after,
			comment: fmt.Sprintf("%s deleted %s after its hash write at %s", e.Instance, duration(at-w), duration(w))})
		s.faultsEnd = max(s.faultsEnd, (at+time.Second).Truncate(time.Second)+time.Second)
		s.comment(at, fmt.Sprintf("%s instance deleted %s after its hash write: a delete-instance fault at after-hash-write below", stamp, duration(at-w)))
		s.tell(e.Instance + " is deleted right after the hash write")
		s.failure(at, e.Line, e.Instance+" is deleted right after its hash write, before the platform fetched (PR #11690's edge case)")
		return
	}
	if len(s.live) == 0 {
		s.comment(at, stamp+" instance deleted, but no instance of the log is running: kept as a comment")
		return
	}
	which := "newest"
	if i < 0 {
		i = len(s.live) - 1
		s.notes = append(s.notes, fmt.Sprintf("%s is deleted but never started in the log: the newest instance is deleted instead", e.Instance))
	} else if i == 0 && len(s.live) > 1 {
		which = "oldest"
	} else if i != len(s.live)-1 {
		s.notes = append(s.notes, fmt.Sprintf("%s is neither the oldest nor the newest instance: the newest is deleted instead", e.Instance))
	}
	s.live = slices.Delete(s.live, i, i+1)
	s.act(stamp+" instance deleted (scale in)", at, "delete: {which: "+which+"}")
	s.tell(e.Instance + " is deleted")
}

func (s *story) fetchAbandoned(stamp string, at time.Duration, e Entry) {
	secs := e.Arg("seconds")
	s.comment(at, fmt.Sprintf("%s the platform abandons the fetch after %s s (MESH-4 retry budget): a consequence", stamp, secs))
	s.tell("the platform gives up after " + secs + " s")
	var n int
	fmt.Sscan(secs, &n)
	if b := time.Duration(n) * time.Second; b > 0 && b != 10*time.Minute {
		s.retryBudget = b
	}
}

var keyName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

func (s *story) keyUpdated(stamp string, at time.Duration, e Entry) {
	key := "master"
	name := e.Arg("name")
	switch e.Arg("scope") {
	case "Host", "System":
		if !keyName.MatchString(name) {
			s.comment(at, stamp+" a key update whose name is not a key name: kept as a comment")
			return
		}
		if e.Arg("scope") == "Host" {
			key = "host." + name
			if !slices.Contains(s.hostKeys, name) {
				s.hostKeys = append(s.hostKeys, name)
			}
		} else {
			key = "system." + name
			if !slices.Contains(s.systemKeys, name) {
				s.systemKeys = append(s.systemKeys, name)
			}
		}
	case "Function":
		s.comment(at, stamp+" a function key update: the scenario has no such function, so a host key rotation stands for it")
		key = "host.default"
		if !slices.Contains(s.hostKeys, "default") {
			s.hostKeys = append(s.hostKeys, "default")
		}
	}
	s.act(stamp+" "+oneLine(e.Message)+": a key rotation through the key API, whose controller runs a foreground sync", at,
		"rotate_key: {key: "+key+"}")
	s.syncCauses = append(s.syncCauses, at)
	s.tell(strings.ToLower(e.Arg("scope")) + " key rotated")
}
