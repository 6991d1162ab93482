package check

import (
	"bytes"
	"regexp"
	"strings"
)

// minSecretLen is the shortest secret P11 looks for: shorter ones match ordinary text by chance.
const minSecretLen = 6

// jwtPattern is anything shaped like a JWT: three base64url segments, the first a JSON header
// ("eyJ"); the signature may be empty (alg=none).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// FindSecrets reports which credentials appear in text (PAY-4), by position, never by value:
// "secret #3" for secrets[2] (secrets shorter than 6 characters are ignored), and "a JWT-shaped
// token" when text holds one. Reports, logs and JSON outputs use it to apply P11's rule.
func FindSecrets(text string, secrets []string) []string {
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
		for _, what := range FindSecrets(r.String(), in.Secrets) {
			if strings.HasPrefix(what, "secret") {
				what += " of the run's keys"
			}
			vs.add(what + " appears in record " + ref(r))
		}
	}
	vs.judge(&v, "leak(s) of a secret or token")
	return v
}

// anySecret scans the whole trace once: the text of its records one after another (parties, kinds
// and field values: what a record's rendering adds around them is fixed), for any secret or anything
// that could start a JWT. Only a trace that holds one is scanned record by record.
func anySecret(in Input) bool {
	var b []byte
	for _, r := range in.Trace.Records {
		b = append(append(append(b, r.Party...), ' '), r.Kind...)
		for _, f := range r.Fields {
			b = append(append(append(append(b, ' '), f.Key...), '='), f.Value...)
		}
		b = append(b, '\n')
	}
	for _, s := range in.Secrets {
		if len(s) >= minSecretLen && bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return bytes.Contains(b, []byte("eyJ"))
}
