package host

import (
	"sort"
	"strings"
)

// Site identifies one function app (PROTOCOL.md section 1).
type Site struct {
	// Name is WEBSITE_SITE_NAME; the site's URL is https://{Name}.azurewebsites.net.
	Name string
	// HostID names the hash blob synctriggers/{HostID}/last (BLOB-1): lowercase, at most 32 characters.
	HostID string
	// EncryptionKey is WEBSITE_AUTH_ENCRYPTION_KEY (TOK-1); empty means the setting is absent, which
	// fails the SYNC-1 gate.
	EncryptionKey string
}

// URL is the site's public base URL, the target of MSG-3 and MSG-4.
func (s Site) URL() string { return "https://" + s.Name + ".azurewebsites.net" }

// DefaultHostID derives a hostId from a site name the way App Service does for a production slot:
// lowercase, truncated to 32 characters, trailing '-' trimmed.
func DefaultHostID(siteName string) string {
	id := strings.ToLower(siteName)
	if len(id) > 32 {
		id = id[:32]
	}
	return strings.TrimRight(id, "-")
}

// Binding is one binding of a function, as function.json states it. Values are JSON-compatible
// (string, bool, numbers, []any, map[string]any). The payload copies a trigger binding verbatim (PAY-1).
type Binding map[string]any

// Type is the binding's "type" value, or "" when it has none.
func (b Binding) Type() string {
	t, _ := b["type"].(string)
	return t
}

// IsTrigger reports whether the binding is a trigger: its type ends with "Trigger", case-insensitively.
func (b Binding) IsTrigger() bool {
	return strings.HasSuffix(strings.ToLower(b.Type()), "trigger")
}

// Function is one function of a site's content.
type Function struct {
	Name     string
	Language string
	Disabled bool
	Bindings []Binding
}

// Trigger returns the function's first trigger binding, or nil when it has none.
func (f Function) Trigger() Binding {
	for _, b := range f.Bindings {
		if b.IsTrigger() {
			return b
		}
	}
	return nil
}

// Keys are the site's secrets. Every value is a credential (PAY-4): it may appear only in the bodies
// of MSG-1 and MSG-3, never in a log, trace, report, evidence or error text.
type Keys struct {
	// Master is the host master key; it authorizes MSG-4 (TOK-6).
	Master string
	// Host holds the host-level function keys by name.
	Host map[string]string
	// System holds the system keys by name.
	System map[string]string
	// Functions holds each function's keys: function name, then key name.
	Functions map[string]map[string]string
}

// Clone returns a deep copy, so that a rotation in the world never changes a snapshot a host holds.
func (k Keys) Clone() Keys {
	c := Keys{Master: k.Master, Host: cloneMap(k.Host), System: cloneMap(k.System)}
	if k.Functions != nil {
		c.Functions = make(map[string]map[string]string, len(k.Functions))
		for name, m := range k.Functions {
			c.Functions[name] = cloneMap(m)
		}
	}
	return c
}

// Values lists every secret value, sorted, for redaction checks (P11).
func (k Keys) Values() []string {
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
		}
	}
	add(k.Master)
	for _, v := range k.Host {
		add(v)
	}
	for _, v := range k.System {
		add(v)
	}
	for _, m := range k.Functions {
		for _, v := range m {
			add(v)
		}
	}
	sort.Strings(out)
	return out
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Content is what a site is at one revision: its functions and keys. The world increments Revision on
// every deploy and key change, even when the result is byte-identical to an earlier revision.
type Content struct {
	Revision  int
	Functions []Function
	Keys      Keys
}

// Clone returns a deep copy of the content (bindings are shared: they are never mutated).
func (c Content) Clone() Content {
	fs := make([]Function, len(c.Functions))
	copy(fs, c.Functions)
	return Content{Revision: c.Revision, Functions: fs, Keys: c.Keys.Clone()}
}
