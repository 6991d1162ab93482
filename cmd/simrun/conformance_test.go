package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/syncsim/syncsim/conformance"
)

// buildSimrun builds the simrun binary once per test run: {simrun} in --mesh-cmd is the running
// binary, which under go test would be the test binary. Tests share it; TestMain removes it.
var buildSimrun = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "simrun-conformance-")
	builtDir = dir
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

// builtDir is the folder buildSimrun built into ("" until it ran).
var builtDir string

// TestMain removes the binary buildSimrun built, once every test is done with it.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

// runBinary runs the built simrun and returns its exit code, stdout and stderr.
func runBinary(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	bin, err := buildSimrun()
	if err != nil {
		t.Fatal(err)
	}
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

// startMesh starts a foreign mesh of conformance/testdata/meshes by hand (README option B), in its
// own process group, stopped by its PID when the test ends.
func startMesh(t *testing.T, file string, port int, siteURL, site, key string) {
	t.Helper()
	cmd := exec.Command("python3", filepath.Join("..", "..", "conformance", "testdata", "meshes", file),
		"--port", strconv.Itoa(port), "--site-url", siteURL, "--site", site, "--key", key)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %d", file, port)
		}
	}
}

// README option B: a running mesh with a site name of its own. Without --site the harness takes the
// name from the mesh's first fetch and MESH-3 passes; with another --site, MESH-3 fails saying the
// audience and issuer expected and received, the flag that fixes it, and the command that runs
// the rule alone (with --site kept and the key never written).
func TestConformanceMeshOptionB(t *testing.T) {
	t.Parallel()
	const key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	ports := freePorts(t, 2)
	meshURL, siteListen := "http://127.0.0.1:"+strconv.Itoa(ports[0])+"/", "127.0.0.1:"+strconv.Itoa(ports[1])
	startMesh(t, "mesh.py", ports[0], "http://"+siteListen, "myapp", key)
	base := []string{"conformance", "mesh", "--mesh-url", meshURL, "--site-listen", siteListen, "--key", key, "--rule", "MESH-3"}

	code, stdout, stderr := runBinary(t, base...)
	if code != 0 || !strings.Contains(stdout, "site name myapp taken from the mesh's first fetch") {
		t.Errorf("without --site: exit %d, want 0 with the learnt name\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runBinary(t, append(base, "--site", "conformance-site")...)
	want := []string{
		"expected iss https://legion.core.azurewebsites.net, aud https://conformance-site.azurewebsites.net",
		"received iss https://legion.core.azurewebsites.net, aud https://myapp.azurewebsites.net",
		"run with --site myapp",
		`reproduce alone: simrun conformance mesh --rule MESH-3 --mesh-url ` + meshURL + ` --site-listen ` + siteListen + ` --site conformance-site --key "$KEY"`,
	}
	for _, w := range want {
		if !strings.Contains(stdout, w) {
			t.Errorf("with --site conformance-site: the output lacks %q", w)
		}
	}
	if code != 1 || strings.Contains(stdout+stderr, key) {
		t.Errorf("with --site conformance-site: exit %d (want 1), key in the output: %v\n%s\n%s", code, strings.Contains(stdout+stderr, key), stdout, stderr)
	}
}

// freePorts returns n distinct ports of 127.0.0.1 that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		p, err := conformance.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	return ports
}

// A failed rule prints the command that runs it alone with the same endpoint flags, and that
// command, run, fails the same rule.
func TestConformanceReproduceCommand(t *testing.T) {
	t.Parallel()
	meshCmd := "python3 " + filepath.Join("..", "..", "conformance", "testdata", "meshes", "reject_hash_field.py") +
		" --port {port} --site-url {site_url} --site {site}"
	code, stdout, stderr := runBinary(t, "conformance", "mesh", "--mesh-cmd", meshCmd, "--rule", "MESH-9", "--rule", "MESH-1")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`reproduce alone: simrun (conformance mesh --rule MESH-9 .*)`).FindStringSubmatch(stdout)
	if m == nil || strings.Contains(stdout, "--rule MESH-1 ") {
		t.Fatalf("want one reproduce line, for MESH-9 only:\n%s", stdout)
	}
	bin, err := buildSimrun()
	if err != nil {
		t.Fatal(err)
	}
	again := exec.Command("/bin/sh", "-c", shellQuote(bin)+" "+m[1])
	out, err := again.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !regexp.MustCompile(`(?m)^MESH-9\s+MUST\s+fail`).Match(out) {
		t.Errorf("the reproduce command %q: %v, want exit 1 with MESH-9 failing\n%s", m[1], err, out)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
