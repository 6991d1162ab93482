package trace

import "time"

// Event is a record before the recorder stamps it: its kind and fields, built by the constructor of
// its kind (one per kind, in this package), so that the fields of a kind are written in one place.
type Event struct {
	Kind   Kind
	Fields []Field
}

// Put appends one record of e by party.
func (r *Recorder) Put(party string, e Event) { r.Add(party, e.Kind, e.Fields...) }

// With returns e with extra fields appended after its own.
func (e Event) With(extra ...Field) Event {
	e.Fields = append(e.Fields, extra...)
	return e
}

// The simulator's own records: the network (sim.Network) and the strategy's choices (sim.Kernel).

// SchedPickEvent is sched.pick for an event fired before an earlier one due at the same time.
func SchedPickEvent(key string, event uint64, party string, over uint64) Event {
	return Event{KindSchedPick, []Field{F("key", key), F("event", event), F("party", party), F("over", over)}}
}

// SchedPickDelay is sched.pick for a message delay chosen at a link's bound.
func SchedPickDelay(key string, msg uint64, from, to string, delay, over time.Duration) Event {
	return Event{KindSchedPick, []Field{F("key", key), F("msg", msg), F("from", from), F("to", to), F("delay", delay), F("over", over)}}
}

// NetSend is net.send: a message enters the network; extra are the message's own fields.
func NetSend(msg uint64, to, kind string, extra []Field) Event {
	fields := make([]Field, 3, 3+len(extra))
	fields[0], fields[1], fields[2] = F("msg", msg), F("to", to), F("kind", kind)
	return Event{KindNetSend, append(fields, extra...)}
}

// NetDrop is net.drop: an injected fault dropped the message.
func NetDrop(msg uint64, fault, key string) Event {
	return Event{KindNetDrop, []Field{F("msg", msg), F("fault", fault), F("key", key), F("injected", true)}}
}

// NetDuplicate is net.duplicate: an injected fault delivers the message twice.
func NetDuplicate(msg uint64, fault, key string) Event {
	return Event{KindNetDuplicate, []Field{F("msg", msg), F("fault", fault), F("key", key), F("injected", true)}}
}

// NetDeliver is net.deliver; duplicate and reordered mark an injected copy or hold-back.
func NetDeliver(msg uint64, from, kind string, duplicate, reordered bool) Event {
	return Event{KindNetDeliver, deliveryFields(msg, from, kind, duplicate, reordered, 0)}
}

// NetLost is net.lost: the message arrived where nobody listens (reason no-receiver).
func NetLost(msg uint64, from, kind string, duplicate, reordered bool) Event {
	return Event{KindNetLost, append(deliveryFields(msg, from, kind, duplicate, reordered, 1), F("reason", "no-receiver"))}
}

// deliveryFields are a delivery's fields, in an array with room for more fields after them.
func deliveryFields(msg uint64, from, kind string, duplicate, reordered bool, more int) []Field {
	n := 3 + more
	if duplicate {
		n += 2
	}
	if reordered {
		n += 2
	}
	fields := make([]Field, 3, n)
	fields[0], fields[1], fields[2] = F("msg", msg), F("from", from), F("kind", kind)
	if duplicate {
		fields = append(fields, F("duplicate", true), F("injected", true))
	}
	if reordered {
		fields = append(fields, F("reordered", true), F("injected", true))
	}
	return fields
}

// The views of the records above (view.go).

// SchedPickRecord is sched.pick's view, both forms: an event fired early (Event, Party) or a delay
// chosen at its bound (Msg, From, To, Delay). Over is the event number or the delay it passed over.
type SchedPickRecord struct {
	Key   string        `trace:"key"`
	Event uint64        `trace:"event,optional"`
	Party string        `trace:"party,optional"`
	Msg   uint64        `trace:"msg,optional"`
	From  string        `trace:"from,optional"`
	To    string        `trace:"to,optional"`
	Delay time.Duration `trace:"delay,optional"`
	Over  string        `trace:"over"`
}

// AsSchedPick reads a sched.pick record.
var AsSchedPick = view[SchedPickRecord](KindSchedPick)

// NetSendRecord is net.send's view: the message and the fields of its kind (the blob calls' id, op
// and blob; answers' status; the router's route; the callers' call; the mesh's fetch; bodies by digest
// and size), each recorded only by the kinds that have it (Status and Route are nil when absent: an
// instance's answer to a routed request is the send that carries both).
type NetSendRecord struct {
	Msg    uint64 `trace:"msg"`
	To     string `trace:"to"`
	Kind   string `trace:"kind"`
	ID     int    `trace:"id,optional"`
	Op     string `trace:"op,optional"`
	Blob   string `trace:"blob,optional"`
	Status *int   `trace:"status,optional"`
	Route  *int   `trace:"route,optional"`
	Call   int    `trace:"call,optional"`
	Fetch  int    `trace:"fetch,optional"`
	Body   string `trace:"body,optional"`
	Bytes  int    `trace:"bytes,optional"`
}

// AsNetSend reads a net.send record.
var AsNetSend = view[NetSendRecord](KindNetSend)

// NetFaultRecord is the view of net.drop and net.duplicate.
type NetFaultRecord struct {
	Msg      uint64 `trace:"msg"`
	Fault    string `trace:"fault"`
	Key      string `trace:"key"`
	Injected bool   `trace:"injected"`
}

// AsNetFault reads a net.drop or net.duplicate record.
var AsNetFault = view[NetFaultRecord](KindNetDrop, KindNetDuplicate)

// NetDeliveryRecord is the view of net.deliver and net.lost (Reason: net.lost's).
type NetDeliveryRecord struct {
	Msg       uint64 `trace:"msg"`
	From      string `trace:"from"`
	Kind      string `trace:"kind"`
	Duplicate bool   `trace:"duplicate,optional"`
	Reordered bool   `trace:"reordered,optional"`
	Injected  bool   `trace:"injected,optional"`
	Reason    string `trace:"reason,optional"`
}

// AsNetDelivery reads a net.deliver or net.lost record.
var AsNetDelivery = view[NetDeliveryRecord](KindNetDeliver, KindNetLost)
