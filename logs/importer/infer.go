package importer

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
)

// The values import and validate take when neither the log nor a flag says otherwise.
const (
	// DefaultMode is what shipped: the legacy front-end publish (PROTOCOL.md section 7).
	DefaultMode = "frontend"
	// DefaultSite names the site of a log that names none.
	DefaultSite = "imported-site"
	// DefaultInstance names the instance of host lines that name none, when the log names none.
	DefaultInstance = "instance-0"
)

// Value is one setting of the story with where it comes from.
type Value struct {
	// Value is the setting.
	Value string
	// From says where it comes from: `--flag`, `FILE:LINE (the line's words)`, or "default".
	From string
	// Line is the log line it was read from (0 for a flag or a default).
	Line int
}

// Inferred reports whether the value was read from the log.
func (v Value) Inferred() bool { return v.Line > 0 }

// Default reports whether the value is a default (neither the log nor a flag said it).
func (v Value) Default() bool { return v.From == "default" }

// Settings are the site, host id, mode and instances of a log: each from a flag, from a line of the
// log, or a default, and said which (never from a line the host does not write).
type Settings struct {
	Site, HostID, Mode Value
	// Instances are the instances the log names (Entry.Instance: cloud_RoleInstance, the
	// container field, pod names), first line first.
	Instances []string
	// Unnamed is the instance the host lines that name none belong to.
	Unnamed Value
}

// instanceOf is the instance an entry belongs to: its own, or for a host line that names none the
// unnamed instance; caller and harness lines of no instance belong to none.
func (s Settings) instanceOf(e logs.Entry) string {
	if e.Instance != "" {
		return e.Instance
	}
	if e.Event.Side == logs.SideHost || e.Event.Side == logs.SideUnknown {
		return s.Unnamed.Value
	}
	return ""
}

// azureHost reads the site from an Azure host name: `myapp.azurewebsites.net`,
// `myapp.scm.azurewebsites.net`, `myapp-slot.azurewebsites.net`.
var azureHost = regexp.MustCompile(`(?i)^([a-z0-9][a-z0-9-]{0,59})(?:\.scm)?\.azurewebsites\.(?:net|us|cn|de)$`)

// uriInText finds URIs in a message (a request's Uri=, a Kudu step's url).
var uriInText = regexp.MustCompile(`https?://[^\s,;'")<>\]]+`)

// armSite reads the site of an ARM resource path: `.../providers/Microsoft.Web/sites/{name}/...` (the
// syncfunctiontriggers call a pipeline or the portal makes).
var armSite = regexp.MustCompile(`(?i)/providers/Microsoft\.Web/sites/([a-z0-9][a-z0-9-]{0,59})(?:[/?]|$)`)

// siteOfURI reads the site a request URI names ("" when it names none): its Azure host name, or
// the ARM resource it calls.
func siteOfURI(s string) string {
	for _, raw := range uriInText.FindAllString(s, -1) {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		if m := azureHost.FindStringSubmatch(u.Hostname()); m != nil {
			return strings.ToLower(m[1])
		}
		if m := armSite.FindStringSubmatch(u.Path); m != nil {
			return strings.ToLower(m[1])
		}
	}
	return ""
}

// quote is a line's message in a Value's From, on one line and short.
func quote(e Entry) string {
	s := oneLine(e.Message)
	if len(s) > 90 {
		s = s[:90] + "..."
	}
	return "`" + s + "`"
}

func fromLine(file string, e Entry, v string) Value {
	return Value{Value: v, From: fmt.Sprintf("%s:%d %s", file, e.Line, quote(e)), Line: e.Line}
}

// infer reads the settings: flags first, then the log's lines, then the defaults.
func infer(l *Log, o Options) Settings {
	var s Settings
	s.Site = inferSite(l, o)
	s.HostID = inferHostID(l, s.Site)
	s.Mode = inferMode(l, o)
	for _, e := range l.Entries {
		if e.Event.Side == logs.SideHost && e.Entry.Instance != "" && !slices.Contains(s.Instances, e.Entry.Instance) {
			s.Instances = append(s.Instances, e.Entry.Instance)
		}
	}
	switch {
	case o.Instance != "":
		s.Unnamed = Value{Value: o.Instance, From: "--instance"}
	case len(s.Instances) == 1:
		s.Unnamed = Value{Value: s.Instances[0], From: "the one instance the log names"}
	default:
		s.Unnamed = Value{Value: DefaultInstance, From: "default"}
	}
	return s
}

func inferSite(l *Log, o Options) Value {
	if o.Site != "" {
		return Value{Value: strings.ToLower(o.Site), From: "--site"}
	}
	// A harness's settings line says it outright; a request URI names the site; Starting Host's
	// HostId is the site's name, lowercased and cut to 32 characters, unless it was set by hand.
	var fromHostID *Entry
	for i, e := range l.Entries {
		switch e.Kind() {
		case logs.KindSiteSettings:
			if v := e.Arg("site"); v != "" {
				return fromLine(l.Name, e, strings.ToLower(v))
			}
		case logs.KindFrontEndRequest, logs.KindCallerRequest, logs.KindCallerSucceeded, logs.KindCallerFailed, logs.KindCallerSyncing, logs.KindHostNameUpdate:
			if v := strings.ToLower(e.Arg("site")); siteName.MatchString(v) {
				return fromLine(l.Name, e, v)
			}
			if v := siteOfURI(e.Message + " " + e.Arg("uri") + " https://" + e.Arg("to") + "/"); v != "" {
				return fromLine(l.Name, e, v)
			}
		case logs.KindHostStarting:
			if fromHostID == nil && siteName.MatchString(strings.ToLower(e.Arg("hostId"))) {
				fromHostID = &l.Entries[i]
			}
		}
	}
	for _, e := range l.Entries {
		if v := siteOfURI(e.Message); v != "" && e.Kind() != logs.KindUnknown {
			return fromLine(l.Name, e, v)
		}
	}
	if fromHostID != nil {
		return fromLine(l.Name, *fromHostID, strings.ToLower(fromHostID.Arg("hostId")))
	}
	return Value{Value: DefaultSite, From: "default"}
}

func inferHostID(l *Log, site Value) Value {
	for _, e := range l.Entries {
		switch e.Kind() {
		case logs.KindSiteSettings, logs.KindHostStarting:
			if v := strings.ToLower(e.Arg("hostId")); hostIDRule.MatchString(v) {
				return fromLine(l.Name, e, v)
			}
		}
	}
	return Value{Value: host.DefaultHostID(site.Value), From: "default"}
}

// inferMode reads the mode: --mode; a harness's Site settings line; the host's own lines (a mesh
// notification after a front-end request on the same instance is additive, PR #11813; a
// notification with no front-end request before it is platform, PR #11690; the two notification
// failures' texts name their designs); else frontend, what shipped.
func inferMode(l *Log, o Options) Value {
	if o.Mode != "" {
		return Value{Value: o.Mode, From: "--mode"}
	}
	for _, e := range l.Entries {
		if e.Kind() == logs.KindSiteSettings {
			if m, ok := ModeName(e.Arg("mode")); ok {
				return fromLine(l.Name, e, m)
			} else if e.Arg("mode") != "" {
				// A mode no one knows: the caller's host.ParseMode names it, with the line.
				return fromLine(l.Name, e, e.Arg("mode"))
			}
			if e.Arg("FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC") == "true" {
				return fromLine(l.Name, e, "additive")
			}
		}
	}
	// The notification failures name their design outright; then a notification after a
	// front-end request on the same instance is additive, one with none before it platform.
	for _, e := range l.Entries {
		if e.Kind() == logs.KindNotifyFailed {
			if strings.HasPrefix(e.Message, "Failed to notify platform of triggers change") {
				return fromLine(l.Name, e, "additive")
			}
			return fromLine(l.Name, e, "platform")
		}
	}
	frontEnd := map[string]bool{}
	for _, e := range l.Entries {
		who := e.Entry.Instance
		switch e.Kind() {
		case logs.KindFrontEndRequest:
			frontEnd[who] = true
		case logs.KindNotifyPlatform, logs.KindMeshRequest:
			if frontEnd[who] {
				return fromLine(l.Name, e, "additive")
			}
			return fromLine(l.Name, e, "platform")
		}
	}
	return Value{Value: DefaultMode, From: "default"}
}

// ModeName maps a mode as a log or a setting spells it (`Platform`, `FrontEnd`, `signal_all`) to the
// simulator's mode name.
func ModeName(v string) (string, bool) {
	norm := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(v))
	switch norm {
	case "frontend", "legacy":
		return "frontend", true
	case "platform", "signal", "signalreplace":
		return "platform", true
	case "additive":
		return "additive", true
	case "signalall":
		return "signal-all", true
	case "platformack":
		return "platform-ack", true
	}
	return "", false
}

// describe renders a value and where it comes from for the comment block.
func (v Value) describe(what string) string {
	switch {
	case v.Inferred():
		return fmt.Sprintf("%s %s: inferred from %s", what, v.Value, v.From)
	case v.Default():
		return fmt.Sprintf("%s %s: a default (the log does not say it; set it with a flag)", what, v.Value)
	}
	return fmt.Sprintf("%s %s: from %s", what, v.Value, v.From)
}
