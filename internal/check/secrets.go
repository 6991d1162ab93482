package check

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// minSecretLen is the shortest secret P11 looks for: shorter ones match ordinary text by chance.
const minSecretLen = 6

// jwtPattern is anything shaped like a JWT: three base64url segments, the first a JSON header
// ("eyJ"); the signature may be empty (alg=none).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// credentialWords end the names whose values P11 judges by structure (PAY-4): `AccountKey=`,
// `"masterKey": "`, `client_secret%3D`, `sig=`, `x-ms-site-token:`. This is the oracle's own
// detection, kept apart from reports/redact, which it judges; a plain byte search, so that judging
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
			case strings.EqualFold(name, "key") && strings.ContainsAny(value, "@#>"):
				// A fault firing's key (`key=drop@link/...`), not a credential.
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

// SecretsRedacted is P11 (PAY-4): no record, as String() renders it, holds one of the run's secrets
// or a JWT. Evidence names the secret by position and the record by ref, never the value.
func SecretsRedacted(in Input) Verdict {
	v := newVerdict(PropP11)
	if !anySecret(in) {
		// Nothing anywhere: every record was examined at once.
		v.Checked = len(in.Trace.Records)
		return v
	}
	var vs violations
	for _, r := range in.Trace.Records {
		v.Checked++
		found := findValues(r.String(), in.Secrets)
		for _, f := range r.Fields {
			// By structure, each value on its own: the fields' names are the trace's vocabulary
			// (TRACE.md: token=present, sig=ok, key=<a fault firing>), not a log's.
			found = append(found, credentialForms(f.Value)...)
		}
		for _, what := range found {
			if strings.HasPrefix(what, "secret") {
				what += " of the run's keys"
			}
			vs.add(cite(what, " appears in record ", r))
		}
	}
	vs.judge(&v, "leak(s) of a secret or token")
	return v
}

// anySecret scans the whole trace once: the text of its records one after another (parties, kinds
// and field values: what a record's rendering adds around them is fixed), for any secret or anything
// that could start a JWT, and the field values one a line for a credential form. Only a trace that
// holds one is scanned record by record.
func anySecret(in Input) bool {
	var b, values []byte
	for _, r := range in.Trace.Records {
		b = append(append(append(b, r.Party...), ' '), r.Kind...)
		for _, f := range r.Fields {
			b = append(append(append(append(b, ' '), f.Key...), '='), f.Value...)
			values = append(append(values, f.Value...), '\n')
		}
		b = append(b, '\n')
	}
	for _, s := range in.Secrets {
		if len(s) >= minSecretLen && bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	if bytes.Contains(b, []byte("eyJ")) {
		return true
	}
	any := false
	eachForm(values, func(string) bool { any = true; return false })
	return any
}
