package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCommand(t *testing.T) {
	sample := "../../../shared/reference/host-log-sample.log"
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Skipf("the sample log is not here (%v)", err)
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
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", sample}, 0, "every line is a step the model can take"},
		{[]string{"validate", broken}, 1, "broken.log:19: "},
		{[]string{"validate", empty}, 3, "empty.log"},
		{[]string{"validate", filepath.Join(dir, "missing.log")}, 3, "missing.log"},
		{[]string{"validate", "--mode", "turbo", sample}, 3, "--mode"},
	} {
		var out, errb bytes.Buffer
		code := execute(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.want, out.String(), errb.String())
		}
	}
}
