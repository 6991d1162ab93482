package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func fmtAny(v any) string { return fmt.Sprintf("%+v", v) }

// head is a valid 4-line scenario; cases append to it from line 5.
const head = "site: {name: app}\ncontent:\n  keys: {master: m}\nmodes: [frontend]\n"

// tail completes a scenario whose own text comes first.
const tail = "content:\n  keys: {master: m}\nmodes: [frontend]\n"

// invalidCase is a file the loader refuses and where it reports the first problem.
type invalidCase struct {
	name  string
	yaml  string
	line  int
	col   int // 0: not checked
	field string
	frag  string
}

// invalidCases are the loader's error cases; TestLineEndingsKeepPositions runs them again with
// other line endings and a byte order mark.
var invalidCases = []invalidCase{
	{"unknown top-level field", head + "colour: red\n", 5, 1, "colour", `unknown field "colour"`},
	{"unknown nested field", head + "timeline:\n  - at: 1m\n    start: {count: 1, when: now}\n", 7, 23, "timeline[0].start.when", `unknown field "when"`},
	{"bad duration", head + "timeline:\n  - at: 1x\n    start: {}\n", 6, 9, "timeline[0].at", `invalid duration "1x"`},
	{"duration without unit", head + "settle: 30\n", 5, 9, "settle", `invalid duration "30"`},
	{"negative duration", head + "instances: {startup: -2s}\n", 5, 22, "instances.startup", "must not be negative"},
	{"negative count", head + "instances: {count: -1}\n", 5, 20, "instances.count", "must be between 0 and 50"},
	{"count not a number", head + "timeline:\n  - {at: 1m, admin_sync: {count: two}}\n", 6, 34, "timeline[0].admin_sync.count", "must be a whole number"},
	{"hook_syncs above max", head + "timeline:\n  - at: 1m\n    deploy: {functions: [], hook_syncs: 6}\n", 7, 41, "timeline[0].deploy.hook_syncs", "between 0 and 5"},
	{"unknown mode", "site: {name: app}\n" + "content:\n  keys: {master: m}\nmodes: [frontend, sideways]\n", 4, 19, "modes[1]", `unknown mode "sideways"`},
	{"duplicate mode", "site: {name: app}\n" + "content:\n  keys: {master: m}\nmodes: [frontend, frontend]\n", 4, 19, "modes[1]", "listed twice"},
	{"retry count over the bound", head + "timeline:\n  - {at: 1m, admin_sync: {retry: {count: 11}}}\n", 6, 42, "timeline[0].admin_sync.retry.count", "must be between 1 and 10"},
	{"empty modes", "site: {name: app}\n" + "content:\n  keys: {master: m}\nmodes: []\n", 4, 8, "modes", "at least one mode"},
	{"expect names a mode not in modes", head + "expect:\n  platform: [P1]\n", 6, 3, "expect.platform", "not in modes"},
	{"expect names an unknown mode", head + "expect:\n  backend: [P1]\n", 6, 3, "expect.backend", `unknown mode "backend"`},
	{"unknown property", head + "expect:\n  frontend: [P1, P99]\n", 6, 18, "expect.frontend[1]", `unknown property "P99"`},
	{"unknown fault", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: melt, point: after-lock}\n", 8, 15, "faults.scripted[0].fault", `unknown value "melt"`},
	{"unknown fault point", head + "faults_end: 5m\nfaults:\n  scripted:\n    - fault: delete-instance\n      point: nowhere\n", 9, 14, "faults.scripted[0].point", `unknown value "nowhere"`},
	{"fault after faults_end", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: delete-instance, point: mid-fetch, after: 5m}\n", 8, 57, "faults.scripted[0].after", "can never fire"},
	{"fault without faults_end", head + "faults:\n  scripted:\n    - {fault: delete-instance, point: mid-fetch}\n", 7, 0, "faults.scripted[0].after", "not before faults_end 0s"},
	{"two actions in one entry", head + "timeline:\n  - at: 1m\n    start: {}\n    restart: {}\n", 8, 5, "timeline[0]", "more than one action (start, restart)"},
	{"no action", head + "timeline:\n  - at: 1m\n", 6, 5, "timeline[0]", "has no action"},
	{"missing at", head + "timeline:\n  - start: {}\n", 6, 5, "timeline[0].at", "is required"},
	{"decreasing at", head + "timeline:\n  - {at: 2m, start: {}}\n  - {at: 1m, start: {}}\n", 7, 10, "timeline[1].at", "before the previous entry's 2m0s (line 6)"},
	{"remove of a missing function", head + "timeline:\n  - at: 1m\n    deploy: {remove: [Ghost]}\n", 7, 23, "timeline[0].deploy.remove[0]", `function "Ghost" does not exist`},
	{"remove of a function removed earlier", "site: {name: app}\ncontent:\n  functions: [{name: F}]\n  keys: {master: m}\nmodes: [frontend]\ntimeline:\n  - {at: 1m, deploy: {remove: [F]}}\n  - {at: 2m, deploy: {remove: [f]}}\n", 8, 32, "timeline[1].deploy.remove[0]", "does not exist at this point"},
	{"deploy with functions and add", head + "timeline:\n  - at: 1m\n    deploy: {functions: [], add: []}\n", 7, 14, "timeline[0].deploy", "sets both functions and add/remove"},
	{"deploy changing nothing", head + "timeline:\n  - at: 1m\n    deploy: {hook_syncs: 1}\n", 7, 5, "timeline[0].deploy", "changes nothing"},
	{"duplicate function names", "site: {name: app}\ncontent:\n  functions:\n    - {name: F1}\n    - {name: f1}\n  keys: {master: m}\nmodes: [frontend]\n", 5, 14, "content.functions[1].name", `function "f1" is already defined at line 4`},
	{"invalid function name", "site: {name: app}\ncontent:\n  functions:\n    - {name: 1st}\n" + tail[len("content:\n"):], 4, 14, "content.functions[0].name", `invalid value "1st"`},
	{"binding without type", "site: {name: app}\ncontent:\n  functions:\n    - {name: F, bindings: [{direction: in}]}\n" + tail[len("content:\n"):], 4, 28, "content.functions[0].bindings[0].type", "must be a non-empty string"},
	{"bad key reference", head + "timeline:\n  - at: 1m\n    rotate_key: {key: hosts.default}\n", 7, 23, "timeline[0].rotate_key.key", `invalid key reference "hosts.default"`},
	{"rotate of an unknown function key", head + "timeline:\n  - at: 1m\n    rotate_key: {key: function.Nope.default}\n", 7, 23, "timeline[0].rotate_key.key", `names function "Nope", which does not exist`},
	{"keys of an unknown function", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    functions: {Ghost: {default: k}}\nmodes: [frontend]\n", 5, 17, "content.keys.functions.Ghost", "content.functions does not define"},
	{"missing master key", "site: {name: app}\ncontent:\n  keys: {host: {a: b}}\nmodes: [frontend]\n", 3, 3, "content.keys.master", "is required"},
	{"probability above 1", head + "faults:\n  random: {drop: 1.5}\n", 6, 18, "faults.random.drop", "must be between 0 and 1"},
	{"delay min above max", head + "network:\n  delay: {min: 30ms}\n", 6, 16, "network.delay.min", "delay min 30ms is more than max 20ms"},
	{"missing site", "content:\n  keys: {master: m}\nmodes: [frontend]\n", 1, 0, "site", "is required"},
	{"missing site name", "site: {host_id: x}\n" + tail, 1, 1, "site.name", "is required"},
	{"bad site name", "site: {name: My_App}\n" + tail, 1, 14, "site.name", `invalid value "My_App"`},
	{"bad host_id", "site: {name: app, host_id: MyApp}\n" + tail, 1, 28, "site.host_id", `invalid value "MyApp"`},
	{"host_id too long", "site: {name: app, host_id: " + strings.Repeat("a", 33) + "}\n" + tail, 1, 28, "site.host_id", `invalid value "aaaa`},
	{"bad encryption key", "site: {name: app, encryption_key: \"not base64!\"}\n" + tail, 1, 35, "site.encryption_key", "neither 64 hex characters nor base64"},
	{"settle 0", head + "settle: 0s\n", 5, 9, "settle", "must be longer than 0"},
	{"syntax error keeps its position", head + "timeline: [1, 2\n", 5, 11, "", "invalid YAML"},
	{"tab indentation", "site:\n\tname: app\n", 2, 1, "", "invalid YAML"},
	{"duplicate key", head + "settle: 1m\nsettle: 2m\n", 6, 1, "settle", `key "settle" appears twice (first at line 5)`},
	{"two documents", head + "---\nsite: {name: b}\n", 6, 0, "", "more than one YAML document"},
	{"empty file", "# nothing here\n", 1, 0, "", "holds no scenario"},
	{"not a mapping", "- a\n- b\n", 1, 1, "", "must be a mapping of fields"},
	{"section of the wrong type", head + "network: fast\n", 5, 10, "network", "must be a mapping, not a string"},
	{"invalid scenario name", "name: \"two words\"\n" + head, 1, 7, "name", `invalid value "two words"`},
	{"bad which", head + "timeline:\n  - {at: 1m, delete: {which: youngest}}\n", 6, 30, "timeline[0].delete.which", `unknown value "youngest"`},
	{"bad auth", head + "timeline:\n  - {at: 1m, admin_sync: {auth: password}}\n", 6, 33, "timeline[0].admin_sync.auth", `unknown value "password"`},
	{"start count 0", head + "timeline:\n  - {at: 1m, start: {count: 0}}\n", 6, 29, "timeline[0].start.count", "between 1 and 50"},
	{"budget max_events 0", head + "budget: {max_events: 0}\n", 5, 22, "budget.max_events", "must be between 1 and 2000000"},
	{"background not a bool", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: delete-instance, point: mid-fetch, background: \"yes\"}\n", 8, 62, "faults.scripted[0].background", "must be true or false"},
	{"removed and added", "site: {name: app}\ncontent:\n  functions: [{name: F}]\n  keys: {master: m}\nmodes: [frontend]\ntimeline:\n  - at: 1m\n    deploy:\n      remove: [F]\n      add: [{name: F}]\n", 10, 13, "timeline[0].deploy.add[0]", "both removed and added"},
	{"alias to an undefined anchor", head + "settle: *nope\n", 5, 9, "settle", "alias *nope refers to no earlier anchor"},
	{"NaN in a binding", "site: {name: app}\ncontent:\n  functions:\n    - {name: F, bindings: [{type: t, x: .nan}]}\n" + tail[len("content:\n"):], 4, 41, "content.functions[0].bindings[0].x", "not a JSON number"},
	{"comment lines before a problem", "# one\n# two\n" + head + "# three\nsettle: 0s\n", 8, 9, "settle", "must be longer than 0"},
	{"block scalar before a problem", "description: |\n  two\n  lines\n" + head + "colour: red\n", 8, 1, "colour", `unknown field "colour"`},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalidCases {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("scenarios/case.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", *s)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not unwrap to ErrInvalid: %v", err)
			}
			if e.File != "scenarios/case.yaml" || e.Line != tt.line || (tt.col != 0 && e.Column != tt.col) || e.Field != tt.field {
				t.Errorf("got %s:%d:%d field %q; want line %d col %d field %q\n(full error: %v)", e.File, e.Line, e.Column, e.Field, tt.line, tt.col, tt.field, err)
			}
			if !strings.Contains(e.Msg, tt.frag) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.frag)
			}
			if e.Fix == "" {
				t.Errorf("no fix in %v", e)
			}
			if strings.Contains(e.Error(), "\n") {
				t.Errorf("error text spans lines (a source excerpt?): %q", e.Error())
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{File: "scenarios/smoke.yaml", Line: 12, Column: 5, Field: "timeline[2].at", Msg: `invalid duration "1x"`, Fix: "use a Go duration such as 30s, 5m, 1h30m"}
	want := `scenarios/smoke.yaml:12:5: timeline[2].at: invalid duration "1x" (fix: use a Go duration such as 30s, 5m, 1h30m)`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &Error{File: "a.yaml", Line: 3, Msg: "m"}
	if got := e.Error(); got != "a.yaml:3: m" {
		t.Errorf("Error() = %q", got)
	}
}

func TestSeveralProblemsAreAllReported(t *testing.T) {
	src := head + "settle: 0s\ncolour: red\ninstances: {count: 99}\n"
	_, err := Parse("s.yaml", []byte(src))
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("want 3 Errors, got %T: %v", err, err)
	}
	var first *Error
	if !errors.As(err, &first) || first.Line != 5 || first.Field != "settle" {
		t.Errorf("errors.As found %v; want the settle problem on line 5", first)
	}
	for i, line := range []int{5, 6, 7} {
		if es[i].Line != line {
			t.Errorf("Errors[%d] on line %d, want %d (sorted by position)", i, es[i].Line, line)
		}
	}
	if n := strings.Count(err.Error(), "\n"); n != 2 {
		t.Errorf("Error() has %d newlines, want one line per problem", n)
	}
}

// TestSecretsNeverInErrors holds PAY-4 for loader errors: a credential placed where the loader
// rejects it is described, never quoted.
func TestSecretsNeverInErrors(t *testing.T) {
	const secret = "s3cr3t-test-1234"
	tests := []struct{ name, yaml string }{
		{"master as a list", "site: {name: app}\ncontent:\n  keys:\n    master: [s3cr3t-test-1234]\nmodes: [frontend]\n"},
		{"master as a mapping", "site: {name: app}\ncontent:\n  keys:\n    master: {s3cr3t-test-1234: x}\nmodes: [frontend]\n"},
		{"host key nested", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    host: {default: {v: s3cr3t-test-1234}}\nmodes: [frontend]\n"},
		{"function key list", "site: {name: app}\ncontent:\n  functions: [{name: F}]\n  keys:\n    master: m\n    functions: {F: {default: [s3cr3t-test-1234]}}\nmodes: [frontend]\n"},
		{"keys of an unknown function", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    functions: {Ghost: {default: s3cr3t-test-1234}}\nmodes: [frontend]\n"},
		{"keys as a list", "site: {name: app}\ncontent:\n  keys: [s3cr3t-test-1234]\nmodes: [frontend]\n"},
		{"unknown field in keys", "site: {name: app}\ncontent:\n  keys: {master: m, mastr: s3cr3t-test-1234}\nmodes: [frontend]\n"},
		{"encryption key invalid", "site: {name: app, encryption_key: s3cr3t-test-1234}\n" + tail},
		{"encryption key as a list", "site: {name: app, encryption_key: [s3cr3t-test-1234]}\n" + tail},
		{"rotate value as a list", head + "timeline:\n  - at: 1m\n    rotate_key: {key: master, value: [s3cr3t-test-1234]}\n"},
		{"rotate value in a malformed entry", head + "timeline:\n  - at: 1x\n    rotate_key: {key: bogus, value: s3cr3t-test-1234, extra: 1}\n    start: {}\n"},
		{"rotate value with a bad ref", head + "timeline:\n  - at: 1m\n    rotate_key: {key: function.Nope.x, value: s3cr3t-test-1234}\n"},
		{"rotate value as a mapping", head + "timeline:\n  - at: 1m\n    rotate_key:\n      key: master\n      value: {a: s3cr3t-test-1234}\n"},
		{"unterminated quote", "site: {name: app}\ncontent:\n  keys:\n    master: \"s3cr3t-test-1234\nmodes: [frontend]\n"},
		{"unterminated flow", "site: {name: app}\ncontent:\n  keys: {master: s3cr3t-test-1234\nmodes: [frontend]\n"},
		{"tab after a secret", "site: {name: app}\ncontent:\n  keys:\n    master: s3cr3t-test-1234\n\thost: x\nmodes: [frontend]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("secret.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error text quotes the secret: %v", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Line == 0 {
				t.Errorf("error without a position: %v", err)
			}
		})
	}
}
