package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// P11 everywhere: the master key planted in scenarios/smoke.yaml (s3cr3t-master-0000) appears in no
// output of a run, a sweep, a replay, an explanation or a report, in any format.
func TestPlantedSecretInNoOutputFile(t *testing.T) {
	dir := t.TempDir()
	smoke := filepath.Join(root, "scenarios", "smoke.yaml")
	p := func(name string) string { return filepath.Join(dir, name) }
	var printed strings.Builder
	do := func(args ...string) {
		_, out, errOut := simrun(t, args...)
		printed.WriteString(out + errOut)
	}
	do("run", "--mode", "all", "--json", p("run.json"), "--junit", p("run.xml"), "--report", p("run-report"), "--trace-out", p("t.json"), smoke)
	do("run", "--mode", "platform", "--trace-out", p("chrome.json"), "--trace-format", "chrome", smoke)
	do("run", "--mode", "platform", "--trace-out", p("t1.json"), smoke)
	do("replay", p("t1.json"))
	do("explain", "--all", p("t1.json"))
	do("sweep", "--seeds", "1-3", "--mode", "all", "--json", p("sweep.json"), "--matrix", p("matrix.json"), "--junit", p("sweep.xml"),
		"--report", p("sweep-report"), "--trace-dir", p("traces"), "--fault", "fe-status:p=0.5", smoke)
	files := 0
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Contains(string(data), "s3cr3t-master-0000") {
			t.Errorf("%s holds the planted secret", path)
		}
		return nil
	})
	if files < 10 {
		t.Fatalf("only %d output files were written", files)
	}
	if strings.Contains(printed.String(), "s3cr3t-master-0000") {
		t.Error("the planted secret was printed")
	}
}

// P11 for import: a host log holding a credential in every form reports/redact knows
// (internal/importer/testdata/host-log-secrets.log, its values listed in host-log-secrets.values)
// leaks none of them into the scenario written, what import prints, an import error, or any output
// of the imported scenario's run, replay and explanation.
func TestImportedCredentialsInNoOutput(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	log := filepath.Join(sampleLogs, "host-log-secrets.log")
	data, err := os.ReadFile(filepath.Join(sampleLogs, "host-log-secrets.values"))
	if err != nil {
		t.Fatal(err)
	}
	values := strings.Fields(string(data))
	// A log that cannot be imported, its error quoting a credential.
	bad := p("bad.log")
	os.WriteFile(bad, []byte("2026-04-20T10:00:02.120Z pod-a7f3 Information Host started (Site=myapp, HostId=myapp, SyncTriggersMode=password=p4ss-err0r-v4lue)\n"), 0o644)
	values = append(values, "p4ss-err0r-v4lue")

	var printed strings.Builder
	do := func(want int, args ...string) string {
		code, out, errOut := simrun(t, args...)
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, want, out, errOut)
		}
		printed.WriteString(out + errOut)
		return out + errOut
	}
	do(0, "import", log, "-o", p("imported.yaml"))
	if scenario := do(0, "import", log, "-o", "-"); !strings.Contains(scenario, "AccountKey=[redacted];") {
		t.Errorf("the scenario on stdout shows no masked credential:\n%s", scenario)
	}
	if msg := do(3, "import", bad, "-o", "-"); !strings.Contains(msg, "password=[redacted]") {
		t.Errorf("the import error does not show the credential masked: %q", msg)
	}
	do(0, "run", "--json", p("run.json"), "--junit", p("run.xml"), "--report", p("report"), "--trace-out", p("t.json"), p("imported.yaml"))
	do(1, "run", "--raw", "--trace-out", p("chrome.json"), "--trace-format", "chrome", p("imported.yaml"))
	do(1, "replay", p("t.json")) // the imported story fails P1, as the log's did
	do(0, "explain", "--all", p("t.json"))
	files := 0
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || path == bad {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if strings.Contains(string(data), v) {
				t.Errorf("%s holds the log's credential %q", path, v)
			}
		}
		return nil
	})
	if files < 6 {
		t.Fatalf("only %d output files were written", files)
	}
	for _, v := range values {
		if strings.Contains(printed.String(), v) {
			t.Errorf("the log's credential %q was printed", v)
		}
	}
}
