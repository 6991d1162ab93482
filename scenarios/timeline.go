package scenarios

import (
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
)

// timeline reads the actions in file order, tracking the function list through the deploys so that
// a remove, an add or a function key rotation is checked against the functions that exist then. A
// timeline longer than limits.timeline is refused before any entry is read.
func (d *decoder) timeline(f field, initial []host.Function, t *tally) []Action {
	if f.present() && f.v.kind == kindSeq && len(f.v.items) > t.limits.Timeline {
		d.failLimit(f.valueAt(), f.path, "holds "+thousands(len(f.v.items))+" entries, more than limits.timeline "+thousands(t.limits.Timeline),
			"raise limits.timeline (at most "+thousands(MaxTimeline)+") or shorten the timeline")
		return nil
	}
	current := initial
	var out []Action
	var prevAt time.Duration
	prevLine := 0
	for _, item := range d.list(f) {
		a, ok := d.action(item, &current, t)
		if !ok {
			continue
		}
		d.tallyEntry(t, item, a)
		if prevLine > 0 && a.At < prevAt {
			af := item.get("at")
			d.fail(af.valueAt(), af.path, "at "+a.At.String()+" is before the previous entry's "+prevAt.String()+" (line "+itoa(prevLine)+")",
				"order the timeline by time; entries with the same at run in file order")
		}
		prevAt, prevLine = a.At, a.Line
		out = append(out, a)
	}
	return out
}

var actionFields = func() []string {
	out := []string{"at"}
	for _, k := range ActionKinds {
		out = append(out, string(k))
	}
	return out
}()

func actionNames() string {
	names := make([]string, len(ActionKinds))
	for i, k := range ActionKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func (d *decoder) action(f field, current *[]host.Function, t *tally) (Action, bool) {
	if !f.present() || f.v.kind != kindMap {
		d.fail(f.valueAt(), f.path, "must be a mapping with at and one action", "write an entry such as {at: 1m, admin_sync: {count: 1}}")
		return Action{}, false
	}
	o := d.object(f, actionFields...)
	a := Action{Line: f.valueAt().line}
	if af := o.get("at"); d.require(af, "give the time of the action, such as at: 1m") {
		a.At = d.duration(af, 0)
	}
	var kinds []string
	for _, e := range f.v.entries {
		if e.key != "at" && contains(actionFields, e.key) {
			kinds = append(kinds, e.key)
		}
	}
	switch len(kinds) {
	case 0:
		d.fail(f.valueAt(), f.path, "has no action", "add one of: "+actionNames())
		return a, false
	case 1:
	default:
		second := o.get(kinds[1])
		d.fail(second.at, f.path, "has more than one action ("+strings.Join(kinds, ", ")+")", "split them into separate entries with the same at")
		return a, false
	}
	a.Kind = ActionKind(kinds[0])
	af := o.get(kinds[0])
	switch a.Kind {
	case ActionDeploy:
		a.Deploy, *current = d.deploy(af, *current, t)
	case ActionRotateKey:
		a.RotateKey = d.rotateKey(af, *current)
	case ActionAdminSync:
		a.AdminSync = d.adminSync(af)
	case ActionStart:
		a.Start = d.start(af, a.Line, t)
	case ActionDelete:
		p := d.pick(af, t)
		a.Delete = &Delete{Which: p.which, Count: p.count, Instance: p.instance, Drain: p.drain}
	case ActionRestart:
		p := d.pick(af, t)
		a.Restart = &Restart{Which: p.which, Count: p.count, Instance: p.instance, Drain: p.drain}
	}
	return a, true
}

func (d *decoder) adminSync(f field) *AdminSync {
	o := d.object(f, "count", "interval", "auth", "retry")
	a := &AdminSync{
		Count:    d.integer(o.get("count"), 1, 1, maxAdminSyncs),
		Interval: d.positive(o.get("interval"), defaultAdminInterval),
		Auth:     d.enum(o.get("auth"), "admin-key", authValues),
	}
	if rf := o.get("retry"); rf.present() {
		ro := d.object(rf, "count", "delay")
		a.Retry = Retry{Count: d.integer(ro.get("count"), 3, 1, maxRetries), Delay: d.positive(ro.get("delay"), defaultRetryDelay)}
	}
	return a
}

// A caller's retries of one failed MSG-4 call (admin_sync's retry): deploy tools retry a few times.
const (
	maxRetries        = 10
	defaultRetryDelay = 5 * time.Second
)

// deploy reads a deploy and returns it with the function list that results from it. The list holds
// at most MaxFunctions, and the deploys together at most MaxDeployedFunctions.
func (d *decoder) deploy(f field, current []host.Function, t *tally) (*Deploy, []host.Function) {
	o := d.object(f, "functions", "add", "remove", "hook_syncs", "hook_interval")
	dep := &Deploy{
		HookSyncs:    d.integer(o.get("hook_syncs"), 0, 0, maxHookSyncs),
		HookInterval: d.positive(o.get("hook_interval"), defaultHookInterval),
	}
	full, add, remove := o.get("functions"), o.get("add"), o.get("remove")
	const fix = "give functions (the full new list), or add and/or remove"
	switch {
	case full.v != nil && (add.v != nil || remove.v != nil):
		d.fail(full.at, f.path, "sets both functions and add/remove", fix)
		dep.Functions = append([]host.Function{}, current...)
	case full.v != nil:
		dep.Functions = d.functions(full)
	case add.v == nil && remove.v == nil:
		d.fail(f.at, f.path, "changes nothing", fix)
		dep.Functions = append([]host.Function{}, current...)
	default:
		dep.Functions = d.applyDelta(current, add, remove)
	}
	if len(dep.Functions) > MaxFunctions {
		d.failLimit(f.valueAt(), f.path, "leaves the site with "+thousands(len(dep.Functions))+" functions, more than "+thousands(MaxFunctions),
			"deploy fewer functions"+fixed("MaxFunctions"))
		dep.Functions = current
	}
	next := dep.Functions
	if !d.deployed(t, f, len(next)) {
		// The file is refused already; keeping every deploy's list would only spend memory.
		dep.Functions = []host.Function{}
	}
	return dep, next
}

// applyDelta removes, then adds or replaces by name (case-insensitively), keeping the order of the
// functions that stay and appending new ones.
func (d *decoder) applyDelta(current []host.Function, add, remove field) []host.Function {
	out := append([]host.Function{}, current...)
	var removed []string
	for _, item := range d.list(remove) {
		if !item.present() || item.v.kind != kindString {
			d.str(item, "")
			if !item.present() {
				d.fail(item.valueAt(), item.path, "has no value", "name a function to remove")
			}
			continue
		}
		name := item.v.text
		i := functionIndex(out, name)
		switch {
		case containsFold(removed, name):
			d.fail(item.valueAt(), item.path, "function "+quote(name)+" is removed twice", "list it once")
		case i < 0:
			d.fail(item.valueAt(), item.path, "function "+quote(name)+" does not exist at this point of the timeline", "remove an existing function: "+existingFunctions(current))
		default:
			out = append(out[:i], out[i+1:]...)
			removed = append(removed, name)
		}
	}
	adds := d.functions(add)
	for i, fn := range adds {
		if containsFold(removed, fn.Name) {
			d.fail(add.v.items[i].at, index(add.path, i), "function "+quote(fn.Name)+" is both removed and added", "drop the remove: add replaces a function of the same name")
			continue
		}
		if j := functionIndex(out, fn.Name); j >= 0 {
			out[j] = fn
		} else {
			out = append(out, fn)
		}
	}
	return out
}

func functionIndex(fns []host.Function, name string) int {
	for i, fn := range fns {
		if strings.EqualFold(fn.Name, name) {
			return i
		}
	}
	return -1
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func (d *decoder) rotateKey(f field, current []host.Function) *RotateKey {
	if f.v != nil {
		if vf := f.get("value"); vf.v != nil {
			d.noteSecrets(vf.v)
		}
	}
	o := d.object(f, "key", "value")
	r := &RotateKey{}
	if kf := o.get("key"); d.require(kf, "name the key: "+keyRefFormat) {
		if s := d.str(kf, ""); kf.v.kind == kindString {
			r.Key, _ = d.keyRef(kf, s, current)
		}
	}
	if vf := o.get("value"); vf.present() {
		r.Value = d.secret(vf) // "" is reported: an absent value, not an empty one, asks for a generated key
	}
	return r
}

// keyRef parses master | host.<name> | system.<name> | function.<fn>.<name>. A function key's
// function must exist at that point of the timeline; a key name need not (rotation creates it).
func (d *decoder) keyRef(f field, s string, current []host.Function) (KeyRef, bool) {
	bad := func() (KeyRef, bool) {
		d.fail(f.valueAt(), f.path, "invalid key reference "+quote(s), "use "+keyRefFormat)
		return KeyRef{}, false
	}
	kind, rest, dotted := strings.Cut(s, ".")
	switch kind {
	case "master":
		if dotted {
			return bad()
		}
		return KeyRef{Kind: "master"}, true
	case "host", "system":
		if !keyNameRE.MatchString(rest) {
			return bad()
		}
		return KeyRef{Kind: kind, Name: rest}, true
	case "function":
		fn, name, ok := strings.Cut(rest, ".")
		if !ok || !functionNameRE.MatchString(fn) || !keyNameRE.MatchString(name) {
			return bad()
		}
		canon, found := findFunction(current, fn)
		if !found {
			d.fail(f.valueAt(), f.path, "names function "+quote(fn)+", which does not exist at this point of the timeline",
				"rotate a key of an existing function: "+existingFunctions(current))
			return KeyRef{}, false
		}
		return KeyRef{Kind: "function", Function: canon, Name: name}, true
	}
	return bad()
}
