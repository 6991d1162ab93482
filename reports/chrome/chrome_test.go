package chrome_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/reports/chrome"
	"github.com/syncsim/syncsim/reports/internal/testrun"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/trace"
)

// The phases the trace-event format documents ("Trace Event Format", Google): duration B/E,
// complete X, instant i/I, counter C, async b/n/e and S/T/p/F, flow s/t/f, sample P, object N/O/D,
// metadata M, memory dump V/v, mark R, clock sync c, context (/).
var documented = map[string]bool{"B": true, "E": true, "X": true, "i": true, "I": true, "C": true, "b": true, "n": true,
	"e": true, "S": true, "T": true, "p": true, "F": true, "s": true, "t": true, "f": true, "P": true, "N": true, "O": true,
	"D": true, "M": true, "V": true, "v": true, "R": true, "c": true, "(": true, ")": true}

// validate checks a written file against the format's documented fields, reading it as plain JSON.
func validate(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if u, _ := doc["displayTimeUnit"].(string); u != "ms" && u != "ns" {
		t.Errorf("displayTimeUnit %q is neither ms nor ns", doc["displayTimeUnit"])
	}
	raw, ok := doc["traceEvents"].([]any)
	if !ok || len(raw) == 0 {
		t.Fatalf("no traceEvents array")
	}
	var evs []map[string]any
	starts, finishes := map[string]int{}, map[string]int{}
	for i, x := range raw {
		ev, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("event %d is not an object", i)
		}
		evs = append(evs, ev)
		for _, k := range []string{"name", "ph", "ts", "pid", "tid"} {
			if _, ok := ev[k]; !ok {
				t.Fatalf("event %d lacks %q: %v", i, k, ev)
			}
		}
		for _, k := range []string{"ts", "pid", "tid"} {
			if _, ok := ev[k].(float64); !ok {
				t.Errorf("event %d: %s is not a number: %v", i, k, ev[k])
			}
		}
		ph, _ := ev["ph"].(string)
		if !documented[ph] {
			t.Errorf("event %d: ph %q is not a documented phase", i, ph)
		}
		switch ph {
		case "X":
			if d, ok := ev["dur"].(float64); !ok || d < 0 {
				t.Errorf("complete event %d has dur %v", i, ev["dur"])
			}
		case "i":
			if s := ev["s"]; s != "t" && s != "p" && s != "g" {
				t.Errorf("instant event %d has scope %v", i, s)
			}
		case "s", "f":
			id, ok := ev["id"].(string)
			if !ok || id == "" {
				t.Errorf("flow event %d has no id", i)
			}
			if ph == "s" {
				starts[id]++
			} else {
				finishes[id]++
			}
		case "M":
			if n := ev["name"]; n != "process_name" && n != "thread_name" && n != "process_sort_index" && n != "thread_sort_index" {
				t.Errorf("metadata event %d named %v", i, n)
			}
		}
	}
	if len(starts) == 0 {
		t.Errorf("no flow events")
	}
	for id, n := range starts {
		if n != 1 || finishes[id] != 1 {
			t.Errorf("flow %s: %d starts, %d finishes", id, n, finishes[id])
		}
	}
	for id := range finishes {
		if starts[id] == 0 {
			t.Errorf("flow %s finishes without a start", id)
		}
	}
	return evs
}

func TestExportIsValidTraceEventFormat(t *testing.T) {
	res := testrun.Run(t, testrun.Scenarios[1], host.ModePlatform, 1, true)
	f := runner.TraceFile(res)
	f.Records[5].Fields = append(f.Records[5].Fields, trace.F("note", "leak "+testrun.FakeJWT+" "+testrun.Secret))
	var b bytes.Buffer
	if err := chrome.Write(&b, f, testrun.Secret); err != nil {
		t.Fatal(err)
	}
	evs := validate(t, b.Bytes())
	var spans, faults, threadNames int
	procs := map[string]bool{}
	for _, ev := range evs {
		switch {
		case ev["ph"] == "X":
			spans++
		case ev["cat"] == "fault":
			faults++
		case ev["name"] == "thread_name":
			threadNames++
		case ev["name"] == "process_name":
			procs[ev["args"].(map[string]any)["name"].(string)] = true
		}
	}
	// Two background syncs; the second is cut by the injected deletion; the next instance's runs.
	if spans < 3 || faults < 1 {
		t.Errorf("%d sync spans and %d fault events, want at least 3 and 1", spans, faults)
	}
	for _, p := range []string{"instances", "mesh", "site router", "blob storage"} {
		if !procs[p] {
			t.Errorf("no process named %q (have %v)", p, procs)
		}
	}
	if threadNames < 6 {
		t.Errorf("%d thread names, want one per party (at least 6)", threadNames)
	}
	out := b.String()
	if strings.Contains(out, testrun.Secret) || strings.Contains(out, testrun.FakeJWT) {
		t.Errorf("a planted secret or token is in the export")
	}
}
