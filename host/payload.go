package host

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
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
	// Oversize is the extended form's length in UTF-16 code units when it exceeded MaxPayloadLength
	// (Minimal is then set), 0 otherwise: the length upstream's Warning names.
	Oversize int
}

// HashOf is PAY-3's hash: the lowercase hex SHA-256 of the payload's exact bytes.
func HashOf(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// BuildPayload serializes the payload for a site's functions and keys (PAY-1). The envelope and the
// function objects have a fixed member order; bindings and key sets are maps, written in sorted key
// order as encoding/json writes them. The same input therefore gives the same bytes whatever the
// maps' insertion or iteration order (PAY-2).
func BuildPayload(site Site, functions []Function, keys Keys) Payload {
	return buildPayload(site, functions, keys, 0)
}

// buildPayload is BuildPayload with the payload object's keys rotated by rotate places (0: PAY-1's
// order). A rotation is the same payload in other text, as #9255's worker-indexed metadata is
// semantically equal but textually different from one host start to the next.
//
// The body is written by appending, byte for byte what encoding/json (without HTML escaping) writes
// for the host's object model, which the tests hold it to; every call builds and hashes it anew.
func buildPayload(site Site, functions []Function, keys Keys, rotate int) Payload {
	w := writers.Get().(*payloadWriter)
	defer w.release()
	w.keepFirstOfEachName(functions)
	for _, f := range functions {
		w.trigger = append(w.trigger, f.Trigger())
	}
	// PAY-1's order: triggers, hostId, functions, secrets.
	count := w.object(rotate, 4, site, functions, keys)
	oversize := 0
	// A body's UTF-16 length is at most its byte length.
	if len(w.buf) > MaxPayloadLength {
		if n := utf16Length(w.buf); n > MaxPayloadLength {
			// The machine logs upstream's Warning (TextOversize): the length only, never the body.
			oversize = n
			w.buf = w.buf[:0]
			w.object(rotate, 2, site, functions, keys)
		}
	}
	body := bytes.Clone(w.buf)
	return Payload{Body: body, Count: count, Hash: HashOf(body), Minimal: oversize > 0, Oversize: oversize}
}

// payloadWriter appends one payload's JSON. Its buffers are scratch, reused from one payload to the
// next (writers): the body leaves it as a copy, so nothing a payload holds is shared.
type payloadWriter struct {
	buf []byte
	// keys is a stack of map keys being written in sorted order, one segment per open object.
	keys []string
	// keep says, per function of the content, whether it is the first of its name (dedupe); trigger
	// is its trigger binding (Function.Trigger), found once per payload.
	keep    []bool
	trigger []Binding
}

var writers = sync.Pool{New: func() any { return new(payloadWriter) }}

func (w *payloadWriter) release() {
	if cap(w.buf) > 4*MaxPayloadLength {
		// An oversize deploy's body is not kept for the next payload.
		w.buf = nil
	}
	// The content's key names and bindings are not held past the payload.
	clear(w.keys[:cap(w.keys)])
	clear(w.trigger[:cap(w.trigger)])
	w.buf, w.keys, w.keep, w.trigger = w.buf[:0], w.keys[:0], w.keep[:0], w.trigger[:0]
	writers.Put(w)
}

// object writes the payload object's first members of triggers, hostId, functions and secrets,
// starting at member rotate (mod members), and returns the number of trigger objects.
func (w *payloadWriter) object(rotate, members int, site Site, fns []Function, keys Keys) (count int) {
	w.buf = append(w.buf, '{')
	for i := range members {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		switch (i + rotate) % members {
		case 0:
			w.buf = append(w.buf, `"triggers":`...)
			count = w.triggers(fns)
		case 1:
			w.buf = append(w.buf, `"hostId":`...)
			w.buf = appendString(w.buf, site.HostID)
		case 2:
			w.buf = append(w.buf, `"functions":`...)
			w.functions(site, fns)
		case 3:
			w.buf = append(w.buf, `"secrets":`...)
			w.secrets(fns, keys)
		}
	}
	w.buf = append(w.buf, '}')
	return count
}

// keepFirstOfEachName keeps the first function of each name, compared case-insensitively, as the
// 2026 host does (reference section 1.3).
func (w *payloadWriter) keepFirstOfEachName(functions []Function) {
	const direct = 32 // up to this many functions, compare each with those before it
	if len(functions) > direct {
		seen := make(map[string]bool, len(functions))
		for _, f := range functions {
			k := strings.ToLower(f.Name)
			w.keep = append(w.keep, !seen[k])
			seen[k] = true
		}
		return
	}
	for i, f := range functions {
		first := true
		for _, g := range functions[:i] {
			if sameLower(f.Name, g.Name) {
				first = false
				break
			}
		}
		w.keep = append(w.keep, first)
	}
}

// sameLower is strings.ToLower(a) == strings.ToLower(b), without building either for ASCII names.
func sameLower(a, b string) bool {
	if len(a) != len(b) || !isASCII(a) || !isASCII(b) {
		// Not strings.EqualFold: keepFirstOfEachName keys its map by strings.ToLower past 32 functions,
		// and EqualFold is another relation outside ASCII ("σ" and "ς" fold together but lower apart;
		// "İ" lowers to "i" but does not fold to it), so 32 and 33 functions would deduplicate apart.
		//lint:ignore SA6005 must be the same relation as keepFirstOfEachName's strings.ToLower keys (see above)
		return strings.ToLower(a) == strings.ToLower(b)
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// triggers writes the trigger objects: each kept function's trigger binding verbatim plus
// "functionName" (PAY-1), in sorted key order; the content's bindings are never mutated.
func (w *payloadWriter) triggers(fns []Function) (count int) {
	w.buf = append(w.buf, '[')
	for i, f := range fns {
		t := w.trigger[i]
		if !w.keep[i] || t == nil {
			continue
		}
		if count > 0 {
			w.buf = append(w.buf, ',')
		}
		count++
		base := len(w.keys)
		for k := range t {
			if k != "functionName" {
				w.keys = append(w.keys, k)
			}
		}
		w.keys = append(w.keys, "functionName")
		slices.Sort(w.keys[base:])
		w.buf = append(w.buf, '{')
		for j := base; j < len(w.keys); j++ {
			if j > base {
				w.buf = append(w.buf, ',')
			}
			k := w.keys[j]
			w.buf = appendString(w.buf, k)
			w.buf = append(w.buf, ':')
			if k == "functionName" {
				w.buf = appendString(w.buf, f.Name)
			} else {
				w.value(t[k])
			}
		}
		w.buf = append(w.buf, '}')
		w.keys = w.keys[:base]
	}
	w.buf = append(w.buf, ']')
	return count
}

// httpTriggered reports whether function i's trigger is an httpTrigger, case-insensitively.
func (w *payloadWriter) httpTriggered(i int) bool {
	return strings.EqualFold(w.trigger[i].Type(), "httpTrigger")
}

// functions writes the host's FunctionMetadataResponse of each kept function, without the test-data
// and file fields the model has no content for (decided here). The URLs' variable parts are written
// one by one; each is bounded by ASCII text or the string's end, so their escapes are the escape of
// the whole URL.
func (w *payloadWriter) functions(site Site, fns []Function) {
	w.buf = append(w.buf, '[')
	first := true
	for i, f := range fns {
		if !w.keep[i] {
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.buf = append(w.buf, `{"name":`...)
		w.buf = appendString(w.buf, f.Name)
		w.buf = append(w.buf, `,"script_root_path_href":`...)
		w.root(site, f.Name, "")
		w.buf = append(w.buf, `,"script_href":`...)
		w.root(site, f.Name, scriptFile(f.Language))
		w.buf = append(w.buf, `,"config_href":`...)
		w.root(site, f.Name, "function.json")
		w.buf = append(w.buf, `,"href":`...)
		w.url(site, "/admin/functions/", f.Name)
		w.buf = append(w.buf, `,"invoke_url_template":`...)
		if w.httpTriggered(i) {
			w.url(site, "/api/", f.Name)
		} else {
			w.buf = append(w.buf, "null"...)
		}
		w.buf = append(w.buf, `,"language":`...)
		w.buf = appendString(w.buf, f.Language)
		w.buf = append(w.buf, `,"config":{"bindings":`...)
		if f.Bindings == nil {
			w.buf = append(w.buf, "[]"...)
		} else {
			w.bindings(f.Bindings)
		}
		w.buf = append(w.buf, `},"isDisabled":`...)
		w.buf = strconv.AppendBool(w.buf, f.Disabled)
		w.buf = append(w.buf, `,"isDirect":false,"isProxy":false}`...)
	}
	w.buf = append(w.buf, ']')
}

// root writes the string Site.URL()+"/admin/vfs/home/site/wwwroot/"+name+"/"+file.
func (w *payloadWriter) root(site Site, name, file string) {
	w.buf = append(w.buf, `"https://`...)
	w.buf = appendStringBody(w.buf, site.Name)
	w.buf = append(w.buf, `.azurewebsites.net/admin/vfs/home/site/wwwroot/`...)
	w.buf = appendStringBody(w.buf, name)
	w.buf = append(w.buf, '/')
	w.buf = appendStringBody(w.buf, file)
	w.buf = append(w.buf, '"')
}

// url writes the string Site.URL()+path+name.
func (w *payloadWriter) url(site Site, path, name string) {
	w.buf = append(w.buf, `"https://`...)
	w.buf = appendStringBody(w.buf, site.Name)
	w.buf = append(w.buf, ".azurewebsites.net"...)
	w.buf = append(w.buf, path...)
	w.buf = appendStringBody(w.buf, name)
	w.buf = append(w.buf, '"')
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

// secrets writes the key sets: the host's, and each kept HTTP-triggered function's. An absent key set
// is {} rather than null.
func (w *payloadWriter) secrets(fns []Function, keys Keys) {
	w.buf = append(w.buf, `{"host":{"master":`...)
	w.buf = appendString(w.buf, keys.Master)
	w.buf = append(w.buf, `,"function":`...)
	w.keySet(keys.Host)
	w.buf = append(w.buf, `,"system":`...)
	w.keySet(keys.System)
	w.buf = append(w.buf, `},"function":[`...)
	first := true
	for i, f := range fns {
		if !w.keep[i] || !w.httpTriggered(i) {
			continue
		}
		if !first {
			w.buf = append(w.buf, ',')
		}
		first = false
		w.buf = append(w.buf, `{"name":`...)
		w.buf = appendString(w.buf, f.Name)
		w.buf = append(w.buf, `,"secrets":`...)
		w.keySet(functionKeys(keys, f.Name))
		w.buf = append(w.buf, '}')
	}
	w.buf = append(w.buf, "]}"...)
}

// functionKeys finds a function's keys by exact name, else case-insensitively (function names are
// case-insensitive); among several case variants the first in sorted order wins, so the result does
// not depend on map iteration order. nil when it has none.
func functionKeys(keys Keys, name string) map[string]string {
	if m, ok := keys.Functions[name]; ok {
		return m
	}
	names := make([]string, 0, len(keys.Functions))
	for n := range keys.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return keys.Functions[n]
		}
	}
	return nil
}

// keySet writes a key set in sorted key order; nil is {}.
func (w *payloadWriter) keySet(m map[string]string) {
	base := len(w.keys)
	for k := range m {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys[base:])
	w.buf = append(w.buf, '{')
	for j := base; j < len(w.keys); j++ {
		if j > base {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendString(w.buf, w.keys[j])
		w.buf = append(w.buf, ':')
		w.buf = appendString(w.buf, m[w.keys[j]])
	}
	w.buf = append(w.buf, '}')
	w.keys = w.keys[:base]
}

func (w *payloadWriter) bindings(bs []Binding) {
	w.buf = append(w.buf, '[')
	for i, b := range bs {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.mapValue(b)
	}
	w.buf = append(w.buf, ']')
}

// value writes a binding's value as encoding/json does. Content documents its binding values as
// JSON-compatible: the kinds the scenario decoder and the host's own content make are written
// here, any other through encoding/json itself.
func (w *payloadWriter) value(v any) {
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		w.buf = appendString(w.buf, v)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	case int64:
		w.buf = strconv.AppendInt(w.buf, v, 10)
	case uint64:
		w.buf = strconv.AppendUint(w.buf, v, 10)
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			w.buf = append(w.buf, encodeJSON(v)...) // panics as encoding/json refuses it
			return
		}
		w.buf = appendFloat(w.buf, v)
	case map[string]any:
		w.mapValue(v)
	case Binding:
		w.mapValue(v)
	case []any:
		if v == nil {
			w.buf = append(w.buf, "null"...)
			return
		}
		w.buf = append(w.buf, '[')
		for i, e := range v {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.value(e)
		}
		w.buf = append(w.buf, ']')
	default:
		w.buf = append(w.buf, encodeJSON(v)...)
	}
}

// mapValue writes a JSON object in sorted key order; a nil map is null, as encoding/json has it.
func (w *payloadWriter) mapValue(m map[string]any) {
	if m == nil {
		w.buf = append(w.buf, "null"...)
		return
	}
	base := len(w.keys)
	for k := range m {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys[base:])
	w.buf = append(w.buf, '{')
	for j := base; j < len(w.keys); j++ {
		if j > base {
			w.buf = append(w.buf, ',')
		}
		k := w.keys[j]
		w.buf = appendString(w.buf, k)
		w.buf = append(w.buf, ':')
		w.value(m[k]) // may push and pop keys above this object's
	}
	w.buf = append(w.buf, '}')
	w.keys = w.keys[:base]
}

// appendFloat writes a finite float64 as encoding/json does: like ES6's number to string, %g with
// other exponent cutoffs and no padding of the exponent.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString writes s as a JSON string the way encoding/json does without HTML escaping, as
// Newtonsoft does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendStringBody writes s escaped, without the quotes: '"', '\\' and the control characters are
// escaped (\b \f \n \r \t by name, others as \u00XX), invalid UTF-8 becomes \ufffd, and U+2028 and
// U+2029 are escaped, as encoding/json does them.
func appendStringBody(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
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
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}
