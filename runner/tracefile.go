package runner

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/internal/version"
	"github.com/syncsim/syncsim/runner/tracefile"
)

// TraceFile turns a judged run into the trace file `--trace-out` writes.
func TraceFile(r *Result) *tracefile.File {
	f := &tracefile.File{
		Format: tracefile.Format, Harness: version.Harness,
		Scenario: tracefile.Scenario{Path: r.Scenario, SHA256: r.ScenarioSHA256},
		Mode:     r.Mode, Seed: r.Seed, Strategy: r.Strategy, Faults: r.Faults,
		Schedule: r.Schedule, Size: r.Schedule.Size(), TraceHash: r.TraceHash,
		Failed: FailedMust(r.Verdicts), Verdicts: r.Verdicts, Records: r.Trace.Records,
	}
	if f.Strategy == "" {
		f.Strategy = "uniform"
	}
	return f
}

// FailedMust lists the MUST properties that failed, expected or not.
func FailedMust(vs []check.Verdict) []string {
	out := []string{}
	for _, v := range vs {
		if v.Level == check.Must && (v.Status == check.Fail || v.Status == check.XFail) {
			out = append(out, v.ID)
		}
	}
	return out
}

// TraceOutPath is where the trace of one run goes: the path itself when there is one run, else the
// path with "-<scenario>-<mode>-<seed>" before its extension.
func TraceOutPath(path string, r *Result, many bool) string {
	if !many {
		return path
	}
	ext := filepath.Ext(path)
	name := strings.TrimSuffix(filepath.Base(r.Scenario), filepath.Ext(r.Scenario))
	return fmt.Sprintf("%s-%s-%s-%s%s", strings.TrimSuffix(path, ext), name, r.Mode, strconv.FormatUint(r.Seed, 10), ext)
}
