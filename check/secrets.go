package check

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/syncsim/syncsim/trace"
)

// minSecretLen is the shortest secret P11 looks for: shorter ones match ordinary text by chance.
const minSecretLen = 6

// jwtPattern is anything shaped like a JWT: three base64url segments, the first a JSON header
// ("eyJ"); the signature may be empty (alg=none).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// credentialWords end the names whose values P11 judges by structure (PAY-4): `AccountKey=`,
// `"masterKey": "`, `client_secret%3D`, `sig=`, `x-ms-site-token:`. This is the oracle's own
// detection, kept apart from output/redact, which it judges; a plain byte search, so that judging
// every run's whole trace stays cheap.
var credentialWords = [][]byte{
	[]byte("key"), []byte("secret"), []byte("token"), []byte("passwd"), []byte("password"), []byte("pass"),
	[]byte("pwd"), []byte("sig"), []byte("signature"), []byte("sas"), []byte("credential"),
	[]byte("credentials"), []byte("auth"),
}

// schemeWords are the words after which credentials follow a blank: an Authorization header's
// scheme, and Bearer, Basic or SharedKey anywhere.
var schemeWords = [][]byte{[]byte("authorization"), []byte("bearer"), []byte("basic"), []byte("sharedkey")}

// publishedKey is the storage emulator's development account key (Azurite's devstoreaccount1),
// published by Microsoft and printed on purpose: not a secret.
const publishedKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// FindSecrets reports which credentials appear in text (PAY-4), by position or form, never by
// value: "secret #3" for secrets[2] (secrets shorter than 6 characters are ignored), "a JWT-shaped
// token" when text holds one, "a value assigned to credential name NAME" and "credentials after
// an authorization scheme" for a credential found by structure. A masked value ("[redacted]"), a
// digest (`sha256:<hex>`, how traces record credentials), a number or JSON literal after `:`, and
// the emulator's published key are not credentials. Reports, logs and JSON outputs use it to apply
// P11's rule.
func FindSecrets(text string, secrets []string) []string {
	return append(findValues(text, secrets), credentialForms(text)...)
}

// findValues reports the secrets and JWT-shaped tokens in text, as FindSecrets names them.
func findValues(text string, secrets []string) []string {
	var out []string
	for i, s := range secrets {
		if len(s) >= minSecretLen && strings.Contains(text, s) {
			out = append(out, "secret #"+itoa(i+1))
		}
	}
	if jwtPattern.MatchString(text) {
		out = append(out, "a JWT-shaped token")
	}
	return out
}

// credentialForms finds credentials by structure, once per name or form.
func credentialForms(text string) []string {
	var out []string
	seen := map[string]bool{}
	note := func(what string) {
		if !seen[what] {
			seen[what] = true
			out = append(out, what)
		}
	}
	eachForm([]byte(text), func(what string) bool { note(what); return true })
	return out
}

// eachForm calls found for every credential found by structure in b, until found returns false.
func eachForm(b []byte, found func(what string) bool) {
	lower := asciiLower(b)
	for _, w := range schemeWords {
		for i := 0; ; {
			j := bytes.Index(lower[i:], w)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(w)
			if cred, ok := afterScheme(b, at, i, len(w) == len("authorization")); ok && !notCredential(cred, false) {
				if !found("credentials after an authorization scheme") {
					return
				}
			}
		}
	}
	for _, w := range credentialWords {
		for i := 0; ; {
			j := bytes.Index(lower[i:], w)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(w)
			name, sep, value, ok := assigned(b, at, i)
			switch {
			case !ok, strings.HasSuffix(strings.ToLower(name), "authorization"), strings.HasPrefix(value, "eyJ"):
				// No assignment; or the scheme is the value (afterScheme judges it); or a JWT,
				// reported as one.
			case isBareKey(name) && strings.ContainsAny(value, "@#>"):
				// A fault firing's key (`key=drop@link/...`), not a credential.
			case isBareKey(name) && isKeyReference(value):
				// A scenario's name of a key (`rotate_key: {key: host.default}`), not its value.
			case isBareKey(name) && isShortWord(value):
				// A word after the bare name (`rotate_key.key: is required`, `the key: default`):
				// keys are 8 characters or more, or hold a digit or a symbol.
			case !notCredential(value, sep == ':'):
				if !found("a value assigned to credential name " + name) {
					return
				}
			}
		}
	}
}

// assigned reads `NAME<digits>["'] = ["']VALUE` around a credential word at b[at:end]: the name
// back to its start, the separator (=, :, %3D) and the value. ok is false when no value is assigned.
func assigned(b []byte, at, end int) (name string, sep byte, value string, ok bool) {
	start := at
	for start > 0 && isNameByte(b[start-1]) {
		start--
	}
	for end < len(b) && b[end] >= '0' && b[end] <= '9' {
		end++
	}
	name = string(b[start:end])
	k := skipQuote(b, end)
	k = skipBlanks(b, k)
	switch {
	case k < len(b) && (b[k] == '=' || b[k] == ':'):
		sep = b[k]
		k++
	case k+3 <= len(b) && b[k] == '%' && b[k+1] == '3' && (b[k+2] == 'D' || b[k+2] == 'd'):
		sep = '='
		k += 3
	default:
		return "", 0, "", false
	}
	k = skipQuote(b, skipBlanks(b, k))
	e := k
	for e < len(b) && !endsValue(b[e]) {
		e++
	}
	return name, sep, string(b[k:e]), true
}

// afterScheme reads the credentials after a scheme word at b[at:end]: for an Authorization header
// (header true) `: <scheme> <credentials>`, else (a word of its own) ` <credentials>` that look
// like a credential.
func afterScheme(b []byte, at, end int, header bool) (string, bool) {
	if at > 0 && (isNameByte(b[at-1]) && !header) {
		return "", false
	}
	k := end
	if header {
		k = skipBlanks(b, skipQuote(b, k))
		if k >= len(b) || (b[k] != ':' && b[k] != '=') {
			return "", false
		}
		k = skipQuote(b, skipBlanks(b, k+1))
		for k < len(b) && isNameByte(b[k]) {
			k++ // the scheme
		}
	}
	c := skipBlanks(b, k)
	if c == k {
		return "", false
	}
	e := c
	for e < len(b) && !endsValue(b[e]) && b[e] != ')' {
		e++
	}
	cred := string(b[c:e])
	return cred, header || looksLikeCredential(cred)
}

func skipQuote(b []byte, k int) int {
	switch {
	case k+1 < len(b) && b[k] == '\\' && b[k+1] == '"':
		return k + 2
	case k < len(b) && (b[k] == '"' || b[k] == '\''):
		return k + 1
	}
	return k
}

func skipBlanks(b []byte, k int) int {
	for k < len(b) && (b[k] == ' ' || b[k] == '\t') {
		k++
	}
	return k
}

// endsValue reports whether c ends an unquoted value.
func endsValue(c byte) bool {
	return c <= ' ' || strings.IndexByte("\"'&;,()[]{}<>|\\", c) >= 0
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

// asciiLower is b with its ASCII letters in lower case, byte for byte (positions stay the same).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// looksLikeCredential tells a credential after a scheme word anywhere in a text from a word of a
// sentence ("Basic authentication"): 8 characters or more, with a digit or a symbol.
func looksLikeCredential(v string) bool {
	return len(v) >= 8 && strings.ContainsAny(v, "0123456789+/=_-.~:")
}

// describesCredential are values that say something about a credential instead of being one
// (`sig=ok`, `token=absent`).
var describesCredential = map[string]bool{
	"ok": true, "bad": true, "present": true, "absent": true, "missing": true, "malformed": true,
	"valid": true, "invalid": true, "expired": true, "none": true, "empty": true, "set": true,
	"unset": true, "required": true, "optional": true, "yes": true, "no": true, "true": true, "false": true,
}

// notCredential reports whether a value found by structure is no credential (see FindSecrets).
func notCredential(v string, afterColon bool) bool {
	if i := strings.LastIndexByte(v, ':'); i >= 0 && !strings.HasPrefix(v, "sha256:") {
		v = v[i+1:] // SharedKey account:signature: the signature
	}
	switch {
	case v == "" || strings.HasPrefix(v, "[redacted]") || v == publishedKey || describesCredential[strings.ToLower(v)]:
		return true
	case strings.HasPrefix(v, "sha256:"):
		return strings.Trim(v[len("sha256:"):], "0123456789abcdef") == ""
	case afterColon:
		_, err := strconv.ParseFloat(v, 64)
		return err == nil || v == "true" || v == "false" || v == "null"
	}
	return false
}

// textFields are the fields that carry text from outside the trace's vocabulary (trace/TRACE.md): log
// lines, error and reason texts, a token's decoded claims, the hash blob's value, MSG-4's result
// text, and what a scenario or --fault names. Every other field is built by a constructor of
// trace from a number, a flag, a digest, a hash or a name of the vocabulary, and cannot hold
// a credential unless the trace's own vocabulary does. This is P11's own list, read off TRACE.md;
// all is true for a kind whose every field is outside text (a --fault spec is the user's text).
func textFields(k trace.Kind) (keys []string, all bool) {
	switch k {
	case trace.KindLog:
		return fieldsText, false
	case trace.KindSyncEnd, trace.KindHTTPResult, trace.KindMeshFetchDone:
		return fieldsError, false
	case trace.KindContentChange, trace.KindInstanceDelete, trace.KindHostStop, trace.KindFrontEndReject, trace.KindMeshAbandon:
		return fieldsReason, false
	case trace.KindRunStart:
		return fieldsScenario, false
	case trace.KindTimeline:
		return fieldsAction, false
	case trace.KindTokenCheck:
		return fieldsAlgIssAud, false
	case trace.KindBlobWrite:
		return fieldsValueCode, false
	case trace.KindBlobOp:
		return fieldsCode, false
	case trace.KindClientCall:
		return fieldsPath, false
	case trace.KindClientResponse:
		return fieldsResult, false
	case trace.KindMeshFetch:
		return fieldsToken, false
	case trace.KindNetSend:
		return fieldsBody, false
	case trace.KindFaultArmed, trace.KindFaultNA, trace.KindFaultFire:
		return nil, true
	}
	return nil, false
}

// digestFields are the fields that stand for a credential-carrying value (MSG-3's token, a request
// body): a digest, never the value (PAY-4).
func digestField(k trace.Kind, key string) bool {
	return k == trace.KindMeshFetch && key == "token" || k == trace.KindNetSend && key == "body"
}

// isDigest reports whether v is how a trace refers to a secret: "sha256:" and 16 hex digits.
func isDigest(v string) bool {
	h, ok := strings.CutPrefix(v, "sha256:")
	if !ok || len(h) != 16 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// The key lists of textFields.
var (
	fieldsText      = []string{"text"}
	fieldsError     = []string{"error"}
	fieldsReason    = []string{"reason"}
	fieldsScenario  = []string{"scenario"}
	fieldsAction    = []string{"action"}
	fieldsAlgIssAud = []string{"alg", "iss", "aud"}
	fieldsValueCode = []string{"value", "code"}
	fieldsCode      = []string{"code"}
	fieldsToken     = []string{"token"}
	fieldsBody      = []string{"body"}
	fieldsPath      = []string{"path"}
	fieldsResult    = []string{"result"}
)

// textOf calls fn for each field of r that carries outside text (textFields).
func textOf(r *trace.Record, fn func(f trace.Field)) {
	keys, all := textFields(r.Kind)
	if keys == nil && !all {
		return
	}
	for _, f := range r.Fields {
		if all || slices.Contains(keys, f.Key) {
			fn(f)
		}
	}
}

// SecretsRedacted is P11 (PAY-4) on a run: no field that carries outside text (textFields) holds one
// of the run's secrets, a JWT or a credential by structure. Evidence names the secret by position and
// the record by ref, never the value. What leaves the process (trace files, reports, JSON, the CLI's
// streams) is judged whole where it is rendered (JudgeOutput, JudgeTrace), so that the rest of the
// trace is not scanned on every run.
func SecretsRedacted(in Input) (v Verdict) {
	v = newVerdict(PropP11)
	defer failOnMalformed(&v)
	held, n := anySecret(in)
	if !held {
		v.Checked = n
		return v
	}
	var vs violations
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		var found []string
		textOf(r, func(f trace.Field) {
			v.Checked++
			found = append(append(found, findValues(f.Value, in.Secrets)...), credentialForms(f.Value)...)
			if digestField(r.Kind, f.Key) && !isDigest(f.Value) && len(found) == 0 {
				found = append(found, "a value other than its digest in field "+f.Key)
			}
		})
		for _, what := range found {
			if strings.HasPrefix(what, "secret") {
				what += " of the run's keys"
			}
			vs.add(cite(what, " appears in record ", *r))
		}
	}
	vs.judge(&v, "leak(s) of a secret or token")
	return v
}

// scanBuffers are reused by anySecret, so that judging a run does not allocate.
var scanBuffers = sync.Pool{New: func() any { return new([]byte) }}

// anySecret scans the text fields once, one a line, for any secret, anything that could start a JWT,
// or a credential form, and counts them. Only a trace that holds one is judged field by field.
func anySecret(in Input) (bool, int) {
	buf := scanBuffers.Get().(*[]byte)
	defer scanBuffers.Put(buf)
	texts, n, held := (*buf)[:0], 0, false
	for i := range in.Trace.Records {
		r := &in.Trace.Records[i]
		keys, all := textFields(r.Kind)
		if keys == nil && !all {
			continue
		}
		for _, f := range r.Fields {
			if all || slices.Contains(keys, f.Key) {
				n++
				texts = append(append(texts, f.Value...), '\n')
				if !held && digestField(r.Kind, f.Key) && !isDigest(f.Value) {
					held = true
				}
			}
		}
	}
	*buf = texts
	return held || holdsSecret(texts, in.Secrets), n
}

// holdsSecret reports whether b holds one of secrets, a JWT start or a credential form.
func holdsSecret(b []byte, secrets []string) bool {
	for _, s := range secrets {
		if len(s) >= minSecretLen && bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	if bytes.Contains(b, []byte("eyJ")) {
		return true
	}
	any := false
	eachForm(b, func(string) bool { any = true; return false })
	return any
}

// JudgeTrace is P11 on a whole trace as it leaves the process (a trace file, explain, a report):
// every field of every record, for the run's secrets by value and JWTs; the text fields also for
// credentials by structure. It returns the failing verdict's evidence, or nil.
func JudgeTrace(tr *trace.Trace, secrets []string) []Evidence {
	var vs violations
	for i := range tr.Records {
		r := &tr.Records[i]
		var found []string
		for _, f := range r.Fields {
			found = append(found, findValues(f.Value, secrets)...)
		}
		textOf(r, func(f trace.Field) { found = append(found, credentialForms(f.Value)...) })
		for _, what := range found {
			vs.add(cite(what, " appears in record ", *r))
		}
	}
	v := newVerdict(PropP11)
	vs.judge(&v, "leak(s) of a secret or token")
	return v.Evidence
}

// JudgeOutput is P11 on a rendered output, as it leaves the process (after the one redaction): a
// file, a report or a stream named by name. It returns an error naming the output and what it holds
// (never the value) when it holds one of secrets, a JWT or a credential by structure.
func JudgeOutput(name string, b []byte, secrets []string) error {
	found := FindSecrets(string(b), secrets)
	if len(found) == 0 {
		return nil
	}
	return &LeakError{Output: name, Found: found}
}

// LeakError is P11's failure on a rendered output: the CLI exits 1 with it, as for a failing
// property. Found names what the output holds by position or form (FindSecrets), never by value.
type LeakError struct {
	Output string
	Found  []string
}

func (e *LeakError) Error() string {
	return "P11 secrets-redacted fails: " + e.Output + " holds " + strings.Join(e.Found, ", ") +
		" after the redaction (PAY-4), so it is not written"
}

// isBareKey reports whether a name is the bare word key, alone or as the last part of a dotted
// path (`timeline[0].rotate_key.key`): a word that names keys as often as it assigns one.
func isBareKey(name string) bool {
	return strings.EqualFold(name[strings.LastIndexByte(name, '.')+1:], "key")
}

// isShortWord reports whether v is under 8 characters, all ASCII letters: a word, not a key.
func isShortWord(v string) bool {
	if len(v) >= 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !(v[i] >= 'a' && v[i] <= 'z' || v[i] >= 'A' && v[i] <= 'Z') {
			return false
		}
	}
	return true
}

// isKeyReference reports whether v names a key as a scenario does (scenarios.KeyRef): master,
// host.NAME, system.NAME or function.FUNCTION.NAME.
func isKeyReference(v string) bool {
	parts := strings.Split(v, ".")
	for _, p := range parts[1:] {
		if p == "" || strings.ContainsAny(p, " =:;") {
			return false
		}
	}
	switch parts[0] {
	case "master":
		return len(parts) == 1
	case "host", "system":
		return len(parts) == 2
	case "function":
		return len(parts) == 3
	}
	return false
}
