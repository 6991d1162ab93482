package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// startup is the simulator's default time from instance creation to a running host (SCHEMA.md
// instances.startup): a host start at log time T is an instance created at T-startup.
const startup = 2 * time.Second

// deleteWindow is how soon after a hash write a deletion counts as "right after" it (the PR #11690
// edge case), so that it becomes a fault at the after-hash-write point rather than a timeline delete.
const deleteWindow = time.Second

// settleAfterLast is how long the settle window lasts past the log's last event.
const settleAfterLast = 10 * time.Minute

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

// profileFault is a catalogue fault with a window.
type profileFault struct {
	comment string
	fault   string
	status  int
	after   time.Duration
	until   time.Duration
}

// story is the scenario the log tells, before rendering.
type story struct {
	file, name          string
	site, hostID, mode  string
	start               time.Time
	first               string // the instance whose host start defines t=0
	count               int    // instances at t=0
	items               []item
	scripted            []scriptedFault
	profile             []profileFault
	faultsEnd           time.Duration
	lastAt, lastEvent   time.Duration
	retryBudget         time.Duration
	hostKeys            []string
	systemKeys          []string
	deploys             int
	clamped             int
	events, unknown     int
	plot                []string
	notes               []string
	live                []string                 // live instances, oldest first
	hashWrites          map[string]time.Duration // instance → offset of its last hash write
	otherSites, otherMd []string
	gaps                []gap // quiet stretches longer than maxIdle, in log order
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

// shorten finds the quiet stretches between the events at or after t=0 longer than maxIdle, or
// than twice the longest fetch retry budget the log shows, if that is longer.
func (s *story) shorten(entries []entry) {
	keep := maxIdle
	var times []time.Time
	for _, e := range entries {
		if e.kind == fetchAbandoned {
			var secs int
			fmt.Sscan(e.args[0], &secs)
			keep = max(keep, 2*time.Duration(secs)*time.Second)
		}
		if e.kind != unknown && !e.at.Before(s.start) {
			times = append(times, e.at)
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

// newStory starts the story at the first host start.
func newStory(file string, first entry) (*story, error) {
	h := parseHostStart(first.args[0])
	s := &story{file: file, name: scenarioName(file), start: first.at.Add(-startup), first: first.instance,
		hashWrites: map[string]time.Duration{}}
	s.site = strings.ToLower(h.site)
	if !siteName.MatchString(s.site) {
		return nil, fmt.Errorf("%s: %w: the first Host started line names site %q (fix: a site name is [a-z0-9-]{1,60})",
			first.where(file), ErrBadLog, h.site)
	}
	if id := strings.ToLower(h.hostID); hostIDRule.MatchString(id) {
		s.hostID = id
	}
	s.mode = "frontend"
	if h.mode == "" {
		s.notes = append(s.notes, "the first Host started line names no SyncTriggersMode: frontend (the legacy mode) assumed")
	} else if m, ok := modeName(h.mode); ok {
		s.mode = m
	} else {
		return nil, fmt.Errorf("%s: %w: unknown SyncTriggersMode %q (fix: FrontEnd, Platform, Additive, SignalAll or PlatformAck)",
			first.where(file), ErrBadLog, h.mode)
	}
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

// offset is a log time as a duration from the start, rounded to the millisecond and clamped at 0
// (before reports the clamping).
func (s *story) offset(e entry) (at time.Duration, before bool) {
	d := e.at.Sub(s.start)
	for _, g := range s.gaps {
		if e.at.After(g.after) {
			d = e.at.Sub(s.start) - g.cut
		}
	}
	d = d.Round(time.Millisecond)
	if d < 0 {
		s.clamped++
		return 0, true
	}
	return d, false
}

// add plays one line of the log into the story.
func (s *story) add(e entry) {
	if e.kind == unknown {
		s.unknown++
		s.comment(fmt.Sprintf("unknown line %d: %s", e.n, e.text)) // render masks credentials (PAY-4)
		return
	}
	s.events++
	at, before := s.offset(e)
	s.lastEvent = max(s.lastEvent, at)
	clock := e.at.Format("15:04:05.000")
	if y, m, d := e.at.Date(); y != s.start.Year() || m != s.start.Month() || d != s.start.Day() {
		clock = e.at.Format("2006-01-02 15:04:05.000")
	}
	if before {
		clock += ", before t=0"
	}
	stamp := fmt.Sprintf("%s (%s) %s:", duration(at), clock, e.instance)
	switch e.kind {
	case deployCompleted:
		s.deploy(stamp, at, e)
	case hostStarted:
		s.hostStarted(stamp, at, e)
	case backgroundStart:
		s.comment(stamp + " background sync starts (the simulator's host starts it 30 s after its host start)")
	case hashChecked:
		s.hashChecked(stamp, e)
	case notifyPlatform:
		s.comment(stamp + " triggers changed notification (MSG-2)")
	case meshRequest:
		s.comment(stamp + " mesh request " + e.args[0] + " (MSG-2)")
	case meshResponse:
		s.meshResponse(stamp, at, e)
	case hashUpdated:
		s.hashWrites[e.instance] = at
		s.comment(fmt.Sprintf("%s hash blob written (%s, SYNC-6)", stamp, short(e.args[0])))
		s.tell(e.instance + " writes the hash")
	case instanceDeleted:
		s.deleted(stamp, at, e)
	case fetchFailed:
		s.comment(fmt.Sprintf("%s the platform's GET /admin/host/triggers fails (%s): a consequence, the simulator's platform fetches and retries by itself", stamp, e.args[0]))
		s.tell("the platform's fetch fails (" + e.args[0] + ")")
	case fetchAbandoned:
		s.fetchAbandoned(stamp, e)
	case keyUpdated:
		s.keyUpdated(stamp, at, e)
	case frontEndRequest:
		s.comment(stamp + " the sync POSTs the payload to the front end (MSG-1)")
	case frontEndSucceeded:
		s.comment(stamp + " the front end accepts the payload")
	case frontEndFailed:
		s.frontEndFailed(stamp, at, e)
	case noted:
		s.comment(stamp + " " + e.note)
	}
}

func (s *story) comment(text string) { s.items = append(s.items, item{comment: text}) }

// act appends a timeline action; `at` never decreases (SCHEMA.md), so a line out of order moves up.
func (s *story) act(comment string, at time.Duration, lines ...string) {
	at = max(at, s.lastAt)
	s.lastAt = at
	s.items = append(s.items, item{comment: comment, at: at, action: lines})
}

// tell adds a step to the one-line story, merging a repeat of the step before.
func (s *story) tell(step string) {
	if n := len(s.plot); n > 0 && strings.TrimSuffix(s.plot[n-1], " (repeated)") == step {
		s.plot[n-1] = step + " (repeated)"
		return
	}
	s.plot = append(s.plot, step)
}

func (s *story) deploy(stamp string, at time.Duration, e entry) {
	s.deploys++
	fn := fmt.Sprintf("TimerTrigger%d", s.deploys)
	s.act(stamp+" deployment completed: a deploy that adds "+fn+" (the log does not show the content)", at,
		"deploy:",
		"  add:",
		"    - name: "+fn,
		"      bindings:",
		`        - {type: timerTrigger, direction: in, name: timer, schedule: "0 */5 * * * *"}`)
	s.tell("a deploy")
	if site := strings.ToLower(e.args[0]); site != s.site && site != "" {
		s.otherSites = append(s.otherSites, e.args[0])
	}
}

func (s *story) hostStarted(stamp string, at time.Duration, e entry) {
	h := parseHostStart(e.args[0])
	if site := strings.ToLower(h.site); site != "" && site != s.site {
		s.otherSites = append(s.otherSites, h.site)
	}
	if m, ok := modeName(h.mode); ok && m != s.mode {
		s.otherMd = append(s.otherMd, h.mode)
	}
	if slices.Contains(s.live, e.instance) {
		s.comment(stamp + " host restarts in place (a deploy restarts every running host; the simulator does it)")
		return
	}
	s.live = append(s.live, e.instance)
	created := max(at-startup, 0)
	if created < time.Second && s.lastAt == 0 {
		s.count++
		s.comment(fmt.Sprintf("%s host started on a new instance, created at t=0: instances.count", stamp))
		if e.instance != s.first {
			s.tell(e.instance + " starts too")
		}
		return
	}
	s.act(fmt.Sprintf("%s host started on a new instance, so one starts %s earlier", stamp, duration(startup)), created,
		"start: {count: 1}")
	s.tell(e.instance + " starts")
}

func (s *story) hashChecked(stamp string, e entry) {
	last, current := e.args[0], e.args[1]
	if last == current {
		s.comment(fmt.Sprintf("%s hash check: Last = Current (%s), the background sync skips (SYNC-5)", stamp, short(current)))
		s.tell(e.instance + "'s background sync finds the same hash and skips")
		return
	}
	s.comment(fmt.Sprintf("%s hash check: Last %s, Current %s: changed, the sync publishes", stamp, short(last), short(current)))
	s.tell(e.instance + "'s background sync finds a new hash")
}

func (s *story) meshResponse(stamp string, at time.Duration, e entry) {
	code, ok := statusCode(e.args[0])
	if !ok || code < 300 {
		s.comment(stamp + " the mesh answers " + e.args[0])
		s.tell("the mesh accepts")
		return
	}
	s.tell("the mesh answers " + e.args[0])
	s.statusFault(stamp, "the mesh's "+e.args[0]+" to MSG-2", "mesh-status", code, meshStatuses, at)
}

func (s *story) frontEndFailed(stamp string, at time.Duration, e entry) {
	code, _ := statusCode(e.args[0])
	s.tell("the front end answers " + e.args[0] + " and the host does not retry")
	s.comment(stamp + " " + e.msg + " (SYNC-7); the host never retries")
	s.statusFault(stamp, "the front end's "+e.args[0]+" to MSG-1", "fe-status", code, feStatuses, at)
}

// statusFault makes an endpoint fault answer code, with probability 1, in a window around at, so
// that the simulator's call at that time fails as the logged one did.
func (s *story) statusFault(stamp, what, fault string, code int, allowed []int, at time.Duration) {
	if !slices.Contains(allowed, code) {
		s.comment(fmt.Sprintf("%s %s: no catalogue fault answers it (%s answers %v), kept as a comment", stamp, what, fault, allowed))
		s.notes = append(s.notes, fmt.Sprintf("%s at %s could not be modelled: %s answers only %v", what, duration(at), fault, allowed))
		return
	}
	f := profileFault{fault: fault, status: code, after: max(at-time.Second, 0).Truncate(time.Second)}
	f.until = (at + time.Second).Truncate(time.Second) + time.Second
	f.comment = fmt.Sprintf("%s at %s: %s answers %d from %s to %s", what, duration(at), fault, code, duration(f.after), duration(f.until))
	s.comment(fmt.Sprintf("%s %s: a %s fault below", stamp, what, fault))
	s.profile = append(s.profile, f)
	s.faultsEnd = max(s.faultsEnd, f.until)
}

func (s *story) deleted(stamp string, at time.Duration, e entry) {
	i := slices.Index(s.live, e.instance)
	if w, ok := s.hashWrites[e.instance]; ok && at-w <= deleteWindow {
		delete(s.hashWrites, e.instance)
		if i >= 0 {
			s.live = slices.Delete(s.live, i, i+1)
		}
		after := max(w-time.Second, 0).Truncate(time.Second)
		s.scripted = append(s.scripted, scriptedFault{after: after,
			comment: fmt.Sprintf("%s deleted %s after its hash write at %s", e.instance, duration(at-w), duration(w))})
		s.faultsEnd = max(s.faultsEnd, (at+time.Second).Truncate(time.Second)+time.Second)
		s.comment(fmt.Sprintf("%s instance deleted %s after its hash write: a delete-instance fault at after-hash-write below", stamp, duration(at-w)))
		s.tell(e.instance + " is deleted right after the hash write")
		return
	}
	if len(s.live) == 0 {
		s.comment(stamp + " instance deleted, but no instance of the log is running: kept as a comment")
		return
	}
	which := "newest"
	if i < 0 {
		i = len(s.live) - 1
		s.notes = append(s.notes, fmt.Sprintf("%s is deleted but never started in the log: the newest instance is deleted instead", e.instance))
	} else if i == 0 && len(s.live) > 1 {
		which = "oldest"
	} else if i != len(s.live)-1 {
		s.notes = append(s.notes, fmt.Sprintf("%s is neither the oldest nor the newest instance: the newest is deleted instead", e.instance))
	}
	s.live = slices.Delete(s.live, i, i+1)
	s.act(stamp+" instance deleted (scale in)", at, "delete: {which: "+which+"}")
	s.tell(e.instance + " is deleted")
}

func (s *story) fetchAbandoned(stamp string, e entry) {
	s.comment(fmt.Sprintf("%s the platform abandons the fetch after %s s (MESH-4 retry budget): a consequence", stamp, e.args[0]))
	s.tell("the platform gives up after " + e.args[0] + " s")
	var secs int
	fmt.Sscan(e.args[0], &secs)
	if b := time.Duration(secs) * time.Second; b > 0 && b != 10*time.Minute {
		s.retryBudget = b
	}
}

func (s *story) keyUpdated(stamp string, at time.Duration, e entry) {
	key := "master"
	switch e.args[0] {
	case "Host":
		key = "host." + e.args[1]
		if !slices.Contains(s.hostKeys, e.args[1]) {
			s.hostKeys = append(s.hostKeys, e.args[1])
		}
	case "System":
		key = "system." + e.args[1]
		if !slices.Contains(s.systemKeys, e.args[1]) {
			s.systemKeys = append(s.systemKeys, e.args[1])
		}
	}
	s.act(stamp+" "+e.msg+": a key rotation through the key API, whose controller runs a foreground sync", at,
		"rotate_key: {key: "+key+"}")
	s.tell(strings.ToLower(e.args[0]) + " key rotated")
}
