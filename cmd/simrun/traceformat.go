package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/logs/validate"
	"github.com/syncsim/syncsim/reports/chrome"
	"github.com/syncsim/syncsim/runner"
)

// traceWriter is the writer of --trace-out's files for --trace-format: "syncsim" (the default: the
// trace file replay, shrink and explain read), "chrome" (the Chrome trace-event format, for
// Perfetto, redacted with the run's secrets) or "log" (the run as a host log, in --log-format: one
// of logs.Writable).
func traceWriter(format, logFormat string) (func(path string, r *runner.Result) error, error) {
	switch format {
	case "", "syncsim":
		return runner.WriteTraceFile, nil
	case "chrome":
		return writeChromeTrace, nil
	case "log":
		return hostLogWriter(logFormat)
	}
	return nil, fmt.Errorf("--trace-format %q: use syncsim, chrome or log", format)
}

// hostLogWriter writes a run as a host log in the format named (validate.HostLogAs): the model's
// lines in the real host's words, so that the log reads as a real one does.
func hostLogWriter(name string) (func(path string, r *runner.Result) error, error) {
	f, err := logs.ParseFormat(name)
	if err == nil && !slices.Contains(logs.Writable(), f) {
		err = fmt.Errorf("%w: %q is read, not written", logs.ErrUnknownFormat, name)
	}
	if err != nil {
		var names []string
		for _, w := range logs.Writable() {
			names = append(names, string(w))
		}
		return nil, fmt.Errorf("--log-format: %v (fix: use one of %s)", err, strings.Join(names, ", "))
	}
	return func(path string, r *runner.Result) error {
		out, err := validate.HostLogAs(r.Trace.Records, f)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, out, 0o644)
	}, nil
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
