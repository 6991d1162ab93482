// Package faults is the fault catalogue (DESIGN.md "Faults"): every fault syncsim can inject, each a
// named rule with typed parameters (what, where, when, how likely), usable from a scenario's fault
// profile and from the CLI as NAME[:param=value,...]. The simulator labels every firing as injected in
// the trace.
//
//	spec, err := faults.Parse("fe-status:status=503,p=0.2")
//	if err == nil { fmt.Println(spec) } // fe-status:p=0.2,status=503
package faults

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind says where a fault acts.
type Kind string

// Fault kinds.
const (
	// KindPoint faults fire when a host reaches a fault point of PROTOCOL.md section 6.
	KindPoint Kind = "point"
	// KindTimed faults fire at seeded times within their window.
	KindTimed Kind = "timed"
	// KindLink faults act on messages between parties.
	KindLink Kind = "link"
	// KindEndpoint faults change how an endpoint answers.
	KindEndpoint Kind = "endpoint"
	// KindHost faults change what a host loads or builds.
	KindHost Kind = "host"
)

// ParamType is a parameter's value type.
type ParamType string

// Parameter types.
const (
	TypeProb     ParamType = "probability"
	TypeDuration ParamType = "duration"
	TypeInt      ParamType = "int"
	TypeBool     ParamType = "bool"
	TypeString   ParamType = "string"
)

// Param is one parameter of a fault.
type Param struct {
	Name    string
	Type    ParamType
	Default string
	// Choices, when set, lists the allowed values.
	Choices []string
	Doc     string
}

// Fault is one entry of the catalogue.
type Fault struct {
	Name   string
	Kind   Kind
	Doc    string
	Ref    string
	Params []Param
	// Live reports that a live run (live: real HTTP, Azure Storage) injects the fault: an
	// instance deleted at a fault point, what a host loads and builds, clock skew, the answers and
	// tokens of the front end, the mesh, the site's front door and storage, the oversize deploy
	// and a burst of admin calls. The other timed faults, the link faults and partitions need the
	// simulator's kernel and network: a live run records them as fault.na.
	Live bool
}

// Points are the fault points of PROTOCOL.md section 6, in the order a sync reaches them.
var Points = []string{"before-gate", "after-lock", "after-payload", "after-hash-read", "after-publish", "after-hash-write", "mid-fetch"}

// anyPoint are the values a point fault's point parameter takes.
var anyPoint = append([]string{"any"}, Points...)

// BadTokenKinds are the tokens token-invalid presents in place of a sender's (TOK-2..5, FE-2): an audience or issuer
// that is wrong or a near miss of the right one (a suffixed host name, a suffixed path), a lifetime
// beyond the 5-minute skew on either side, no token, a signature under another key, alg=none, and a
// value that is not a JWT. The last four are valid tokens of TOK-5's other issuer and audience
// pairs (App Service's, the scm site's or the site's own issuer; the /azurefunctions audience) that the
// receiver must judge by their claim: MSG-3 grants only Legion's issuer the platform claim (403
// otherwise, PR #11697), MSG-4 grants any, the front end none (FE-2).
var BadTokenKinds = []string{"wrong-audience", "near-miss-audience", "near-miss-audience-path", "wrong-issuer", "near-miss-issuer",
	"not-yet-valid", "expired", "stripped", "wrong-key", "alg-none", "malformed",
	"issuer-appservice", "issuer-scm", "issuer-site", "audience-functions"}

// Parties that link faults may name ("*" is any; "instance" is every instance).
var Parties = []string{"*", "instance", "storage", "frontend", "mesh", "router", "client"}

// Common window parameters: a fault fires only within [after, until) and before faults_end.
var window = []Param{
	{Name: "after", Type: TypeDuration, Default: "0s", Doc: "fire only at or after this virtual time"},
	{Name: "until", Type: TypeDuration, Default: "0s", Doc: "fire only before this virtual time (0: until faults_end)"},
	{Name: "count", Type: TypeInt, Default: "0", Doc: "fire at most this many times (0: no limit)"},
}

func prob(def string) Param {
	return Param{Name: "p", Type: TypeProb, Default: def, Doc: "chance of firing at each opportunity"}
}

func every(def string) Param {
	return Param{Name: "every", Type: TypeDuration, Default: def, Doc: "mean time between firings (seeded exponential draws)"}
}

func status(def string, choices ...string) Param {
	return Param{Name: "status", Type: TypeInt, Default: def, Choices: choices, Doc: "HTTP status to answer"}
}

func link() []Param {
	return []Param{
		{Name: "from", Type: TypeString, Default: "*", Choices: Parties, Doc: "sending party"},
		{Name: "to", Type: TypeString, Default: "*", Choices: Parties, Doc: "receiving party"},
	}
}

func params(ps ...[]Param) []Param {
	var out []Param
	for _, p := range ps {
		out = append(out, p...)
	}
	return append(out, window...)
}

var catalogue = []Fault{
	{Name: "delete-instance", Kind: KindPoint, Live: true, Ref: "PROTOCOL.md 1, 6", Doc: "the instance is deleted at a fault point: all memory and in-flight work lost",
		Params: params([]Param{{Name: "point", Type: TypeString, Default: "after-hash-write", Choices: anyPoint, Doc: "fault point (any: every point)"},
			{Name: "background", Type: TypeString, Default: "any", Choices: []string{"any", "true", "false"}, Doc: "only in background or foreground syncs"}, prob("1")})},
	{Name: "restart-instance", Kind: KindPoint, Live: true, Ref: "PROTOCOL.md 1, 6", Doc: "the instance is deleted at a fault point and a new one (new name) starts",
		Params: params([]Param{{Name: "point", Type: TypeString, Default: "after-publish", Choices: anyPoint, Doc: "fault point (any: every point)"},
			{Name: "background", Type: TypeString, Default: "any", Choices: []string{"any", "true", "false"}, Doc: "only in background or foreground syncs"}, prob("1")})},
	{Name: "scale-in", Kind: KindTimed, Ref: "PROTOCOL.md 1", Doc: "an instance is removed (scale in)",
		Params: params([]Param{every("20m"), {Name: "which", Type: TypeString, Default: "newest", Choices: []string{"newest", "oldest", "primary"}, Doc: "which instance"}})},
	{Name: "scale-out", Kind: KindTimed, Ref: "PROTOCOL.md 1", Doc: "a new instance starts (scale out)",
		Params: params([]Param{every("20m")})},
	{Name: "scale-to-zero", Kind: KindTimed, Ref: "incidents.md notes (Flex Consumption scales to zero)", Doc: "every instance is removed; as many start again after `for`",
		Params: params([]Param{every("30m"), {Name: "for", Type: TypeDuration, Default: "15m", Doc: "time at zero instances"}})},
	{Name: "primary-lease-lost", Kind: KindTimed, Ref: "PROTOCOL.md 1", Doc: "the primary's lease is broken in storage; another instance may take it",
		Params: params([]Param{every("10m")})},
	{Name: "drop", Kind: KindLink, Ref: "DESIGN.md faults", Doc: "a message is lost", Params: params(link(), []Param{prob("0.05")})},
	{Name: "duplicate", Kind: KindLink, Ref: "DESIGN.md faults; P7", Doc: "a message is delivered twice", Params: params(link(), []Param{prob("0.05")})},
	{Name: "delay", Kind: KindLink, Ref: "DESIGN.md faults", Doc: "a message is delayed beyond its link's bounds",
		Params: params(link(), []Param{prob("0.05"), {Name: "by", Type: TypeDuration, Default: "2s", Doc: "extra delay"}})},
	{Name: "reorder", Kind: KindLink, Ref: "DESIGN.md faults", Doc: "a message is held back so that later ones overtake it", Params: params(link(), []Param{prob("0.05")})},
	{Name: "partition", Kind: KindTimed, Ref: "DESIGN.md faults", Doc: "messages between two parties are lost for a while",
		Params: params([]Param{{Name: "a", Type: TypeString, Default: "instance", Choices: Parties[1:], Doc: "one side"},
			{Name: "b", Type: TypeString, Default: "storage", Choices: Parties[1:], Doc: "other side"}, every("20m"),
			{Name: "for", Type: TypeDuration, Default: "30s", Doc: "how long the partition lasts"}})},
	{Name: "fe-status", Kind: KindEndpoint, Live: true, Ref: "MSG-1, SYNC-7; core-tools #630", Doc: "the front end answers an error status to MSG-1",
		Params: params([]Param{status("503", "429", "500", "503"), prob("0.1")})},
	{Name: "fe-timeout", Kind: KindEndpoint, Live: true, Ref: "MSG-1 (100 s timeout)", Doc: "the front end never answers MSG-1", Params: params([]Param{prob("0.1")})},
	{Name: "mesh-status", Kind: KindEndpoint, Live: true, Ref: "MSG-2, SYNC-7", Doc: "the mesh answers an error status to MSG-2", Params: params([]Param{status("500", "429", "500", "502", "503"), prob("0.1")})},
	{Name: "mesh-timeout", Kind: KindEndpoint, Live: true, Ref: "MSG-2 (30 s timeout)", Doc: "the mesh never answers MSG-2", Params: params([]Param{prob("0.1")})},
	{Name: "mesh-forward-lost", Kind: KindEndpoint, Live: true, Ref: "PROTOCOL.md 1", Doc: "the mesh answers 2xx but the notification is lost before the platform sees it", Params: params([]Param{prob("0.1")})},
	{Name: "fetch-status", Kind: KindEndpoint, Live: true, Ref: "MSG-3, MESH-4", Doc: "the platform's fetch fails with a status at the site's front door", Params: params([]Param{status("503", "404", "502", "503"), prob("0.2")})},
	{Name: "fetch-refused", Kind: KindEndpoint, Live: true, Ref: "MSG-3, MESH-4", Doc: "the platform's fetch gets a refused connection", Params: params([]Param{prob("0.2")})},
	{Name: "blob-read-error", Kind: KindEndpoint, Live: true, Ref: "BLOB-2, SYNC-5", Doc: "reading the hash blob fails (the host counts it as unchanged)", Params: params([]Param{status("503", "500", "503"), prob("0.1")})},
	{Name: "blob-write-error", Kind: KindEndpoint, Live: true, Ref: "BLOB-2, SYNC-6", Doc: "writing the hash blob fails (the host logs and swallows it)", Params: params([]Param{status("500", "500", "503"), prob("0.1")})},
	{Name: "storage-refuses", Kind: KindEndpoint, Live: true, Ref: "BLOB-2, SYNC-3, SYNC-5, SYNC-7; #11796, #11782/#11787",
		Doc:    "storage refuses the host (401 AuthenticationFailed, 403 AuthorizationPermissionMismatch): every blob call, the lease and the host keys' reads",
		Params: params([]Param{status("403", "401", "403"), prob("1")})},
	{Name: "fe-size-limit", Kind: KindEndpoint, Live: true, Ref: "MSG-1, PAY-1; #12035, #4691", Doc: "the front end answers 400 to a MSG-1 body over a size limit",
		Params: params([]Param{{Name: "bytes", Type: TypeInt, Default: "204800", Doc: "the longest body taken, in bytes"}, prob("1")})},
	{Name: "blob-latency", Kind: KindEndpoint, Live: true, Ref: "BLOB-2", Doc: "storage answers late", Params: params([]Param{prob("0.1"), {Name: "by", Type: TypeDuration, Default: "2s", Doc: "extra latency"}})},
	{Name: "blob-lost-write", Kind: KindEndpoint, Live: true, Ref: "BLOB-2", Doc: "a hash blob write answers 201 but is not stored", Params: params([]Param{prob("0.1")})},
	{Name: "concurrent-syncs", Kind: KindTimed, Live: true, Ref: "SYNC-2; P3; #11873 (deploy hooks call 2-3 times)", Doc: "a burst of admin sync calls, to one instance or spread over all",
		Params: params([]Param{every("15m"), {Name: "calls", Type: TypeInt, Default: "3", Doc: "calls in the burst"},
			{Name: "spread", Type: TypeString, Default: "one", Choices: []string{"one", "all"}, Doc: "one instance, or the router's choice"}})},
	{Name: "clock-skew", Kind: KindHost, Live: true, Ref: "TOK-2..5", Doc: "a party's clock is off, so the tokens it issues are expired or not yet valid",
		Params: params([]Param{{Name: "party", Type: TypeString, Default: "instance", Choices: []string{"instance", "mesh"}, Doc: "whose clock"},
			{Name: "by", Type: TypeDuration, Default: "6m", Doc: "offset (negative: behind)"}, prob("0.5")})},
	{Name: "token-invalid", Kind: KindEndpoint, Live: true, Ref: "TOK-2..5, FE-2, HOST-1, MESH-3",
		Doc: "a request reaches its receiver with a token of one kind in place of the sender's: invalid (the receiver must refuse it) or valid for another issuer or audience (the receiver must judge its claim)",
		Params: params([]Param{{Name: "kind", Type: TypeString, Default: "wrong-audience", Choices: BadTokenKinds, Doc: "what is wrong with the token, or which other valid issuer or audience it has"},
			{Name: "target", Type: TypeString, Default: "any", Choices: []string{"any", "frontend", "msg3", "msg4"},
				Doc: "receiver: the front end (MSG-1), the host's GET admin/host/triggers (MSG-3) or POST admin/host/synctriggers with a token (MSG-4)"}, prob("0.2")})},
	{Name: "token-expiry", Kind: KindEndpoint, Live: true, Ref: "TOK-4, MESH-3", Doc: "the mesh presents a token that has already expired", Params: params([]Param{prob("0.2")})},
	{Name: "placeholder-active", Kind: KindHost, Live: true, Ref: "SYNC-3; #11873, PR #11874", Doc: "after a host start the active host is still the placeholder (WarmUp) for a while",
		Params: params([]Param{prob("0.5"), {Name: "for", Type: TypeDuration, Default: "30s", Doc: "how long the placeholder stays active"},
			{Name: "guard", Type: TypeBool, Default: "true", Doc: "PR #11874's guard: skip syncs while the placeholder is active"}})},
	{Name: "payload-nondeterminism", Kind: KindHost, Live: true, Ref: "PAY-2; #9255", Doc: "the host serializes semantically equal payloads differently (the payload object's key order)", Params: params([]Param{prob("1")})},
	{Name: "oversize-payload", Kind: KindTimed, Live: true, Ref: "PAY-1 (204,800 fallback)", Doc: "a deploy grows the payload beyond 204,800 characters, so the minimal form is published",
		Params: params([]Param{every("30m")})},
	{Name: "transient-empty", Kind: KindHost, Live: true, Ref: "SYNC-4; #6822", Doc: "a host start indexes no functions (a transient host.json read error) until the next start", Params: params([]Param{prob("0.2")})},
}

// Catalogue lists every fault, in catalogue order.
func Catalogue() []Fault { return catalogue }

// Names lists the fault names, sorted.
func Names() []string {
	out := make([]string, len(catalogue))
	for i, f := range catalogue {
		out[i] = f.Name
	}
	sort.Strings(out)
	return out
}

// Lookup finds a fault by name.
func Lookup(name string) (Fault, bool) {
	for _, f := range catalogue {
		if f.Name == name {
			return f, true
		}
	}
	return Fault{}, false
}

// Param finds one of the fault's parameters.
func (f Fault) Param(name string) (Param, bool) {
	for _, p := range f.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Spec is a fault with its parameters, as a scenario or the CLI states it.
type Spec struct {
	Name   string
	Params map[string]string
}

// Parse reads NAME[:param=value,...].
func Parse(text string) (Spec, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(text), ":")
	s := Spec{Name: name, Params: map[string]string{}}
	if rest != "" {
		for _, kv := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return Spec{}, fmt.Errorf("faults: %q: parameter %q is not param=value (form: NAME[:param=value,...])", text, kv)
			}
			s.Params[k] = v
		}
	}
	return s, s.Validate()
}

// Validate checks the name and every parameter against the catalogue.
func (s Spec) Validate() error {
	f, ok := Lookup(s.Name)
	if !ok {
		return fmt.Errorf("faults: unknown fault %q (known: %s)", s.Name, strings.Join(Names(), ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Params)) {
		p, ok := f.Param(k)
		if !ok {
			var names []string
			for _, p := range f.Params {
				names = append(names, p.Name)
			}
			return fmt.Errorf("faults: %s has no parameter %q (parameters: %s)", s.Name, k, strings.Join(names, ", "))
		}
		if err := p.check(s.Params[k]); err != nil {
			return fmt.Errorf("faults: %s: %s: %w", s.Name, k, err)
		}
	}
	return nil
}

func (p Param) check(v string) error {
	if len(p.Choices) > 0 && !slices.Contains(p.Choices, v) {
		return fmt.Errorf("%q is not one of %s", v, strings.Join(p.Choices, ", "))
	}
	var err error
	switch p.Type {
	case TypeProb:
		var f float64
		f, err = strconv.ParseFloat(v, 64)
		if err == nil && !(f >= 0 && f <= 1) { // NaN too: every comparison with it is false
			err = fmt.Errorf("%s is not a probability in [0, 1]", v)
		}
	case TypeDuration:
		_, err = time.ParseDuration(v)
	case TypeInt:
		var n int
		n, err = strconv.Atoi(v)
		if err == nil && n < 0 {
			err = fmt.Errorf("%d is negative", n)
		}
	case TypeBool:
		_, err = strconv.ParseBool(v)
	}
	return err
}

// String renders the spec canonically: NAME:k=v,... with the parameters sorted.
func (s Spec) String() string {
	keys := slices.Sorted(maps.Keys(s.Params))
	if len(keys) == 0 {
		return s.Name
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s.Params[k]
	}
	return s.Name + ":" + strings.Join(parts, ",")
}

// Fault returns the spec's catalogue entry; the spec must be valid.
func (s Spec) Fault() Fault {
	f, ok := Lookup(s.Name)
	if !ok {
		panic("faults: spec of unknown fault " + s.Name)
	}
	return f
}

func (s Spec) raw(name string) string {
	if v, ok := s.Params[name]; ok {
		return v
	}
	p, ok := s.Fault().Param(name)
	if !ok {
		panic("faults: " + s.Name + " has no parameter " + name)
	}
	return p.Default
}

// Str returns a parameter's value or its default.
func (s Spec) Str(name string) string { return s.raw(name) }

// Float returns a numeric parameter (probabilities).
func (s Spec) Float(name string) float64 {
	f, _ := strconv.ParseFloat(s.raw(name), 64)
	return f
}

// Int returns an integer parameter.
func (s Spec) Int(name string) int {
	n, _ := strconv.Atoi(s.raw(name))
	return n
}

// Duration returns a duration parameter.
func (s Spec) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(s.raw(name))
	return d
}

// Bool returns a boolean parameter.
func (s Spec) Bool(name string) bool {
	b, _ := strconv.ParseBool(s.raw(name))
	return b
}

// With returns a copy with one parameter set.
func (s Spec) With(name, value string) Spec {
	c := Spec{Name: s.Name, Params: map[string]string{}}
	for k, v := range s.Params {
		c.Params[k] = v
	}
	c.Params[name] = value
	return c
}
