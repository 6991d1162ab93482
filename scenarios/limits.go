package scenarios

import (
	"errors"
	"fmt"
	"strconv"
)

// Every input is bounded before memory is spent on it (DESIGN.md, "The CLI"): Go's runtime exits 2
// on a fatal error such as running out of memory or stack, and 2 means "inconclusive". The bounds on
// the file itself are constants, checked before its content is trusted; the bounds on what a run
// does are fields of the scenario's limits block, each with a default and a hard ceiling.
const (
	// MaxFileBytes is the largest scenario file read. goccy's parser holds about 250 bytes of
	// syntax tree per input byte at worst ("1," repeated), so a 1 MiB file costs some 250 MB;
	// the largest scenario of the repository is under 6 KB.
	MaxFileBytes = 1 << 20
	// MaxDepth bounds how deeply mappings and lists nest, counted after aliases are expanded.
	MaxDepth = 100
	// MaxBlockKeys bounds the keys of one block mapping: goccy's parser recurses once per key
	// and copies the keys after it, so its cost grows with the square of their number (5,000
	// keys take 80 ms, 80,000 take 36 s). Flow mappings ({k: v, ...}) have no such bound.
	MaxBlockKeys = 5_000
	// MaxAliases bounds the aliases (*name, including merges <<: *name) one file uses.
	MaxAliases = 10_000
	// MaxNodes bounds the values of a file, keys included, counted after aliases are expanded:
	// the bound on a "billion laughs" alias bomb.
	MaxNodes = 1_000_000
	// MaxFunctions bounds the site's function list at every point of the timeline.
	MaxFunctions = 1_000
	// MaxDeployedFunctions bounds the functions of all deploys together: each deploy holds the
	// site's full list, so a long timeline of small deploys would multiply a large list.
	MaxDeployedFunctions = 1_000_000
	// MaxFaults bounds the scripted and profile faults together; the world checks each one at
	// every fault point a sync reaches.
	MaxFaults = 1_000
	// MaxAdminCalls bounds the MSG-4 calls of the timeline: admin_sync counts plus deploy
	// hook_syncs; a run schedules each batch at once.
	MaxAdminCalls = 100_000
	// MaxEvents is the ceiling of budget.max_events, equal to its default: a run keeps its whole
	// trace, about 3.7 KB of memory per event (measured: 492,696 events, 1.85 GB resident), so
	// the default already costs up to some 7.5 GB and 10,000,000 events would not fit in 24 GB.
	MaxEvents = 2_000_000

	// DefaultTimeline and MaxTimeline are limits.timeline's default and ceiling.
	DefaultTimeline = 10_000
	MaxTimeline     = 100_000
	// DefaultInstanceStarts and MaxInstanceStarts are limits.instance_starts's default and
	// ceiling. The world names new instances from a space of 65,536 names, so the ceiling keeps
	// far below it.
	DefaultInstanceStarts = 1_000
	MaxInstanceStarts     = 10_000
)

// ErrLimit is what a file over one of the bounds above unwraps to; it unwraps to ErrInvalid in
// turn, as the file is a bad input (exit code 3).
var ErrLimit = fmt.Errorf("%w: over a limit", ErrInvalid)

// ErrNotRegular is what a path that is not a regular file (a pipe, a device, a socket, a
// directory) unwraps to: such a path is refused before it is opened, as reading it could block or
// never end.
var ErrNotRegular = errors.New("scenarios: not a regular file")

// Limits are a scenario's own bounds on what a run does, with the defaults applied.
type Limits struct {
	// Timeline is the most entries the timeline may hold (limits.timeline).
	Timeline int
	// InstanceStarts is the most instances a run may start: the initial ones, scale-outs and
	// restarts of the timeline, and the restarts and scale-outs that faults cause
	// (limits.instance_starts). The loader counts what the timeline states; the world refuses
	// starts beyond it at run time.
	InstanceStarts int
}

// StartLimit is InstanceStarts, or DefaultInstanceStarts for a Scenario built without the loader.
func (l Limits) StartLimit() int {
	if l.InstanceStarts > 0 {
		return l.InstanceStarts
	}
	return DefaultInstanceStarts
}

// limitError is a problem with a bound; fix says which field raises the bound, or that it is fixed.
func limitError(file string, at pos, path, msg, fix string) *Error {
	return &Error{File: file, Line: max(at.line, 1), Column: at.col, Field: path, Msg: msg, Fix: fix, cause: ErrLimit}
}

// fixed ends the fix of a bound no field raises.
func fixed(name string) string { return "; the limit is fixed (scenarios." + name + ")" }

// thousands renders a number with thousands separators, as limits are written in messages.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// limits reads the limits block; it is decoded before the sections it bounds.
func (d *decoder) limits(f field) Limits {
	o := d.object(f, "timeline", "instance_starts")
	return Limits{
		Timeline:       d.integer(o.get("timeline"), DefaultTimeline, 1, MaxTimeline),
		InstanceStarts: d.integer(o.get("instance_starts"), DefaultInstanceStarts, 1, MaxInstanceStarts),
	}
}

// failLimit reports a bound the file goes over.
func (d *decoder) failLimit(at pos, path, msg, fix string) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, limitError(d.file, at, path, msg, fix))
}

// tally follows what the timeline makes a run do, entry by entry, against the bounds: the instance
// starts it states (the initial instances, every start's count, every restart's instances, given
// how many instances the timeline leaves running; faults may start more, and the world counts those
// at run time), its MSG-4 calls and the functions its deploys hold. Each bound is reported once.
type tally struct {
	limits                         Limits
	live, starts, calls, functions int
	overStarts, overCalls, overFns bool
	// names are the instance names given so far (instances.names, start.name), each with the line
	// that gave it and the line of the entry that deleted or restarted it by name (0 while it runs).
	names map[string]*namedInstance
}

// tallyEntry adds one decoded entry and reports the first entry that goes over a bound.
func (d *decoder) tallyEntry(t *tally, item field, a Action) {
	switch a.Kind {
	case ActionStart:
		t.live += a.Start.Count
		t.starts += a.Start.Count
	case ActionDelete:
		t.live -= picked(a.Delete.Which, a.Delete.Count, t.live)
	case ActionRestart:
		t.starts += picked(a.Restart.Which, a.Restart.Count, t.live)
	case ActionAdminSync:
		t.calls += a.AdminSync.Count * (1 + a.AdminSync.Retry.Count)
	case ActionDeploy:
		t.calls += a.Deploy.HookSyncs
	}
	if t.starts > t.limits.InstanceStarts && !t.overStarts {
		t.overStarts = true
		d.failLimit(item.valueAt(), item.path, "the scenario starts "+thousands(t.starts)+" instances by this entry (initial, start and restart), more than limits.instance_starts "+thousands(t.limits.InstanceStarts),
			"raise limits.instance_starts (at most "+thousands(MaxInstanceStarts)+") or start fewer instances")
	}
	if t.calls > MaxAdminCalls && !t.overCalls {
		t.overCalls = true
		d.failLimit(item.valueAt(), item.path, "the timeline makes "+thousands(t.calls)+" MSG-4 calls by this entry (admin_sync counts and deploy hook_syncs), more than "+thousands(MaxAdminCalls),
			"make fewer calls"+fixed("MaxAdminCalls"))
	}
}

// deployed counts the function list a deploy holds; once the deploys together go over
// MaxDeployedFunctions it says so, and the caller keeps no more lists.
func (d *decoder) deployed(t *tally, f field, n int) bool {
	if t.overFns {
		return false
	}
	t.functions += n
	if t.functions > MaxDeployedFunctions {
		t.overFns = true
		d.failLimit(f.valueAt(), f.path, "the deploys hold "+thousands(t.functions)+" functions by this one (each deploy holds the full list), more than "+thousands(MaxDeployedFunctions),
			"deploy fewer functions or deploy less often"+fixed("MaxDeployedFunctions"))
		return false
	}
	return true
}

// picked is how many of live instances a delete or restart picks (a named one: which "", count 1).
func picked(which string, n, live int) int {
	switch which {
	case "all":
		return live
	case "primary":
		return min(1, live)
	}
	return min(n, live)
}
