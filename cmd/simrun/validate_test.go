package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate's exit codes: 0 a sync step explained and none failed, 1 a line the model cannot take,
// 2 nothing the model can judge, 3 usage or input errors; every run prints its counts by reason.
func TestValidateCommand(t *testing.T) {
	sample := filepath.Join(sampleLogs, "host-log-sample.log")
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.log")
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "hash updated to") {
			kept = append(kept, l)
		}
	}
	os.WriteFile(broken, []byte(strings.Join(kept, "\n")), 0o644)
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	pasted := filepath.Join(dir, "pasted.log")
	os.WriteFile(pasted, []byte("SyncTriggers call failed (StatusCode=BadRequest).\n"), 0o644)
	caller := filepath.Join(dir, "caller.log")
	os.WriteFile(caller, []byte("20:18:40 app: Syncing triggers...\n20:19:21 app: Syncing triggers (Attempt 2/6)...\n20:21:59: Error: Encountered an error (InternalServerError) from host runtime.\n"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"validate", sample}, 0, []string{"explained 18 of 18 lines (7 sync steps); skipped 0", "every line judged is a step the model can take"}},
		{[]string{"validate", broken}, 1, []string{"broken.log:22: ", "the hash blob holds '36463dedc7e6'", "explained 16 of 17 lines (5 sync steps); skipped 0"}},
		{[]string{"validate", pasted}, 2, []string{"explained 0 of 1 lines (0 sync steps); skipped 1 (by reason: no time 1)", "inconclusive: no line is a step the model can judge"}},
		{[]string{"validate", caller}, 0, []string{"explained 3 of 3 lines (3 sync steps)"}},
		{[]string{"validate", "--site", "shop", "--instance", "pod-1", pasted}, 2, []string{"no time 1"}},
		{[]string{"validate", empty}, 3, []string{"empty.log"}},
		{[]string{"validate", filepath.Join(dir, "missing.log")}, 3, []string{"missing.log"}},
		{[]string{"validate", "--mode", "turbo", sample}, 3, []string{"--mode"}},
		{[]string{"validate", "--format", "nonsense", sample}, 3, []string{`"nonsense" is no format (fix: name one of syncsim, `}},
	} {
		var out, errb bytes.Buffer
		code := execute(tc.args, &out, &errb)
		ok := code == tc.code
		for _, w := range tc.want {
			ok = ok && strings.Contains(out.String()+errb.String(), w)
		}
		if !ok {
			t.Errorf("%v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}
