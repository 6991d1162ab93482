package validate

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/trace"
)

// hostLogTrace is a small trace: a run in additive mode, a host start, a deploy, a key rotation, a
// failed sync with its exception, a mesh line and a deletion.
func hostLogTrace() []trace.Record {
	rec := func(at time.Duration, party string, e trace.Event) trace.Record {
		return trace.Record{At: at, Party: party, Kind: e.Kind, Fields: e.Fields}
	}
	pod := trace.InstanceParty("pod-a")
	return []trace.Record{
		rec(0, trace.PartyWorld, trace.RunStart{Scenario: "s", Mode: "additive", Site: "myapp", HostID: "myapp"}.Event()),
		rec(0, trace.PartyWorld, trace.ContentChange(1, "initial", "h1", "c1", 1, 1)),
		rec(2*time.Second, pod, trace.Log("Information", host.CategoryStartup, "Host started (2000ms)", "")),
		rec(time.Minute, trace.PartyWorld, trace.ContentChange(2, "deploy", "h2", "c2", 1, 1)),
		rec(2*time.Minute, trace.PartyWorld, trace.ContentChange(3, "rotate_key function.Api.default", "h3", "c3", 1, 1)),
		rec(2*time.Minute, trace.PartyWorld, trace.ContentChange(4, "rotate_key master", "h4", "c4", 1, 1)),
		rec(3*time.Minute, pod, trace.Log("Error", host.CategorySyncManager, host.ErrTextOperationFailed,
			"System.Net.Http.HttpRequestException: connection refused")),
		rec(3*time.Minute, trace.PartyMesh, trace.Log("Warning", trace.CategoryPlatform, "GET /admin/host/triggers failed (StatusCode=ServiceUnavailable); retrying in 1s", "")),
		rec(4*time.Minute, pod, trace.InstanceDelete("fault delete-instance at after-publish", true)),
	}
}

// Every record a log shows becomes one entry, in trace order, with the harness's lines under
// Syncsim.* categories (FIDELITY.md, "Lines of the harness").
func TestHostLogEntries(t *testing.T) {
	got, err := HostLogEntries(hostLogTrace())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ instance, level, category, message string }{
		{"", "Information", "Syncsim.World", "Site settings (Site=myapp, HostId=myapp, Mode=additive, FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=True, FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=False)"},
		{"pod-a", "Information", "Host.Startup", "Host started (2000ms)"},
		{"", "Information", "Syncsim.World", "Deployment completed (Site=myapp)"},
		{"", "Information", "Syncsim.World", "Function key 'default' updated"},
		{"", "Information", "Syncsim.World", "Host key 'master' updated"},
		{"pod-a", "Error", host.CategorySyncManager, "SyncTriggers operation failed.\nSystem.Net.Http.HttpRequestException: connection refused"},
		{"platform", "Warning", "Syncsim.Platform", "GET /admin/host/triggers failed (StatusCode=ServiceUnavailable); retrying in 1s"},
		{"pod-a", "Information", "Syncsim.World", "Instance deleted (fault delete-instance at after-publish)"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Instance != w.instance || g.Level != w.level || g.Category != w.category || g.Message != w.message {
			t.Errorf("entry %d: %q %q %q %q, want %q %q %q %q", i, g.Instance, g.Level, g.Category, g.Message,
				w.instance, w.level, w.category, w.message)
		}
	}
	if x := got[5].Props; x["exceptionType"] != "System.Net.Http.HttpRequestException" || x["exceptionMessage"] != "connection refused" {
		t.Errorf("exception props %+v", x)
	}
}

// The modes' settings: each mode of record names the upstream switch that selects it.
func TestSiteSettingsPerMode(t *testing.T) {
	for mode, want := range map[string]string{
		"frontend": "FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=False, FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=False",
		"additive": "FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=True, FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=False",
		"platform": "FUNCTIONS_NOTIFY_PLATFORM_ON_SYNC=False, FUNCTIONS_TRIGGERS_SYNC_SIGNAL_ENABLED=True",
	} {
		if got := siteSettings("a", "a", mode); !strings.HasSuffix(got, want+")") {
			t.Errorf("%s: %q", mode, got)
		}
	}
}

// A rendered log reads back in every format it is written in, with its categories and messages.
func TestHostLogFormatsReadBack(t *testing.T) {
	entries, err := HostLogEntries(hostLogTrace())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range logs.Writable() {
		out, err := HostLogAs(hostLogTrace(), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		l, err := logs.Read("model."+string(f), bytes.NewReader(out), logs.Options{Format: f})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(l.Entries) != len(entries) {
			t.Fatalf("%s: read %d entries, wrote %d:\n%s", f, len(l.Entries), len(entries), out)
		}
		for i, e := range l.Entries {
			if e.Category != entries[i].Category || !strings.HasPrefix(e.Message, strings.SplitN(entries[i].Message, "\n", 2)[0]) {
				t.Errorf("%s entry %d: %q %q, wrote %q %q", f, i, e.Category, e.Message, entries[i].Category, entries[i].Message)
			}
		}
	}
	if first, _, _ := strings.Cut(string(HostLog(hostLogTrace())), "\n"); !strings.HasPrefix(first, "2026-01-01T00:00:00.000000Z - Information Syncsim.World Site settings (") {
		t.Errorf("first line %q", first)
	}
}
