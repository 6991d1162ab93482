// Package tracefile is the versioned trace file that `simrun run --trace-out` and `sweep --trace-dir`
// write and `replay`, `shrink` and `explain` read: which run it was (format and harness versions,
// the scenario's path and SHA-256, mode, seed, strategy, extra faults), its schedule as semantic events
// (timeline entries, fault firings, non-default scheduling choices), its verdicts and its records.
// Secrets are never in it: records carry credentials only as digests (PAY-4, P11).
//
//	f, err := tracefile.Read("t.json")
//	if err == nil { fmt.Println(f.Mode, f.Seed, f.Schedule.Size()) }
package tracefile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/world"
	"github.com/syncsim/syncsim/sim"
)

// Format is the version of this file layout. Readers refuse other versions with a clear error.
const Format = 1

// Scenario names the scenario file a trace was recorded from.
type Scenario struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Origin says what a shrunk trace was shrunk from.
type Origin struct {
	TraceHash string `json:"trace_hash"`
	Size      int    `json:"size"`
}

// File is one recorded run.
type File struct {
	Format   int      `json:"format"`
	Harness  string   `json:"harness"`
	Scenario Scenario `json:"scenario"`
	Mode     string   `json:"mode"`
	Seed     uint64   `json:"seed"`
	Strategy string   `json:"strategy"`
	Faults   []string `json:"faults,omitempty"`
	// Schedule is the run's schedule; replaying follows it.
	Schedule world.Script `json:"schedule"`
	// Size is the schedule's size: timeline entries + fault firings + non-default choices.
	Size      int    `json:"size"`
	TraceHash string `json:"trace_hash"`
	// Failed lists the IDs of the MUST properties the run failed (ignoring expectations).
	Failed     []string        `json:"failed"`
	Verdicts   []check.Verdict `json:"verdicts"`
	ShrunkFrom *Origin         `json:"shrunk_from,omitempty"`
	Records    []sim.Record    `json:"records"`
}

// ErrFormat is the error of a file that is not a trace this build can read.
var ErrFormat = errors.New("tracefile: not a readable trace")

// Write writes the file as indented JSON, gzip-compressed when the path ends in ".gz".
func Write(path string, f *File) error {
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if strings.HasSuffix(path, ".gz") {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("tracefile: %w", err)
		}
		data = b.Bytes()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("tracefile: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("tracefile: %w", err)
	}
	return nil
}

// Read reads and checks a trace file. Errors name the file, the line and column of a JSON error, and
// what to do.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tracefile: %w", err)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err == nil {
			data, err = io.ReadAll(zr)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: not a readable gzip file: %v", ErrFormat, path, err)
		}
	}
	return Parse(path, data)
}

// Parse checks a trace file's bytes; path is for messages.
func Parse(path string, data []byte) (*File, error) {
	var probe struct {
		Format *int `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s: %s (fix: give a file written by simrun run --trace-out)", ErrFormat, where(path, data, err), jsonReason(err))
	}
	switch {
	case probe.Format == nil:
		return nil, fmt.Errorf("%w: %s: no \"format\" field (fix: give a file written by simrun run --trace-out)", ErrFormat, path)
	case *probe.Format != Format:
		return nil, fmt.Errorf("%w: %s: trace format %d, this build reads format %d (fix: replay it with the syncsim release that wrote it, or record it again)", ErrFormat, path, *probe.Format, Format)
	}
	var f File
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %s (fix: give a file written by simrun run --trace-out)", ErrFormat, where(path, data, err), jsonReason(err))
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, path, err)
	}
	return &f, nil
}

func (f *File) check() error {
	var missing []string
	if f.Scenario.Path == "" {
		missing = append(missing, "scenario.path")
	}
	if f.Mode == "" {
		missing = append(missing, "mode")
	}
	if f.Schedule.Timeline == nil || f.Schedule.Firings == nil || f.Schedule.Choices == nil {
		missing = append(missing, "schedule (timeline, firings, choices)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s (fix: give a file written by simrun run --trace-out)", strings.Join(missing, ", "))
	}
	if f.Size != f.Schedule.Size() {
		return fmt.Errorf("size %d does not match the schedule's %d entries (the file was edited)", f.Size, f.Schedule.Size())
	}
	return nil
}

// where renders a JSON error's position as path:line:column.
func where(path string, data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return path
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%s:%d:%d", path, line, col)
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q must be %s, not %s", te.Field, te.Type, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
