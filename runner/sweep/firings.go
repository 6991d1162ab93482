package sweep

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/trace"
)

// Fault firings are the sweep's "sometimes" assertions (as Antithesis calls them): a fault that is
// armed in every run of a scenario but never fires tests nothing, however many seeds pass. The
// sweep counts, per scenario, in how many runs each armed fault fired and how often, and names the
// faults that never fired.

// FaultFirings says how often one fault of a scenario's profile fired over the sweep.
type FaultFirings struct {
	Scenario string `json:"scenario"`
	// Fault is the fault's label, as its firing keys name it (label@place#n, trace/TRACE.md): its name,
	// with ".k" for the k-th repeat of the same fault in one run.
	Fault string `json:"fault"`
	// Runs counts the scenario's runs over the sweep, in every mode; Armed the runs that armed the
	// fault (fewer than Runs under the swarm strategy, which switches faults off per seed).
	Runs  int `json:"runs"`
	Armed int `json:"armed"`
	// FiredRuns counts the runs in which the fault fired at least once; Firings its firings over all
	// runs (distinct firing keys).
	FiredRuns int `json:"fired_runs"`
	Firings   int `json:"firings"`
}

// runFiring is one armed fault of one run: its label and how often it fired.
type runFiring struct {
	label   string
	firings int
}

// firingsOf reads a run's armed faults (fault.armed, in arming order) and their firings: the
// distinct firing keys of fault.fire, net.drop and net.duplicate records, the records whose keys a
// replay script follows. Labels are given as the world gives them: the fault's name, ".k" for its
// k-th repeat.
func firingsOf(tr *trace.Trace) []runFiring {
	if tr == nil {
		return nil
	}
	var out []runFiring
	index := map[string]int{}
	repeats := map[string]int{}
	seen := map[string]bool{}
	for i := range tr.Records {
		r := &tr.Records[i]
		switch {
		case r.Kind == trace.KindFaultArmed:
			armed, err := trace.AsFaultArmed(*r)
			if err != nil {
				continue
			}
			name, _, _ := strings.Cut(armed.Fault, ":")
			label := name
			if n := repeats[name]; n > 0 {
				label = name + "." + strconv.Itoa(n)
			}
			repeats[name]++
			index[label] = len(out)
			out = append(out, runFiring{label: label})
		case r.Kind == trace.KindFaultFire || r.Kind == trace.KindNetDrop || r.Kind == trace.KindNetDuplicate:
			key := firingKey(*r)
			label, _, ok := strings.Cut(key, "@")
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			if j, armed := index[label]; armed {
				out[j].firings++
			}
		}
	}
	return out
}

// firingKey is the firing key of a fault.fire, net.drop or net.duplicate record, read through its
// typed view; "" when it has none (a drop no fault caused) or does not decode.
func firingKey(r trace.Record) string {
	if r.Kind == trace.KindFaultFire {
		f, err := trace.AsFaultFire(r)
		if err != nil {
			return ""
		}
		return f.Key
	}
	f, err := trace.AsNetFault(r)
	if err != nil {
		return ""
	}
	return f.Key
}

// firingTally folds runs' firings into per-scenario counts, keeping each scenario's faults in the
// order they were first armed (runs are folded in seed order, so the order is the sweep's, not the
// workers').
type firingTally struct {
	runs  map[string]int
	order map[string][]string
	by    map[string]map[string]*FaultFirings
}

func newFiringTally() *firingTally {
	return &firingTally{runs: map[string]int{}, order: map[string][]string{}, by: map[string]map[string]*FaultFirings{}}
}

// add folds one run of scenario.
func (t *firingTally) add(scenario string, run []runFiring) {
	t.runs[scenario]++
	for _, f := range run {
		c := t.entry(scenario, f.label)
		c.Armed++
		c.Firings += f.firings
		if f.firings > 0 {
			c.FiredRuns++
		}
	}
}

// entry is scenario's counts for label, made on first sight.
func (t *firingTally) entry(scenario, label string) *FaultFirings {
	m := t.by[scenario]
	if m == nil {
		m = map[string]*FaultFirings{}
		t.by[scenario] = m
	}
	c := m[label]
	if c == nil {
		c = &FaultFirings{Scenario: scenario, Fault: label}
		m[label] = c
		t.order[scenario] = append(t.order[scenario], label)
	}
	return c
}

// summary lists the counts in the report's scenario order, each scenario's faults in arming order.
func (t *firingTally) summary(scs []ScenarioInfo) []FaultFirings {
	out := []FaultFirings{}
	for _, sc := range scs {
		for _, label := range t.order[sc.Path] {
			c := *t.by[sc.Path][label]
			c.Runs = t.runs[sc.Path]
			out = append(out, c)
		}
	}
	return out
}

// mergeFirings adds up the shards' counts, shards in index order: a fault first armed in a later
// shard comes after every fault of the earlier ones, as in one unsharded sweep's seed order.
func mergeFirings(shards []ShardReport, scs []ScenarioInfo) []FaultFirings {
	t := newFiringTally()
	for _, s := range shards {
		for _, f := range s.Report.FaultFirings {
			c := t.entry(f.Scenario, f.Fault)
			c.Armed += f.Armed
			c.FiredRuns += f.FiredRuns
			c.Firings += f.Firings
		}
		for _, sc := range s.Report.Scenarios {
			t.runs[sc.Path] += len(sc.Modes) * int(sc.SeedsCovered)
		}
	}
	return t.summary(scs)
}

// writeFirings writes a scenario's fault firings under its table: one line per armed fault, then
// the faults that never fired. A scenario that armed no fault gets no lines.
func (r *Report) writeFirings(w io.Writer, sc ScenarioInfo) {
	var never []string
	first := true
	for _, f := range r.FaultFirings {
		if f.Scenario != sc.Path {
			continue
		}
		if first {
			fmt.Fprintln(w, "  faults (runs in which each fired / runs, firings):")
			first = false
		}
		armed := ""
		if f.Armed != f.Runs {
			armed = fmt.Sprintf(", armed in %d", f.Armed)
		}
		fmt.Fprintf(w, "    %s %d/%d runs, %d firings%s\n", f.Fault, f.FiredRuns, f.Runs, f.Firings, armed)
		if f.Firings == 0 {
			never = append(never, f.Fault)
		}
	}
	if len(never) > 0 {
		fmt.Fprintf(w, "  faults never fired: %s\n", strings.Join(never, ", "))
	}
}
