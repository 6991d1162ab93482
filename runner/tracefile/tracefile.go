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

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/trace"
)

// Format is the version of this file layout and of the schedule's meaning. Readers refuse other
// versions with a clear error. Format 2: fault decisions come from randomness derived per
// (seed, fault, place) (sim/world/faults.go), not from one shared stream, so the firings,
// hold-back delays and timed gaps a format-1 trace records do not come up again in this build.
const Format = 2

// formatSharedStream is the last format recorded with the shared fault stream.
const formatSharedStream = 1

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
	Schedule trace.Schedule `json:"schedule"`
	// Size is the schedule's size: timeline entries + fault firings + non-default choices.
	Size      int    `json:"size"`
	TraceHash string `json:"trace_hash"`
	// Failed lists the IDs of the MUST properties the run failed (ignoring expectations).
	Failed     []string        `json:"failed"`
	Verdicts   []check.Verdict `json:"verdicts"`
	ShrunkFrom *Origin         `json:"shrunk_from,omitempty"`
	Records    []trace.Record  `json:"records"`
}

// ErrFormat is the error of a file that is not a trace this build can read.
var ErrFormat = errors.New("tracefile: not a readable trace")

// Write writes the file as indented JSON, gzip-compressed when the path ends in ".gz". The text goes
// through the one redaction with the run's secrets (PAY-4), and then P11 judges it as it leaves the
// process (output): a file that still holds a secret, a JWT or a credential is not written,
// and the error (a *check.LeakError) says why. A trace holds credentials only as digests,
// so a clean trace is written unchanged, and replays of it match.
func Write(path string, f *File, secrets []string) error {
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	if data, err = output.Redact(path, append(data, '\n'), secrets); err != nil {
		return err
	}
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

// Limits bound what reading one trace file may spend, so that no file (a gzip bomb, a huge or
// endless file) exhausts memory: every limit is checked before the memory is spent.
type Limits struct {
	// MaxBytes bounds the file's size and, for a gzip file, its decompressed size
	// (`--max-trace-bytes`).
	MaxBytes int64
	// MaxRecords bounds the number of trace records (`--max-trace-records`).
	MaxRecords int
}

// Default limits. A recorded run of the fleet scenario (7,507 records) takes 2.8 MB, so the defaults
// hold runs about a hundred times longer. The record limit bounds what decoding spends on records
// (some 70 bytes each before their fields), which the byte limit alone would not: "{}," is 3 bytes.
const (
	DefaultMaxBytes   = 256 << 20
	DefaultMaxRecords = 2_000_000
)

// DefaultLimits are the limits replay, shrink and explain apply unless told otherwise.
func DefaultLimits() Limits { return Limits{MaxBytes: DefaultMaxBytes, MaxRecords: DefaultMaxRecords} }

// ErrLimit is the error of a trace file over one of its Limits; it also wraps ErrFormat.
var ErrLimit = errors.New("tracefile: over a limit")

// withDefaults fills unset limits with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRecords <= 0 {
		l.MaxRecords = DefaultMaxRecords
	}
	return l
}

// Read reads and checks a trace file within the default limits. Errors name the file, the line and
// column of a JSON error, and what to do.
func Read(path string) (*File, error) { return ReadLimited(path, DefaultLimits()) }

// ReadLimited reads and checks a trace file within l. Only a regular file is read (a device or a
// FIFO could be endless); its size is checked before it is read, and a gzip stream is read through
// a limit, so that a small file that decompresses to gigabytes is refused after MaxBytes.
func ReadLimited(path string, l Limits) (*File, error) {
	l = l.withDefaults()
	// Stat before opening: opening a FIFO would block until a writer comes.
	if err := regular(path, l); err != nil {
		return nil, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tracefile: %w", err)
	}
	defer fh.Close()
	// Stat again through the open file: the path may have been replaced since.
	info, err := fh.Stat()
	if err := checkInfo(info, err); err != nil {
		return nil, fmt.Errorf("tracefile: %s: %w", path, err)
	}
	if info.Size() > l.MaxBytes {
		return nil, overBytes(path, fmt.Sprintf("the file is %d bytes,", info.Size()), l)
	}
	data, err := readAtMost(fh, info.Size(), l.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("tracefile: %s: %w", path, err)
	}
	if int64(len(data)) > l.MaxBytes {
		return nil, overBytes(path, "the file is", l)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		if data, err = gunzip(path, data, l); err != nil {
			return nil, err
		}
	}
	return ParseLimited(path, data, l)
}

// gunzip decompresses data within l.MaxBytes. A first pass counts the decompressed bytes into
// io.Discard, so a gzip bomb costs CPU up to the limit but no memory; the second pass reads into a
// buffer of the size the first pass found.
func gunzip(path string, data []byte, l Limits) ([]byte, error) {
	bad := func(err error) error {
		return fmt.Errorf("%w: %s: not a readable gzip file: %v", ErrFormat, path, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, bad(err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, l.MaxBytes+1))
	if err != nil {
		return nil, bad(err)
	}
	if n > l.MaxBytes {
		return nil, overBytes(path, "the file decompresses to", l)
	}
	if err := zr.Reset(bytes.NewReader(data)); err != nil {
		return nil, bad(err)
	}
	out, err := readAtMost(zr, n, l.MaxBytes)
	if err != nil {
		return nil, bad(err)
	}
	return out, nil
}

// regular refuses what is not a regular file, or is over the size limit, before it is opened.
func regular(path string, l Limits) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("tracefile: %w", err)
	}
	if err := checkInfo(info, nil); err != nil {
		return fmt.Errorf("tracefile: %s: %w", path, err)
	}
	if info.Size() > l.MaxBytes {
		return overBytes(path, fmt.Sprintf("the file is %d bytes,", info.Size()), l)
	}
	return nil
}

var errNotRegular = errors.New("not a regular file (fix: give a trace file written by simrun run --trace-out)")

func checkInfo(info os.FileInfo, err error) error {
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is %w", info.Mode().Type(), errNotRegular)
	}
	return nil
}

// readAtMost reads r, expected to hold size bytes, up to max+1 bytes: one more than the limit tells
// that r is over it.
func readAtMost(r io.Reader, size, max int64) ([]byte, error) {
	var b bytes.Buffer
	// ReadFrom wants bytes.MinRead free before each read; with them the buffer is never copied.
	b.Grow(int(min(size, max)) + bytes.MinRead)
	_, err := b.ReadFrom(io.LimitReader(r, max+1))
	return b.Bytes(), err
}

func overBytes(path, what string, l Limits) error {
	return fmt.Errorf("%w: %w: %s: %s over the limit of %d bytes (fix: raise it with --max-trace-bytes)",
		ErrFormat, ErrLimit, path, what, l.MaxBytes)
}

// Parse checks a trace file's bytes within the default limits; path is for messages.
func Parse(path string, data []byte) (*File, error) { return ParseLimited(path, data, DefaultLimits()) }

// ParseLimited checks a trace file's bytes within l; path is for messages. The records are counted
// before they are decoded: a record of two bytes ("{}") decodes to about 70, so the byte limit alone
// would not bound memory.
func ParseLimited(path string, data []byte, l Limits) (*File, error) {
	l = l.withDefaults()
	if int64(len(data)) > l.MaxBytes {
		return nil, overBytes(path, fmt.Sprintf("the trace is %d bytes,", len(data)), l)
	}
	var probe struct {
		Format  *int          `json:"format"`
		Records recordCounter `json:"records"`
	}
	probe.Records.max = l.MaxRecords
	if err := json.Unmarshal(data, &probe); err != nil {
		if errors.Is(err, errTooManyRecords) {
			return nil, fmt.Errorf("%w: %w: %s: more than %d records (fix: raise the limit with --max-trace-records)",
				ErrFormat, ErrLimit, path, l.MaxRecords)
		}
		return nil, fmt.Errorf("%w: %s: %s (fix: give a file written by simrun run --trace-out)", ErrFormat, where(path, data, err), jsonReason(err))
	}
	switch {
	case probe.Format == nil:
		return nil, fmt.Errorf("%w: %s: no \"format\" field (fix: give a file written by simrun run --trace-out)", ErrFormat, path)
	case *probe.Format == formatSharedStream:
		return nil, fmt.Errorf("%w: %s: trace format 1 was recorded when every fault decision drew from one shared stream; this build derives each from (seed, fault, place), so its firings and delays do not come up again (fix: record it again with this build: the run's replay command, with --trace-out)", ErrFormat, path)
	case *probe.Format != Format:
		return nil, fmt.Errorf("%w: %s: trace format %d, this build reads format %d (fix: replay it with the syncsim release that wrote it, or record it again)", ErrFormat, path, *probe.Format, Format)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %s (fix: give a file written by simrun run --trace-out)", ErrFormat, where(path, data, err), jsonReason(err))
	}
	if err := f.check(); err != nil {
		if errors.Is(err, ErrSchedule) {
			// "tracefile: invalid schedule: PATH: ...", wrapping ErrFormat too.
			text := strings.TrimPrefix(err.Error(), ErrSchedule.Error()+": ")
			return nil, &both{msg: ErrSchedule.Error() + ": " + path + ": " + text, errs: []error{ErrSchedule, ErrFormat}}
		}
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
	return f.CheckSchedule()
}

// both is an error that wraps several sentinels under one message.
type both struct {
	msg  string
	errs []error
}

func (b *both) Error() string   { return b.msg }
func (b *both) Unwrap() []error { return b.errs }

// errTooManyRecords stops the record count at the limit.
var errTooManyRecords = errors.New("tracefile: too many records")

// recordCounter counts the elements of the records array without decoding them. json.Unmarshal has
// checked that the whole input is valid JSON before it calls UnmarshalJSON, so a scan of the bytes
// that skips strings finds the array's top-level commas; it allocates nothing.
type recordCounter struct{ max, n int }

// UnmarshalJSON counts the top-level elements of a JSON array; anything else is left to the decoder
// that follows, which reports it with its position.
func (c *recordCounter) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || len(bytes.TrimSpace(b[1:len(b)-1])) == 0 {
		return nil
	}
	c.n = 1
	depth, inString, escaped := 0, false, false
	for _, ch := range b[1 : len(b)-1] {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '[' || ch == '{':
			depth++
		case ch == ']' || ch == '}':
			depth--
		case ch == ',' && depth == 0:
			if c.n++; c.n > c.max {
				return errTooManyRecords
			}
		}
	}
	if c.n > c.max {
		return errTooManyRecords
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
