package redact

import (
	"encoding/json"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask is what a redacted value is shown as.
const Mask = "[redacted]"

// MinLen is the shortest declared secret that is redacted: shorter ones would mask ordinary words.
const MinLen = 4

// MinLearnLen is the shortest learnt value that is also masked elsewhere in the output: a shorter
// value (`Pwd=abc`) is masked where it was assigned, but searching for it everywhere would mask
// ordinary words.
const MinLearnLen = 8

// jwtPattern is anything shaped like a JWT: three base64url segments, the first a JSON header
// ("eyJ"); the signature may be empty (alg=none). It is the same shape P11's checker looks for.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// wellKnown are published development credentials, printed on purpose (`simrun serve blob`'s
// connection string) and never masked by name or structure: Azurite's devstoreaccount1 key, which
// Microsoft's emulator documentation lists.
var wellKnown = map[string]bool{
	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==": true,
}

// Redactor masks credentials (see the package doc): its declared secrets, the values it learns,
// and every credential it recognises by name or structure. The zero value and a nil *Redactor mask
// by name and structure only. A Redactor is safe for use by several goroutines.
type Redactor struct {
	mu sync.Mutex
	// forms holds each secret and its escaped forms (HTML, html/template, JSON, URL), longest first,
	// so that a secret is masked however an encoder wrote it; seen is the set of forms.
	forms []string
	seen  map[string]bool
	// replacer replaces every form at once; nil when forms changed since it was built.
	replacer *strings.Replacer
}

// New returns a Redactor for secrets; empty and too short ones (under MinLen) are ignored.
func New(secrets []string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add declares more secrets (under MinLen: ignored); they are masked in every later call.
// The importer adds the values it learns from a log this way.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(MinLen, secrets)
}

// add records the forms of each secret of at least min bytes; r.mu is held.
func (r *Redactor) add(min int, secrets []string) {
	changed := false
	for _, s := range secrets {
		if len(s) < min || s == Mask {
			continue
		}
		js, _ := json.Marshal(s)
		for _, f := range []string{s, html.EscapeString(s), template.HTMLEscapeString(s), string(js[1 : len(js)-1]), unescapeURL(s), url.QueryEscape(s)} {
			if len(f) < min || (r.seen != nil && r.seen[f]) {
				continue
			}
			if r.seen == nil {
				r.seen = map[string]bool{}
			}
			r.seen[f] = true
			r.forms = append(r.forms, f)
			changed = true
		}
	}
	if changed {
		sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i]) > len(r.forms[j]) })
		r.replacer = nil
	}
}

// unescapeURL is s with its %XX escapes decoded (s itself when it has none or is not valid).
func unescapeURL(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// Learn finds the credentials in text by name and structure and declares the values of
// MinLearnLen bytes or more, without masking anything: a writer that masks an output in pieces
// calls it over the whole output first, so that a value assigned late is masked early too.
// It returns the values found, in order of appearance.
func (r *Redactor) Learn(text string) []string {
	spans := scan(text)
	values := make([]string, 0, len(spans))
	for _, sp := range spans {
		values = append(values, text[sp.start:sp.end])
	}
	if r != nil && len(values) > 0 {
		r.mu.Lock()
		r.add(MinLearnLen, values)
		r.mu.Unlock()
	}
	return values
}

// String masks every credential in s: it learns the values s assigns to credential names first,
// then masks them, the declared secrets and every JWT-shaped token.
func (r *Redactor) String(s string) string {
	spans := scan(s)
	if len(spans) > 0 {
		var b strings.Builder
		b.Grow(len(s))
		last := 0
		values := make([]string, 0, len(spans))
		for _, sp := range spans {
			values = append(values, s[sp.start:sp.end])
			b.WriteString(s[last:sp.start])
			b.WriteString(Mask)
			last = sp.end
		}
		b.WriteString(s[last:])
		s = b.String()
		if r != nil {
			r.mu.Lock()
			r.add(MinLearnLen, values)
			r.mu.Unlock()
		}
	}
	if rep := r.values(); rep != nil {
		s = rep.Replace(s)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, Mask)
	}
	return s
}

// values is the replacer of every declared and learnt form, nil when there is none.
func (r *Redactor) values() *strings.Replacer {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.forms) == 0 {
		return nil
	}
	if r.replacer == nil {
		// Longest first: at one position the Replacer tries its pairs in argument order.
		pairs := make([]string, 0, 2*len(r.forms))
		for _, f := range r.forms {
			pairs = append(pairs, f, Mask)
		}
		r.replacer = strings.NewReplacer(pairs...)
	}
	return r.replacer
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
