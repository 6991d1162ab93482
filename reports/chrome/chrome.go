// Package chrome exports a trace in the Chrome trace-event format (the JSON object form, with
// "traceEvents" and "displayTimeUnit"), which Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// The layout: one process per party class (world, client, instances, site router, storage, mesh,
// front end, sim) and one thread per party (each instance its own thread); each sync span is a
// complete event ("ph":"X", from sync.call to sync.end, or to the instance's deletion or the run's
// end when it never ended); every record is an instant event ("ph":"i", "s":"t") on its party's
// thread, faults in category "fault"; each network message is a flow ("ph":"s" at the send, "ph":"f"
// at each delivery, "bp":"e") so Perfetto draws an arrow from sender to receiver; metadata events
// ("ph":"M") name the processes and threads. Timestamps are microseconds of virtual time.
//
//	f, _ := tracefile.Read("t.json")
//	err := chrome.Write(os.Stdout, f, secrets...)
package chrome

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/runner/tracefile"
	"github.com/syncsim/syncsim/trace"
)

// File is the JSON object form of the format.
type File struct {
	TraceEvents     []Event           `json:"traceEvents"`
	DisplayTimeUnit string            `json:"displayTimeUnit"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

// Event is one trace event. Ts and Dur are microseconds.
type Event struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   int64          `json:"ts"`
	Dur  *int64         `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"`
	ID   string         `json:"id,omitempty"`
	BP   string         `json:"bp,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// classes are the processes, in display order; a party's class is its name before "/".
var classes = []string{trace.PartyWorld, trace.PartyClient, instanceClass, trace.PartyRouter, trace.PartyStorage,
	trace.PartyMesh, trace.PartyFrontEnd, trace.PartySim}

// instanceClass is the class of every instance's party (trace.InstanceParty).
var instanceClass = strings.TrimSuffix(trace.InstancePrefix, "/")

var classNames = map[string]string{trace.PartyWorld: "world (scenario timeline)", trace.PartyClient: "clients",
	instanceClass: "instances", trace.PartyRouter: "site router", trace.PartyStorage: "blob storage",
	trace.PartyMesh: "mesh", trace.PartyFrontEnd: "front end", trace.PartySim: "scheduler"}

// Write converts f and writes it to w. Secrets (and JWT-shaped tokens) are masked as "[redacted]":
// traces carry credentials only as digests, this is the last line of defence (P11).
func Write(w io.Writer, f *tracefile.File, secrets ...string) error {
	out, err := Convert(f)
	if err != nil {
		return err
	}
	red := redact.New(secrets)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("chrome: %w", err)
	}
	_, err = w.Write(red.Bytes(b.Bytes()))
	return err
}

// Convert builds the trace-event file of a trace. It reads records through their typed views
// (trace.AsSyncCall, ...): a record its view cannot read is an error naming it and the field.
func Convert(f *tracefile.File) (file *File, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, ok := p.(malformed)
			if !ok {
				panic(p)
			}
			file, err = nil, fmt.Errorf("chrome: %w", m.err)
		}
	}()
	c := &converter{classPid: map[string]int{}, pids: map[string]int{}, tids: map[string]int{}, threads: map[int]int{}}
	out := &File{DisplayTimeUnit: "ms", Metadata: map[string]string{
		"scenario": f.Scenario.Path, "mode": f.Mode, "seed": fmt.Sprint(f.Seed), "strategy": f.Strategy,
		"trace_hash": f.TraceHash, "harness": f.Harness, "clock": "virtual time from 2026-01-01T00:00:00Z"}}
	var end time.Duration
	if n := len(f.Records); n > 0 {
		end = f.Records[n-1].At
	}
	type open struct {
		at   time.Duration
		name string
		args map[string]any
	}
	spans := map[string]open{}
	var spanOrder []string
	sends := map[uint64]Event{} // by message
	flow := 0
	var events []Event
	for i := range f.Records {
		r := &f.Records[i]
		pid, tid := c.thread(r.Party)
		ts := us(r.At)
		ev := Event{Name: string(r.Kind), Cat: category(r), Ph: "i", S: "t", Ts: ts, Pid: pid, Tid: tid, Args: args(r)}
		if ev.Cat == "fault" {
			ev.Name = "FAULT " + firstNonEmpty(faultName(r), string(r.Kind))
		}
		events = append(events, ev)
		switch r.Kind {
		case trace.KindSyncCall:
			c := must(trace.AsSyncCall, r)
			key := r.Party + "#" + strconv.Itoa(c.Span)
			spans[key] = open{r.At, syncName(c), args(r)}
			spanOrder = append(spanOrder, key)
		case trace.KindSyncEnd:
			key := r.Party + "#" + strconv.Itoa(must(trace.AsSyncEnd, r).Span)
			if o, ok := spans[key]; ok {
				events = append(events, complete(o.name, o.at, r.At, pid, tid, merge(o.args, args(r))))
				delete(spans, key)
			}
		case trace.KindInstanceDelete:
			for _, key := range spanOrder {
				if o, ok := spans[key]; ok && strings.HasPrefix(key, r.Party+"#") {
					events = append(events, complete(o.name+" (cut: instance deleted)", o.at, r.At, pid, tid, o.args))
					delete(spans, key)
				}
			}
		case trace.KindNetSend:
			s := must(trace.AsNetSend, r)
			sends[s.Msg] = Event{Ts: ts, Pid: pid, Tid: tid, Name: s.Kind}
		case trace.KindNetDeliver:
			if s, ok := sends[must(trace.AsNetDelivery, r).Msg]; ok {
				flow++
				id := fmt.Sprint(flow)
				events = append(events,
					Event{Name: s.Name, Cat: "message", Ph: "s", Ts: s.Ts, Pid: s.Pid, Tid: s.Tid, ID: id},
					Event{Name: s.Name, Cat: "message", Ph: "f", BP: "e", Ts: ts, Pid: pid, Tid: tid, ID: id})
			}
		}
	}
	for _, key := range spanOrder {
		if o, ok := spans[key]; ok {
			party := key[:strings.LastIndexByte(key, '#')]
			pid, tid := c.thread(party)
			events = append(events, complete(o.name+" (unfinished at the end of the run)", o.at, end, pid, tid, o.args))
		}
	}
	out.TraceEvents = append(c.metadata(), events...)
	return out, nil
}

// malformed is a record Convert could not read; must raises it and Convert recovers it.
type malformed struct{ err error }

func must[T any](decode func(trace.Record) (T, error), r *trace.Record) T {
	v, err := decode(*r)
	if err != nil {
		panic(malformed{err})
	}
	return v
}

// injected reports whether a record is an injected fault's doing (the kinds that say so).
func injected(r *trace.Record) bool {
	switch r.Kind {
	case trace.KindFaultFire:
		return true
	case trace.KindNetDrop, trace.KindNetDuplicate:
		return must(trace.AsNetFault, r).Injected
	case trace.KindNetDeliver, trace.KindNetLost:
		return must(trace.AsNetDelivery, r).Injected
	case trace.KindInstanceDelete:
		return must(trace.AsInstanceDelete, r).Injected
	}
	return false
}

// faultName is the fault a record names ("" for none).
func faultName(r *trace.Record) string {
	switch r.Kind {
	case trace.KindFaultFire:
		return must(trace.AsFaultFire, r).Fault
	case trace.KindNetDrop, trace.KindNetDuplicate:
		return must(trace.AsNetFault, r).Fault
	}
	return ""
}

// converter numbers processes and threads in order of first appearance within their class.
type converter struct {
	classPid map[string]int
	pids     map[string]int
	tids     map[string]int
	threads  map[int]int
	names    []Event
}

func (c *converter) thread(party string) (int, int) {
	if tid, ok := c.tids[party]; ok {
		return c.pids[party], tid
	}
	class, _, _ := strings.Cut(party, "/")
	pid, ok := c.classPid[class]
	if !ok {
		pid = len(classes) + 1 + len(c.classPid) // an unknown class gets a process of its own
		for i, k := range classes {
			if k == class {
				pid = i + 1
			}
		}
		c.classPid[class] = pid
	}
	if c.threads[pid] == 0 {
		name := classNames[class]
		if name == "" {
			name = class
		}
		c.names = append(c.names,
			Event{Name: "process_name", Ph: "M", Pid: pid, Tid: 0, Args: map[string]any{"name": name}},
			Event{Name: "process_sort_index", Ph: "M", Pid: pid, Tid: 0, Args: map[string]any{"sort_index": pid}})
	}
	c.threads[pid]++
	tid := pid*100 + c.threads[pid]
	c.pids[party], c.tids[party] = pid, tid
	c.names = append(c.names, Event{Name: "thread_name", Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"name": party}})
	return pid, tid
}

func (c *converter) metadata() []Event { return c.names }

func complete(name string, from, to time.Duration, pid, tid int, a map[string]any) Event {
	dur := max(us(to)-us(from), 0)
	return Event{Name: name, Cat: "sync", Ph: "X", Ts: us(from), Dur: &dur, Pid: pid, Tid: tid, Args: a}
}

func syncName(c trace.SyncCallRecord) string {
	kind := "foreground"
	if c.Background {
		kind = "background"
	}
	return "sync " + strconv.Itoa(c.Span) + " (" + kind + ", " + c.Origin + ")"
}

// category groups records for Perfetto's filters.
func category(r *trace.Record) string {
	if injected(r) {
		return "fault"
	}
	switch r.Kind {
	case trace.KindNetSend, trace.KindNetDeliver, trace.KindNetDrop, trace.KindNetDuplicate, trace.KindNetLost:
		return "net"
	case trace.KindSyncCall, trace.KindSyncEnter, trace.KindSyncPoint, trace.KindSyncHashRead, trace.KindSyncPublish,
		trace.KindSyncEnd, trace.KindHashWritten, trace.KindHTTPResult:
		return "sync"
	case trace.KindMeshAccept, trace.KindMeshFetch, trace.KindMeshFetchDone, trace.KindMeshAbandon,
		trace.KindStoreWrite, trace.KindFrontEndReject:
		return "platform"
	}
	return "trace"
}

func args(r *trace.Record) map[string]any {
	a := map[string]any{"seq": r.Seq, "at": trace.FormatElapsed(r.At)}
	for _, f := range r.Fields {
		if _, dup := a[f.Key]; !dup {
			a[f.Key] = f.Value
		}
	}
	return a
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if k == "seq" || k == "at" {
			k = "end_" + k
		}
		out[k] = v
	}
	return out
}

func us(d time.Duration) int64 { return int64(d / time.Microsecond) }

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
