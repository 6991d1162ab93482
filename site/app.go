package site

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/random"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
	"github.com/syncsim/syncsim/trace/canonical"
)

// App is the function app's own state as the drivers keep it: its content (functions and keys), the
// revision of its keys, every credential the run used, and the randomness of generated keys. A
// change returns its content.change record for the caller to write. It is safe for concurrent use
// (a live host reads its secrets from its own goroutine).
type App struct {
	mu      sync.Mutex
	site    host.Site
	content host.Content
	// keysRev is the revision of the last key change: what a host reads after SYNC-3.
	keysRev int
	// secrets lists every key value and the encryption key, for redaction checks (P11).
	secrets []string
	// keyRng generates the value of a rotated key that the scenario leaves unset.
	keyRng *rand.Rand
}

// NewApp is a scenario's site at its initial content; its generated keys come from the run's
// "keys" stream.
func NewApp(sc *scenarios.Scenario, streams random.Streams) *App {
	s := &App{site: sc.Site, content: sc.Content.Clone(), keysRev: sc.Content.Revision, keyRng: streams.Stream("keys")}
	s.secrets = append(s.content.Keys.Values(), sc.Site.EncryptionKey)
	return s
}

// Loaded is what a host that starts now loads: the functions of the current revision.
func (s *App) Loaded() host.Loaded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return host.Loaded{Functions: s.content.Functions, Revision: s.content.Revision}
}

// Functions is the current function list (shared: never modify it).
func (s *App) Functions() []host.Function {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.content.Functions
}

// Revision is the current content revision.
func (s *App) Revision() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.content.Revision
}

// SecretsNow is what a host reads after SYNC-3 clears its cache: the keys and their revision.
func (s *App) SecretsNow() (host.Keys, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.content.Keys.Clone(), s.keysRev
}

// Secrets lists every credential the run used so far (keys, the encryption key).
func (s *App) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// Changed is the content.change record of the current content, for reason.
func (s *App) Changed(reason string) trace.Event {
	s.mu.Lock()
	c := s.content
	s.mu.Unlock()
	// PAY-5: the payload a correct host builds from this content.
	p := host.BuildPayload(s.site, c.Functions, c.Keys)
	return trace.ContentChange(c.Revision, reason, p.Hash, canonical.Hash(p.Body), p.Count, len(c.Functions))
}

// Deploy installs a new function list as a new revision.
func (s *App) Deploy(functions []host.Function, reason string) trace.Event {
	s.mu.Lock()
	s.content.Functions = functions
	s.content.Revision++
	s.mu.Unlock()
	return s.Changed(reason)
}

// RotateKey changes one key as a new revision (the key API stores it before the controller syncs);
// a key the scenario gives no value gets one from the run's seed.
func (s *App) RotateKey(r *scenarios.RotateKey) trace.Event {
	s.mu.Lock()
	value := r.Value
	if value == "" {
		value = fmt.Sprintf("rotated-%016x", s.keyRng.Uint64())
	}
	keys := s.content.Keys.Clone()
	switch r.Key.Kind {
	case "master":
		keys.Master = value
	case "host":
		keys.Host = setKey(keys.Host, r.Key.Name, value)
	case "system":
		keys.System = setKey(keys.System, r.Key.Name, value)
	case "function":
		if keys.Functions == nil {
			keys.Functions = map[string]map[string]string{}
		}
		keys.Functions[r.Key.Function] = setKey(keys.Functions[r.Key.Function], r.Key.Name, value)
	}
	s.content.Keys = keys
	s.content.Revision++
	s.keysRev = s.content.Revision
	s.secrets = append(s.secrets, value)
	s.mu.Unlock()
	return s.Changed("rotate_key " + r.Key.String())
}

func setKey(m map[string]string, name, value string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[name] = value
	return m
}

// AuthHeaders authorizes a MSG-4 call made at now: the host master key (TOK-6), or for auth "token"
// a TOK-5 token of five minutes (no header when the site's encryption key is unusable).
func (s *App) AuthHeaders(auth string, now time.Time) map[string]string {
	if auth == "token" {
		key, err := host.ParseKey(s.site.EncryptionKey)
		if err == nil {
			if tok, err := host.IssuePlatformToken(key, s.site.Name, now, 5*time.Minute); err == nil {
				return map[string]string{"x-ms-site-token": tok}
			}
		}
		return map[string]string{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{"x-functions-key": s.content.Keys.Master}
}
