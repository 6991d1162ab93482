package replay

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// Stats describes a shrink.
type Stats struct {
	Property string
	// Signature is the story the input's failure tells, which the result keeps.
	Signature Signature
	From, To  int
	Runs      int
	// Rejected counts the smaller schedules that failed the property with another signature: another
	// bug, or the same property broken for another reason.
	Rejected   int
	Exhausted  bool
	FromHash   string
	ResultHash string
	// Secrets are the credentials the final run used, for the redaction and P11's judgement of the
	// file the result is written to; never written.
	Secrets []string
}

// DefaultMaxRuns bounds a shrink.
const DefaultMaxRuns = 2000

// Shrink searches for the smallest sub-schedule of a failing trace that still fails the same
// property with the same story: delta debugging (ddmin) over its timeline entries, fault firings and
// non-default choices, where a candidate counts as failing only when its failure has the input's
// Signature (the property, the kinds of the records its findings cite and its reason class). A
// smaller schedule that fails the property for another reason (the site left at zero instances
// instead of a sync skipping on a stale hash) is another bug, and is rejected. property "" shrinks
// toward the trace's first failed MUST property. The result replays to that failure; its schedule is
// what the shrunk run actually did, a subset of the input's.
func Shrink(f *tracefile.File, property string, maxRuns int) (*tracefile.File, Stats, error) {
	return ShrinkWith(f, property, maxRuns, runner.Options{})
}

// ShrinkWith shrinks with extra run options (planted bugs, for the mutant hunt); the trace's own
// strategy and faults always apply.
func ShrinkWith(f *tracefile.File, property string, maxRuns int, base runner.Options) (*tracefile.File, Stats, error) {
	sc, mode, _, err := load(f)
	if err != nil {
		return nil, Stats{}, err
	}
	if property == "" {
		if len(f.Failed) == 0 {
			return nil, Stats{}, fmt.Errorf("replay: the trace fails no MUST property; nothing to shrink toward")
		}
		property = f.Failed[0]
	}
	if _, ok := check.Lookup(property); !ok {
		return nil, Stats{}, fmt.Errorf("replay: unknown property %q", property)
	}
	if maxRuns <= 0 {
		maxRuns = DefaultMaxRuns
	}
	st := Stats{Property: property, From: f.Schedule.Size(), FromHash: f.TraceHash}
	var last *runner.Result
	var want *Signature
	test := func(elems []string) bool {
		if st.Runs >= maxRuns {
			st.Exhausted = true
			return false
		}
		st.Runs++
		res, err := runScriptWith(sc, mode, f, toScript(elems), base)
		if err != nil {
			return false
		}
		sig, failed := SignatureOf(res.Verdicts, property, res.Trace.Records)
		if !failed {
			return false
		}
		if want == nil {
			want = &sig // the input's own story, replayed
		} else if !sig.Equal(*want) {
			st.Rejected++
			return false
		}
		last = res
		return true
	}
	elems := fromScript(f.Schedule)
	if !test(elems) {
		return nil, st, fmt.Errorf("replay: the trace does not fail %s when replayed; nothing to shrink", property)
	}
	st.Signature = *want
	kept := ddmin(elems, test)
	// The final run is the last that failed; its own schedule is the result (a subset of kept).
	if !test(kept) {
		return nil, st, fmt.Errorf("replay: the shrunk schedule no longer fails %s as the trace does (the runs are not deterministic)", property)
	}
	out := runner.TraceFile(last)
	out.Strategy = f.Strategy
	out.ShrunkFrom = &tracefile.Origin{TraceHash: f.TraceHash, Size: f.Schedule.Size()}
	st.To, st.ResultHash, st.Secrets = out.Schedule.Size(), out.TraceHash, last.Secrets
	return out, st, nil
}

// Elements are "t:<index>", "f:<firing key>" and "c:<choice key>".
func fromScript(s trace.Schedule) []string {
	var out []string
	for _, i := range s.Timeline {
		out = append(out, "t:"+strconv.Itoa(i))
	}
	for _, k := range s.Firings {
		out = append(out, "f:"+k)
	}
	for _, k := range s.Choices {
		out = append(out, "c:"+k)
	}
	return out
}

func toScript(elems []string) trace.Schedule {
	s := trace.Schedule{Timeline: []int{}, Firings: []string{}, Choices: []string{}}
	for _, e := range elems {
		kind, v, _ := strings.Cut(e, ":")
		switch kind {
		case "t":
			i, _ := strconv.Atoi(v)
			s.Timeline = append(s.Timeline, i)
		case "f":
			s.Firings = append(s.Firings, v)
		case "c":
			s.Choices = append(s.Choices, v)
		}
	}
	slices.Sort(s.Timeline)
	return s
}

// ddmin is Zeller and Hildebrandt's minimizing delta debugging: it returns a 1-minimal subset of
// elems for which test holds (test(elems) must hold).
func ddmin(elems []string, test func([]string) bool) []string {
	n := 2
	for len(elems) >= 2 {
		chunks := split(elems, n)
		reduced := false
		for _, c := range chunks {
			if test(c) {
				elems, n, reduced = c, 2, true
				break
			}
		}
		if !reduced {
			for i := range chunks {
				comp := complement(chunks, i)
				if test(comp) {
					elems, n, reduced = comp, max(n-1, 2), true
					break
				}
			}
		}
		if !reduced {
			if n >= len(elems) {
				break
			}
			n = min(2*n, len(elems))
		}
	}
	if len(elems) == 1 && test(nil) {
		return nil
	}
	return elems
}

func split(elems []string, n int) [][]string {
	var out [][]string
	start := 0
	for i := 0; i < n; i++ {
		end := start + (len(elems)-start)/(n-i)
		if end > start {
			out = append(out, elems[start:end])
		}
		start = end
	}
	return out
}

func complement(chunks [][]string, skip int) []string {
	var out []string
	for i, c := range chunks {
		if i != skip {
			out = append(out, c...)
		}
	}
	return out
}
