package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios/faults"
)

// TestSchemaErrors: problems the schema catches, reported as the loader's errors with the file's
// position, the field in the loader's notation and a message that says what is allowed.
func TestSchemaErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"misspelt action", head + "timeline:\n  - at: 1m\n    start: {}\n    deplyo: {}\n",
			`s.yaml:8:5: timeline[0].deplyo: unknown field "deplyo" (allowed: at, deploy, rotate_key, admin_sync, start, delete, restart) (fix: remove it or correct its spelling)`},
		{"unknown mode lists the modes", "site: {name: app}\ncontent:\n  keys: {master: m}\nmodes: [frontend, sideways]\n",
			`s.yaml:4:19: modes[1]: unknown mode "sideways": must be one of: frontend, platform, additive, signal-all, platform-ack (fix: correct the spelling)`},
		{"unknown mode as an expect key", head + "expect:\n  backend: [P1]\n",
			`s.yaml:6:3: expect.backend: unknown mode "backend": must be one of: frontend, platform, additive, signal-all, platform-ack (fix: correct the spelling)`},
		{"duration without a unit", head + "timeline:\n  - at: 2m\n    deploy: {functions: [], hook_interval: 5}\n",
			`s.yaml:7:44: timeline[0].deploy.hook_interval: invalid duration "5": must be a Go duration such as 30s or 5m (fix: use a Go duration such as 30s, 5m, 1h30m)`},
		{"zero retry budget", head + "mesh: {retry_budget: 0ms}\n",
			`s.yaml:5:22: mesh.retry_budget: must be longer than 0 (fix: use a duration such as 1s or 5m)`},
		{"hook_syncs above its bound", head + "timeline:\n  - at: 2m\n    deploy: {functions: [], hook_syncs: 9}\n",
			`s.yaml:7:41: timeline[0].deploy.hook_syncs: must be between 0 and 5, got 9 (fix: use a number between 0 and 5)`},
		{"admin_sync count above its bound", head + "timeline:\n  - {at: 1m, admin_sync: {count: 1001}}\n",
			`s.yaml:6:34: timeline[0].admin_sync.count: must be between 1 and 1000, got 1001 (fix: use a number between 1 and 1000)`},
		{"probability below 0", head + "faults:\n  random: {reorder: -0.1}\n",
			`s.yaml:6:21: faults.random.reorder: must be between 0 and 1, got -0.1 (fix: use a probability between 0 and 1, such as 0.05)`},
		{"profile names a fault outside the catalogue", head + "faults:\n  profile:\n    - {fault: fe-stat}\n",
			`s.yaml:7:15: faults.profile[0].fault: unknown value "fe-stat": must be one of: ` + strings.Join(faults.Names(), ", ") + ` (fix: correct the spelling)`},
		{"scripted fault that is not a point fault", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: drop, point: mid-fetch}\n",
			`s.yaml:8:15: faults.scripted[0].fault: unknown value "drop": must be one of: delete-instance, restart-instance (fix: correct the spelling)`},
		{"unknown fault point", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: delete-instance, point: after-hash}\n",
			`s.yaml:8:39: faults.scripted[0].point: unknown value "after-hash": must be one of: ` + strings.Join(faults.Points, ", ") + ` (fix: correct the spelling)`},
		{"duplicate property", head + "expect:\n  frontend: [P2, P2]\n",
			`s.yaml:6:18: expect.frontend[1]: property P2 is listed twice (fix: list each property once)`},
		{"bad key name", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    system: {\"two words\": k}\nmodes: [frontend]\n",
			`s.yaml:5:14: content.keys.system.two words: invalid key name "two words": must be letters, digits, '.', '_' and '-', not starting with '.' (fix: use letters, digits, '.', '_' and '-', not starting with '.')`},
		{"which of the wrong type", head + "timeline:\n  - {at: 1m, restart: {which: [all]}}\n",
			`s.yaml:6:31: timeline[0].restart.which: must be one of: newest, oldest, primary, all, not a list (fix: give one of the values as a plain string)`},
		{"language empty", "site: {name: app}\ncontent:\n  functions: [{name: F, language: \"\"}]\n" + tail[len("content:\n"):],
			`s.yaml:3:35: content.functions[0].language: must not be empty (fix: give a non-empty string, or leave the field out for its default)`},
		{"params value not a scalar", head + "faults:\n  profile:\n    - {fault: drop, params: {p: [1]}}\n",
			`s.yaml:7:33: faults.profile[0].params.p: must be a scalar (a string, number or boolean), not a list (fix: give a string, number, duration or boolean)`},
		{"no action", head + "timeline:\n  - {at: 1m}\n",
			`s.yaml:6:5: timeline[0]: has no action (fix: add one of: deploy, rotate_key, admin_sync, start, delete, restart)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not unwrap to ErrInvalid: %v", err)
			}
		})
	}
}

// TestSchemaSecretsNeverQuoted holds PAY-4 for schema errors: a credential the schema rejects is
// described, never quoted, whichever keyword fails.
func TestSchemaSecretsNeverQuoted(t *testing.T) {
	const secret = "s3cr3t-schema-5678"
	tests := []struct{ name, yaml string }{
		{"encryption key not base64", "site: {name: app, encryption_key: \"" + secret + "!\"}\n" + tail},
		{"encryption key a number", "site: {name: app, encryption_key: 123456789}\n" + tail},
		{"master a list", "site: {name: app}\ncontent:\n  keys: {master: [" + secret + "]}\nmodes: [frontend]\n"},
		{"master a mapping", "site: {name: app}\ncontent:\n  keys: {master: {" + secret + ": 1}}\nmodes: [frontend]\n"},
		{"host key a mapping", "site: {name: app}\ncontent:\n  keys: {master: m, host: {a: {b: " + secret + "}}}\nmodes: [frontend]\n"},
		{"rotate value a list", head + "timeline:\n  - {at: 1m, rotate_key: {key: master, value: [" + secret + "]}}\n"},
		{"rotate value beside a second action", head + "timeline:\n  - {at: 1m, start: {}, rotate_key: {key: bogus, value: " + secret + ", extra: 1}}\n"},
		{"secret in an unknown field of keys", "site: {name: app}\ncontent:\n  keys: {master: m, mastr: " + secret + "}\nmodes: [frontend]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decoder{file: "x.yaml"}
			root, syntax := parseTree("x.yaml", []byte(tt.yaml), d.fail)
			if syntax != nil {
				t.Fatal(syntax)
			}
			checked := d.validateSchema(root)
			if len(checked) == 0 {
				t.Fatal("the schema accepts the file")
			}
			for _, e := range checked {
				if strings.Contains(e.Error.Error(), secret) || strings.Contains(e.Error.Error(), "123456789") {
					t.Errorf("schema error quotes the secret: %v", e.Error)
				}
			}
			if _, err := Parse("x.yaml", []byte(tt.yaml)); err == nil || strings.Contains(err.Error(), secret) {
				t.Errorf("Parse error %v", err)
			}
		})
	}
}

// TestRepoScenariosMatchSchema: every scenario of the repository, and the valid fixtures, pass
// schema.json on their own (an editor using the schema shows no error for them).
func TestRepoScenariosMatchSchema(t *testing.T) {
	files := []string{"testdata/full.yaml", "testdata/minimal.yaml"}
	err := filepath.WalkDir(".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == "testdata" {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(p); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := &decoder{file: f}
		root, syntax := parseTree(f, data, d.fail)
		if syntax != nil {
			t.Errorf("%v", syntax)
			continue
		}
		for _, e := range d.validateSchema(root) {
			t.Errorf("%v", e.Error)
		}
	}
}

// TestSchemaEnumsMatchRegistries keeps schema.json's enums equal to the Go registries they copy:
// a new mode, fault, fault point, property or action must reach the schema too.
func TestSchemaEnumsMatchRegistries(t *testing.T) {
	_, doc := compiledSchema()
	tr := translator{doc: doc}
	enum := func(loc string) []string {
		var out []string
		for _, v := range tr.lookup(schemaID + "#" + loc).([]any) {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); sort.Strings(s); return s }
	var actions []string
	for _, k := range ActionKinds {
		actions = append(actions, string(k))
	}
	var oneOf []string
	for _, b := range tr.lookup(schemaID + "#/$defs/timelineEntry/oneOf").([]any) {
		oneOf = append(oneOf, mapValue(b, "required").([]any)[0].(string))
	}
	tests := []struct {
		name      string
		got, want []string
	}{
		{"modes", enum("/$defs/mode/enum"), host.ModeNames()},
		{"profile faults", sorted(enum("/$defs/profileFault/properties/fault/enum")), faults.Names()},
		{"scripted faults", sorted(enum("/$defs/scriptedFault/properties/fault/enum")), sorted(FaultNames)},
		{"fault points", enum("/$defs/scriptedFault/properties/point/enum"), faults.Points},
		{"properties", enum("/$defs/propertyID/enum"), PropertyIDs},
		{"which", sorted(enum("/$defs/timelineEntry/properties/delete/properties/which/enum")), sorted(whichValues)},
		{"restart which", sorted(enum("/$defs/timelineEntry/properties/restart/properties/which/enum")), sorted(whichValues)},
		{"auth", sorted(enum("/$defs/timelineEntry/properties/admin_sync/properties/auth/enum")), sorted(authValues)},
		{"actions (oneOf)", oneOf, actions},
		{"timeline entry fields", tr.properties(schemaID + "#/$defs/timelineEntry"), actionFields},
		{"top-level fields", tr.properties(schemaID + "#"), topFields},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: schema.json has %v, the registry %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestSchemaPropertyNamesOutsideDefs: keyOwners finds a rejected key's mapping by the schema path of
// its propertyNames keyword, which is the instance's path only outside $defs.
func TestSchemaPropertyNamesOutsideDefs(t *testing.T) {
	var doc any
	if err := yaml.UnmarshalWithOptions(schemaJSON, &doc, yaml.UseOrderedMap()); err != nil {
		t.Fatal(err)
	}
	defs := mapValue(doc, "$defs")
	if strings.Contains(mustJSON(t, defs), `"propertyNames"`) {
		t.Error("schema.json has propertyNames under $defs; keyOwners cannot place its errors")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.MarshalWithOptions(v, yaml.JSON())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
