package scenarios

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
	schemakind "github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// The JSON Schema (schema.json) is the first check of every file: editors use the same file, so
// what an editor flags is what the loader rejects. It says what one field can hold (types, enums,
// patterns, bounds, unknown fields, one action per timeline entry); the field decoder then checks
// what a schema cannot say (cross-field rules, the timeline's function list, value overflow). The
// enums are kept equal to the Go registries by TestSchemaEnumsMatchRegistries.

//go:embed schema.json
var schemaJSON []byte

// schemaID is schema.json's $id; schema locations in validation errors start with it.
const schemaID = "https://github.com/syncsim/syncsim/scenarios/schema.json"

// compiledSchema is schema.json compiled once, and its text read with key order kept, from which
// messages take the allowed fields and bounds. A schema.json that does not compile is a programmer
// error.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, any) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic("scenarios: schema.json: " + err.Error())
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		panic("scenarios: schema.json: " + err.Error())
	}
	sch, err := c.Compile(schemaID)
	if err != nil {
		panic("scenarios: schema.json: " + err.Error())
	}
	var ordered any
	if err := yaml.UnmarshalWithOptions(schemaJSON, &ordered, yaml.UseOrderedMap()); err != nil {
		panic("scenarios: schema.json: " + err.Error())
	}
	return sch, ordered
})

// schemaPropertyIDs is schema.json's $defs.propertyID enum, in its order (by number). A schema
// without it is a programmer error.
func schemaPropertyIDs() []string {
	var doc struct {
		Defs struct {
			PropertyID struct {
				Enum []string `json:"enum"`
			} `json:"propertyID"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schemaJSON, &doc); err != nil || len(doc.Defs.PropertyID.Enum) == 0 {
		panic(fmt.Sprintf("scenarios: schema.json: no $defs.propertyID.enum (%v)", err))
	}
	return doc.Defs.PropertyID.Enum
}

// schemaError is a schema violation translated to the loader's terms. generic marks a message that
// says less than the field decoder would (a missing field: the decoder's fix names what to add).
type schemaError struct {
	*Error
	generic bool
	rank    int // among several schema errors at one field, the lowest rank is reported
}

// validateSchema checks the tree against schema.json and returns the problems in file order.
func (d *decoder) validateSchema(root *node) []schemaError {
	sch, doc := compiledSchema()
	err := sch.Validate(jsonOf(root))
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil
	}
	t := translator{d: d, root: root, doc: doc}
	t.walk(ve)
	// One problem per field: the most basic one (a wrong type before a wrong value).
	best := map[string]int{}
	var out []schemaError
	for _, e := range t.out {
		if i, seen := best[e.Field]; seen {
			if e.rank < out[i].rank {
				out[i] = e
			}
			continue
		}
		best[e.Field] = len(out)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return before(out[i].Error, out[j].Error) })
	return out
}

// jsonOf converts a tree to the values encoding/json would give. A non-finite float, which JSON
// cannot hold, becomes null and is left to the field decoder.
func jsonOf(n *node) any {
	switch n.kind {
	case kindMap:
		m := make(map[string]any, len(n.entries))
		for _, e := range n.entries {
			m[e.key] = jsonOf(e.val)
		}
		return m
	case kindSeq:
		s := make([]any, len(n.items))
		for i, item := range n.items {
			s[i] = jsonOf(item)
		}
		return s
	case kindFloat:
		if f, _ := n.val.(float64); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
	}
	return n.val
}

// mergeSchemaErrors reports each field once: the decoder's error replaces a generic schema error
// at the same field, and any other schema error replaces the decoder's. The result is sorted by
// position and capped.
func mergeSchemaErrors(schema []schemaError, decoded []*Error) []*Error {
	byField := map[string]int{}
	for i, e := range schema {
		byField[e.Field] = i
	}
	var out []*Error
	keep := make([]bool, len(schema))
	for i := range keep {
		keep[i] = true
	}
	for _, e := range decoded {
		i, both := byField[e.Field]
		switch {
		case !both:
			out = append(out, e)
		case schema[i].generic:
			keep[i] = false
			out = append(out, e)
		}
	}
	for i, e := range schema {
		if keep[i] {
			out = append(out, e.Error)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return before(out[i], out[j]) })
	if len(out) > maxErrors {
		out = out[:maxErrors]
	}
	return out
}

func before(a, b *Error) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

// translator turns the validator's error tree into loader errors.
type translator struct {
	d    *decoder
	root *node
	doc  any // schema.json with key order kept
	out  []schemaError
}

// place is where an instance location points in the file.
type place struct {
	n      *node
	keyAt  pos    // the key's position (a list item's own), where a missing field is reported
	path   string // loader notation: timeline[2].deploy
	secret bool   // under a credential field (PAY-4): its text is never quoted
}

// locate follows a JSON pointer's tokens through the tree.
func (t *translator) locate(loc []string) place {
	p := place{n: t.root, keyAt: pos{line: 1}}
	for i, tok := range loc {
		switch p.n.kind {
		case kindMap:
			e, _ := p.n.lookup(tok)
			if e.val == nil {
				return p
			}
			p.n, p.keyAt, p.path = e.val, e.at, child(p.path, tok)
		case kindSeq:
			k, err := strconv.Atoi(tok)
			if err != nil || k < 0 || k >= len(p.n.items) {
				return p
			}
			p.n, p.keyAt, p.path = p.n.items[k], p.n.items[k].at, index(p.path, k)
		default:
			return p
		}
		p.secret = p.secret || secretAt(loc[:i+1])
	}
	return p
}

// secretAt reports whether a location holds a credential: content.keys and everything under it,
// site.encryption_key, and timeline[i].rotate_key.value (PAY-4).
func secretAt(loc []string) bool {
	switch {
	case len(loc) >= 2 && loc[0] == "content" && loc[1] == "keys":
		return true
	case len(loc) == 2 && loc[0] == "site" && loc[1] == "encryption_key":
		return true
	case len(loc) >= 4 && loc[0] == "timeline" && loc[2] == "rotate_key" && loc[3] == "value":
		return true
	}
	return false
}

func (t *translator) add(p place, at pos, path, msg, fix string, rank int, generic bool) {
	if at.line == 0 {
		at = p.keyAt
	}
	t.out = append(t.out, schemaError{Error: &Error{File: t.d.file, Line: at.line, Column: at.col, Field: path, Msg: msg, Fix: fix},
		rank: rank, generic: generic})
}

// walk translates the leaves of the error tree; groups (allOf, $ref, the whole schema) only hold causes.
func (t *translator) walk(e *jsonschema.ValidationError) {
	switch k := e.ErrorKind.(type) {
	case *schemakind.OneOf:
		t.oneOf(e, k)
	case *schemakind.PropertyNames:
		t.propertyName(e, k)
	default:
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				t.walk(c)
			}
			return
		}
		t.leaf(e, t.locate(e.InstanceLocation))
	}
}

// leaf translates one violated keyword at p.
func (t *translator) leaf(e *jsonschema.ValidationError, p place) {
	at := p.n.at
	sloc := schemaLocation(e)
	def := defName(sloc)
	owner := e.SchemaURL // the schema object holding the failing keyword
	switch k := e.ErrorKind.(type) {
	case *schemakind.AdditionalProperties:
		allowed := strings.Join(t.properties(owner), ", ")
		for _, name := range k.Properties {
			e, _ := p.n.lookup(name)
			t.add(p, e.at, child(p.path, name), "unknown field "+quote(name)+" (allowed: "+allowed+")", "remove it or correct its spelling", 0, false)
		}
		return
	case *schemakind.Required:
		for _, name := range k.Missing {
			t.add(p, p.keyAt, child(p.path, name), "is required", "add "+name+"; see scenarios/SCHEMA.md", 0, true)
		}
		return
	}
	if def == "duration" || def == "positiveDuration" {
		t.duration(p, def)
		return
	}
	switch k := e.ErrorKind.(type) {
	case *schemakind.Type:
		t.typ(p, k)
	case *schemakind.Enum:
		allowed := enumText(k.Want)
		if p.n.kind == kindMap || p.n.kind == kindSeq {
			t.add(p, at, p.path, "must be one of: "+allowed+", not "+p.n.kind.describe(), "give one of the values as a plain string", 1, false)
			break
		}
		t.add(p, at, p.path, "unknown "+enumNoun(def)+" "+t.quoteValue(p)+": must be one of: "+allowed, "correct the spelling", 1, false)
	case *schemakind.Pattern:
		t.pattern(p, def)
	case *schemakind.MinLength:
		t.add(p, at, p.path, "must not be empty", "give a non-empty string, or leave the field out for its default", 1, false)
	case *schemakind.Minimum, *schemakind.Maximum:
		t.bounds(p, owner, def)
	case *schemakind.MinItems:
		noun := itemNoun(t.lookup(owner, "items"))
		t.add(p, at, p.path, "must list at least one "+noun, "list at least one "+noun, 1, false)
	case *schemakind.UniqueItems:
		i := k.Duplicates[1]
		if i < len(p.n.items) {
			item := p.n.items[i]
			noun := itemNoun(t.lookup(owner, "items"))
			t.add(p, item.at, index(p.path, i), noun+" "+item.text+" is listed twice", "list each "+noun+" once", 2, false)
		}
	default:
		// A keyword schema.json uses without a message of its own here; never the value (PAY-4).
		t.add(p, at, p.path, "does not satisfy the schema's "+strings.Join(k.KeywordPath(), "/"), "see scenarios/SCHEMA.md", 2, false)
	}
}

func (t *translator) typ(p place, k *schemakind.Type) {
	switch {
	case p.n.kind == kindNull:
		t.add(p, p.n.at, p.path, "has no value", "give a value; see scenarios/SCHEMA.md", 0, true)
	case p.path == "":
		t.add(p, p.n.at, "", "a scenario must be a mapping of fields, not "+p.n.kind.describe(), "start from the example in scenarios/SCHEMA.md", 0, false)
	default:
		var want []string
		fix := "see scenarios/SCHEMA.md"
		for _, w := range k.Want {
			switch w {
			case "string":
				want, fix = append(want, "a string"), "quote the value"
			case "integer":
				want, fix = append(want, "a whole number"), "write a number without quotes"
			case "number":
				want, fix = append(want, "a number"), "write a number without quotes"
			case "boolean":
				want, fix = append(want, "true or false"), "write true or false without quotes"
			case "object":
				want, fix = append(want, "a mapping"), "write key: value lines under it"
			case "array":
				want, fix = append(want, "a list"), "write one '- ' item per line, or [a, b]"
			}
		}
		what := strings.Join(want, " or ")
		if len(want) > 2 {
			what, fix = "a scalar (a string, number or boolean)", "give a string, number, duration or boolean"
		} else if len(want) > 1 {
			fix = "see scenarios/SCHEMA.md"
		}
		t.add(p, p.n.at, p.path, "must be "+what+", not "+p.n.kind.describe(), fix, 0, false)
	}
}

func (t *translator) duration(p place, def string) {
	const fix = "use a Go duration such as 30s, 5m, 1h30m"
	n := p.n
	switch {
	case n.kind == kindNull:
		t.typ(p, &schemakind.Type{})
	case n.kind != kindString && n.kind != kindInt && n.kind != kindFloat:
		t.add(p, n.at, p.path, "must be a duration, not "+n.kind.describe(), fix, 0, false)
	case def == "positiveDuration":
		// positiveDuration's own keywords; a malformed value fails the duration it refers to.
		t.add(p, n.at, p.path, "must be longer than 0", "use a duration such as 1s or 5m", 2, false)
	case strings.HasPrefix(n.text, "-"):
		t.add(p, n.at, p.path, "must not be negative, got "+n.text, "use a duration of 0 or more", 1, false)
	default:
		t.add(p, n.at, p.path, "invalid duration "+quote(n.text)+": must be a Go duration such as 30s or 5m", fix, 1, false)
	}
}

// patterns say, per $defs entry, what a pattern allows, and the noun of the message.
var patterns = map[string]struct{ noun, what string }{
	"scenarioName":  {"value", "letters, digits, '.', '_' and '-', starting with a letter or digit (at most 80)"},
	"siteName":      {"value", "1 to 60 lowercase letters, digits and '-'"},
	"hostID":        {"value", "1 to 32 lowercase letters, digits and '-', or leave host_id out to derive it from the site name"},
	"functionName":  {"value", "a letter, then up to 127 letters, digits, '_' and '-'"},
	"instanceName":  {"instance name", instanceNameWhat},
	"keyName":       {"key name", "letters, digits, '.', '_' and '-', not starting with '.'"},
	"keyRef":        {"key reference", keyRefFormat},
	"encryptionKey": {"", `64 hex characters or base64, or "" for "not set"`},
}

func (t *translator) pattern(p place, def string) {
	pt, ok := patterns[def]
	if !ok {
		pt.noun, pt.what = "value", "a value as scenarios/SCHEMA.md describes"
	}
	if p.secret {
		// TOK-1; the value is a credential and is described, never quoted.
		t.add(p, p.n.at, p.path, "is neither 64 hex characters nor base64 (TOK-1)", "use "+pt.what, 1, false)
		return
	}
	t.add(p, p.n.at, p.path, "invalid "+pt.noun+" "+t.quoteValue(p)+": must be "+pt.what, "use "+pt.what, 1, false)
}

func (t *translator) bounds(p place, owner, def string) {
	lo, hasLo := number(t.lookup(owner, "minimum"))
	hi, hasHi := number(t.lookup(owner, "maximum"))
	rng := "at least " + lo
	if hasLo && hasHi {
		rng = "between " + lo + " and " + hi
	} else if !hasLo {
		rng = "at most " + hi
	}
	fix := "use a number " + rng
	if def == "probability" {
		fix = "use a probability between 0 and 1, such as 0.05"
	}
	t.add(p, p.n.at, p.path, "must be "+rng+", got "+t.quoteText(p), fix, 2, false)
}

// oneOf reports a timeline entry with no action or with several: the schema's oneOf lists one
// branch per action, each requiring its key.
func (t *translator) oneOf(e *jsonschema.ValidationError, k *schemakind.OneOf) {
	p := t.locate(e.InstanceLocation)
	var actions []string
	if branches, ok := t.lookup(schemaLocation(e)).([]any); ok {
		for _, b := range branches {
			if req, ok := mapValue(b, "required").([]any); ok && len(req) == 1 {
				actions = append(actions, req[0].(string))
			}
		}
	}
	if k.Subschemas == nil {
		t.add(p, p.n.at, p.path, "has no action", "add one of: "+strings.Join(actions, ", "), 0, false)
		return
	}
	var present []string
	at := p.n.at
	for _, en := range p.n.entries {
		if contains(actions, en.key) {
			present = append(present, en.key)
			if len(present) == 2 {
				at = en.at
			}
		}
	}
	t.add(p, at, p.path, "has more than one action ("+strings.Join(present, ", ")+")", "split them into separate entries with the same at", 0, false)
}

// propertyName reports a key of a mapping whose keys the file chooses (modes, key names).
func (t *translator) propertyName(e *jsonschema.ValidationError, k *schemakind.PropertyNames) {
	for _, p := range t.keyOwners(e, k.Property) {
		t.keyLeaves(e, p, k.Property)
	}
}

// keyOwners finds the mappings that hold a rejected key. The validator gives a propertyNames error
// an instance location that later siblings can overwrite (it keeps its scratch slice), so the
// mappings are found from the keyword's schema location instead: properties/X is field X,
// additionalProperties any field, items any item. schema.json keeps every propertyNames outside
// $defs, so that this path is the instance's (TestSchemaPropertyNamesOutsideDefs).
func (t *translator) keyOwners(e *jsonschema.ValidationError, key string) []place {
	_, frag, _ := strings.Cut(e.SchemaURL, "#")
	toks := strings.Split(strings.TrimPrefix(frag, "/"), "/")
	if len(toks) == 0 || toks[len(toks)-1] != "propertyNames" {
		return nil
	}
	toks = toks[:len(toks)-1]
	places := []place{{n: t.root, keyAt: pos{line: 1}}}
	for i := 0; i < len(toks); i++ {
		var next []place
		for _, p := range places {
			switch {
			case toks[i] == "properties" && i+1 < len(toks) && p.n.kind == kindMap:
				if en, ok := p.n.lookup(toks[i+1]); ok {
					next = append(next, place{n: en.val, keyAt: en.at, path: child(p.path, en.key)})
				}
			case toks[i] == "additionalProperties" && p.n.kind == kindMap:
				for _, en := range p.n.entries {
					next = append(next, place{n: en.val, keyAt: en.at, path: child(p.path, en.key)})
				}
			case toks[i] == "items" && p.n.kind == kindSeq:
				for j, item := range p.n.items {
					next = append(next, place{n: item, keyAt: item.at, path: index(p.path, j)})
				}
			}
		}
		if toks[i] == "properties" {
			i++
		}
		places = next
	}
	var out []place
	for _, p := range places {
		if _, ok := p.n.lookup(key); ok && p.n.kind == kindMap {
			out = append(out, p)
		}
	}
	return out
}

// keyLeaves translates the failures of one key, reporting them at the key.
func (t *translator) keyLeaves(e *jsonschema.ValidationError, p place, key string) {
	en, _ := p.n.lookup(key)
	keyPlace := place{n: &node{kind: kindString, at: en.at, text: key, val: key}, keyAt: en.at, path: child(p.path, key)}
	var leaves []*jsonschema.ValidationError
	var collect func(*jsonschema.ValidationError)
	collect = func(c *jsonschema.ValidationError) {
		if len(c.Causes) == 0 {
			leaves = append(leaves, c)
		}
		for _, cc := range c.Causes {
			collect(cc)
		}
	}
	for _, c := range e.Causes {
		collect(c)
	}
	for _, c := range leaves {
		t.leaf(c, keyPlace)
	}
}

// quoteValue quotes a scalar's text, or describes a credential or a non-scalar.
func (t *translator) quoteValue(p place) string {
	if p.secret {
		return "(a credential, not shown)"
	}
	switch p.n.kind {
	case kindMap, kindSeq, kindNull:
		return "(" + p.n.kind.describe() + ")"
	}
	return quote(p.n.text)
}

// quoteText is a number's text for "got ..." messages.
func (t *translator) quoteText(p place) string {
	if p.secret {
		return "a credential (not shown)"
	}
	return p.n.text
}

// schemaLocation is the failing keyword's location: the schema's URL plus its keyword path.
func schemaLocation(e *jsonschema.ValidationError) string {
	return e.SchemaURL + "/" + strings.Join(e.ErrorKind.KeywordPath(), "/")
}

// defName is the $defs entry a schema location lies in, or "".
func defName(sloc string) string {
	_, frag, _ := strings.Cut(sloc, "#")
	rest, ok := strings.CutPrefix(frag, "/$defs/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// lookup reads the schema document at a location's fragment, then at the tokens after it.
func (t *translator) lookup(sloc string, more ...string) any {
	_, frag, _ := strings.Cut(sloc, "#")
	toks := append(strings.Split(strings.TrimPrefix(frag, "/"), "/"), more...)
	if frag == "" {
		toks = more
	}
	v := t.doc
	for _, tok := range toks {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case yaml.MapSlice:
			v = mapValue(x, tok)
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// properties lists, in schema order, the properties of an object schema.
func (t *translator) properties(owner string) []string {
	props, _ := t.lookup(owner, "properties").(yaml.MapSlice)
	out := make([]string, 0, len(props))
	for _, it := range props {
		out = append(out, it.Key.(string))
	}
	return out
}

func mapValue(v any, key string) any {
	m, _ := v.(yaml.MapSlice)
	for _, it := range m {
		if k, _ := it.Key.(string); k == key {
			return it.Value
		}
	}
	return nil
}

// refName is the $defs entry a schema refers to ({"$ref": "#/$defs/mode"} gives "mode").
func refName(v any) string {
	ref, _ := mapValue(v, "$ref").(string)
	return defName(ref)
}

// enumNoun names what an enum lists, for "unknown mode "x"".
func enumNoun(def string) string {
	switch def {
	case "mode":
		return "mode"
	case "propertyID":
		return "property"
	}
	return "value"
}

// itemNoun names a list's items, for "must list at least one mode".
func itemNoun(items any) string {
	switch refName(items) {
	case "mode":
		return "mode"
	case "propertyID":
		return "property"
	}
	return "item"
}

// enumText lists an enum's values, leaving out null (an empty value, which means "the default").
func enumText(want []any) string {
	var out []string
	for _, w := range want {
		if s, ok := w.(string); ok {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

func number(v any) (string, bool) {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}

// noteTreeSecrets records the credentials of the tree before any check runs, so that redact covers
// schema errors too, whatever the decoder gets to (PAY-4).
func (d *decoder) noteTreeSecrets(root *node) {
	if root.kind != kindMap {
		return
	}
	if c, ok := root.lookup("content"); ok && c.val.kind == kindMap {
		if k, ok := c.val.lookup("keys"); ok {
			d.noteSecrets(k.val)
		}
	}
	if s, ok := root.lookup("site"); ok && s.val.kind == kindMap {
		if k, ok := s.val.lookup("encryption_key"); ok {
			d.noteSecrets(k.val)
		}
	}
	if tl, ok := root.lookup("timeline"); ok && tl.val.kind == kindSeq {
		for _, item := range tl.val.items {
			if item.kind != kindMap {
				continue
			}
			if r, ok := item.lookup("rotate_key"); ok && r.val.kind == kindMap {
				if v, ok := r.val.lookup("value"); ok {
					d.noteSecrets(v.val)
				}
			}
		}
	}
}
