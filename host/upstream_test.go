package host

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The points where the model follows upstream's code rather than PROTOCOL.md's first reading
// (FIDELITY.md): SYNC-1's gate per hosting and its `== null` key check, the oversize Warning, the
// raw UTF-8 signing key, FunctionsSyncService's registration and the additive mode's Warning.

// SYNC-1 (FunctionsSyncManager.cs@89dc438:220-225): WEBSITE_CONTAINER_READY is asked for only on
// Windows App Service and Linux Consumption.
func TestGateContainerReadyPerHosting(t *testing.T) {
	for _, tc := range []struct {
		hosting Hosting
		open    bool
	}{{HostingLinuxConsumption, false}, {HostingWindowsAppService, false}, {HostingOther, true}} {
		r := newRig(t, ModeFrontend, func(c *Config) { c.Hosting = tc.hosting })
		effs := r.m.Sync(t0, "keys")
		end, _ := endOf(effs)
		if open := end.Error != ErrTextInvalidEnvironment; open != tc.open {
			t.Errorf("hosting %q before the container is ready: gate open=%v, want %v (end %+v)", tc.hosting, open, tc.open, end)
		}
	}
}

// SYNC-1 (FunctionsSyncManager.cs@89dc438:204): the gate checks the key `== null`, so a key set to ""
// passes it; building MSG-1's token then throws (SecretsUtility.GetEncryptionKey), and the catch
// makes it SYNC-7's catch-all. An absent key closes the gate.
func TestEmptyKeyPassesGate(t *testing.T) {
	noKey := Site{Name: "myapp", HostID: "myapp"}
	r := newRig(t, ModeFrontend, func(c *Config) { c.Site, c.KeySetEmpty = noKey, true })
	r.start(testFunctions(), true)
	effs := r.m.Sync(t0, "keys")
	none[Send](t, effs)
	end, _ := endOf(effs)
	if end.Success || end.Error != ErrTextOperationFailed {
		t.Fatalf("empty key: end %+v, want %q", end, ErrTextOperationFailed)
	}
	if l := only[Log](t, effs); l.Level != "Error" || !strings.HasPrefix(l.Exception, "System.InvalidOperationException: No encryption key") {
		t.Fatalf("empty key: log %+v", l)
	}
	// The platform modes need no token: the notification goes out.
	r = newRig(t, ModePlatform, func(c *Config) { c.Site, c.KeySetEmpty = noKey, true })
	r.start(testFunctions(), true)
	if s := only[Send](t, r.m.Sync(t0, "keys")); s.Target != TargetMesh {
		t.Fatalf("platform with an empty key sent %+v", s)
	}
	r = newRig(t, ModeFrontend, func(c *Config) { c.Site = noKey })
	r.start(testFunctions(), true)
	if end, _ := endOf(r.m.Sync(t0, "keys")); end.Error != ErrTextInvalidEnvironment {
		t.Fatalf("absent key: end %+v, want the gate's failure", end)
	}
}

// SYNC-8 (WebScriptHostBuilderExtension.cs@89dc438:109-111): FunctionsSyncService is registered only
// where IsSyncTriggersEnvironment holds, so without a key no background sync is armed at all.
func TestBackgroundServiceNeedsSyncEnvironment(t *testing.T) {
	for _, tc := range []struct {
		site  Site
		empty bool
		armed bool
	}{{testSite, false, true}, {Site{Name: "myapp", HostID: "myapp"}, false, false}, {Site{Name: "myapp", HostID: "myapp"}, true, true}} {
		r := newRig(t, ModeFrontend, func(c *Config) { c.Site, c.KeySetEmpty = tc.site, tc.empty })
		armed := false
		for _, tm := range all[SetTimer](r.m.HostStarted(t0, Loaded{Functions: testFunctions(), Revision: 1})) {
			armed = armed || tm.Key == timerBackground
		}
		if armed != tc.armed {
			t.Errorf("key %q (set empty %v): background armed=%v, want %v", tc.site.EncryptionKey, tc.empty, armed, tc.armed)
		}
	}
}

// PAY-1 (FunctionsSyncManager.cs@89dc438:404-407): the oversize fallback logs its Warning with the
// extended form's length.
func TestOversizeWarning(t *testing.T) {
	big := append(testFunctions(), Function{Name: "Big", Language: "node", Bindings: []Binding{
		{"type": "queueTrigger", "direction": "in", "name": "m", "padding": strings.Repeat("x", MaxPayloadLength+1)}}})
	r := newRig(t, ModeFrontend, nil)
	r.start(big, true)
	effs := r.m.Sync(t0, "keys")
	send := only[Send](t, effs)
	var warn *Log
	for _, l := range all[Log](effs) {
		if l.Level == "Warning" {
			warn = &l
		}
	}
	if warn == nil || warn.Category != CategorySyncManager {
		t.Fatalf("no Warning of the sync manager: %+v", all[Log](effs))
	}
	var n int
	if _, err := fmt.Sscanf(warn.Text, "SyncTriggers payload of length '%d' exceeds max length of '204800'. Reverting to minimal format.", &n); err != nil || n <= MaxPayloadLength {
		t.Fatalf("warning %q (length %d)", warn.Text, n)
	}
	if len(send.Body) >= n {
		t.Fatalf("published %d bytes, the warning names %d", len(send.Body), n)
	}
}

// MSG-3/MSG-4 (Security/SecretsUtility.cs@89dc438:88-100): a token signed with the key value's raw
// UTF-8 bytes is accepted as well as one signed with the key's bytes; another key is not.
func TestUTF8SigningKeyAccepted(t *testing.T) {
	r := newRig(t, ModeFrontend, nil)
	r.start(testFunctions(), true)
	for _, tc := range []struct {
		name   string
		key    []byte
		status int
	}{
		{"hex bytes", mustKey(t), 200},
		{"raw UTF-8 bytes", []byte(testSite.EncryptionKey), 200},
		{"another key", []byte("not the site's key, not its bytes"), 401},
	} {
		tok, err := IssuePlatformToken(tc.key, "myapp", t0, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp := only[Respond](t, r.m.Admin(t0, 1, AdminRequest{Method: "GET", Path: PathTriggers, Headers: map[string]string{"x-ms-site-token": tok}}))
		if resp.Response.Status != tc.status {
			t.Errorf("%s: MSG-3 answered %d, want %d", tc.name, resp.Response.Status, tc.status)
		}
	}
}

func mustKey(t *testing.T) []byte {
	t.Helper()
	k, err := ParseKey(testSite.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// SYNC-6, additive (PR #11813 @edf7213): a failed notification is swallowed with upstream's Warning
// in FunctionsSyncManager's category; the sync still succeeds.
func TestAdditiveNotifyFailureWarning(t *testing.T) {
	r := newRig(t, ModeAdditive, nil)
	r.start(testFunctions(), true)
	fe := only[Send](t, r.m.Sync(t0, "keys"))
	mesh := only[Send](t, r.m.HTTPDone(t0, fe.ID, HTTPResult{Status: 200}))
	effs := r.m.HTTPDone(t0, mesh.ID, HTTPResult{Status: 503})
	if !logAt(effs, "Warning", TextNotifyPlatformFailed) {
		t.Fatalf("no Warning %q: %+v", TextNotifyPlatformFailed, all[Log](effs))
	}
	for _, l := range all[Log](effs) {
		if l.Text == TextNotifyPlatformFailed && l.Category != CategorySyncManager {
			t.Fatalf("category %q, want %q", l.Category, CategorySyncManager)
		}
	}
	if end, _ := endOf(effs); !end.Success {
		t.Fatalf("additive sync failed with its notification: %+v", end)
	}
}

// Every line the host logs names a category: upstream's, or the model's own Syncsim.Host.
func TestLogsHaveCategories(t *testing.T) {
	for _, mode := range Modes() {
		r := newRig(t, mode, nil)
		effs := r.start(testFunctions(), true)
		effs = append(effs, r.m.Timer(t0.Add(30*time.Second), timerBackground)...)
		for _, l := range all[Log](effs) {
			if l.Category == "" {
				t.Errorf("%s: %q has no category", mode, l.Text)
			}
		}
		if !hasLogPrefix(effs, "Starting Host (HostId=myapp, InstanceId=") || !hasLog(effs, "Host started (0ms)") {
			t.Errorf("%s: no start-up lines in %+v", mode, all[Log](effs))
		}
	}
}

// FIDELITY.md lists every line of the model's own (category Syncsim.Host) in "Lines of the harness".
func TestModelLinesListedInFidelity(t *testing.T) {
	b, err := os.ReadFile("../FIDELITY.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "## Lines of the harness")
	if i < 0 {
		t.Fatal(`FIDELITY.md has no "Lines of the harness" section`)
	}
	section := string(b[i:])
	for _, text := range []string{TextNotPrimary, TextPlaceholderSkip, TextNoStorage, TextPlatformNotification,
		strings.Replace(TextAckHashUpdated, "%s", "{hash}", 1)} {
		if !strings.Contains(section, "`"+text+"`") {
			t.Errorf("FIDELITY.md does not list the model's line %q", text)
		}
	}
}
