package scenarios

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// decoder reads a node tree into a Scenario, collecting every problem it finds.
type decoder struct {
	file string
	errs []*Error
	// secrets are the scalar texts found under credential fields; redact removes them from any
	// error text as a second line of defence behind messages that never quote such values.
	secrets []string
}

func (d *decoder) fail(at pos, path, msg, fix string) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: at.line, Column: at.col, Field: path, Msg: msg, Fix: fix})
}

// noteSecrets records every scalar under n as a credential (PAY-4).
func (d *decoder) noteSecrets(n *node) {
	if n == nil {
		return
	}
	switch n.kind {
	case kindMap:
		for _, e := range n.entries {
			d.noteSecrets(e.val)
		}
	case kindSeq:
		for _, item := range n.items {
			d.noteSecrets(item)
		}
	case kindNull:
	default:
		d.secrets = append(d.secrets, n.text)
	}
}

// minRedacted is the shortest secret redact replaces: shorter ones would mangle ordinary words,
// and messages never quote credentials in the first place.
const minRedacted = 6

func (d *decoder) redact() {
	for _, s := range d.secrets {
		if len(s) < minRedacted {
			continue
		}
		for _, e := range d.errs {
			e.Msg = strings.ReplaceAll(e.Msg, s, "<redacted>")
			e.Fix = strings.ReplaceAll(e.Fix, s, "<redacted>")
			e.Field = strings.ReplaceAll(e.Field, s, "<redacted>")
		}
	}
}

// field is one place in the file whose value may be absent.
type field struct {
	path string
	at   pos    // the key's position, or the enclosing field's when absent
	v    *node  // nil when absent
	name string // a dict entry's key: the name the file chose
}

// present reports whether the field has a value; an empty value (null) counts as absent.
func (f field) present() bool { return f.v != nil && f.v.kind != kindNull }

// valueAt is where the value is, falling back to the key.
func (f field) valueAt() pos {
	if f.v != nil && f.v.at.line > 0 {
		return f.v.at
	}
	return f.at
}

// object is an opened mapping field.
type object struct {
	self field
	n    *node // nil when absent, empty or not a mapping
}

// object opens a mapping, reporting keys not in known. An absent or empty field opens as an empty
// mapping; a scalar or a list is an error.
func (d *decoder) object(f field, known ...string) object {
	o := object{self: f}
	if !f.present() {
		return o
	}
	if f.v.kind != kindMap {
		d.fail(f.valueAt(), f.path, "must be a mapping, not "+f.v.kind.describe(), "write key: value lines under it ("+strings.Join(known, ", ")+")")
		return o
	}
	o.n = f.v
	for _, e := range f.v.entries {
		if !contains(known, e.key) {
			d.fail(e.at, child(f.path, e.key), "unknown field "+quote(e.key), "remove it or use one of: "+strings.Join(known, ", "))
		}
	}
	return o
}

func (o object) get(key string) field {
	f := field{path: child(o.self.path, key), at: o.self.at}
	if o.n != nil {
		if e, ok := o.n.lookup(key); ok {
			f.at, f.v = e.at, e.val
		}
	}
	return f
}

// require reports a missing field and says whether it is there.
func (d *decoder) require(f field, fix string) bool {
	if f.present() {
		return true
	}
	d.fail(f.at, f.path, "is required", fix)
	return false
}

// list reads a list field; absent or empty is an empty list.
func (d *decoder) list(f field) []field {
	if !f.present() {
		return nil
	}
	if f.v.kind != kindSeq {
		d.fail(f.valueAt(), f.path, "must be a list, not "+f.v.kind.describe(), "write one '- ' item per line, or [a, b]")
		return nil
	}
	out := make([]field, len(f.v.items))
	for i, item := range f.v.items {
		out[i] = field{path: index(f.path, i), at: item.at, v: item}
		if item.at.line == 0 {
			out[i].at = f.valueAt()
		}
	}
	return out
}

// dict reads a mapping whose keys are names the file chooses (key names, function names, modes).
// Each entry's position is its key's.
func (d *decoder) dict(f field) []field {
	if !f.present() {
		return nil
	}
	if f.v.kind != kindMap {
		d.fail(f.valueAt(), f.path, "must be a mapping, not "+f.v.kind.describe(), "write name: value lines under it")
		return nil
	}
	out := make([]field, len(f.v.entries))
	for i, e := range f.v.entries {
		out[i] = field{path: child(f.path, e.key), at: e.at, v: e.val, name: e.key}
	}
	return out
}

// str reads a string; absent gives def. Never use it for credentials: see secret.
func (d *decoder) str(f field, def string) string {
	if !f.present() {
		return def
	}
	if f.v.kind != kindString {
		d.fail(f.valueAt(), f.path, "must be a string, not "+f.v.kind.describe(), "quote the value")
		return def
	}
	return f.v.text
}

// secret reads a credential. Its messages describe the value and never quote it (PAY-4).
func (d *decoder) secret(f field) string {
	if !f.present() {
		d.fail(f.at, f.path, "has no value", "give the key a non-empty quoted string")
		return ""
	}
	if f.v.kind != kindString {
		d.fail(f.valueAt(), f.path, "must be a string", "give the key a non-empty quoted string")
		return ""
	}
	if f.v.text == "" {
		d.fail(f.valueAt(), f.path, "must not be empty", "give the key a non-empty quoted string")
	}
	return f.v.text
}

// enum reads a string that must be one of allowed.
func (d *decoder) enum(f field, def string, allowed []string) string {
	s := d.str(f, def)
	if f.present() && f.v.kind == kindString && !contains(allowed, s) {
		d.fail(f.valueAt(), f.path, "unknown value "+quote(s), "use one of: "+strings.Join(allowed, ", "))
	}
	return s
}

// duration reads a Go duration string that is not negative; absent gives def. A bare 0 is allowed.
func (d *decoder) duration(f field, def time.Duration) time.Duration {
	if !f.present() {
		return def
	}
	const fix = "use a Go duration such as 30s, 5m, 1h30m"
	if f.v.kind != kindString && f.v.kind != kindInt && f.v.kind != kindFloat {
		d.fail(f.valueAt(), f.path, "must be a duration, not "+f.v.kind.describe(), fix)
		return def
	}
	v, err := time.ParseDuration(f.v.text)
	if err != nil {
		d.fail(f.valueAt(), f.path, "invalid duration "+quote(f.v.text), fix)
		return def
	}
	if v < 0 {
		d.fail(f.valueAt(), f.path, "must not be negative, got "+f.v.text, "use a duration of 0 or more")
		return def
	}
	return v
}

// positive reads a duration that must be longer than zero.
func (d *decoder) positive(f field, def time.Duration) time.Duration {
	v := d.duration(f, def)
	if v == 0 {
		d.fail(f.valueAt(), f.path, "must be longer than 0", "use a duration such as "+def.String())
		return def
	}
	return v
}

// integer reads a whole number in [lo, hi]; absent gives def.
func (d *decoder) integer(f field, def, lo, hi int) int {
	if !f.present() {
		return def
	}
	rng := "at least " + itoa(lo)
	if hi < math.MaxInt {
		rng = "between " + itoa(lo) + " and " + itoa(hi)
	}
	if f.v.kind != kindInt {
		d.fail(f.valueAt(), f.path, "must be a whole number, not "+f.v.kind.describe(), "use a number "+rng)
		return def
	}
	v, ok := asInt64(f.v.val)
	if !ok || v < int64(lo) || v > int64(hi) {
		d.fail(f.valueAt(), f.path, "must be "+rng+", got "+f.v.text, "use a number "+rng)
		return def
	}
	return int(v)
}

// asInt64 reads goccy's integer value: int64, or uint64 for a non-negative literal.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// probability reads a number in [0, 1]; absent is 0.
func (d *decoder) probability(f field) float64 {
	if !f.present() {
		return 0
	}
	var v float64
	switch x := f.v.val.(type) {
	case float64:
		v = x
	case int64:
		v = float64(x)
	case uint64:
		v = float64(x)
	default:
		d.fail(f.valueAt(), f.path, "must be a number, not "+f.v.kind.describe(), "use a probability between 0 and 1, such as 0.05")
		return 0
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		// A NaN would pass a range check written the other way round and never fire.
		d.fail(f.valueAt(), f.path, "is not a finite number, got "+f.v.text, "use a probability between 0 and 1, such as 0.05")
		return 0
	}
	if v < 0 || v > 1 {
		d.fail(f.valueAt(), f.path, "must be between 0 and 1, got "+f.v.text, "use a probability between 0 and 1, such as 0.05")
		return 0
	}
	return v
}

// boolean reads true or false; absent gives nil.
func (d *decoder) boolean(f field) *bool {
	if !f.present() {
		return nil
	}
	b, ok := f.v.val.(bool)
	if f.v.kind != kindBool || !ok {
		d.fail(f.valueAt(), f.path, "must be true or false, not "+f.v.kind.describe(), "write true or false without quotes")
		return nil
	}
	return &b
}

// matches checks a string field against a pattern; what says what the pattern allows.
func (d *decoder) matches(f field, s string, re *regexp.Regexp, what string) bool {
	if re.MatchString(s) {
		return true
	}
	d.fail(f.valueAt(), f.path, "invalid value "+quote(s), "use "+what)
	return false
}

func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + itoa(i) + "]" }

func itoa(i int) string { return strconv.Itoa(i) }

// quote renders a non-secret value for a message.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
