package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// repeat joins n copies of s.
func repeat(s string, n int) string { return strings.Repeat(s, n) }

// aliasBomb is "billion laughs": ten aliases of ten aliases of ... nine levels, 10^9 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// binding nests a binding value depth levels of lists below a binding, whose own depth is 6
// (scenario, content, functions, function, bindings, binding).
func nestedBinding(levels int) string {
	return "site: {name: app}\ncontent:\n  keys: {master: m}\n  functions:\n    - name: F\n      bindings:\n        - type: t\n          x: " +
		repeat("[", levels) + repeat("]", levels) + "\nmodes: [frontend]\n"
}

// timelineOf is a valid scenario with n copies of entry in its timeline.
func timelineOf(limits, entry string, n int) string {
	return head + limits + "timeline:\n" + repeat(entry, n)
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		line, col   int    // 0: not checked
		field, frag string // field: a prefix of the field reported
	}{
		{"alias bomb under 1 KB", aliasBomb(), 0, 0, "a", "more than 1,000,000 values with its aliases expanded"},
		{"alias bomb in a merge", "a: &a {x: [" + repeat("1,", 300) + "1]}\nb: &b {<<: *a, " + "k: [" + repeat("*a,", 3000) + "*a]}\nc: [" + repeat("*b,", 4000) + "*b]\n", 3, 0, "c[", "aliases expanded"},
		{"too many aliases", "x: &x 1\nl: [" + repeat("*x,", MaxAliases) + "*x]\n", 2, 30005, "l[10000]", "more than 10,000 aliases"},
		{"100,000 levels of flow lists", "a: " + repeat("[", 100_000) + repeat("]", 100_000) + "\n", 1, 0, "", "nest more than 100 levels"},
		{"100,000 levels of flow mappings", repeat("{a: ", 100_000) + "1" + repeat("}", 100_000) + "\n", 1, 0, "", "nest more than 100 levels"},
		{"100,000 levels of block lists on one line", repeat("- ", 100_000) + "x\n", 1, 0, "", "nest more than 100 levels"},
		{"indentation 300 levels deep", func() string {
			var b strings.Builder
			for i := 0; i < 300; i++ {
				b.WriteString(repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(), 0, 0, "", "nest more than 100 levels"},
		{"101 levels, past the scan, caught on the tree", nestedBinding(95), 8, 0, "content.functions[0].bindings[0].x", "nest more than 100 levels"},
		{"depth through aliases", "a: &a " + repeat("[", 60) + repeat("]", 60) + "\nb: " + repeat("[", 60) + "*a" + repeat("]", 60) + "\n", 2, 64, "b[0]", "(aliases expanded)"},
		{"timeline over limits.timeline", timelineOf("limits: {timeline: 5}\n", "  - {at: 0, admin_sync: {}}\n", 6), 7, 3, "timeline", "holds 6 entries, more than limits.timeline 5"},
		{"timeline over the default", timelineOf("", "  - {at: 0, admin_sync: {}}\n", DefaultTimeline+1), 6, 3, "timeline", "holds 10,001 entries, more than limits.timeline 10,000"},
		{"instance starts by scale-outs", timelineOf("instances: {count: 50}\n", "  - {at: 1m, start: {count: 50}}\n", 20), 26, 5, "timeline[19]", "starts 1,050 instances"},
		{"instance starts by restarts of all", timelineOf("limits: {instance_starts: 5}\ninstances: {count: 3}\n", "  - {at: 1m, restart: {which: all}}\n", 1), 8, 5, "timeline[0]", "starts 6 instances by this entry"},
		{"initial instances over the limit", head + "limits: {instance_starts: 2}\ninstances: {count: 3}\n", 6, 20, "instances.count", "more than limits.instance_starts 2"},
		{"MSG-4 calls", timelineOf("", "  - {at: 1m, admin_sync: {count: 1000}}\n", 101), 106, 5, "timeline[100]", "101,000 MSG-4 calls"},
		{"functions of the content", "site: {name: app}\ncontent:\n  keys: {master: m}\n  functions:\n" + func() string {
			var b strings.Builder
			for i := 0; i <= MaxFunctions; i++ {
				b.WriteString("    - {name: F" + itoa(i) + "}\n")
			}
			return b.String()
		}() + "modes: [frontend]\n", 5, 5, "content.functions", "lists 1,001 functions, more than 1,000"},
		{"functions the deploys hold", "site: {name: app}\ncontent:\n  keys: {master: m}\n  functions:\n" + func() string {
			var b strings.Builder
			for i := 0; i < MaxFunctions; i++ {
				b.WriteString("    - {name: F" + itoa(i) + "}\n")
			}
			return b.String()
		}() + "modes: [frontend]\ntimeline:\n" + repeat("  - {at: 1m, deploy: {add: [{name: F1}]}}\n", MaxDeployedFunctions/MaxFunctions+1),
			MaxFunctions + 7 + MaxDeployedFunctions/MaxFunctions, 22, "timeline[1000].deploy", "the deploys hold 1,001,000 functions"},
		{"a deploy over MaxFunctions", "site: {name: app}\ncontent:\n  keys: {master: m}\n  functions:\n" + func() string {
			var b strings.Builder
			for i := 0; i < MaxFunctions; i++ {
				b.WriteString("    - {name: F" + itoa(i) + "}\n")
			}
			return b.String()
		}() + "modes: [frontend]\ntimeline:\n  - {at: 1m, deploy: {add: [{name: G}]}}\n", MaxFunctions + 7, 22, "timeline[0].deploy", "leaves the site with 1,001 functions"},
		{"keys of a block mapping", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    host:\n" + func() string {
			var b strings.Builder
			for i := 0; i <= MaxBlockKeys; i++ {
				b.WriteString("      k" + itoa(i) + ": v\n")
			}
			return b.String()
		}() + "modes: [frontend]\n", 6 + MaxBlockKeys, 7, "", "a block mapping holds more than 5,000 keys"},
		{"keys of a block mapping in a list", head + "x:\n  - a: 1\n" + repeat("    b: 1\n", MaxBlockKeys), 6 + MaxBlockKeys, 5, "", "more than 5,000 keys"},
		{"faults", head + "faults:\n  profile:\n" + repeat("    - {fault: drop}\n", MaxFaults+1), 7, 5, "faults", "lists 1,001 scripted and profile faults"},
		{"file over MaxFileBytes", head + "description: \"" + repeat("x", MaxFileBytes) + "\"\n", 0, 0, "", "more than 1,048,576"},
		{"a million-entry timeline", timelineOf("", "  - {at: 0, start: {}}\n", 1_000_000), 0, 0, "", "more than 1,048,576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			s, err := Parse("limits.yaml", []byte(tt.yaml))
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", *s)
			}
			if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not unwrap to ErrLimit and ErrInvalid: %v", err)
			}
			var e *Error
			for _, p := range flatten(err) {
				if errors.Is(p, ErrLimit) {
					e = p
					break
				}
			}
			if e == nil {
				t.Fatalf("no limit among the problems: %v", err)
			}
			if e.File != "limits.yaml" || e.Line < 1 || (tt.line != 0 && e.Line != tt.line) || (tt.col != 0 && e.Column != tt.col) || !strings.HasPrefix(e.Field, tt.field) {
				t.Errorf("got %s:%d:%d field %q; want line %d col %d field %q\n(%v)", e.File, e.Line, e.Column, e.Field, tt.line, tt.col, tt.field, e)
			}
			if !strings.Contains(e.Msg, tt.frag) {
				t.Errorf("message %q does not contain %q", e.Msg, tt.frag)
			}
			if !strings.Contains(e.Fix, "limits.") && !strings.Contains(e.Fix, "(scenarios.Max") {
				t.Errorf("fix %q names neither the field that raises the limit nor the fixed limit", e.Fix)
			}
			// Nothing may build what the file stands for: a refused file costs a bounded amount of
			// memory, whatever its expansion (a billion values, a million entries).
			if spent := after.TotalAlloc - before.TotalAlloc; spent > 512<<20 {
				t.Errorf("refusing the file allocated %d MB", spent>>20)
			}
		})
	}
}

// TestLimitsAccept holds the other side of each bound: a file at the limit loads.
func TestLimitsAccept(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(*Scenario) bool
	}{
		{"100 levels", nestedBinding(94), func(s *Scenario) bool { return len(s.Content.Functions[0].Bindings) == 1 }},
		{"a raised timeline", timelineOf("limits: {timeline: 10001}\n", "  - {at: 0, admin_sync: {}}\n", 10_001), func(s *Scenario) bool {
			return len(s.Timeline) == 10_001 && s.Limits.Timeline == 10_001
		}},
		{"instance starts at the limit", timelineOf("limits: {instance_starts: 6}\ninstances: {count: 3}\n", "  - {at: 1m, restart: {which: all}}\n  - {at: 2m, delete: {which: all}}\n  - {at: 3m, restart: {which: all}}\n", 1),
			func(s *Scenario) bool { return s.Limits.InstanceStarts == 6 }},
		{"aliases used within bounds", "x: &x {type: t}\nsite: {name: app}\ncontent:\n  keys: {master: m}\n  functions:\n" + repeat("    - {name: F, bindings: ["+repeat("*x, ", 9)+"*x]}\n", 1) + "modes: [frontend]\n",
			func(s *Scenario) bool { return len(s.Content.Functions[0].Bindings) == 10 }},
		{"5,000 keys of a block mapping", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    host:\n" + func() string {
			var b strings.Builder
			for i := 0; i < MaxBlockKeys; i++ {
				b.WriteString("      k" + itoa(i) + ": v\n")
			}
			return b.String()
		}() + "modes: [frontend]\n", func(s *Scenario) bool { return len(s.Content.Keys.Host) == MaxBlockKeys }},
		{"many keys of a flow mapping", "site: {name: app}\ncontent:\n  keys:\n    master: m\n    host: {" + func() string {
			var b strings.Builder
			for i := 0; i < 2*MaxBlockKeys; i++ {
				b.WriteString("k" + itoa(i) + ": v, ")
			}
			return b.String()
		}() + "z: v}\nmodes: [frontend]\n", func(s *Scenario) bool { return len(s.Content.Keys.Host) == 2*MaxBlockKeys+1 }},
		{"max_events at the ceiling", head + "budget: {max_events: 2000000}\n", func(s *Scenario) bool { return s.Budget.MaxEvents == MaxEvents }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(tt.yaml, "x: &x {type: t}\n", "", 1)
			if strings.HasPrefix(tt.yaml, "x: &x") {
				// An anchor at the top level is an unknown field; anchor it where it is used.
				src = strings.Replace(src, "bindings: [*x, ", "bindings: [&x {type: t}, ", 1)
			}
			s, err := Parse("ok.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("check failed for %+v", *s)
			}
		})
	}
}

// TestNonFiniteNumbers: NaN and the infinities are refused wherever a number is read, and so are
// probabilities outside [0, 1] and limits outside their ranges.
func TestNonFiniteNumbers(t *testing.T) {
	tests := []struct {
		name        string
		yaml        string
		line, col   int
		field, frag string
	}{
		{"NaN drop", head + "faults:\n  random: {drop: .nan}\n", 6, 18, "faults.random.drop", "is not a finite number, got .nan"},
		{"Inf duplicate", head + "faults:\n  random: {duplicate: .inf}\n", 6, 23, "faults.random.duplicate", "is not a finite number, got .inf"},
		{"+Inf, a string to goccy", head + "faults:\n  random: {duplicate: +.inf}\n", 6, 23, "faults.random.duplicate", "must be a number, not a string"},
		{"-Inf reorder", head + "faults:\n  random: {reorder: -.Inf}\n", 6, 21, "faults.random.reorder", "is not a finite number"},
		{"negative probability", head + "faults:\n  random: {drop: -0.1}\n", 6, 18, "faults.random.drop", "must be between 0 and 1"},
		{"p=NaN in a profile fault", head + "faults:\n  profile:\n    - {fault: fe-status, params: {p: NaN}}\n", 7, 38, "faults.profile[0].params.p", `is not a finite number, got "NaN"`},
		{"p=Inf in a profile fault", head + "faults:\n  profile:\n    - {fault: drop, params: {p: Inf}}\n", 7, 33, "faults.profile[0].params.p", `is not a finite number, got "Inf"`},
		{"p=nan quoted in a profile fault", head + "faults:\n  profile:\n    - {fault: drop, params: {p: \"nan\"}}\n", 7, 33, "faults.profile[0].params.p", "is not a finite number"},
		{"p=NaN in a scripted fault", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: delete-instance, point: mid-fetch, params: {p: NaN}}\n", 8, 62, "faults.scripted[0].params.p", "is not a finite number"},
		{"p over 1 in a scripted fault", head + "faults_end: 5m\nfaults:\n  scripted:\n    - {fault: delete-instance, point: mid-fetch, params: {p: 1.5}}\n", 8, 62, "faults.scripted[0].params.p", "not a probability in [0, 1]"},
		{"NaN binding value", "site: {name: app}\ncontent:\n  functions:\n    - {name: F, bindings: [{type: t, x: .NaN}]}\n" + tail[len("content:\n"):], 4, 41, "content.functions[0].bindings[0].x", "not a JSON number"},
		{"Inf duration", head + "settle: .inf\n", 5, 9, "settle", "invalid duration"},
		{"limits.timeline over its ceiling", head + "limits: {timeline: 100001}\n", 5, 20, "limits.timeline", "must be between 1 and 100000"},
		{"limits.instance_starts over its ceiling", head + "limits: {instance_starts: 10001}\n", 5, 27, "limits.instance_starts", "must be between 1 and 10000"},
		{"limits.timeline 0", head + "limits: {timeline: 0}\n", 5, 20, "limits.timeline", "must be between 1 and 100000"},
		{"max_events over the ceiling", head + "budget: {max_events: 2000001}\n", 5, 22, "budget.max_events", "must be between 1 and 2000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("n.yaml", []byte(tt.yaml))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %v, want an *Error", err)
			}
			if e.Line != tt.line || e.Column != tt.col || e.Field != tt.field || !strings.Contains(e.Msg, tt.frag) || e.Fix == "" {
				t.Errorf("got %v\nwant %d:%d %s: ...%s...", e, tt.line, tt.col, tt.field, tt.frag)
			}
		})
	}
}

// TestLineEndingsKeepPositions: CRLF (and CR) line endings and a byte order mark give every error
// case exactly the positions, fields and messages of the LF file.
func TestLineEndingsKeepPositions(t *testing.T) {
	variants := []struct {
		name string
		conv func(string) string
	}{
		{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"CR", func(s string) string { return strings.ReplaceAll(s, "\n", "\r") }},
		{"BOM", func(s string) string { return "\uFEFF" + s }},
		{"BOM and CRLF", func(s string) string { return "\uFEFF" + strings.ReplaceAll(s, "\n", "\r\n") }},
	}
	for _, tt := range invalidCases {
		_, want := Parse("case.yaml", []byte(tt.yaml))
		if want == nil {
			t.Fatalf("%s: the LF file parses", tt.name)
		}
		for _, v := range variants {
			_, got := Parse("case.yaml", []byte(v.conv(tt.yaml)))
			if got == nil || got.Error() != want.Error() {
				t.Errorf("%s with %s:\n got %v\nwant %v", tt.name, v.name, got, want)
			}
		}
	}
	lf, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("full.yaml", lf)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		got, err := Parse("full.yaml", []byte(v.conv(string(lf))))
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if got.SHA256 == want.SHA256 {
			t.Errorf("%s: the SHA-256 is not the hash of the bytes given", v.name)
		}
		got.SHA256 = want.SHA256
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the scenario differs from the LF file's", v.name)
		}
	}
}

// TestLoadReadsOnlyRegularFiles: a device, a pipe, a directory or an oversize file is refused by
// name, without being read; a pipe must not block Load (it is never opened), so this test returns.
func TestLoadReadsOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	writeFile(t, big, head+"description: \""+repeat("x", MaxFileBytes)+"\"\n")
	good := filepath.Join(dir, "good.yaml")
	writeFile(t, good, validBody)
	link := filepath.Join(dir, "link-to-good.yaml")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	pipeLink := filepath.Join(dir, "link-to-pipe.yaml")
	if err := os.Symlink(fifo, pipeLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, frag string
		sentinel   error
	}{
		{"/dev/zero", "is a character device, not a regular file", ErrNotRegular},
		{fifo, "is a named pipe (FIFO), not a regular file", ErrNotRegular},
		{pipeLink, "is a named pipe (FIFO), not a regular file", ErrNotRegular},
		{dir, "is a directory, not a regular file", ErrNotRegular},
		{big, "more than 1,048,576", ErrLimit},
		{filepath.Join(dir, "missing.yaml"), "cannot read the file", os.ErrNotExist},
	}
	for _, tt := range tests {
		_, err := Load(tt.path)
		var e *Error
		if !errors.As(err, &e) || e.File != tt.path || !strings.Contains(e.Msg, tt.frag) || e.Fix == "" || !errors.Is(err, tt.sentinel) {
			t.Errorf("Load(%s) = %v; want an *Error naming the file with %q, unwrapping to %v", tt.path, err, tt.frag, tt.sentinel)
		}
	}
	if s, err := Load(link); err != nil || s.Path != link {
		t.Errorf("Load(link to a regular file) = %v, %v; want it loaded", s, err)
	}
}

// TestLoadAllRefusesOddEntries: a directory walk refuses, by name and without opening them, the
// entries named like scenarios that are not regular files; a regular file and a link to one load.
func TestLoadAllRefusesOddEntries(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), validBody)
	if err := os.Symlink(filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadAll(dir); err != nil || len(got) != 2 || got[1].Path != filepath.Join(dir, "b.yaml") || got[1].SHA256 != got[0].SHA256 {
		t.Errorf("LoadAll = %v; want a.yaml and the link b.yaml to it", err)
	}
	if err := os.Remove(filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "sub", "pipe.yaml")
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere.yaml"), filepath.Join(dir, "dangling.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "dir-link.yaml")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "sub", "notes.txt"), "not a scenario")
	_, err := LoadAll(dir)
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("LoadAll = %v; want 3 problems", err)
	}
	want := []struct{ file, frag string }{
		{"dangling.yaml", "symbolic link that cannot be followed"},
		{"dir-link.yaml", "is a directory"},
		{filepath.Join("sub", "pipe.yaml"), "is a named pipe (FIFO)"},
	}
	for i, w := range want {
		if es[i].File != filepath.Join(dir, w.file) || !strings.Contains(es[i].Msg, w.frag) || es[i].Fix == "" {
			t.Errorf("problem %d = %v; want %s: %s", i, es[i], w.file, w.frag)
		}
	}
}

// TestScanDepthMatchesRealFiles: the scan never refuses the repository's scenarios and keeps its
// estimate near the depth of the tree.
func TestScanDepthMatchesRealFiles(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	more, _ := filepath.Glob("incidents/*.yaml")
	fixtures, _ := filepath.Glob("testdata/*.yaml")
	files = append(append(files, more...), fixtures...)
	if len(files) < 5 {
		t.Fatalf("found only %d scenario files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		root, perr := parseTree(file, data, func(pos, string, string, string) {})
		if perr != nil {
			t.Fatalf("%s: %v", file, perr)
		}
		// The least limit the scan passes is its estimate of the depth.
		estimate := 0
		for ; estimate < 2*MaxDepth; estimate++ {
			if _, problem := scanDepth(data, estimate); problem == scanOK {
				break
			}
		}
		if estimate > 2*root.height || root.height > 2*estimate+1 {
			t.Errorf("%s: scan estimates depth %d, the tree has %d", file, estimate, root.height)
		}
	}
}
