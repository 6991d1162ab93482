package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildSimrun builds the simrun binary once per test run: {simrun} in --mesh-cmd is the running
// binary, which under go test would be the test binary.
var buildSimrun = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "simrun-conformance-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "simrun")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{string(out)}
	}
	return bin, nil
})

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

// runBinary runs the built simrun and returns its exit code, stdout and stderr.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildSimrun()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
	cmd := exec.Command(bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

const meshCmd = "{simrun} serve mesh --listen 127.0.0.1:{port} --site-url {site_url} --site {site} --key {key}"

type conformanceJSON struct {
	Suite    string `json:"suite"`
	Exit     int    `json:"exit"`
	Verdicts []struct {
		ID       string   `json:"id"`
		Level    string   `json:"level"`
		Status   string   `json:"status"`
		Checked  int      `json:"checked"`
		Evidence []string `json:"evidence"`
		Title    string   `json:"title"`
	} `json:"verdicts"`
}

type junitXML struct {
	Suites []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readReports(t *testing.T, jsonPath, junitPath string) (conformanceJSON, junitXML) {
	t.Helper()
	var j conformanceJSON
	var x junitXML
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatalf("--json does not parse: %v", err)
	}
	data, err = os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatalf("--junit does not parse: %v", err)
	}
	return j, x
}

// assertStopped checks that the mesh the harness started no longer accepts connections.
func assertStopped(t *testing.T, stdout string) {
	t.Helper()
	m := regexp.MustCompile(`started from --mesh-cmd, listening on http://(127\.0\.0\.1:\d+)/`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("the output does not name the started mesh:\n%s", stdout)
	}
	if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
		c.Close()
		t.Errorf("the mesh at %s still accepts connections after the run", m[1])
	}
}

// The reference mesh, started from --mesh-cmd, passes every rule: exit 0, and both reports parse.
func TestConformanceMeshCmdPasses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jp, xp := filepath.Join(dir, "c.json"), filepath.Join(dir, "c.xml")
	code, stdout, stderr := runBinary(t, "conformance", "mesh", "--mesh-cmd", meshCmd, "--observe", "4s", "--json", jp, "--junit", xp)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, stdout, stderr)
	}
	j, x := readReports(t, jp, xp)
	if j.Suite != "mesh" || j.Exit != 0 || len(j.Verdicts) != 9 {
		t.Errorf("json: suite %q exit %d with %d verdicts, want mesh, 0, 9", j.Suite, j.Exit, len(j.Verdicts))
	}
	for i, v := range j.Verdicts {
		if want := "MESH-" + string(rune('1'+i)); v.ID != want || v.Status != "pass" || v.Level == "" || v.Title == "" {
			t.Errorf("verdict %d: %+v, want %s pass with level and title", i, v, want)
		}
	}
	if len(x.Suites) != 1 || x.Suites[0].Tests != 9 || x.Suites[0].Failures != 0 {
		t.Errorf("junit: %+v, want one suite of 9 tests, 0 failures", x.Suites)
	}
	// The observed window is measured, so it may end a few milliseconds past the 4 s asked for.
	if !strings.Contains(stdout, "MESH-4 watches 4s") || !regexp.MustCompile(`within the observed 4(\.\d+)?s`).MatchString(stdout) {
		t.Errorf("the output does not say which retry window was watched:\n%s", stdout)
	}
	assertStopped(t, stdout)
}

// With the no-retry defect the run exits 1 and names MESH-4, the only failing rule.
func TestConformanceMeshCmdNoRetryFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jp, xp := filepath.Join(dir, "c.json"), filepath.Join(dir, "c.xml")
	code, stdout, stderr := runBinary(t, "conformance", "mesh", "--mesh-cmd", meshCmd+" --defect no-retry", "--observe", "4s", "--json", jp, "--junit", xp)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`(?m)^MESH-4\s+MUST\s+fail`).MatchString(stdout) {
		t.Errorf("the output does not name MESH-4 as failing:\n%s", stdout)
	}
	j, x := readReports(t, jp, xp)
	for _, v := range j.Verdicts {
		if (v.ID == "MESH-4") != (v.Status == "fail") {
			t.Errorf("%s: %s (only MESH-4 should fail): %v", v.ID, v.Status, v.Evidence)
		}
	}
	if x.Suites[0].Failures != 1 {
		t.Errorf("junit: %d failures, want 1", x.Suites[0].Failures)
	}
	assertStopped(t, stdout)
}

// The reference front end and host pass in-process; the key never appears in the output.
func TestConformanceFrontEndAndHost(t *testing.T) {
	const key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	for _, kind := range []string{"frontend", "host"} {
		code, stdout, stderr := simrun(t, "conformance", kind, "--key", key)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0\n%s\n%s", kind, code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, key) {
			t.Errorf("%s: the key appears in the output", kind)
		}
	}
}

// FE-5 without a read-back is inconclusive: exit 2 when nothing fails.
func TestConformanceInconclusiveExitsTwo(t *testing.T) {
	code, stdout, stderr := simrun(t, "conformance", "frontend", "--rule", "FE-5", "--frontend-url", "http://127.0.0.1:1", "--key", strings.Repeat("ab", 32))
	if code != 2 || !strings.Contains(stdout, "inconclusive") {
		t.Errorf("exit %d, want 2 with an inconclusive FE-5\n%s\n%s", code, stdout, stderr)
	}
}

func TestConformanceUsageErrorsExitThree(t *testing.T) {
	for _, args := range [][]string{
		{"conformance"},
		{"conformance", "nosuch"},
		{"conformance", "mesh", "--mesh-url", "http://127.0.0.1:1/"},                    // no --key
		{"conformance", "mesh", "--mesh-url", "http://127.0.0.1:1/", "--mesh-cmd", "x"}, // both
		{"conformance", "mesh", "--mesh-cmd", "exit 7"},                                 // never listens
		{"conformance", "mesh", "--rule", "MESH-42"},
		{"conformance", "mesh", "--key", "not-a-key!"},
		{"conformance", "frontend", "--defect", "no-such-defect"},
	} {
		if code, stdout, stderr := simrun(t, args...); code != 3 {
			t.Errorf("%v: exit %d, want 3\n%s\n%s", args, code, stdout, stderr)
		}
	}
}
