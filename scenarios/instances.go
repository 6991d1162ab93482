package scenarios

import (
	"regexp"
	"sort"
	"strings"
	"time"
)

// Instance names and drains: a scenario may name instances (instances.names for the initial ones, a
// start's name for the one it starts) and pick one by name in a delete or restart, whose deletion may
// be a window (drain: the instance stops taking new requests, finishes what it is doing, and is
// deleted drain later). A name is the scenario's own: the instance's CONTAINER_NAME is still drawn
// from the seed, and a restart's replacement has no name.

// instanceNameRE is what an instance name may be.
var instanceNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

const (
	instanceNameWhat = "a lowercase letter, then up to 31 lowercase letters, digits and '-'"
	// MaxDrain bounds a delete's or restart's drain (1h): longer than any sync, retry budget or
	// lease, and short enough that a drain never outlasts the run's budget by much.
	MaxDrain = time.Hour
)

// namedInstance is a name given in the file: where, and the entry that deleted or restarted the
// instance by that name (0 while it runs, as far as the timeline's named entries say).
type namedInstance struct {
	line, goneLine int
}

// named is the registry of the initial instances' names, for the timeline's checks.
func (in Instances) named() map[string]*namedInstance {
	m := map[string]*namedInstance{}
	for _, n := range in.Names {
		m[n] = &namedInstance{}
	}
	return m
}

// instanceNames reads instances.names: at most count names, each well formed and given once.
func (d *decoder) instanceNames(f field, count int) []string {
	items := d.list(f)
	if len(items) > count {
		d.fail(items[count].valueAt(), items[count].path, "names "+itoa(len(items))+" instances, but instances.count starts "+itoa(count),
			"name at most instances.count instances, or raise instances.count")
		items = items[:count]
	}
	var out []string
	for _, item := range items {
		if name, ok := d.instanceName(item); ok {
			if contains(out, name) {
				d.fail(item.valueAt(), item.path, "instance name "+quote(name)+" is given twice", "give each instance its own name")
				continue
			}
			out = append(out, name)
		}
	}
	return out
}

// instanceName reads one name.
func (d *decoder) instanceName(f field) (string, bool) {
	if !f.present() {
		d.fail(f.valueAt(), f.path, "has no value", "give an instance name: "+instanceNameWhat)
		return "", false
	}
	name := d.str(f, "")
	if f.v.kind != kindString || !d.matches(f, name, instanceNameRE, instanceNameWhat) {
		return "", false
	}
	return name, true
}

// start reads a start action; a name names the one instance it starts, given once in the file.
func (d *decoder) start(f field, line int, t *tally) *Start {
	o := d.object(f, "count", "placeholder_for", "name")
	s := &Start{Count: d.integer(o.get("count"), 1, 1, maxInstances), PlaceholderFor: d.duration(o.get("placeholder_for"), 0)}
	nf := o.get("name")
	if !nf.present() {
		return s
	}
	name, ok := d.instanceName(nf)
	switch {
	case !ok:
	case s.Count != 1:
		d.fail(nf.valueAt(), nf.path, "names the instances of a start of "+itoa(s.Count), "start one named instance per entry (count: 1), or leave name out")
	case t.names[name] != nil:
		d.fail(nf.valueAt(), nf.path, "instance name "+quote(name)+" is already given"+givenAt(t.names[name].line), "give each instance its own name")
	default:
		s.Name = name
		t.names[name] = &namedInstance{line: line}
	}
	return s
}

// givenAt says where a name was given: on a line of the timeline, or in instances.names (line 0).
func givenAt(line int) string {
	if line == 0 {
		return " in instances.names"
	}
	return " on line " + itoa(line)
}

// pick is what a delete or restart picks: which and count, or one named instance, and its drain.
type pick struct {
	which    string
	count    int
	instance string
	drain    time.Duration
}

// pick reads delete's and restart's fields: which and count, or instance (a name given before this
// entry, of an instance no earlier entry deleted or restarted by name), and drain.
func (d *decoder) pick(f field, t *tally) pick {
	o := d.object(f, "which", "count", "instance", "drain")
	p := pick{which: d.enum(o.get("which"), "newest", whichValues), count: d.integer(o.get("count"), 1, 1, maxInstances)}
	if df := o.get("drain"); df.present() {
		if p.drain = d.duration(df, 0); p.drain > MaxDrain {
			d.fail(df.valueAt(), df.path, "must be at most 1h, got "+df.v.text, "drain for 1h or less")
			p.drain = MaxDrain
		}
	}
	inf := o.get("instance")
	if !inf.present() {
		return p
	}
	if w, c := o.get("which"), o.get("count"); w.present() || c.present() {
		other := w
		if !w.present() {
			other = c
		}
		d.fail(other.at, f.path, "names an instance and also gives "+other.path[len(f.path)+1:], "give either instance (one named instance) or which and count")
	}
	name, ok := d.instanceName(inf)
	if !ok {
		return p
	}
	p.which, p.count, p.instance = "", 1, name
	switch n := t.names[name]; {
	case n == nil:
		d.fail(inf.valueAt(), inf.path, "names instance "+quote(name)+", which no earlier entry names", "name it in instances.names or in an earlier start's name"+knownNames(t))
	case n.goneLine > 0:
		d.fail(inf.valueAt(), inf.path, "names instance "+quote(name)+", which the entry on line "+itoa(n.goneLine)+" already deleted or restarted", "pick a running instance"+knownNames(t))
	default:
		n.goneLine = inf.valueAt().line
	}
	return p
}

// knownNames lists the names that may be picked at this point, for a fix hint.
func knownNames(t *tally) string {
	var names []string
	for name, n := range t.names {
		if n.goneLine == 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return " (running by name here: " + strings.Join(names, ", ") + ")"
}
