package tracefile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/trace"
)

// ErrSchedule is the error of a schedule that does not describe a run: an entry that does not exist,
// is listed twice or out of order, a malformed or unknown firing key, or a schedule that is not the
// one the trace's records show. A replay follows the schedule as a set, so such a schedule would
// replay to "identical" while the file says something else; it is refused instead.
var ErrSchedule = errors.New("tracefile: invalid schedule")

// fixSchedule is what to do about an edited schedule.
const fixSchedule = "(fix: give the trace as simrun wrote it, or record the run again with simrun run --trace-out)"

// CheckSchedule checks the schedule on its own and against the trace's records: timeline entries are
// distinct, non-negative and in increasing order; every firing key is `label@place#n` with label a
// catalogue fault (or `fault.k`, its k-th repeat), listed once, a place's firings in increasing n;
// every choice key is `choice#n` (or `choice#n:j`, `choice#n:lo`, `choice#n:hi`), in increasing n; and the schedule is exactly the one the records
// show (world.ScheduleOf: the timeline, fault.fire and sched.pick records, in record order). Errors
// wrap ErrSchedule and name the entry by its index.
func (f *File) CheckSchedule() error {
	s := f.Schedule
	for i, v := range s.Timeline {
		switch {
		case v < 0:
			return fmt.Errorf("%w: schedule.timeline[%d]: entry %d does not exist (entries are numbered from 0) %s", ErrSchedule, i, v, fixSchedule)
		case i > 0 && v == s.Timeline[i-1]:
			return fmt.Errorf("%w: schedule.timeline[%d]: entry %d is listed twice (also schedule.timeline[%d]) %s", ErrSchedule, i, v, i-1, fixSchedule)
		case i > 0 && v < s.Timeline[i-1]:
			return fmt.Errorf("%w: schedule.timeline[%d]: entry %d comes after entry %d, out of order (a run plays its timeline in the scenario's order) %s",
				ErrSchedule, i, v, s.Timeline[i-1], fixSchedule)
		}
	}
	if err := checkFirings(s.Firings); err != nil {
		return err
	}
	if err := checkChoices(s.Choices); err != nil {
		return err
	}
	return f.checkRecords()
}

// Firing is a parsed firing key, `label@place#n`: the n-th opportunity of the fault labelled label
// at place (see the trace's fault.fire records).
type Firing struct {
	// Label is the fault's name, with ".k" for the k-th repeat of the same fault in one run.
	Label string
	// Fault is the catalogue name the label stands for.
	Fault string
	Place string
	N     int
}

// ParseFiring reads a firing key.
func ParseFiring(key string) (Firing, error) {
	label, rest, ok := strings.Cut(key, "@")
	if !ok || label == "" {
		return Firing{}, errors.New("not a firing key label@place#n: no label before '@'")
	}
	i := strings.LastIndexByte(rest, '#')
	if i <= 0 {
		return Firing{}, errors.New("not a firing key label@place#n: no place, or no '#n' after it")
	}
	n, ok := positive(rest[i+1:])
	if !ok {
		return Firing{}, fmt.Errorf("not a firing key label@place#n: %q after '#' is not a number from 1", rest[i+1:])
	}
	fl := Firing{Label: label, Fault: label, Place: rest[:i], N: n}
	if j := strings.LastIndexByte(label, '.'); j > 0 {
		if _, ok := positive(label[j+1:]); ok {
			fl.Fault = label[:j]
		}
	}
	if _, ok := faults.Lookup(fl.Fault); !ok {
		return Firing{}, fmt.Errorf("no fault named %q in the catalogue (simrun list faults)", fl.Fault)
	}
	return fl, nil
}

// positive reads a decimal number from 1 without a sign or leading zeros.
func positive(s string) (int, bool) {
	if s == "" || s[0] == '0' || len(s) > 9 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func checkFirings(keys []string) error {
	at := map[string]int{}   // key -> its index
	last := map[string]int{} // label@place -> the index of its last firing
	var parsed []Firing
	for i, k := range keys {
		fl, err := ParseFiring(k)
		if err != nil {
			return fmt.Errorf("%w: schedule.firings[%d] %q: %v %s", ErrSchedule, i, k, err, fixSchedule)
		}
		if j, dup := at[k]; dup {
			return fmt.Errorf("%w: schedule.firings[%d] %q is listed twice (also schedule.firings[%d]) %s", ErrSchedule, i, k, j, fixSchedule)
		}
		place := fl.Label + "@" + fl.Place
		if j, seen := last[place]; seen && fl.N < parsed[j].N {
			return fmt.Errorf("%w: schedule.firings[%d] %q comes after %q, out of order (a place's opportunities are numbered in the order they come) %s",
				ErrSchedule, i, k, keys[j], fixSchedule)
		}
		at[k], last[place] = i, i
		parsed = append(parsed, fl)
	}
	return nil
}

func checkChoices(keys []string) error {
	prev := 0
	for i, k := range keys {
		n, ok := 0, false
		if rest, found := strings.CutPrefix(k, "choice#"); found {
			// choice#n:j (candidate j from 2) and choice#n:lo, choice#n:hi (a delay bound) are the
			// explore strategy's (sim.CandidateKey, sim.DelayKey).
			num, alt, hasAlt := strings.Cut(rest, ":")
			n, ok = positive(num)
			if j, isNum := positive(alt); hasAlt && !(isNum && j >= 2 && j <= 15 || alt == "lo" || alt == "hi") {
				ok = false
			}
		}
		switch {
		case !ok:
			return fmt.Errorf("%w: schedule.choices[%d] %q: not a choice key choice#n, choice#n:j (j from 2 to 15), choice#n:lo or choice#n:hi (n from 1) %s", ErrSchedule, i, k, fixSchedule)
		case n == prev:
			return fmt.Errorf("%w: schedule.choices[%d] %q is listed twice (also schedule.choices[%d]) %s", ErrSchedule, i, k, i-1, fixSchedule)
		case n < prev:
			return fmt.Errorf("%w: schedule.choices[%d] %q comes after choice#%d, out of order %s", ErrSchedule, i, k, prev, fixSchedule)
		}
		prev = n
	}
	return nil
}

// checkRecords compares the schedule with the one the trace's records show. A trace file is written
// with the schedule read off its records, so any difference is an edit.
func (f *File) checkRecords() error {
	rec := trace.ScheduleOf(&trace.Trace{Records: f.Records})
	timeline := func(v []int) []string {
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = strconv.Itoa(x)
		}
		return out
	}
	for _, part := range []struct {
		name       string
		file, recs []string
	}{
		{"timeline", timeline(f.Schedule.Timeline), timeline(rec.Timeline)},
		{"firings", f.Schedule.Firings, rec.Firings},
		{"choices", f.Schedule.Choices, rec.Choices},
	} {
		if err := compare(part.name, part.file, part.recs); err != nil {
			return err
		}
	}
	return nil
}

// compare names the first entry where the schedule and the records differ.
func compare(name string, file, recs []string) error {
	for i := range max(len(file), len(recs)) {
		switch {
		case i >= len(recs):
			return fmt.Errorf("%w: schedule.%s[%d] %s: the trace's records show no such entry (they show %d) %s",
				ErrSchedule, name, i, file[i], len(recs), fixSchedule)
		case i >= len(file):
			return fmt.Errorf("%w: schedule.%s has %d entries, the trace's records show %s at index %d too %s",
				ErrSchedule, name, len(file), recs[i], i, fixSchedule)
		case file[i] != recs[i]:
			return fmt.Errorf("%w: schedule.%s[%d] %s: the trace's records show %s there %s",
				ErrSchedule, name, i, file[i], recs[i], fixSchedule)
		}
	}
	return nil
}

// CheckAgainst checks the schedule against the scenario a replay runs it in: every timeline entry it
// names exists in sc, and every firing's label is one of the faults armed in the run (the scenario's
// scripted and profile faults, its random network faults, and the trace's extra faults). A scenario
// edited since the trace was recorded can fail this; errors wrap ErrSchedule and name the entry.
func (f *File) CheckAgainst(sc *scenarios.Scenario) error {
	n := len(sc.Timeline)
	for i, v := range f.Schedule.Timeline {
		if v >= n {
			return fmt.Errorf("%w: schedule.timeline[%d]: entry %d does not exist: %s has %d timeline entries%s (fix: replay against the scenario the trace was recorded from, or record it again)",
				ErrSchedule, i, v, sc.Path, n, entryRange(n))
		}
	}
	armed := armedLabels(sc, f.Faults)
	for i, k := range f.Schedule.Firings {
		fl, err := ParseFiring(k)
		if err != nil {
			return fmt.Errorf("%w: schedule.firings[%d] %q: %v %s", ErrSchedule, i, k, err, fixSchedule)
		}
		if !armed[fl.Label] {
			return fmt.Errorf("%w: schedule.firings[%d] %q: no fault labelled %s is armed in this run (armed: %s) (fix: replay against the scenario and --fault list the trace was recorded with, or record it again)",
				ErrSchedule, i, k, fl.Label, armedList(sc, f.Faults))
		}
	}
	return nil
}

func entryRange(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (0-%d)", n-1)
}

// armedNames lists the names of the faults a run arms, in the order the world arms them (its
// specsFor): scripted, profile, random network faults, then the extra faults.
func armedNames(sc *scenarios.Scenario, extra []string) []string {
	var names []string
	for _, s := range sc.Faults.Scripted {
		names = append(names, s.Fault)
	}
	for _, p := range sc.Faults.Profile {
		names = append(names, p.Spec.Name)
	}
	r := sc.Faults.Random
	for _, x := range []struct {
		name string
		p    float64
	}{{"drop", r.Drop}, {"duplicate", r.Duplicate}, {"reorder", r.Reorder}} {
		if x.p > 0 {
			names = append(names, x.name)
		}
	}
	for _, e := range extra {
		name, _, _ := strings.Cut(e, ":")
		names = append(names, name)
	}
	return names
}

// armedLabels are the labels firing keys may carry: a fault's name, and "name.k" for its k-th repeat.
// Swarm runs arm a subset, whose labels are among these.
func armedLabels(sc *scenarios.Scenario, extra []string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, name := range armedNames(sc, extra) {
		if k := seen[name]; k > 0 {
			out[name+"."+strconv.Itoa(k)] = true
		} else {
			out[name] = true
		}
		seen[name]++
	}
	return out
}

func armedList(sc *scenarios.Scenario, extra []string) string {
	names := armedNames(sc, extra)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
