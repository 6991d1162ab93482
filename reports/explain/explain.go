// Package explain renders a trace file as a timeline a person can read: each party's steps, the
// messages between parties, the injected faults, the events that break a property, and the contract
// rules involved.
//
//	f, _ := tracefile.Read("t.json")
//	explain.Write(os.Stdout, f, explain.Options{})
package explain

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// Options change what is shown.
type Options struct {
	// All shows every record, the network's and the leases' included.
	All bool
}

// line is one rendered step.
type line struct {
	rec   *trace.Record
	text  string
	rules []string
	marks []string
}

// Write renders the trace's timeline to w. A schedule that is not the one the trace's records show
// (tracefile.File.CheckSchedule) is refused before anything is written: the header would state it.
func Write(w io.Writer, f *tracefile.File, opts Options) error {
	if err := f.CheckSchedule(); err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	last := 0
	if n := len(f.Records); n > 0 {
		last = f.Records[n-1].Seq
	}
	breaks, cited := breakingRecords(f.Verdicts, last)
	var lines []line
	for i := range f.Records {
		r := &f.Records[i]
		text, rules := describe(r)
		if text == "" && !opts.All && breaks[r.Seq] == nil {
			continue
		}
		if text == "" {
			text = string(r.Kind) + " " + fieldsText(r)
		}
		l := line{rec: r, text: text, rules: rules}
		for _, id := range breaks[r.Seq] {
			l.marks = append(l.marks, "<== "+id+" breaks here")
		}
		lines = append(lines, l)
	}
	header(w, f)
	if !opts.All {
		lines = collapse(lines)
	}
	for _, l := range lines {
		if l.rec == nil {
			fmt.Fprintf(w, "%-16s %-18s %s\n", "", "", l.text)
			continue
		}
		fmt.Fprintf(w, "%-16s %-18s %s", trace.FormatElapsed(l.rec.At), l.rec.Party, l.text)
		if len(l.rules) > 0 {
			fmt.Fprintf(w, "  [%s]", strings.Join(l.rules, " "))
		}
		for _, m := range l.marks {
			fmt.Fprintf(w, "  %s", m)
		}
		fmt.Fprintln(w)
	}
	footer(w, f, cited)
	return nil
}

var digitsRE = regexp.MustCompile(`[0-9][0-9a-zµ.]*`)

// collapse hides steps that repeat one of the four steps before them (a retry loop, say), and says
// how many it hid; steps where a property breaks are always shown.
func collapse(lines []line) []line {
	var out []line
	var recent []string
	hidden := 0
	flush := func() {
		if hidden > 0 {
			out = append(out, line{text: fmt.Sprintf("... %d more steps repeating the ones above ...", hidden)})
			hidden = 0
		}
	}
	for _, l := range lines {
		shape := FoldShape(l.rec.Party, l.text)
		if len(l.marks) == 0 && contains(recent, shape) {
			hidden++
		} else {
			flush()
			out = append(out, l)
		}
		recent = append(recent, shape)
		if len(recent) > FoldWindow {
			recent = recent[1:]
		}
	}
	flush()
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func header(w io.Writer, f *tracefile.File) {
	fmt.Fprintf(w, "%s  mode=%s seed=%d strategy=%s\n", f.Scenario.Path, f.Mode, f.Seed, f.Strategy)
	fmt.Fprintf(w, "trace %s, schedule size %d (%d timeline entries, %d fault firings, %d choices)\n",
		short(f.TraceHash), f.Size, len(f.Schedule.Timeline), len(f.Schedule.Firings), len(f.Schedule.Choices))
	if f.ShrunkFrom != nil {
		fmt.Fprintf(w, "shrunk from trace %s of schedule size %d\n", short(f.ShrunkFrom.TraceHash), f.ShrunkFrom.Size)
	}
	var failing []string
	for _, v := range f.Verdicts {
		if v.Status == check.Fail || v.Status == check.XFail {
			failing = append(failing, v.ID+" "+v.Name+" ("+string(v.Level)+")")
		}
	}
	if len(failing) == 0 {
		failing = []string{"none"}
	}
	fmt.Fprintf(w, "failing: %s\n\n", strings.Join(failing, ", "))
}

// footer states each failure's evidence and the rules involved: the failing properties and the rules
// of the records their evidence cites.
func footer(w io.Writer, f *tracefile.File, cited map[int]bool) {
	fmt.Fprintln(w)
	ids := map[string]bool{}
	var props []string
	for _, v := range f.Verdicts {
		if v.Status != check.Fail && v.Status != check.XFail {
			continue
		}
		props = append(props, v.ID)
		fmt.Fprintf(w, "%s %s:\n", v.ID, v.Name)
		for _, e := range v.EvidenceText() {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	for i := range f.Records {
		if cited[f.Records[i].Seq] {
			_, rules := describe(&f.Records[i])
			for _, r := range rules {
				ids[r] = true
			}
		}
	}
	rules := make([]string, 0, len(ids))
	for r := range ids {
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool { return ruleLess(rules[i], rules[j]) })
	fmt.Fprintf(w, "rules involved: %s\n", strings.Join(append(props, rules...), ", "))
}

// breakingRecords reads the failing verdicts' structured evidence: each property breaks at the
// record its first finding cites first (check.Verdict.BreaksAt); one whose first finding cites none,
// judged at the end of the run (P1), breaks at last. Every record any finding cites is cited.
func breakingRecords(vs []check.Verdict, last int) (map[int][]string, map[int]bool) {
	breaks, cited := map[int][]string{}, map[int]bool{}
	for _, v := range vs {
		if (v.Status != check.Fail && v.Status != check.XFail) || len(v.Evidence) == 0 {
			continue
		}
		at, ok := v.BreaksAt()
		if !ok {
			at = last
		}
		breaks[at] = append(breaks[at], v.ID)
		for _, seq := range v.Cited() {
			cited[seq] = true
		}
	}
	return breaks, cited
}

func ruleLess(a, b string) bool {
	pa, na := splitRule(a)
	pb, nb := splitRule(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitRule(r string) (string, int) {
	i := strings.LastIndexAny(r, "-P")
	n, _ := strconv.Atoi(r[i+1:])
	return r[:i+1], n
}

func fieldsText(r *trace.Record) string {
	parts := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		parts[i] = f.Key + "=" + f.Value
	}
	return strings.Join(parts, " ")
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	if h == "" {
		return "(none)"
	}
	return h
}
