package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sampleLogs = filepath.Join(root, "internal", "importer", "testdata")

// import, then run: the imported scenario exits 0 with its expectations and 1 with --raw.
func TestImportThenRun(t *testing.T) {
	for _, log := range []string{"host-log-sample.log", "host-log-sample-frontend.log"} {
		t.Run(log, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "imported.yaml")
			code, stdout, stderr := simrun(t, "import", filepath.Join(sampleLogs, log), "-o", out)
			if code != 0 || stdout != "" || !strings.Contains(stderr, "imported ") || !strings.Contains(stderr, " events, 0 unknown") ||
				strings.Contains(stderr, "warning") {
				t.Fatalf("import: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
			if code, stdout, _ := simrun(t, "run", out); code != 0 || !strings.Contains(stdout, "P1   MUST   xfail") {
				t.Fatalf("run: exit %d\n%s", code, stdout)
			}
			if code, stdout, _ := simrun(t, "run", "--raw", out); code != 1 || !strings.Contains(stdout, "P1   MUST   fail") {
				t.Fatalf("run --raw: exit %d, want 1\n%s", code, stdout)
			}
		})
	}
}

// -o - writes the scenario to stdout; the counts go to stderr.
func TestImportToStdout(t *testing.T) {
	code, stdout, stderr := simrun(t, "import", filepath.Join(sampleLogs, "host-log-sample.log"), "-o", "-")
	if code != 0 || !strings.HasPrefix(stdout, "# Imported from ") || !strings.Contains(stdout, "\nmodes: [platform]\n") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if !strings.Contains(stderr, "imported 20 lines: 15 events, 0 unknown\n") {
		t.Fatalf("stderr %q", stderr)
	}
}

// Exit 3 for a missing -o, a missing file, an empty log and a log without a host start.
func TestImportErrorsExitThree(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, nil, 0o644)
	noStart := filepath.Join(dir, "nostart.log")
	os.WriteFile(noStart, []byte("2026-04-20T10:00:00.000Z deploy Information Deployment completed (Site=myapp)\n"), 0o644)
	sample := filepath.Join(sampleLogs, "host-log-sample.log")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", sample}, `required flag(s) "output" not set`},
		{[]string{"import", filepath.Join(dir, "missing.log"), "-o", "-"}, "missing.log"},
		{[]string{"import", empty, "-o", "-"}, "empty.log: importer: empty log"},
		{[]string{"import", noStart, "-o", "-"}, "nostart.log: importer: no Host started line"},
		{[]string{"import", "-o", "-"}, "accepts 1 arg(s)"},
	}
	for _, c := range cases {
		code, stdout, stderr := simrun(t, c.args...)
		if code != 3 || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want 3 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// The log's limits and order through the CLI: a sparse 1 GiB log is refused by its size before a
// byte is read, a 5 MiB line with its line number, a log whose times go backwards naming both lines;
// --allow-out-of-order imports it with a warning, and the flags raise the limits.
func TestImportLimitsAndOrder(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.log")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start := "2026-04-20T10:00:02.120Z pod-a Information Host started (Site=myapp, HostId=myapp, SyncTriggersMode=Platform)\n"
	longLine := filepath.Join(dir, "long.log")
	os.WriteFile(longLine, []byte(start+strings.Repeat("x", 5<<20)+"\n"), 0o644)
	sample, err := os.ReadFile(filepath.Join(sampleLogs, "host-log-sample.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(sample), "\n")
	lines[12], lines[13] = lines[13], lines[12] // the hash write after the deletion
	swapped := filepath.Join(dir, "swapped.log")
	os.WriteFile(swapped, []byte(strings.Join(lines, "\n")), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", huge, "-o", "-"}, "huge.log: importer: over a limit: the log is 1073741824 bytes, over the limit of 67108864 bytes (fix: raise it with --max-log-bytes"},
		{[]string{"import", longLine, "-o", "-"}, "long.log:2: importer: over a limit: the line is longer than the limit of 1048576 bytes (fix: raise it with --max-log-line-bytes"},
		{[]string{"import", swapped, "-o", "-"}, "swapped.log:14: importer: lines out of order: its time 2026-04-20T10:00:32.17Z is earlier than line 13's 2026-04-20T10:00:32.4Z (fix: sort the log by time, or pass --allow-out-of-order"},
		{[]string{"import", "--max-log-events", "10", swapped, "-o", "-"}, "swapped.log:16: importer: over a limit: more than 10 event lines (fix: raise the limit with --max-log-events"},
		{[]string{"import", dir, "-o", "-"}, "is a directory"},
	}
	for _, c := range cases {
		code, stdout, stderr := simrun(t, c.args...)
		if code != 3 || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q\nwant 3 and %q", c.args[1:], code, len(stdout), stderr, c.want)
		}
	}
	out := filepath.Join(dir, "sorted.yaml")
	code, _, stderr := simrun(t, "import", "--allow-out-of-order", swapped, "-o", out)
	yaml, _ := os.ReadFile(out)
	if code != 0 || !strings.Contains(stderr, "simrun import: warning: the log is out of order, its lines are sorted by time (--allow-out-of-order): line 14 (2026-04-20T10:00:32.17Z) is earlier than line 13") ||
		!strings.Contains(string(yaml), "# - the log is out of order: line 14") || strings.Contains(stderr, "does not fail P1") {
		t.Fatalf("--allow-out-of-order: exit %d, stderr %q\n%s", code, stderr, yaml)
	}
	if code, _, stderr := simrun(t, "import", "--max-log-line-bytes", "6000000", longLine, "-o", filepath.Join(dir, "long.yaml")); code != 0 {
		t.Fatalf("--max-log-line-bytes raised: exit %d, stderr %q", code, stderr)
	}
}
