package tracefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzTraceParse feeds arbitrary bytes to the trace reader (issue 9, part 1). Properties:
//   - Parse never panics;
//   - every failure wraps ErrFormat and names the file;
//   - a file that parses is consistent (format, mode, size = the schedule's size), and its JSON
//     rendering (what Write writes) parses again to the same rendering: a trace this build reads,
//     it also writes back readably.
//
// Seeds: a small real trace (a shrunk run of worker-deleted-before-fetch, its records cut to the five
// its schedule needs; committed under testdata/fuzz/FuzzTraceParse with malformed schedules: entries
// that do not exist, are listed twice or out of order, unknown or malformed firing and choice keys)
// and hand-made near misses.
func FuzzTraceParse(f *testing.F) {
	small := `{"format":2,"harness":"syncsim/test","scenario":{"path":"s.yaml","sha256":"00"},"mode":"platform","seed":1,` +
		`"strategy":"uniform","schedule":{"timeline":[0],"firings":["delete-instance@after-hash-write/i0#1"],"choices":[]},` +
		`"size":2,"trace_hash":"ab","failed":["P1"],"verdicts":[],"records":[{"seq":1,"at_ns":0,"party":"world","kind":"run.start","fields":[{"k":"mode","v":"platform"}]},` +
		`{"seq":2,"at_ns":0,"party":"world","kind":"timeline","fields":[{"k":"index","v":"0"}]},` +
		`{"seq":3,"at_ns":1,"party":"instance/i0","kind":"fault.fire","fields":[{"k":"key","v":"delete-instance@after-hash-write/i0#1"}]}]}`
	for _, s := range []string{small, "", "{}", "null", "[]", `{"format":1}`, `{"format":2}`, `{"format":"1"}`,
		`{"format":2,"unknown":true}`, `{"format":2,"scenario":{"path":"p"},"mode":"m","schedule":{"timeline":[],"firings":[],"choices":[]},"size":1}`,
		"{\n  \"format\": 2,\n  \"seed\": -1\n}", `{"format":2,"records":[{"fields":[{"k":1}]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := Parse("fuzz.json", data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			if !bytes.Contains([]byte(err.Error()), []byte("fuzz.json")) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if tf.Format != Format || tf.Mode == "" || tf.Scenario.Path == "" || tf.Size != tf.Schedule.Size() {
			t.Fatalf("Parse accepted an inconsistent trace: format %d mode %q path %q size %d/%d",
				tf.Format, tf.Mode, tf.Scenario.Path, tf.Size, tf.Schedule.Size())
		}
		out, err := json.MarshalIndent(tf, "", " ")
		if err != nil {
			t.Fatalf("a parsed trace cannot be written: %v", err)
		}
		again, err := Parse("fuzz.json", out)
		if err != nil {
			t.Fatalf("a parsed trace, written back, does not parse: %v\n%s", err, out)
		}
		out2, _ := json.MarshalIndent(again, "", " ")
		if !bytes.Equal(out, out2) {
			t.Fatalf("write/parse is not a fixed point:\n%s\n---\n%s", out, out2)
		}
	})
}
