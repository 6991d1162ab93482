package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sampleLogs = filepath.Join(root, "logs", "importer", "testdata")

// import, then run: the imported scenario exits 0 with its expectations and 1 with --raw.
func TestImportThenRun(t *testing.T) {
	for _, log := range []string{"host-log-sample.log", "host-log-sample-frontend.log"} {
		t.Run(log, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "imported.yaml")
			code, stdout, stderr := simrun(t, "import", filepath.Join(sampleLogs, log), "-o", out)
			if code != 0 || stdout != "" || !strings.Contains(stderr, "imported ") || !strings.Contains(stderr, " events, 0 unknown (syncsim ") ||
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

// -o - writes the scenario to stdout; the counts, the settings and what the run fails go to stderr.
func TestImportToStdout(t *testing.T) {
	code, stdout, stderr := simrun(t, "import", filepath.Join(sampleLogs, "host-log-sample.log"), "-o", "-")
	if code != 0 || !strings.HasPrefix(stdout, "# Imported from ") || !strings.Contains(stdout, "\nmodes: [platform]\n") {
		t.Fatalf("exit %d\n%s", code, stdout)
	}
	if !strings.Contains(stderr, "imported 23 lines: 18 events, 0 unknown (syncsim 18)\n") ||
		!strings.Contains(stderr, "site myapp, mode platform (") || !strings.Contains(stderr, "expect platform: P1, P4, P13\n") {
		t.Fatalf("stderr %q", stderr)
	}
}

// The flags say what the log does not: --site, --mode and --instance reach the scenario's comment
// block as given by flag; --format forces a format; a caller's log with no time imports with the
// spacing the import chooses.
func TestImportFlags(t *testing.T) {
	dir := t.TempDir()
	caller := filepath.Join(dir, "publish.log")
	os.WriteFile(caller, []byte("Syncing triggers...\nSyncing triggers...\nError calling sync triggers (BadRequest).\n"), 0o644)
	code, stdout, stderr := simrun(t, "import", "--site", "orders", "--mode", "additive", "--instance", "pod-1", caller, "-o", "-")
	for _, want := range []string{"# - site orders: from --site", "# - mode additive: from --mode", "host lines belong to pod-1 (--instance)",
		"admin_sync: {count: 1, retry: {count: 1, delay: 5s}}", "modes: [additive]"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d, stderr %q; the scenario lacks %q", code, stderr, want)
		}
	}
	if code, _, stderr := simrun(t, "import", "--format", "caller", caller, "-o", "-"); code != 0 || !strings.Contains(stderr, "(caller 3)") {
		t.Errorf("--format caller: exit %d, stderr %q", code, stderr)
	}
	// VS Code's times of day carry no date: --date gives them one, and the comment block says so.
	vscode := filepath.Join(root, "logs", "testdata", "real", "vscode-azurefunctions-1608-attempts.log")
	code, stdout, stderr = simrun(t, "import", "--date", "2020-01-09", vscode, "-o", "-")
	if code != 0 || !strings.Contains(stdout, "# - t=0 is 2020-01-09T11:17:30Z") || !strings.Contains(stdout, "took the date given, 2020-01-09") {
		t.Errorf("--date: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
}

// Exit 3 for a missing -o, a missing file, an empty log, a log in no known format, an unknown
// --format (naming the known ones), a bad --date and an unknown --mode.
func TestImportErrorsExitThree(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, nil, 0o644)
	binary := filepath.Join(dir, "binary.log")
	os.WriteFile(binary, []byte("\x00\x01\x02\n"), 0o644)
	sample := filepath.Join(sampleLogs, "host-log-sample.log")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", sample}, `required flag(s) "output" not set`},
		{[]string{"import", filepath.Join(dir, "missing.log"), "-o", "-"}, "missing.log"},
		{[]string{"import", empty, "-o", "-"}, "empty.log: importer: empty log"},
		{[]string{"import", binary, "-o", "-"}, "binary.log"},
		{[]string{"import", "--format", "nonsense", sample, "-o", "-"}, `--format: logs: unknown format: "nonsense" is no format (fix: name one of syncsim, `},
		{[]string{"import", "--date", "yesterday", sample, "-o", "-"}, `--date "yesterday" is no date (fix: write it as 2024-05-17)`},
		{[]string{"import", "--mode", "turbo", sample, "-o", "-"}, `--mode "turbo" names no mode (fix: --mode `},
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
	start := "2026-04-20T10:00:02.120Z pod-a Information Host.Startup Host started (20ms)\n"
	longLine := filepath.Join(dir, "long.log")
	os.WriteFile(longLine, []byte(start+strings.Repeat("x", 5<<20)+"\n"), 0o644)
	sample, err := os.ReadFile(filepath.Join(sampleLogs, "host-log-sample.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(sample), "\n")
	lines[14], lines[15] = lines[15], lines[14] // the hash write after the deletion
	swapped := filepath.Join(dir, "swapped.log")
	os.WriteFile(swapped, []byte(strings.Join(lines, "\n")), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"import", huge, "-o", "-"}, "huge.log: logs: over a limit: the log is 1073741824 bytes, over the limit of 67108864 bytes (fix: raise it with --max-log-bytes"},
		{[]string{"import", longLine, "-o", "-"}, "long.log:2: logs: over a limit: the line is longer than 1048576 bytes (fix: cut the line, or raise the line limit) (the flags: --max-log-bytes, --max-log-line-bytes"},
		{[]string{"import", swapped, "-o", "-"}, "swapped.log:16: importer: lines out of order: its time 2026-04-20T10:00:32.17Z is earlier than line 15's 2026-04-20T10:00:32.4Z (fix: sort the log by time, or pass --allow-out-of-order"},
		{[]string{"import", "--max-log-events", "10", swapped, "-o", "-"}, "swapped.log:16: logs: over a limit: more than 10 event lines (fix: raise the limit with --max-log-events"},
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
	if code != 0 || !strings.Contains(stderr, "simrun import: warning: the log is out of order, its lines are sorted by time (--allow-out-of-order): line 16 (2026-04-20T10:00:32.17Z) is earlier than line 15") ||
		!strings.Contains(string(yaml), "# - the log is out of order: line 16") || strings.Contains(stderr, "cannot tell") {
		t.Fatalf("--allow-out-of-order: exit %d, stderr %q\n%s", code, stderr, yaml)
	}
	if code, _, stderr := simrun(t, "import", "--max-log-line-bytes", "6000000", longLine, "-o", filepath.Join(dir, "long.yaml")); code != 0 {
		t.Fatalf("--max-log-line-bytes raised: exit %d, stderr %q", code, stderr)
	}
}
