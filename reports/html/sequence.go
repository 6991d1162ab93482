package html

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/reports/explain"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// The sequence diagram: one column (lane) per party, one row per step, top to bottom in trace order.
// Rows are not to scale in time (a run's hour would be mostly empty); the time column gives each
// step's virtual time and a dashed rule marks a pause of more than gapAfter. A message is a
// horizontal arrow from its sender's lane to its receiver's, an answer a dashed one; a step within
// one party is a dot on its lane; an injected fault a red diamond; a deleted instance a red cross
// where its lane ends. The step's text (explain's wording) is in a column of its own between the time
// and the lanes, so labels never overlap arrows and stay in view however many instances there are. The row where a property breaks gets a red band and "<== P4 breaks
// here"; the rows the evidence cites a yellow one. Steps that repeat one of the FoldWindow steps
// before them are folded into one row, as `simrun explain` folds them.
const (
	laneW    = 96
	timeW    = 124
	headH    = 44
	rowH     = 20
	textW    = 680
	maxText  = 100
	gapAfter = 30 * time.Second
	// headerEvery repeats the lane names every so many rows, so a long diagram stays readable.
	headerEvery = 40
	// context is how many rows around an important row are kept when a diagram is cut to MaxRows.
	context = 8
)

// The lanes that are not instances, in display order around the instances.
const storeLane = "platform-store"

var lanesBefore = []string{trace.PartyWorld, trace.PartyClient}
var lanesAfter = []string{trace.PartyRouter, trace.PartyStorage, trace.PartyMesh, trace.PartyFrontEnd, storeLane}

// diagram is a laid-out sequence diagram.
type diagram struct {
	ID            string
	Label         string
	Width, Height int
	Lanes         []lane
	HeaderYs      []int
	Rows          []row
	TextX         int
	Steps, Shown  int
}

type lane struct {
	Key, Label string
	X, Y1, Y2  int
}

type row struct {
	Y, TextY     int
	Time         string
	Text         string
	Marks        string
	Title        string
	Class        string
	Gap          bool
	GapY         int
	Arrow        *arrow
	Mark         *mark
	Anchor       string
	BandX, BandW int
	BandY, BandH int
}

type arrow struct {
	X1, X2, Y int
	Dashed    bool
	Label     string
	LX, LY    int
	Head      string
}

type mark struct {
	Kind   string
	X, Y   int
	Points string
}

// step is one record to draw, before layout.
type step struct {
	rec      *trace.Record
	text     string
	rules    []string
	breaks   []string
	cited    bool
	fault    bool
	from, to string
	label    string
	dashed   bool
	mark     string
	// folded > 0 makes the step a "... n more steps" row.
	folded int
	// omitted > 0 makes the step a "... n steps not drawn" row.
	omitted int
}

func buildDiagram(id string, f *tracefile.File, red *redact.Redactor, maxRows int) *diagram {
	recs := f.Records
	last := 0
	if n := len(recs); n > 0 {
		last = recs[n-1].Seq
	}
	breaks, cited := explain.BreakingRecords(f.Verdicts, last)
	var steps []step
	for i := range recs {
		s, ok := stepOf(recs, i, breaks[recs[i].Seq], cited[recs[i].Seq])
		if ok {
			steps = append(steps, s)
		}
	}
	total := len(steps)
	steps = fold(steps)
	steps = cut(steps, maxRows)
	d := layout(id, steps, red)
	d.Steps, d.Shown = total, len(steps)
	d.Label = fmt.Sprintf("sequence diagram of %s mode=%s seed=%d", red.String(f.Scenario.Path), f.Mode, f.Seed)
	return d
}

// stepOf says whether and how a record is drawn: what explain shows, the breaking records, the
// faults, and the site router's forwarding (the MSG-3 hop to an instance). It reads records through
// their typed views: a record its view cannot read is drawn, as a MALFORMED RECORD naming the field.
func stepOf(recs []trace.Record, i int, breaks []string, cited bool) (drawn step, ok bool) {
	r := &recs[i]
	defer func() {
		if p := recover(); p != nil {
			m, isMalformed := p.(malformed)
			if !isMalformed {
				panic(p)
			}
			drawn, ok = step{rec: r, text: "MALFORMED RECORD: " + m.err.Error(), breaks: breaks, cited: cited, mark: "dot"}, true
		}
	}()
	text, rules := explain.Describe(r)
	s := step{rec: r, rules: rules, breaks: breaks, cited: cited, mark: "dot"}
	switch r.Kind {
	case trace.KindSyncPublish:
		p := must(trace.AsSyncPublish, r)
		s.from, s.to, s.label = r.Party, p.Target, map[string]string{trace.PartyMesh: "MSG-2", trace.PartyFrontEnd: "MSG-1"}[p.Target]
	case trace.KindHTTPResult:
		h := must(trace.AsHTTPResult, r)
		s.from, s.to, s.label, s.dashed = h.Target, r.Party, statusLabel(h.Status), true
	case trace.KindMeshFetch:
		s.from, s.to, s.label = r.Party, trace.PartyRouter, "MSG-3"
	case trace.KindMeshFetchDone:
		s.from, s.to, s.label, s.dashed = trace.PartyRouter, r.Party, statusLabel(must(trace.AsMeshFetchDone, r).Status), true
	case trace.KindRouterRoute:
		rr := must(trace.AsRouterRoute, r)
		text = "site router forwards " + rr.Kind + " to " + rr.Instance
		s.from, s.to, s.label = r.Party, trace.InstanceParty(rr.Instance), kindLabel(rr.Kind)
	case trace.KindStoreWrite:
		s.from, s.to, s.label = r.Party, storeLane, "rev "+strconv.Itoa(must(trace.AsStoreWrite, r).Revision)
	case trace.KindBlobWrite:
		if w := blobWriter(recs, i); w != "" {
			s.from, s.to, s.label = w, r.Party, "hash"
		}
	case trace.KindClientCall:
		s.from, s.to, s.label = r.Party, trace.PartyRouter, kindLabel(must(trace.AsClientCall, r).Kind)
	case trace.KindClientResponse:
		s.from, s.to, s.label, s.dashed = trace.PartyRouter, r.Party, statusLabel(must(trace.AsClientResponse, r).Status), true
	case trace.KindFaultFire:
		s.fault, s.mark = true, "fault"
	case trace.KindNetDrop:
		f := must(trace.AsNetFault, r)
		text = "FAULT " + f.Fault + " injected: message " + strconv.FormatUint(f.Msg, 10) + " lost"
		s.fault, s.mark = true, "fault"
	case trace.KindNetDuplicate:
		f := must(trace.AsNetFault, r)
		text = "FAULT " + f.Fault + " injected: message " + strconv.FormatUint(f.Msg, 10) + " delivered twice"
		s.fault, s.mark = true, "fault"
	case trace.KindInstanceDelete:
		s.mark = "delete"
		s.fault = must(trace.AsInstanceDelete, r).Injected
	}
	if text == "" {
		if len(breaks) == 0 {
			return step{}, false
		}
		text = string(r.Kind) + " " + fieldsText(r)
	}
	s.text = text
	return s, true
}

// blobWriter finds who wrote the hash blob: the sender of the request storage just received (the
// simulator's trace), else the instance that records the write next (a live trace).
func blobWriter(recs []trace.Record, i int) string {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if recs[j].Party == recs[i].Party && recs[j].Kind == trace.KindNetDeliver {
			if from := must(trace.AsNetDelivery, &recs[j]).From; from != "" {
				return from
			}
		}
	}
	value := must(trace.AsBlobWrite, &recs[i]).Value
	for j := i + 1; j < len(recs) && j <= i+40; j++ {
		if recs[j].Kind == trace.KindHashWritten && must(trace.AsHashWritten, &recs[j]).Hash == value {
			return recs[j].Party
		}
	}
	return ""
}

// malformed is a record stepOf could not read; must raises it and stepOf recovers it.
type malformed struct{ err error }

func must[T any](decode func(trace.Record) (T, error), r *trace.Record) T {
	v, err := decode(*r)
	if err != nil {
		panic(malformed{err})
	}
	return v
}

func statusLabel(status int) string {
	if status == 0 {
		return "no answer"
	}
	return strconv.Itoa(status)
}

// kindLabel names a request's message kind after its contract message.
func kindLabel(kind string) string {
	switch kind {
	case trace.MsgMSG1:
		return "MSG-1"
	case trace.MsgMSG2:
		return "MSG-2"
	case trace.MsgMSG3:
		return "MSG-3"
	case trace.MsgMSG4:
		return "MSG-4"
	case trace.MsgKeys:
		return "keys API"
	}
	return strings.TrimSuffix(kind, ".request")
}

// fold folds steps that repeat one of the FoldWindow steps before them (explain's rule); breaking
// steps and faults are always shown.
func fold(steps []step) []step {
	var out []step
	var recent []string
	hidden := 0
	var lastHidden *trace.Record
	flush := func() {
		if hidden > 0 {
			out = append(out, step{rec: lastHidden, folded: hidden, text: fmt.Sprintf("... %d more steps repeating the ones above ...", hidden)})
			hidden = 0
		}
	}
	for _, s := range steps {
		shape := explain.FoldShape(s.rec.Party, s.text)
		if len(s.breaks) == 0 && !s.fault && contains(recent, shape) {
			hidden++
			lastHidden = s.rec
		} else {
			flush()
			out = append(out, s)
		}
		recent = append(recent, shape)
		if len(recent) > explain.FoldWindow {
			recent = recent[1:]
		}
	}
	flush()
	return out
}

// cut keeps at most maxRows rows, counting the "... n steps not drawn" rows that stand for the
// dropped runs. It keeps, in this order while rows are left: the breaking steps, the faults, the
// steps around the breaking steps, the steps around the faults, the cited steps, then the first
// steps of the run.
func cut(steps []step, maxRows int) []step {
	if len(steps) <= maxRows {
		return steps
	}
	keep := make([]bool, len(steps))
	rows := func() int {
		n := 0
		for i, k := range keep {
			if k || i == 0 || keep[i-1] {
				n++ // a kept row, or the first row of a dropped run
			}
		}
		return n
	}
	full := false
	mark := func(i int) {
		if full || i < 0 || i >= len(steps) || keep[i] {
			return
		}
		keep[i] = true
		if n := rows(); n > maxRows {
			keep[i] = false
			full = true
		}
	}
	breaking := func(s step) bool { return len(s.breaks) > 0 }
	faulty := func(s step) bool { return s.fault }
	each := func(pred func(step) bool, radius int) {
		for r := 0; r <= radius; r++ {
			for i, s := range steps {
				if pred(s) {
					mark(i - r)
					mark(i + r)
				}
			}
		}
	}
	each(breaking, 0)
	each(faulty, 0)
	each(breaking, context)
	each(faulty, context)
	each(func(s step) bool { return s.cited }, 0)
	for i := range steps {
		mark(i)
	}
	var out []step
	dropped := 0
	var lastDropped *trace.Record
	flush := func() {
		if dropped > 0 {
			out = append(out, step{rec: lastDropped, omitted: dropped, text: fmt.Sprintf("... %d steps not drawn (simrun explain shows them all) ...", dropped)})
			dropped = 0
		}
	}
	for i, s := range steps {
		if keep[i] {
			flush()
			out = append(out, s)
			continue
		}
		dropped++
		lastDropped = s.rec
	}
	flush()
	return out
}

// layout places lanes and rows.
func layout(id string, steps []step, red *redact.Redactor) *diagram {
	keys := laneKeys(steps)
	d := &diagram{ID: id}
	laneX := map[string]int{}
	for i, k := range keys {
		x := timeW + textW + laneW/2 + i*laneW
		laneX[k] = x
		d.Lanes = append(d.Lanes, lane{Key: k, Label: laneLabel(k), X: x})
	}
	d.TextX = timeW
	d.Width = timeW + textW + len(keys)*laneW + 8
	y := headH + rowH/2
	d.HeaderYs = []int{headH - 18}
	first, lastY := map[string]int{}, map[string]int{}
	deleted := map[string]int{}
	var prevAt time.Duration
	for i, s := range steps {
		if i > 0 && i%headerEvery == 0 {
			d.HeaderYs = append(d.HeaderYs, y+4)
			y += rowH + 8
		}
		rw := row{Y: y, TextY: y + 4, Time: trace.FormatElapsed(s.rec.At), BandX: 0, BandW: d.Width, BandY: y - rowH/2, BandH: rowH}
		if i > 0 && s.rec.At-prevAt > gapAfter && s.folded == 0 && s.omitted == 0 {
			rw.Gap, rw.GapY = true, y-rowH/2
		}
		prevAt = s.rec.At
		text := red.String(abbreviate(s.text))
		if len(s.rules) > 0 {
			text += "  [" + strings.Join(s.rules, " ") + "]"
		}
		rw.Title = red.String(s.rec.String())
		switch {
		case s.folded > 0, s.omitted > 0:
			rw.Class, rw.Time, rw.Title = "fold", "", text
		case len(s.breaks) > 0:
			rw.Class = "brk"
			rw.Anchor = id + "-break-" + strings.Join(s.breaks, "-")
			verb := " breaks here: "
			if len(s.breaks) > 1 {
				verb = " break here: "
			}
			rw.Marks = "▶ " + strings.Join(s.breaks, ", ") + verb
		case s.fault:
			rw.Class = "flt"
		case s.cited:
			rw.Class = "cit"
		}
		rw.Text = truncate(text, maxText)
		if rw.Text != text {
			rw.Title = text + "\n" + rw.Title
		}
		if s.folded == 0 && s.omitted == 0 {
			party := s.rec.Party
			x := laneX[party]
			if s.from != "" && s.to != "" && s.from != s.to {
				rw.Arrow = newArrow(laneX[s.from], laneX[s.to], y, s.dashed, s.label)
				touch(first, lastY, s.from, y)
				touch(first, lastY, s.to, y)
			} else {
				rw.Mark = newMark(s.mark, x, y)
			}
			touch(first, lastY, party, y)
			if s.mark == "delete" {
				deleted[party] = y
			}
		}
		d.Rows = append(d.Rows, rw)
		y += rowH
	}
	d.Height = y + 6
	for i := range d.Lanes {
		l := &d.Lanes[i]
		l.Y1, l.Y2 = headH-4, d.Height-4
		if strings.HasPrefix(l.Key, trace.InstancePrefix) {
			l.Y1 = first[l.Key] - rowH/2
			if dy, ok := deleted[l.Key]; ok && lastY[l.Key] <= dy {
				l.Y2 = dy
			}
		}
	}
	return d
}

func touch(first, last map[string]int, k string, y int) {
	if _, ok := first[k]; !ok {
		first[k] = y
	}
	last[k] = y
}

// laneKeys orders the parties the steps involve: world, client, the instances in order of first
// appearance, router, storage, mesh, front end, platform store, then any other party.
func laneKeys(steps []step) []string {
	seen := map[string]bool{}
	var instances, others []string
	add := func(k string) {
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		switch {
		case strings.HasPrefix(k, trace.InstancePrefix):
			instances = append(instances, k)
		case indexOf(lanesBefore, k) < 0 && indexOf(lanesAfter, k) < 0:
			others = append(others, k)
		}
	}
	for _, s := range steps {
		if s.folded > 0 || s.omitted > 0 {
			continue
		}
		add(s.from)
		add(s.to)
		add(s.rec.Party)
	}
	var out []string
	for _, k := range lanesBefore {
		if seen[k] {
			out = append(out, k)
		}
	}
	out = append(out, instances...)
	for _, k := range lanesAfter {
		if seen[k] {
			out = append(out, k)
		}
	}
	return append(out, others...)
}

func laneLabel(k string) string {
	switch k {
	case storeLane:
		return "platform store"
	case trace.PartyFrontEnd:
		return "front end"
	case trace.PartyRouter:
		return "site router"
	case trace.PartyStorage:
		return "blob storage"
	}
	return truncate(strings.TrimPrefix(k, trace.InstancePrefix), 14)
}

func newArrow(x1, x2, y int, dashed bool, label string) *arrow {
	dir := 1
	if x2 < x1 {
		dir = -1
	}
	a := &arrow{X1: x1, X2: x2 - dir*7, Y: y, Dashed: dashed, Label: label, LX: (x1 + x2) / 2, LY: y - 4}
	a.Head = fmt.Sprintf("%d,%d %d,%d %d,%d", x2, y, x2-dir*8, y-4, x2-dir*8, y+4)
	return a
}

func newMark(kind string, x, y int) *mark {
	m := &mark{Kind: kind, X: x, Y: y}
	if kind == "fault" {
		m.Points = fmt.Sprintf("%d,%d %d,%d %d,%d %d,%d", x, y-7, x+7, y, x, y+7, x-7, y)
	}
	return m
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func fieldsText(r *trace.Record) string {
	parts := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		parts[i] = f.Key + "=" + f.Value
	}
	return strings.Join(parts, " ")
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }
