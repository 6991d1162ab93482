// Package redact is the reports' last line of defence for P11 (PAY-4): every text a report writer
// puts into a file goes through a Redactor, which replaces the run's secrets and anything shaped like
// a JWT with "[redacted]". Traces already carry credentials only as digests; this catches what slips
// through anyway (a secret quoted in evidence, an error text, a conformance answer).
//
//	r := redact.New(redact.ScenarioSecrets(scs...))
//	safe := r.String(text)
package redact

import (
	"encoding/json"
	"html"
	"html/template"
	"regexp"
	"sort"
	"strings"

	"github.com/syncsim/syncsim/scenarios"
)

// Mask is what a redacted value is shown as.
const Mask = "[redacted]"

// MinLen is the shortest secret that is redacted: shorter ones would mask ordinary words.
const MinLen = 4

// jwtPattern is anything shaped like a JWT: three base64url segments, the first a JSON header
// ("eyJ"); the signature may be empty (alg=none). It is the same shape P11's checker looks for.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// Redactor masks a fixed set of secrets and every JWT-shaped token. The zero value masks tokens only.
type Redactor struct {
	// secrets holds each secret and its escaped forms (HTML, html/template, JSON), longest first, so
	// that a secret is masked however an encoder wrote it.
	secrets []string
}

// New returns a Redactor for secrets; empty and too short ones (under MinLen) are ignored.
func New(secrets []string) *Redactor {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		if len(s) < MinLen {
			continue
		}
		js, _ := json.Marshal(s)
		for _, f := range []string{s, html.EscapeString(s), template.HTMLEscapeString(s), string(js[1 : len(js)-1])} {
			if !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return &Redactor{secrets: forms}
}

// String masks every secret and JWT-shaped token in s.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, sec := range r.secrets {
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, Mask)
			}
		}
	}
	return jwtPattern.ReplaceAllString(s, Mask)
}

// Strings masks each string of a list, in a new slice.
func (r *Redactor) Strings(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = r.String(s)
	}
	return out
}

// Bytes masks a whole rendered file. Writers run it over their output after rendering, so that a
// secret that reached the output by a path the data-level masking missed is still caught.
func (r *Redactor) Bytes(b []byte) []byte { return []byte(r.String(string(b))) }

// ScenarioSecrets lists the credentials scenarios state: every key of their content and the site's
// encryption key. Keys made during a run (rotations) are random and never reach a report; traces
// refer to them by digest.
func ScenarioSecrets(scs ...*scenarios.Scenario) []string {
	var out []string
	for _, sc := range scs {
		out = append(out, sc.Content.Keys.Values()...)
		if sc.Site.EncryptionKey != "" {
			out = append(out, sc.Site.EncryptionKey)
		}
	}
	return out
}
