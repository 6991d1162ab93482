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
