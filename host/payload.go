package host

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf16"
)

// MaxPayloadLength is the host's MaxTriggersStringLength: the longest payload, in UTF-16 code units
// as .NET counts a string's Length, published in the extended form (PAY-1).
const MaxPayloadLength = 204800

// Payload is one serialized sync-triggers payload (PAY-1, FunctionsSyncManager.cs#GetSyncTriggersPayload
// @89dc438) with its hash (PAY-3, FunctionsSyncManager.cs#CheckHashAsync @89dc438).
type Payload struct {
	// Body is the exact JSON published (MSG-1) or served (MSG-3). It carries secrets (PAY-4): record
	// it by Hash only.
	Body []byte
	// Count is the number of trigger objects; SYNC-4 skips a background sync when it is zero.
	Count int
	// Hash is the PAY-3 hash of Body: lowercase hex SHA-256.
	Hash string
	// Minimal reports that the extended form exceeded MaxPayloadLength and the minimal form
	// {"triggers":[...],"hostId":"..."} was published instead.
	Minimal bool
}

// HashOf is PAY-3's hash: the lowercase hex SHA-256 of the payload's exact bytes.
func HashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// BuildPayload serializes the payload for a site's functions and keys (PAY-1). The envelope and the
// function objects are structs, so their field order is fixed; bindings and key sets are maps, which
// encoding/json writes in sorted key order. The same input therefore gives the same bytes whatever
// the maps' insertion or iteration order (PAY-2).
func BuildPayload(site Site, functions []Function, keys Keys) Payload {
	return buildPayload(site, functions, keys, 0)
}

// buildPayload is BuildPayload with the payload object's keys rotated by rotate places (0: PAY-1's
// order). A rotation is the same payload in other text, as #9255's worker-indexed metadata is
// semantically equal but textually different from one host start to the next.
func buildPayload(site Site, functions []Function, keys Keys, rotate int) Payload {
	fns := dedupeFunctions(functions)
	triggers := make([]Binding, 0, len(fns))
	for _, f := range fns {
		if t := f.Trigger(); t != nil {
			triggers = append(triggers, triggerObject(t, f.Name))
		}
	}
	// PAY-1's order: triggers, hostId, functions, secrets.
	body := encodeRotated(rotate, member{"triggers", triggers}, member{"hostId", site.HostID},
		member{"functions", functionObjects(site, fns)}, member{"secrets", buildSecrets(fns, keys)})
	minimal := false
	if utf16Length(body) > MaxPayloadLength {
		// The real host logs a warning here; the warning text holds only the length, never the body.
		body = encodeRotated(rotate, member{"triggers", triggers}, member{"hostId", site.HostID})
		minimal = true
	}
	return Payload{Body: body, Count: len(triggers), Hash: HashOf(body), Minimal: minimal}
}

// member is one key of the payload object and its value.
type member struct {
	key   string
	value any
}

// encodeRotated writes a JSON object of the members, starting at member rotate (mod their count), so
// rotate 0 gives exactly encodeJSON of the struct with the members in that order.
func encodeRotated(rotate int, members ...member) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i := range members {
		m := members[(i+rotate)%len(members)]
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(encodeJSON(m.key))
		buf.WriteByte(':')
		buf.Write(encodeJSON(m.value))
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// functionObject is the host's FunctionMetadataResponse, without the test-data and file fields the
// model has no content for (decided here).
type functionObject struct {
	Name              string         `json:"name"`
	ScriptRootPathRef string         `json:"script_root_path_href"`
	ScriptRef         string         `json:"script_href"`
	ConfigRef         string         `json:"config_href"`
	Ref               string         `json:"href"`
	InvokeURLTemplate *string        `json:"invoke_url_template"`
	Language          string         `json:"language"`
	Config            functionConfig `json:"config"`
	IsDisabled        bool           `json:"isDisabled"`
	IsDirect          bool           `json:"isDirect"`
	IsProxy           bool           `json:"isProxy"`
}

type functionConfig struct {
	Bindings []Binding `json:"bindings"`
}

type secretsObject struct {
	Host     hostSecrets       `json:"host"`
	Function []functionSecrets `json:"function"`
}

type hostSecrets struct {
	Master   string            `json:"master"`
	Function map[string]string `json:"function"`
	System   map[string]string `json:"system"`
}

type functionSecrets struct {
	Name    string            `json:"name"`
	Secrets map[string]string `json:"secrets"`
}

// dedupeFunctions keeps the first function of each name, compared case-insensitively, as the 2026
// host does (reference section 1.3).
func dedupeFunctions(functions []Function) []Function {
	seen := make(map[string]bool, len(functions))
	out := make([]Function, 0, len(functions))
	for _, f := range functions {
		k := strings.ToLower(f.Name)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// triggerObject is the trigger binding verbatim plus "functionName" (PAY-1). It is a copy: the
// content's bindings are shared between snapshots and never mutated.
func triggerObject(t Binding, name string) Binding {
	o := make(Binding, len(t)+1)
	for k, v := range t {
		o[k] = v
	}
	o["functionName"] = name
	return o
}

func isHTTPTriggered(f Function) bool {
	return strings.EqualFold(f.Trigger().Type(), "httpTrigger")
}

func functionObjects(site Site, fns []Function) []functionObject {
	base := site.URL()
	out := make([]functionObject, 0, len(fns))
	for _, f := range fns {
		root := base + "/admin/vfs/home/site/wwwroot/" + f.Name + "/"
		var invoke *string
		if isHTTPTriggered(f) {
			u := base + "/api/" + f.Name
			invoke = &u
		}
		bindings := f.Bindings
		if bindings == nil {
			bindings = []Binding{}
		}
		out = append(out, functionObject{
			Name:              f.Name,
			ScriptRootPathRef: root,
			ScriptRef:         root + scriptFile(f.Language),
			ConfigRef:         root + "function.json",
			Ref:               base + "/admin/functions/" + f.Name,
			InvokeURLTemplate: invoke,
			Language:          f.Language,
			Config:            functionConfig{Bindings: bindings},
			IsDisabled:        f.Disabled,
		})
	}
	return out
}

// scriptFile names a function's entry script by language. The model's functions carry no scriptFile,
// so this conventional default is decided here; an unknown language points at the script root.
func scriptFile(language string) string {
	switch strings.ToLower(language) {
	case "node", "javascript":
		return "index.js"
	case "python":
		return "__init__.py"
	case "powershell":
		return "run.ps1"
	case "csharp":
		return "run.csx"
	}
	return ""
}

func buildSecrets(fns []Function, keys Keys) secretsObject {
	s := secretsObject{
		Host: hostSecrets{
			Master:   keys.Master,
			Function: nonNilMap(keys.Host),
			System:   nonNilMap(keys.System),
		},
		Function: []functionSecrets{},
	}
	for _, f := range fns {
		if isHTTPTriggered(f) {
			s.Function = append(s.Function, functionSecrets{Name: f.Name, Secrets: functionKeys(keys, f.Name)})
		}
	}
	return s
}

// functionKeys finds a function's keys by exact name, else case-insensitively (function names are
// case-insensitive); among several case variants the first in sorted order wins, so the result does
// not depend on map iteration order.
func functionKeys(keys Keys, name string) map[string]string {
	if m, ok := keys.Functions[name]; ok {
		return nonNilMap(m)
	}
	names := make([]string, 0, len(keys.Functions))
	for n := range keys.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return nonNilMap(keys.Functions[n])
		}
	}
	return map[string]string{}
}

// nonNilMap makes an absent key set serialize as {} rather than null.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// encodeJSON writes v compactly without HTML escaping, as Newtonsoft does, and without the newline
// json.Encoder appends.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Content documents its binding values as JSON-compatible; anything else is a programmer
		// error in whoever built the content. The message names no value (PAY-4).
		panic("host: payload content is not JSON-serializable")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// utf16Length counts a UTF-8 text in UTF-16 code units, as .NET's string.Length does: a rune above
// U+FFFF counts 2. Invalid UTF-8 decodes as U+FFFD, one unit.
func utf16Length(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}
