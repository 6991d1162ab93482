package scenarios

import (
	"strings"
	"testing"
	"time"
)

// Named instances and drains load as written: the initial instances' names, a start's name, a
// delete and a restart by name with their drains; the settle window starts after the last drain.
func TestNamedInstancesAndDrains(t *testing.T) {
	doc := "site: {name: app}\ncontent:\n  keys: {master: m}\ninstances: {count: 2, names: [web-a, web-b]}\n" +
		"timeline:\n  - at: 1m\n    start: {name: late}\n  - at: 2m\n    delete: {instance: web-b, drain: 45s}\n" +
		"  - at: 3m\n    restart: {instance: late, drain: 10s}\n  - at: 3m\n    delete: {which: oldest, drain: 5s}\n"
	s, err := Parse("named.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(s.Instances.Names, ",") != "web-a,web-b" || s.Timeline[0].Start.Name != "late" {
		t.Errorf("names: %v, start %+v", s.Instances.Names, s.Timeline[0].Start)
	}
	if d := s.Timeline[1].Delete; *d != (Delete{Count: 1, Instance: "web-b", Drain: 45 * time.Second}) {
		t.Errorf("delete by name: %+v", *d)
	}
	if r := s.Timeline[2].Restart; *r != (Restart{Count: 1, Instance: "late", Drain: 10 * time.Second}) {
		t.Errorf("restart by name: %+v", *r)
	}
	if d := s.Timeline[3].Delete; *d != (Delete{Which: "oldest", Count: 1, Drain: 5 * time.Second}) {
		t.Errorf("delete with drain: %+v", *d)
	}
	if s.Timeline[1].End() != 2*time.Minute+45*time.Second || s.SettleStart() != 3*time.Minute+10*time.Second || s.FaultsEnd != 3*time.Minute {
		t.Errorf("ends: delete %v, settle start %v, faults end %v", s.Timeline[1].End(), s.SettleStart(), s.FaultsEnd)
	}
}

// Every misuse of names and drains is an error naming the file, line, column and field, and the fix.
func TestNamedInstanceErrors(t *testing.T) {
	head := "site: {name: app}\ncontent:\n  keys: {master: m}\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"more names than instances", head + "instances: {count: 1, names: [web-a, web-b]}\n",
			"n.yaml:4:38: instances.names[1]: names 2 instances, but instances.count starts 1 (fix: name at most instances.count instances, or raise instances.count)"},
		{"a name twice", head + "instances: {count: 2, names: [web-a, web-a]}\n",
			"n.yaml:4:38: instances.names[1]: item web-a is listed twice (fix: list each item once)"},
		{"a malformed name", head + "instances: {count: 1, names: [Web]}\n",
			`n.yaml:4:31: instances.names[0]: invalid instance name "Web": must be a lowercase letter, then up to 31 lowercase letters, digits and '-'`},
		{"an unknown name", head + "timeline:\n  - at: 1m\n    delete: {instance: ghost}\n",
			`n.yaml:6:24: timeline[0].delete.instance: names instance "ghost", which no earlier entry names (fix: name it in instances.names or in an earlier start's name)`},
		{"a name given later", head + "timeline:\n  - at: 1m\n    delete: {instance: late}\n  - at: 2m\n    start: {name: late}\n",
			`n.yaml:6:24: timeline[0].delete.instance: names instance "late", which no earlier entry names`},
		{"a name and which", head + "instances: {count: 2, names: [a1]}\ntimeline:\n  - at: 1m\n    delete: {instance: a1, which: oldest}\n",
			"n.yaml:7:28: timeline[0].delete: names an instance and also gives which (fix: give either instance (one named instance) or which and count)"},
		{"a name already deleted", head + "instances: {count: 2, names: [a1, a2]}\ntimeline:\n  - at: 1m\n    delete: {instance: a1}\n  - at: 2m\n    restart: {instance: a1}\n",
			`n.yaml:9:25: timeline[1].restart.instance: names instance "a1", which the entry on line 7 already deleted or restarted (fix: pick a running instance (running by name here: a2))`},
		{"a named start of two", head + "timeline:\n  - at: 1m\n    start: {count: 2, name: late}\n",
			"n.yaml:6:29: timeline[0].start.name: names the instances of a start of 2 (fix: start one named instance per entry (count: 1), or leave name out)"},
		{"a start's name taken", head + "instances: {names: [late]}\ntimeline:\n  - at: 1m\n    start: {name: late}\n",
			`n.yaml:7:19: timeline[0].start.name: instance name "late" is already given in instances.names (fix: give each instance its own name)`},
		{"a drain too long", head + "timeline:\n  - at: 1m\n    delete: {drain: 2h}\n",
			"n.yaml:6:21: timeline[0].delete.drain: must be at most 1h, got 2h (fix: drain for 1h or less)"},
		{"a negative drain", head + "timeline:\n  - at: 1m\n    restart: {drain: -1s}\n",
			"n.yaml:6:22: timeline[0].restart.drain: must not be negative, got -1s (fix: use a duration of 0 or more)"},
	} {
		_, err := Parse("n.yaml", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v\nwant %s", tc.name, err, tc.want)
		}
	}
}
