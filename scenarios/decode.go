package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
)

// Defaults the schema documents (SCHEMA.md).
const (
	defaultLanguage      = "node"
	defaultInstances     = 1
	maxInstances         = 50
	defaultStartup       = 2 * time.Second
	defaultHookInterval  = 5 * time.Second
	maxHookSyncs         = 5
	defaultAdminInterval = time.Second
	maxAdminSyncs        = 1000
	defaultSettle        = 5 * time.Minute
	defaultDelayMin      = time.Millisecond
	defaultDelayMax      = 20 * time.Millisecond
	defaultRetryBudget   = 10 * time.Minute
	defaultDebounce      = 250 * time.Millisecond
	defaultMaxEvents     = MaxEvents
	budgetSlack          = time.Hour
	defaultKeyPrefix     = "syncsim-key:"
)

var (
	scenarioNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$`)
	siteNameRE     = regexp.MustCompile(`^[a-z0-9-]{1,60}$`)
	hostIDRE       = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
	// Function names as the Functions host accepts them; no '.', so key references stay unambiguous.
	functionNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,127}$`)
	keyNameRE      = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$`)
)

var (
	topFields    = []string{"name", "description", "site", "content", "instances", "timeline", "faults", "faults_end", "settle", "network", "mesh", "modes", "expect", "budget", "convergence_bound", "limits", "baseline"}
	whichValues  = []string{"oldest", "newest", "primary", "all"}
	authValues   = []string{"admin-key", "token"}
	keyRefFormat = "master, host.<name>, system.<name> or function.<function>.<name>"
)

// scenario decodes the whole file; problems go to d.errs.
func (d *decoder) scenario(path string, root *node) *Scenario {
	s := &Scenario{Name: defaultName(path)}
	rootField := field{at: pos{line: 1}, v: root}
	if root.kind != kindMap {
		d.fail(root.at, "", "a scenario must be a mapping of fields, not "+root.kind.describe(), "start from the example in scenarios/SCHEMA.md")
		return s
	}
	top := d.object(rootField, topFields...)
	if f := top.get("name"); f.present() {
		s.Name = d.str(f, s.Name)
		s.nameLine = f.at.line
		d.matches(f, s.Name, scenarioNameRE, "letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	s.Description = d.str(top.get("description"), "")
	s.Limits = d.limits(top.get("limits"))
	s.Site = d.site(top.get("site"))
	s.Settings = d.settings(top.get("site"))
	s.Content = d.content(top.get("content"))
	s.Instances = d.instances(top.get("instances"), s.Limits)
	t := &tally{limits: s.Limits, live: s.Instances.Count, starts: s.Instances.Count, names: s.Instances.named()}
	s.Timeline = d.timeline(top.get("timeline"), s.Content.Functions, t)
	last := time.Duration(0)
	if n := len(s.Timeline); n > 0 {
		last = s.Timeline[n-1].At
	}
	s.FaultsEnd = d.duration(top.get("faults_end"), last)
	s.Faults = d.faults(top.get("faults"), s.FaultsEnd)
	s.Settle = d.positive(top.get("settle"), defaultSettle)
	s.Network = d.network(top.get("network"))
	s.Mesh = d.mesh(top.get("mesh"))
	s.Modes = d.modes(top.get("modes"))
	s.Expect = d.expect(top.get("expect"), s.Modes)
	s.Budget = d.budget(top.get("budget"), s.End()+budgetSlack)
	s.ConvergenceBound = d.duration(top.get("convergence_bound"), 0)
	if f := top.get("baseline"); f.present() {
		s.Baseline = d.str(f, "")
		if s.Baseline == "" {
			d.fail(f.at, "baseline", "must name a file", "give the baseline file's name, relative to the scenario (simrun sweep --write-baseline records one), or leave the field out")
		} else if !filepath.IsAbs(s.Baseline) {
			s.Baseline = filepath.Join(filepath.Dir(path), s.Baseline)
		}
	}
	return s
}

// defaultName is the file name without its extension.
func defaultName(path string) string {
	base := path
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

func (d *decoder) site(f field) host.Site {
	if !d.require(f, "add a site with at least its name") {
		return host.Site{}
	}
	o := d.object(f, "name", "host_id", "encryption_key", "storage", "mesh_status", "oversize_fallback")
	var s host.Site
	if nf := o.get("name"); d.require(nf, "give the site's name, such as myapp") {
		s.Name = d.str(nf, "")
		d.matches(nf, s.Name, siteNameRE, "1 to 60 lowercase letters, digits and '-'")
	}
	s.HostID = host.DefaultHostID(s.Name)
	if hf := o.get("host_id"); hf.v != nil {
		s.HostID = d.str(hf, "")
		d.matches(hf, s.HostID, hostIDRE, "1 to 32 lowercase letters, digits and '-', or leave host_id out to derive it from the site name")
	}
	s.EncryptionKey = defaultEncryptionKey(s.Name)
	if kf := o.get("encryption_key"); kf.present() {
		d.noteSecrets(kf.v)
		// TOK-1; an explicit "" stands for the setting being absent, which SYNC-1's gate rejects.
		if kf.v.kind != kindString {
			d.fail(kf.valueAt(), kf.path, "must be a string", `use 64 hex characters or base64 in quotes, or "" for "not set"`)
		} else if s.EncryptionKey = kf.v.text; s.EncryptionKey != "" {
			if _, err := host.ParseKey(s.EncryptionKey); err != nil {
				d.fail(kf.valueAt(), kf.path, "is neither 64 hex characters nor base64 (TOK-1)", `use 64 hex characters or base64, or "" for "not set"`)
			}
		}
	}
	return s
}

// Values of the site's host settings.
var (
	storageValues          = []string{"configured", "none"}
	meshStatusValues       = []string{"checked", "thrown-only"}
	oversizeFallbackValues = []string{string(host.OversizeMinimal), string(host.OversizeKeepsTriggers)}
)

// settings reads the site's host settings (storage, mesh_status, oversize_fallback); the site's other
// fields and its presence are checked by site.
func (d *decoder) settings(f field) Settings {
	if !f.present() || f.v.kind != kindMap {
		return Settings{}
	}
	o := object{self: f, n: f.v}
	return Settings{
		NoStorage:            d.enum(o.get("storage"), "configured", storageValues) == "none",
		MeshStatusThrownOnly: d.enum(o.get("mesh_status"), "checked", meshStatusValues) == "thrown-only",
		OversizeFallback:     oversizeFallback(d.enum(o.get("oversize_fallback"), string(host.OversizeMinimal), oversizeFallbackValues)),
	}
}

// oversizeFallback keeps the default (minimal) as the zero value, so a file without the field
// loads as the zero Settings.
func oversizeFallback(v string) host.OversizeFallback {
	if v == string(host.OversizeMinimal) {
		return ""
	}
	return host.OversizeFallback(v)
}

// defaultEncryptionKey derives a stable key from the site name, so that files need not carry one.
func defaultEncryptionKey(site string) string {
	sum := sha256.Sum256([]byte(defaultKeyPrefix + site))
	return hex.EncodeToString(sum[:])
}

func (d *decoder) content(f field) host.Content {
	if !d.require(f, "add content with keys.master and the site's functions") {
		return host.Content{Revision: 1}
	}
	o := d.object(f, "functions", "keys")
	fns := d.functions(o.get("functions"))
	return host.Content{Revision: 1, Functions: fns, Keys: d.keys(o.get("keys"), fns)}
}

// functions reads a list of functions whose names are unique case-insensitively; a list longer
// than MaxFunctions is refused before any function is read.
func (d *decoder) functions(f field) []host.Function {
	out := []host.Function{}
	if f.present() && f.v.kind == kindSeq && len(f.v.items) > MaxFunctions {
		d.failLimit(f.valueAt(), f.path, "lists "+thousands(len(f.v.items))+" functions, more than "+thousands(MaxFunctions),
			"list fewer functions"+fixed("MaxFunctions"))
		return out
	}
	seen := map[string]int{} // lowercase name -> line
	for _, item := range d.list(f) {
		fn, ok := d.function(item)
		if !ok {
			continue
		}
		low := strings.ToLower(fn.Name)
		if line, dup := seen[low]; dup {
			d.fail(item.get("name").valueAt(), item.path+".name", "function "+quote(fn.Name)+" is already defined at line "+itoa(line)+" (names are case-insensitive)", "rename or remove one of them")
			continue
		}
		seen[low] = item.valueAt().line
		out = append(out, fn)
	}
	return out
}

// get opens a list item as a mapping without reporting anything; function() reports.
func (f field) get(key string) field {
	return object{self: f, n: mapOrNil(f.v)}.get(key)
}

func mapOrNil(n *node) *node {
	if n != nil && n.kind == kindMap {
		return n
	}
	return nil
}

func (d *decoder) function(f field) (host.Function, bool) {
	if !d.require(f, "give the function as a mapping with at least a name") {
		return host.Function{}, false
	}
	o := d.object(f, "name", "language", "disabled", "bindings")
	if o.n == nil {
		return host.Function{}, false
	}
	nf := o.get("name")
	if !d.require(nf, "give the function a name, such as HttpTrigger1") {
		return host.Function{}, false
	}
	fn := host.Function{Name: d.str(nf, "")}
	if !d.matches(nf, fn.Name, functionNameRE, "a letter, then up to 127 letters, digits, '_' and '-'") {
		return host.Function{}, false
	}
	fn.Language = d.str(o.get("language"), defaultLanguage)
	if fn.Language == "" {
		d.fail(o.get("language").valueAt(), o.get("language").path, "must not be empty", "leave language out for node, or name a worker runtime such as dotnet-isolated")
	}
	if b := d.boolean(o.get("disabled")); b != nil {
		fn.Disabled = *b
	}
	for _, bf := range d.list(o.get("bindings")) {
		if b, ok := d.binding(bf); ok {
			fn.Bindings = append(fn.Bindings, b)
		}
	}
	return fn, true
}

// binding reads one binding as function.json states it; the payload copies trigger bindings
// verbatim (PAY-1), so every value must be JSON-compatible.
func (d *decoder) binding(f field) (host.Binding, bool) {
	const fix = "write the binding as a mapping such as {type: httpTrigger, direction: in, name: req}"
	if !f.present() || f.v.kind != kindMap {
		kind := kindNull
		if f.v != nil {
			kind = f.v.kind
		}
		d.fail(f.valueAt(), f.path, "must be a mapping, not "+kind.describe(), fix)
		return nil, false
	}
	tf := f.get("type")
	if !tf.present() || tf.v.kind != kindString || tf.v.text == "" {
		d.fail(tf.valueAt(), tf.path, "must be a non-empty string", "give the binding's type, such as httpTrigger or queueTrigger")
		return nil, false
	}
	v, ok := d.jsonValue(f.path, f.v)
	if !ok {
		return nil, false
	}
	return host.Binding(v.(map[string]any)), true
}

// jsonValue converts a node to the value encoding/json would produce for it.
func (d *decoder) jsonValue(path string, n *node) (any, bool) {
	switch n.kind {
	case kindMap:
		m := make(map[string]any, len(n.entries))
		ok := true
		for _, e := range n.entries {
			v, good := d.jsonValue(child(path, e.key), e.val)
			m[e.key] = v
			ok = ok && good
		}
		return m, ok
	case kindSeq:
		s := make([]any, len(n.items))
		ok := true
		for i, item := range n.items {
			v, good := d.jsonValue(index(path, i), item)
			s[i] = v
			ok = ok && good
		}
		return s, ok
	case kindFloat:
		if f, _ := n.val.(float64); math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(n.at, path, "is not a JSON number", "use a finite number, or quote it to make it a string")
			return nil, false
		}
	}
	return n.val, true
}

func (d *decoder) keys(f field, fns []host.Function) host.Keys {
	var k host.Keys
	if !d.require(f, "add content.keys with at least master: \"<secret>\"") {
		return k
	}
	d.noteSecrets(f.v)
	o := d.object(f, "master", "host", "system", "functions")
	if mf := o.get("master"); d.require(mf, "give the host master key as a quoted string") {
		k.Master = d.secret(mf)
	}
	k.Host = d.keySet(o.get("host"))
	k.System = d.keySet(o.get("system"))
	ff := o.get("functions")
	if ff.present() {
		k.Functions = map[string]map[string]string{}
	}
	for _, fe := range d.dict(ff) {
		name, ok := findFunction(fns, fe.name)
		if !ok {
			d.fail(fe.at, fe.path, "names function "+quote(fe.name)+", which content.functions does not define", "use "+existingFunctions(fns))
			continue
		}
		if _, dup := k.Functions[name]; dup {
			d.fail(fe.at, fe.path, "repeats the keys of function "+quote(name)+" (names are case-insensitive)", "merge the two entries")
			continue
		}
		k.Functions[name] = d.keySet(fe)
		if k.Functions[name] == nil {
			k.Functions[name] = map[string]string{}
		}
	}
	return k
}

// keySet reads a map of key name to credential; absent gives nil.
func (d *decoder) keySet(f field) map[string]string {
	if !f.present() {
		return nil
	}
	out := map[string]string{}
	for _, e := range d.dict(f) {
		if !keyNameRE.MatchString(e.name) {
			d.fail(e.at, e.path, "invalid key name "+quote(e.name), "use letters, digits, '.', '_' and '-'")
			continue
		}
		out[e.name] = d.secret(e)
	}
	return out
}

// findFunction finds a function by name case-insensitively and returns its spelling.
func findFunction(fns []host.Function, name string) (string, bool) {
	for _, fn := range fns {
		if strings.EqualFold(fn.Name, name) {
			return fn.Name, true
		}
	}
	return "", false
}

// existingFunctions ends a fix that asks for an existing function.
func existingFunctions(fns []host.Function) string {
	if len(fns) == 0 {
		return "none exist at this point; define it in content.functions or a deploy first"
	}
	return "one of " + functionNames(fns)
}

func functionNames(fns []host.Function) string {
	names := make([]string, len(fns))
	for i, fn := range fns {
		names[i] = fn.Name
	}
	return strings.Join(names, ", ")
}

func (d *decoder) instances(f field, l Limits) Instances {
	o := d.object(f, "count", "startup", "names")
	in := Instances{
		Count:   d.integer(o.get("count"), defaultInstances, 0, maxInstances),
		Startup: d.duration(o.get("startup"), defaultStartup),
	}
	in.Names = d.instanceNames(o.get("names"), in.Count)
	if in.Count > l.InstanceStarts {
		cf := o.get("count")
		d.failLimit(cf.valueAt(), cf.path, "starts "+itoa(in.Count)+" instances, more than limits.instance_starts "+thousands(l.InstanceStarts),
			"raise limits.instance_starts or start fewer instances")
	}
	return in
}

func (d *decoder) network(f field) Network {
	o := d.object(f, "delay")
	delay := d.object(o.get("delay"), "min", "max")
	minF, maxF := delay.get("min"), delay.get("max")
	n := Network{DelayMin: d.duration(minF, defaultDelayMin), DelayMax: d.duration(maxF, defaultDelayMax)}
	if n.DelayMin > n.DelayMax {
		at, path := minF.valueAt(), minF.path
		if !minF.present() {
			at, path = maxF.valueAt(), maxF.path
		}
		d.fail(at, path, "delay min "+n.DelayMin.String()+" is more than max "+n.DelayMax.String(), "make min at most max (defaults: min 1ms, max 20ms)")
	}
	return n
}

func (d *decoder) mesh(f field) Mesh {
	o := d.object(f, "retry_budget", "debounce")
	return Mesh{
		RetryBudget: d.positive(o.get("retry_budget"), defaultRetryBudget),
		Debounce:    d.duration(o.get("debounce"), defaultDebounce),
	}
}

func (d *decoder) modes(f field) []host.Mode {
	if !f.present() {
		// A scenario that names no modes runs in the modes of record.
		return host.ModesOfRecord()
	}
	if f.v.kind == kindSeq && len(f.v.items) == 0 {
		d.fail(f.valueAt(), f.path, "must list at least one mode", "list the modes to run, such as [frontend, platform, additive], or leave modes out to run the modes of record")
		return nil
	}
	var out []host.Mode
	for _, item := range d.list(f) {
		m, ok := d.mode(item, item.valueAt())
		if !ok {
			continue
		}
		if containsMode(out, m) {
			d.fail(item.valueAt(), item.path, "mode "+m.String()+" is listed twice", "list each mode once")
			continue
		}
		out = append(out, m)
	}
	return out
}

// mode reads a mode name; at is where to report a problem (a dict key's position for expect).
func (d *decoder) mode(f field, at pos) (host.Mode, bool) {
	name := f.name
	if name == "" {
		name = d.str(f, "")
		if !f.present() || f.v.kind != kindString {
			if !f.present() {
				d.fail(at, f.path, "has no value", "use one of: "+strings.Join(host.ModeNames(), ", "))
			}
			return 0, false
		}
	}
	m, err := host.ParseMode(name)
	if err != nil {
		d.fail(at, f.path, "unknown mode "+quote(name), "use one of: "+strings.Join(host.ModeNames(), ", "))
		return 0, false
	}
	return m, true
}

func containsMode(ms []host.Mode, m host.Mode) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func (d *decoder) expect(f field, modes []host.Mode) map[host.Mode][]string {
	out := map[host.Mode][]string{}
	for _, e := range d.dict(f) {
		m, ok := d.mode(e, e.at)
		if !ok {
			continue
		}
		if !containsMode(modes, m) {
			d.fail(e.at, e.path, "mode "+m.String()+" is not in modes", "add "+m.String()+" to modes or remove this entry")
			continue
		}
		ids := []string{}
		for _, item := range d.list(e) {
			id := d.str(item, "")
			if !item.present() || item.v.kind != kindString {
				if !item.present() {
					d.fail(item.valueAt(), item.path, "has no value", "name a property such as P1")
				}
				continue
			}
			switch {
			case !contains(PropertyIDs, id):
				d.fail(item.valueAt(), item.path, "unknown property "+quote(id), "use one of: "+strings.Join(PropertyIDs, ", "))
			case contains(ids, id):
				d.fail(item.valueAt(), item.path, "property "+id+" is listed twice", "list each property once")
			default:
				ids = append(ids, id)
			}
		}
		sort.SliceStable(ids, func(i, j int) bool { return propertyNumber(ids[i]) < propertyNumber(ids[j]) })
		out[m] = ids
	}
	return out
}

// propertyNumber orders P2 before P10.
func propertyNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "P"))
	if err != nil {
		return math.MaxInt
	}
	return n
}

func (d *decoder) budget(f field, defaultMaxTime time.Duration) Budget {
	o := d.object(f, "max_events", "max_time")
	return Budget{
		MaxEvents: d.integer(o.get("max_events"), defaultMaxEvents, 1, MaxEvents),
		MaxTime:   d.positive(o.get("max_time"), defaultMaxTime),
	}
}
