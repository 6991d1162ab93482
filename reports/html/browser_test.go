package html

import (
	"bytes"
	gocontext "context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/runner/sweep"
	"github.com/syncsim/syncsim/scenarios"
)

// chromium finds Debian's chromium (installed by scripts/test); the test skips only when it cannot be
// found, and never under CI=true.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (scripts/test installs Debian's chromium with apt)")
	}
	t.Skip("chromium is not installed: apt-get install chromium")
	return ""
}

// A browser loads the report of a failing sweep: the rendered page has the matrix and a sequence
// diagram, and the browser reports no console error.
func TestReportInHeadlessChromium(t *testing.T) {
	bin := chromium(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	scs, err := scenarios.LoadAll(filepath.Join(root, "scenarios", "smoke.yaml"), filepath.Join(root, "scenarios", "incidents", "worker-deleted-before-fetch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sweep.Sweep(sweep.Config{Scenarios: scs, Seeds: sweep.Range{From: 1, To: 3}, Raw: true, Workers: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	traces, err := sweep.FailingTraces(rep, scs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteSweep(dir, rep, traces, sweep.OutcomeOf(rep), Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := gocontext.WithTimeout(gocontext.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+filepath.Join(dir, "index.html"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := stdout.String()
	for _, want := range []string{`id="matrix"`, "<table", "<svg", "breaks here"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") && (strings.Contains(line, "ERROR") || strings.Contains(line, "Uncaught")) {
			t.Errorf("console error: %s", line)
		}
	}
}
