package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

// lineOf finds the 1-based line of the first line of data that starts with prefix.
func lineOf(t *testing.T, data []byte, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return 0
}

func TestLoadFullFixture(t *testing.T) {
	const path = "testdata/full.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	http := host.Binding{"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "function", "methods": []any{"get", "post"}}
	httpFn := host.Function{Name: "HttpTrigger1", Language: "node", Bindings: []host.Binding{
		http, {"type": "http", "direction": "out", "name": "res"}}}
	queueFn := host.Function{Name: "QueueWorker", Language: "dotnet-isolated", Disabled: true, Bindings: []host.Binding{{
		"type": "queueTrigger", "direction": "in", "name": "item", "queueName": "work", "connection": "AzureWebJobsStorage",
		"batch": int64(16), "ratio": 0.5}}}
	timerFn := host.Function{Name: "Timer1", Language: "node", Bindings: []host.Binding{
		{"type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 */5 * * * *"}}}
	onlyFn := host.Function{Name: "Only", Language: "node", Bindings: []host.Binding{
		{"type": "blobTrigger", "path": "in/{name}", "enabled": nil}}}
	yes := true
	at := func(prefix string) int { return lineOf(t, data, prefix) }
	want := &Scenario{
		Path: path, SHA256: sha256Hex(data), Name: "full-fixture", Description: "every field of the schema",
		Site: host.Site{Name: "my-app", HostID: "myapphost", EncryptionKey: strings.Repeat("0", 63) + "1"},
		Content: host.Content{Revision: 1, Functions: []host.Function{httpFn, queueFn}, Keys: host.Keys{
			Master:    "s3cr3t-master-0000",
			Host:      map[string]string{"default": "host-key-1"},
			System:    map[string]string{"durabletask_extension": "sys-key-1"},
			Functions: map[string]map[string]string{"HttpTrigger1": {"default": "fn-key-1"}},
		}},
		Instances: Instances{Count: 2, Startup: 3 * time.Second},
		Timeline: []Action{
			{At: 30 * time.Second, Line: at("  - at: 30s"), Kind: ActionAdminSync, AdminSync: &AdminSync{Count: 1, Interval: time.Second, Auth: "admin-key"}},
			{At: time.Minute, Line: at("  - at: 1m"), Kind: ActionDeploy, Deploy: &Deploy{
				// QueueWorker removed (case-insensitively), Timer1 appended, HttpTrigger1 replaced in place.
				Functions: []host.Function{{Name: "HttpTrigger1", Language: "node", Bindings: []host.Binding{http}}, timerFn},
				HookSyncs: 2, HookInterval: 5 * time.Second}},
			{At: time.Minute, Line: at("  - at: 1m") + 9, Kind: ActionRotateKey, RotateKey: &RotateKey{
				Key: KeyRef{Kind: "function", Function: "HttpTrigger1", Name: "default"}, Value: "rotated-fn-key"}},
			{At: 2 * time.Minute, Line: at("  - at: 2m"), Kind: ActionRotateKey, RotateKey: &RotateKey{Key: KeyRef{Kind: "master"}}},
			{At: 3 * time.Minute, Line: at("  - at: 3m"), Kind: ActionAdminSync, AdminSync: &AdminSync{Count: 3, Interval: 2 * time.Second, Auth: "token"}},
			{At: 4 * time.Minute, Line: at("  - at: 4m"), Kind: ActionStart, Start: &Start{Count: 2}},
			{At: 5 * time.Minute, Line: at("  - at: 5m"), Kind: ActionDelete, Delete: &Delete{Which: "oldest", Count: 1}},
			{At: 6 * time.Minute, Line: at("  - at: 6m"), Kind: ActionRestart, Restart: &Restart{Which: "all", Count: 1}},
			{At: 7 * time.Minute, Line: at("  - at: 7m"), Kind: ActionDeploy, Deploy: &Deploy{
				Functions: []host.Function{onlyFn}, HookSyncs: 0, HookInterval: 10 * time.Second}},
			{At: 8 * time.Minute, Line: at("  - at: 8m"), Kind: ActionDelete, Delete: &Delete{Which: "newest", Count: 1}},
		},
		Faults: Faults{
			Scripted: []ScriptedFault{
				{Fault: "delete-instance", Point: "after-hash-write", After: 2 * time.Minute, Count: 2, Background: &yes,
					Params: map[string]string{"reason": "test", "n": "3", "flag": "false", "empty": ""}, Line: at("    - fault: delete-instance")},
				{Fault: "delete-instance", Point: "mid-fetch", Count: 1,
					Params: map[string]string{"reason": "override", "n": "3", "flag": "false", "empty": ""}, Line: at("      point: mid-fetch") - 1},
			},
			Random: RandomFaults{Drop: 0.1, Duplicate: 1},
		},
		FaultsEnd: 9 * time.Minute, Settle: 4 * time.Minute,
		Network:  Network{DelayMin: 2 * time.Millisecond, DelayMax: 30 * time.Millisecond},
		Mesh:     Mesh{RetryBudget: 15 * time.Minute},
		Modes:    []host.Mode{host.ModePlatform, host.ModeFrontend},
		Expect:   map[host.Mode][]string{host.ModePlatform: {"P1", "P4", "P13"}, host.ModeFrontend: {}},
		Budget:   Budget{MaxEvents: 5000, MaxTime: 13*time.Minute + time.Hour},
		Limits:   Limits{Timeline: 20, InstanceStarts: 40},
		nameLine: at("name: full-fixture"),
	}
	for i := range want.Timeline {
		if i < len(got.Timeline) && !reflect.DeepEqual(got.Timeline[i], want.Timeline[i]) {
			t.Errorf("Timeline[%d]:\n got %+v\nwant %+v", i, describeAction(got.Timeline[i]), describeAction(want.Timeline[i]))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%s):\n got %+v\nwant %+v", path, *got, *want)
	}
	if got.SettleStart() != 9*time.Minute || got.End() != 13*time.Minute {
		t.Errorf("SettleStart, End = %v, %v; want 9m, 13m", got.SettleStart(), got.End())
	}
	if e := got.Expected(host.ModePlatform); !reflect.DeepEqual(e, []string{"P1", "P4", "P13"}) {
		t.Errorf("Expected(platform) = %v", e)
	}
}

func describeAction(a Action) string {
	s := string(a.Kind) + " at " + a.At.String() + " line " + itoa(a.Line) + ": "
	switch {
	case a.Deploy != nil:
		return s + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAny(*a.Deploy), "\n", " "), "  ", " "))
	case a.RotateKey != nil:
		return s + fmtAny(*a.RotateKey)
	}
	return s + fmtAny(a)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestParseMinimalAppliesDefaults(t *testing.T) {
	got, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Scenario{
		Path: "testdata/minimal.yaml", SHA256: got.SHA256, Name: "minimal",
		Site:      host.Site{Name: "smoke", HostID: "smoke", EncryptionKey: sha256Hex([]byte("syncsim-key:smoke"))},
		Content:   host.Content{Revision: 1, Functions: []host.Function{}, Keys: host.Keys{Master: "m"}},
		Instances: Instances{Count: 1, Startup: 2 * time.Second},
		Settle:    5 * time.Minute,
		Network:   Network{DelayMin: time.Millisecond, DelayMax: 20 * time.Millisecond},
		Mesh:      Mesh{RetryBudget: 10 * time.Minute, Debounce: 250 * time.Millisecond},
		Modes:     []host.Mode{host.ModeFrontend},
		Expect:    map[host.Mode][]string{},
		Budget:    Budget{MaxEvents: 2_000_000, MaxTime: 5*time.Minute + time.Hour},
		Limits:    Limits{Timeline: DefaultTimeline, InstanceStarts: DefaultInstanceStarts},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", *got, *want)
	}
	if got.End() != 5*time.Minute || got.Expected(host.ModeFrontend) != nil {
		t.Errorf("End() = %v, Expected(frontend) = %v; want 5m, nil", got.End(), got.Expected(host.ModeFrontend))
	}
}

// TestParseWithoutModesRunsModesOfRecord: a scenario that names no modes runs in the modes of record,
// additive (PR #11813, the shipped design) among them.
func TestParseWithoutModesRunsModesOfRecord(t *testing.T) {
	s, err := Parse("x.yaml", []byte("site: {name: app}\ncontent: {keys: {master: m}}\nexpect:\n  additive: [P1]\n"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []host.Mode{host.ModeFrontend, host.ModePlatform, host.ModeAdditive}
	if !reflect.DeepEqual(s.Modes, want) {
		t.Errorf("Modes = %v, want %v", s.Modes, want)
	}
	if got := s.Expected(host.ModeAdditive); !reflect.DeepEqual(got, []string{"P1"}) {
		t.Errorf("Expected(additive) = %v, want [P1]", got)
	}
}

func TestParseSmallVariants(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(s *Scenario) bool
	}{
		{"empty encryption key means not set", "site: {name: app, encryption_key: \"\"}\n", func(s *Scenario) bool { return s.Site.EncryptionKey == "" }},
		{"base64 encryption key", "site: {name: app, encryption_key: \"c2VjcmV0\"}\n", func(s *Scenario) bool { return s.Site.EncryptionKey == "c2VjcmV0" }},
		{"host id derived and truncated", "site: {name: " + strings.Repeat("a", 31) + "-bc}\n", func(s *Scenario) bool { return s.Site.HostID == strings.Repeat("a", 31) }},
		{"faults_end defaults to the last at", "site: {name: app}\ntimeline:\n  - {at: 0, start: {}}\n  - {at: 90s, delete: {which: all}}\n",
			func(s *Scenario) bool {
				return s.FaultsEnd == 90*time.Second && s.End() == 90*time.Second+5*time.Minute
			}},
		{"faults_end later than the timeline", "site: {name: app}\nfaults_end: 10m\ntimeline:\n  - {at: 1m, start: {}}\n",
			func(s *Scenario) bool { return s.SettleStart() == 10*time.Minute }},
		{"deploy to an empty function set", "site: {name: app}\ntimeline:\n  - {at: 1m, deploy: {functions: []}}\n",
			func(s *Scenario) bool {
				return s.Timeline[0].Deploy.Functions != nil && len(s.Timeline[0].Deploy.Functions) == 0
			}},
		{"zero instances", "site: {name: app}\ninstances: {count: 0}\n", func(s *Scenario) bool { return s.Instances.Count == 0 }},
		{"admin_sync retry with defaults", "site: {name: app}\ntimeline:\n  - {at: 1m, admin_sync: {retry: {}}}\n",
			func(s *Scenario) bool {
				return s.Timeline[0].AdminSync.Retry == Retry{Count: 3, Delay: 5 * time.Second}
			}},
		{"admin_sync retry given", "site: {name: app}\ntimeline:\n  - {at: 1m, admin_sync: {retry: {count: 2, delay: 1s}}}\n",
			func(s *Scenario) bool { return s.Timeline[0].AdminSync.Retry == Retry{Count: 2, Delay: time.Second} }},
		{"admin_sync without retry", "site: {name: app}\ntimeline:\n  - {at: 1m, admin_sync: {}}\n",
			func(s *Scenario) bool { return s.Timeline[0].AdminSync.Retry == Retry{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.yaml + "content: {keys: {master: m}}\nmodes: [frontend]\n"
			s, err := Parse("x.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("check failed for %+v", *s)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const validBody = "site: {name: app}\ncontent: {keys: {master: m}}\nmodes: [frontend]\n"

func TestLoadAllOrderAndTestdata(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "b.yaml"), validBody)
	writeFile(t, filepath.Join(dir, "a.yml"), validBody)
	writeFile(t, filepath.Join(dir, "incidents", "c.yaml"), validBody)
	writeFile(t, filepath.Join(dir, "notes.txt"), "not a scenario")
	writeFile(t, filepath.Join(dir, "testdata", "broken.yaml"), "site: [")
	writeFile(t, filepath.Join(dir, "incidents", "testdata", "broken.yaml"), "site: [")
	extra := filepath.Join(t.TempDir(), "0-extra.scenario")
	writeFile(t, extra, "name: extra\n"+validBody)

	got, err := LoadAll(dir, extra, filepath.Join(dir, "b.yaml"))
	if err != nil {
		t.Fatalf("LoadAll: %v", err)
	}
	var paths, names []string
	for _, s := range got {
		paths = append(paths, s.Path)
		names = append(names, s.Name)
	}
	want := []string{extra, filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "incidents", "c.yaml")}
	want = sortedCopy(want)
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %v\nwant    %v", paths, want)
	}
	if len(names) != 4 || !contains(names, "a") || !contains(names, "extra") {
		t.Errorf("names = %v", names)
	}

	// A testdata directory named explicitly is loaded, broken fixtures and all.
	_, err = LoadAll(filepath.Join(dir, "testdata"))
	var e *Error
	if !errors.As(err, &e) || !strings.HasSuffix(e.File, "broken.yaml") || e.Line != 1 {
		t.Errorf("LoadAll(testdata) = %v; want the broken fixture's syntax error", err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestLoadAllFailures(t *testing.T) {
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "testdata", "x.yaml"), validBody)
	dups := t.TempDir()
	writeFile(t, filepath.Join(dups, "x", "one.yaml"), validBody)
	writeFile(t, filepath.Join(dups, "y", "one.yaml"), "\n"+validBody)
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "a.yaml"), validBody+"settle: 0s\n")
	writeFile(t, filepath.Join(bad, "b.yaml"), validBody+"colour: red\n")

	tests := []struct {
		name  string
		paths []string
		count int
		frag  string
	}{
		{"nothing found", []string{empty}, 1, "no scenario files found"},
		{"no arguments", nil, 1, "no scenario files found"},
		{"missing path", []string{filepath.Join(empty, "nope.yaml")}, 1, "cannot read"},
		{"duplicate names", []string{dups}, 1, `scenario name "one" is also used by`},
		{"every file's problems", []string{bad}, 2, "a.yaml:4:9: settle: must be longer than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadAll(tt.paths...)
			if err == nil {
				t.Fatalf("LoadAll succeeded with %d scenarios", len(got))
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != tt.count {
				t.Errorf("%d problems, want %d: %v", n, tt.count, err)
			}
			if !strings.Contains(err.Error(), tt.frag) {
				t.Errorf("error %q does not contain %q", err, tt.frag)
			}
		})
	}
}

func TestSHA256(t *testing.T) {
	data := []byte(validBody)
	a, err := Parse("a.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("elsewhere/b.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("a.yaml", append([]byte("# changed\n"), data...))
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != sha256Hex(data) || len(a.SHA256) != 64 {
		t.Errorf("SHA256 = %q, want the hex SHA-256 of the bytes", a.SHA256)
	}
	if a.SHA256 != b.SHA256 {
		t.Error("the same bytes under another path hash differently")
	}
	if a.SHA256 == c.SHA256 {
		t.Error("a changed file hashes the same")
	}
}

func TestKeyRefString(t *testing.T) {
	for _, tt := range []struct {
		ref  KeyRef
		want string
	}{
		{KeyRef{Kind: "master"}, "master"},
		{KeyRef{Kind: "host", Name: "default"}, "host.default"},
		{KeyRef{Kind: "system", Name: "durabletask_extension"}, "system.durabletask_extension"},
		{KeyRef{Kind: "function", Function: "HttpTrigger1", Name: "default"}, "function.HttpTrigger1.default"},
	} {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.ref, got, tt.want)
		}
	}
}
