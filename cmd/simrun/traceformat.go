package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/reports/chrome"
)

// traceWriter is the writer of --trace-out's files for --trace-format: "syncsim" (the default: the
// trace file replay, shrink and explain read) or "chrome" (the Chrome trace-event format, for
// Perfetto, redacted with the run's secrets).
func traceWriter(format string) (func(path string, r *runner.Result) error, error) {
	switch format {
	case "", "syncsim":
		return runner.WriteTraceFile, nil
	case "chrome":
		return writeChromeTrace, nil
	}
	return nil, fmt.Errorf("--trace-format %q: use syncsim or chrome", format)
}

func writeChromeTrace(path string, r *runner.Result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := chrome.Write(f, runner.TraceFile(r), r.Secrets...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
