package validate

import (
	"bytes"
	"strings"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/trace"
)

// platformColumn is the instance column of the reference platform's (the mesh's) lines.
const platformColumn = "platform"

// HostLog renders a run's trace (the simulator's or a live run's: both drivers write the same
// records) as a log in syncsim's format; HostLogAs writes it in another. It is for the records of a
// run this process made: a record its view cannot read is a broken invariant there, and panics
// (HostLogAs returns it as an error).
func HostLog(records []trace.Record) []byte {
	out, err := HostLogAs(records, logs.FormatSyncsim)
	if err != nil {
		// FormatSyncsim is always writable, and the records are our drivers': an error is a broken
		// invariant of package logs or of the trace vocabulary.
		panic("validate: " + err.Error())
	}
	return out
}

// HostLogAs renders a run's trace as a log in one of the formats logs.Write writes
// (logs.Writable): the entries of HostLogEntries.
func HostLogAs(records []trace.Record, format logs.Format) ([]byte, error) {
	entries, err := HostLogEntries(records)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := logs.Write(&b, format, entries); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// HostLogEntries are the log entries of a run's trace, in trace order: first the harness's
// `Site settings` line (from run.start), then every `log` record (a host's in the real host's words
// and category, the mesh's under the platform's column), and the world's own lines: a deploy as
// `Deployment completed`, a key change as `Host key '...' updated`, an instance deletion as
// `Instance deleted`. Lines no upstream host writes carry a Syncsim.* category (FIDELITY.md). A
// host's instance column is its CONTAINER_NAME, as in a real host's log; an exception upstream logs
// with a line is the message's second line (`Type: message`) and, split, its exceptionType and
// exceptionMessage props. Records are read through their typed views: one a view cannot read is an
// error naming it and the field.
func HostLogEntries(records []trace.Record) ([]logs.Entry, error) {
	var out []logs.Entry
	site := ""
	for i := range records {
		r := &records[i]
		var start trace.RunStartRecord
		if r.Kind == trace.KindRunStart {
			var err error
			if start, err = trace.AsRunStart(*r); err != nil {
				return nil, err
			}
			site = start.Site
		}
		e := logs.Entry{At: trace.Epoch.Add(r.At), Timed: true, Instance: instanceColumn(r.Party),
			Level: "Information", Category: trace.CategoryWorld, Props: map[string]string{"appName": site}}
		switch r.Kind {
		case trace.KindRunStart:
			e.Instance, e.Message = "", siteSettings(site, start.HostID, start.Mode)
		case trace.KindLog:
			l, err := trace.AsLog(*r)
			if err != nil {
				return nil, err
			}
			e.Level, e.Category, e.Message = l.Level, l.Category, l.Text
			if e.Instance != platformColumn {
				e.Props["hostVersion"] = host.HostVersion
			}
			if x := l.Exception; x != "" {
				// The exception goes under the message, as a host's log shows it, and in the
				// exception fields of the formats that have them.
				e.Message += "\n" + x
				e.Props["exceptionType"], e.Props["exceptionMessage"], _ = strings.Cut(x, ": ")
			}
		case trace.KindInstanceDelete:
			d, err := trace.AsInstanceDelete(*r)
			if err != nil {
				return nil, err
			}
			e.Message = "Instance deleted (" + d.Reason + ")"
		case trace.KindContentChange:
			c, err := trace.AsContentChange(*r)
			if err != nil {
				return nil, err
			}
			e.Instance, e.Message = "", contentLine(c.Reason, site)
		}
		if e.Message != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// instanceColumn is a party's instance column: the container name of an instance, "platform" for the
// mesh, "" for the world.
func instanceColumn(party string) string {
	switch {
	case party == trace.PartyMesh:
		return platformColumn
	case strings.HasPrefix(party, trace.InstancePrefix):
		return strings.TrimPrefix(party, trace.InstancePrefix)
	}
	return ""
}

// siteSettings is the harness's statement of the run's site and mode, in the settings that choose
// the mode upstream: FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC (PR #11813, shipped: additive) and
// FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED (PR #11690, closed unmerged: the platform modes).
func siteSettings(site, hostID, mode string) string {
	notify, signal := "False", "False"
	switch mode {
	case host.ModeAdditive.String():
		notify = "True"
	case host.ModePlatform.String(), host.ModePlatformAck.String(), host.ModeSignalAll.String():
		signal = "True"
	}
	return "Site settings (Site=" + site + ", HostId=" + hostID + ", Mode=" + mode +
		", FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=" + notify + ", FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=" + signal + ")"
}

// contentLine is the world's line for a content change: a deploy (the timeline's, or a fault's) or a
// key change (reason `rotate_key <key>`, the key as scenarios.KeyRef spells it); "" for the initial
// content.
func contentLine(reason, site string) string {
	key, isKey := strings.CutPrefix(reason, "rotate_key ")
	switch {
	case reason == "initial" || reason == "":
		return ""
	case isKey:
		return keyUpdated(key)
	}
	return "Deployment completed (Site=" + site + ")"
}

// keyUpdated names a changed key by its scope, as the key API does: `master`, `host.<name>`,
// `system.<name>`, `function.<function>.<name>`.
func keyUpdated(key string) string {
	scope, name := "Host", key
	switch kind, rest, _ := strings.Cut(key, "."); kind {
	case "host":
		name = rest
	case "system":
		scope, name = "System", rest
	case "function":
		_, fnKey, _ := strings.Cut(rest, ".")
		scope, name = "Function", fnKey
	}
	return scope + " key '" + name + "' updated"
}
