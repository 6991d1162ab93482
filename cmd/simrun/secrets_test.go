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

// P11 for import: a host log holding a credential in every form output/redact knows
// (logs/importer/testdata/host-log-secrets.log, its values listed in host-log-secrets.values)
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
	os.WriteFile(bad, []byte("2026-04-20T10:00:00.000Z world Information Syncsim.World Site settings (Site=myapp, HostId=myapp, Mode=password=p4ss-err0r-v4lue)\n"), 0o644)
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

// The three credentials issue 22 planted in a host log (the Functions key parameter `code=`, a key
// inside a nested functionKeys object, a value after the word secretvalue), each also where it
// appears again alone, reach neither the scenario import writes (its comments quote the log's
// unknown lines) nor what import prints; the lines are quoted masked, key names and the rest of the
// line as they were.
func TestImportMasksPlantedKeys(t *testing.T) {
	const (
		code   = "Pl4ntedC0deQuery-V4lue=="
		nested = "Pl4nted-nested-fk-V4lue=="
		secret = "Pl4nted-secretv4lue-xyz"
	)
	sample, err := os.ReadFile(filepath.Join(sampleLogs, "host-log-sample.log"))
	if err != nil {
		t.Fatal(err)
	}
	planted := []string{
		"2026-04-20T10:00:02.130Z pod-a7f3 Information Microsoft.AspNetCore.Hosting.Diagnostics Request starting HTTP/1.1 GET https://myapp.azurewebsites.net/api/HttpTrigger1?code=" + code + "&clientId=default\n",
		`2026-04-20T10:00:02.140Z pod-a7f3 Debug Host.Secrets Loaded secrets {"masterKey": {"name": "master", "value": "m4ster-V4lue-0001"}, "functionKeys": {"HttpTrigger1": [{"name": "default", "value": "` + nested + `"}]}}` + "\n",
		"2026-04-20T10:00:02.150Z pod-a7f3 Debug Host.Secrets Key vault reference resolved: secretvalue " + secret + "\n",
		"2026-04-20T10:00:02.160Z pod-a7f3 Debug Host.General Retrying with " + code + ", " + nested + " and " + secret + "\n",
	}
	var log strings.Builder
	inserted := false
	for _, l := range strings.SplitAfter(string(sample), "\n") {
		log.WriteString(l)
		if !inserted && strings.Contains(l, " pod-a7f3 ") && strings.Contains(l, "Host started") {
			log.WriteString(strings.Join(planted, ""))
			inserted = true
		}
	}
	if !inserted {
		t.Fatal("host-log-sample.log has no pod-a7f3 Host started line to plant the credentials after")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "planted.log"), filepath.Join(dir, "planted.yaml")
	if err := os.WriteFile(in, []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code0, stdout0, stderr0 := simrun(t, "import", in, "-o", out)
	code1, stdout1, stderr1 := simrun(t, "import", in, "-o", "-")
	if code0 != 0 || code1 != 0 {
		t.Fatalf("import: exit %d and %d\n%s%s", code0, code1, stderr0, stderr1)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"the scenario file": string(written), "stdout": stdout1, "the output": stdout0 + stderr0 + stderr1} {
		for _, v := range []string{code, nested, secret, "m4ster-V4lue-0001"} {
			if strings.Contains(text, v) {
				t.Errorf("%s holds the planted credential %q", name, v)
			}
		}
	}
	for _, kept := range []string{
		"HttpTrigger1?code=[redacted]&clientId=default",
		`{"masterKey": {"name": "master", "value": "[redacted]"}, "functionKeys": {"HttpTrigger1": [{"name": "default", "value": "[redacted]"}]}}`,
		"Key vault reference resolved: secretvalue [redacted]",
		"Retrying with [redacted], [redacted] and [redacted]",
	} {
		for name, text := range map[string]string{"the scenario file": string(written), "stdout": stdout1} {
			if !strings.Contains(text, kept) {
				t.Errorf("%s does not quote the planted line as %q", name, kept)
			}
		}
	}
}

// The CLI's own messages go through the one redaction too: a scenario error that quotes a value
// holding the three planted credentials (a `code=` query value, a key inside a nested functionKeys
// object, a value after the word secretvalue) prints them masked and the rest of the message as it
// was.
func TestScenarioErrorMasksPlantedKeys(t *testing.T) {
	const (
		code   = "Pl4ntedC0deQuery-V4lue=="
		nested = "Pl4nted-nested-fk-V4lue=="
		secret = "Pl4nted-secretv4lue-xyz"
	)
	doc := "name: 'GET /api/HttpTrigger1?code=" + code + "&clientId=default'\n" +
		"site: {name: 'functionKeys={\"HttpTrigger1\": {\"default\": \"" + nested + "\"}}'}\n" +
		"content:\n  keys: {master: planted-master-key-0001}\n" +
		"modes: ['secretvalue: " + secret + "']\n"
	path := filepath.Join(t.TempDir(), "planted.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code3, stdout, stderr := simrun(t, "run", path)
	if code3 != 3 {
		t.Fatalf("exit %d, want 3\n%s%s", code3, stdout, stderr)
	}
	for _, v := range []string{code, nested, secret, "Pl4nted"} {
		if strings.Contains(stdout+stderr, v) {
			t.Errorf("the error prints the planted credential %q:\n%s", v, stderr)
		}
	}
	for _, kept := range []string{
		`planted.yaml:1:7: name: invalid value "GET /api/HttpTrigger1?code=[redacted]&clientId=default"`,
		`site.name: invalid value "functionKeys={\"HttpTrigger1\": {\"default\": \"[redacted]\"}}"`,
		`modes[0]: unknown mode "secretvalue: [redacted]"`,
	} {
		if !strings.Contains(stderr, kept) {
			t.Errorf("stderr lacks %q:\n%s", kept, stderr)
		}
	}
}

// A scenario error goes to stderr through the one redaction and P11's judge word for word: the
// message and the fix hint name keys (`name the key: master, ...`), which are not secrets.
func TestFixHintNamingKeysPrintedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hint.yaml")
	doc := "site: {name: s}\ncontent:\n  keys: {master: hint-master-key-0001}\ntimeline:\n  - at: 1s\n    rotate_key: {value: hint-v4lue-0002}\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := simrun(t, "run", path)
	want := "timeline[0].rotate_key.key: is required (fix: name the key: master, host.<name>, system.<name> or function.<function>.<name>)"
	if code != 3 || !strings.Contains(stderr, want) || strings.Contains(stdout+stderr, "P11") {
		t.Fatalf("exit %d, want 3 and %q\nstdout %s\nstderr %s", code, want, stdout, stderr)
	}
}
