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
