package html

import (
	"fmt"
	"strings"

	"github.com/syncsim/syncsim/scenarios/faults"
	"github.com/syncsim/syncsim/trace"
)

// elsewhere is the coverage column of firings not at a fault point (links, endpoints, timers).
const elsewhere = "elsewhere"

// coverage counts, over runs, how often each fault fired at each step of the sync (the fault points
// of PROTOCOL.md section 6) and how often the runs reached each step.
type coverage struct {
	fired   map[string]map[string]int
	reached map[string]int
	// traced counts the runs whose sync points were read; firingRuns the runs whose firings were.
	traced, firingRuns int
}

type coverageView struct {
	Points     []string
	Rows       []coverageRow
	Reached    []coverageCell
	Traced     int
	FiringRuns int
}

type coverageRow struct {
	Fault, Doc string
	Cells      []coverageCell
	Total      int
}

type coverageCell struct {
	N     int
	Class string
}

func newCoverage() *coverage {
	return &coverage{fired: map[string]map[string]int{}, reached: map[string]int{}}
}

// addRecords reads one run's trace: its firings and the sync points it reached.
func (c *coverage) addRecords(recs []trace.Record) error {
	if err := c.addFired(recs); err != nil {
		return err
	}
	return c.addReached(recs)
}

// addFired counts a trace's fault.fire records (by their point field) and the network's injected
// drops and duplicates. A record its view cannot read is an error.
func (c *coverage) addFired(recs []trace.Record) error {
	c.firingRuns++
	for i := range recs {
		r := recs[i]
		switch r.Kind {
		case trace.KindFaultFire:
			f, err := trace.AsFaultFire(r)
			if err != nil {
				return fmt.Errorf("html: %w", err)
			}
			c.fire(f.Fault, f.Params.Get("point")) // a point fault's param
		case trace.KindNetDrop, trace.KindNetDuplicate:
			f, err := trace.AsNetFault(r)
			if err != nil {
				return fmt.Errorf("html: %w", err)
			}
			if f.Injected {
				c.fire(f.Fault, "")
			}
		}
	}
	return nil
}

// addReached counts a trace's sync.point records.
func (c *coverage) addReached(recs []trace.Record) error {
	c.traced++
	for i := range recs {
		if recs[i].Kind == trace.KindSyncPoint {
			p, err := trace.AsSyncPoint(recs[i])
			if err != nil {
				return fmt.Errorf("html: %w", err)
			}
			c.reached[p.Point]++
		}
	}
	return nil
}

// addSchedule counts a run's firings from its schedule ("label@place#n", label the fault's name with
// ".k" for its k-th repeat, place "point/iN" for a point fault), for runs that kept no trace.
func (c *coverage) addSchedule(firings []string) {
	c.firingRuns++
	for _, key := range firings {
		label, place, _ := strings.Cut(key, "@")
		place, _, _ = strings.Cut(place, "#")
		name := label
		if i := strings.LastIndexByte(label, '.'); i > 0 && isDigits(label[i+1:]) {
			name = label[:i]
		}
		point, _, _ := strings.Cut(place, "/")
		if indexOf(faults.Points, point) < 0 {
			point = ""
		}
		c.fire(name, point)
	}
}

func (c *coverage) fire(fault, point string) {
	if fault == "" {
		fault = "(unnamed)"
	}
	if point == "" {
		point = elsewhere
	}
	if c.fired[fault] == nil {
		c.fired[fault] = map[string]int{}
	}
	c.fired[fault][point]++
}

// view lays the counts out: faults in catalogue order (others after), points in protocol order.
func (c *coverage) view() *coverageView {
	v := &coverageView{Points: append(append([]string{}, faults.Points...), elsewhere), Traced: c.traced, FiringRuns: c.firingRuns}
	var names []string
	for _, f := range faults.Catalogue() {
		if c.fired[f.Name] != nil {
			names = append(names, f.Name)
		}
	}
	for _, n := range sortedKeys(c.fired) {
		if _, ok := faults.Lookup(n); !ok {
			names = append(names, n)
		}
	}
	for _, n := range names {
		row := coverageRow{Fault: n}
		if f, ok := faults.Lookup(n); ok {
			row.Doc = f.Doc
		}
		for _, p := range v.Points {
			k := c.fired[n][p]
			row.Cells = append(row.Cells, coverageCell{N: k, Class: heat(k)})
			row.Total += k
		}
		v.Rows = append(v.Rows, row)
	}
	for _, p := range v.Points {
		if p == elsewhere {
			v.Reached = append(v.Reached, coverageCell{Class: "h0"})
			continue
		}
		v.Reached = append(v.Reached, coverageCell{N: c.reached[p], Class: "reach"})
	}
	return v
}

// heat shades a count: none, a few, some, many.
func heat(n int) string {
	switch {
	case n == 0:
		return "h0"
	case n < 3:
		return "h1"
	case n < 20:
		return "h2"
	}
	return "h3"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
