package trace

import "time"

// The records a driver writes for the run itself, its timeline, its faults and its clients (the
// world, client and router parties, and fault.fire by any party), one constructor per kind.

// RunStart is what run.start says about a run. TimeScale and MeshMaxWait are a live run's (0 in the
// simulator, and then not recorded).
type RunStart struct {
	Scenario, Mode string
	// Site and HostID are the site's WEBSITE_SITE_NAME and host id (recorded when set).
	Site, HostID string
	Seed         uint64
	// Strategy is the exploration strategy's name; "live" for a live run.
	Strategy string
	// TimeScale is a live run's real time per scenario time.
	TimeScale                   float64
	End, SettleStart, FaultsEnd time.Duration
	// MeshMaxWait is the live mesh's max-wait in scenario time (P16 judges a live mesh by it).
	MeshMaxWait time.Duration
}

// Event is the run.start record.
func (s RunStart) Event() Event {
	fields := []Field{F("scenario", s.Scenario), F("mode", s.Mode)}
	if s.Site != "" {
		fields = append(fields, F("site", s.Site), F("host_id", s.HostID))
	}
	fields = append(fields, F("seed", s.Seed), F("strategy", s.Strategy))
	if s.TimeScale != 0 {
		fields = append(fields, F("time_scale", s.TimeScale))
	}
	fields = append(fields, F("end", s.End), F("settle_start", s.SettleStart), F("faults_end", s.FaultsEnd))
	if s.MeshMaxWait != 0 {
		fields = append(fields, F("mesh_max_wait", s.MeshMaxWait))
	}
	return Event{KindRunStart, fields}
}

// ContentChange is content.change: the site's content has a new revision, whose expected payload
// (PAY-5) has the PAY-3 hash expectedHash and the canonical-JSON hash expectedCanonical.
func ContentChange(revision int, reason, expectedHash, expectedCanonical string, triggers, functions int) Event {
	return Event{KindContentChange, []Field{F("revision", revision), F("reason", reason), F("expected_hash", expectedHash),
		F("expected_canonical", expectedCanonical), F("triggers", triggers), F("functions", functions)}}
}

// Timeline is timeline: the scenario's timeline entry index (an action of kind action, at line of
// the scenario file) plays.
func Timeline(index int, action string, line int) Event {
	return Event{KindTimeline, []Field{F("index", index), F("action", action), F("line", line)}}
}

// FaultsEnd is faults.end: faults heal from now on.
func FaultsEnd() Event { return Event{Kind: KindFaultsEnd} }

// SettleStart is settle.start: the settle window begins.
func SettleStart() Event { return Event{Kind: KindSettleStart} }

// RunEnd is run.end: why the run ended, and whether it ran to its planned end.
func RunEnd(reason string, complete bool) Event {
	return Event{KindRunEnd, []Field{F("reason", reason), F("complete", complete)}}
}

// InstanceRefused is instance.refused: a start past the scenario's limit on instance starts.
func InstanceRefused(reason string, limit int) Event {
	return Event{KindInstanceRefused, []Field{F("reason", reason), F("limit", limit)}}
}

// FaultArmed is fault.armed: a fault of the run, as its spec reads.
func FaultArmed(spec string) Event { return Event{KindFaultArmed, []Field{F("fault", spec)}} }

// FaultNA is fault.na: a fault this driver cannot inject, and why.
func FaultNA(spec, reason string) Event {
	return Event{KindFaultNA, []Field{F("fault", spec), F("reason", reason)}}
}

// FaultFire is fault.fire: an injected fault fired at the opportunity with firing key key; params
// are what it did (point and span, status, by, ...), in the order given.
func FaultFire(fault, key string, params ...Field) Event {
	fields := make([]Field, 0, len(params)+3)
	fields = append(fields, F("fault", fault), F("key", key))
	fields = append(fields, params...)
	return Event{KindFaultFire, append(fields, F("injected", true))}
}

// ClientCall is client.call: the client's call number call, a request of message kind kind to path.
func ClientCall(call int, kind, path string) Event {
	return Event{KindClientCall, []Field{F("call", call), F("kind", kind), F("path", path)}}
}

// ClientAnswer is what client.response says about the answer to a call.
type ClientAnswer struct {
	Call int
	// Route is the router's route (0 when the router answered itself); NoRoute leaves it out (a
	// live call that got no answer at all).
	Route   int
	NoRoute bool
	// Kind is the answer's message kind (msg4.response, keys.response).
	Kind   string
	Status int
	// Span and Instance name the sync span that answered a MSG-4 (recorded when Span is not 0).
	Span     int
	Instance string
	// Result is MSG-4's status text (recorded when not empty).
	Result string
}

// Event is the client.response record.
func (a ClientAnswer) Event() Event {
	fields := []Field{F("call", a.Call)}
	if !a.NoRoute {
		fields = append(fields, F("route", a.Route))
	}
	fields = append(fields, F("kind", a.Kind), F("status", a.Status))
	if a.Span != 0 {
		fields = append(fields, F("instance", a.Instance), F("span", a.Span))
	}
	if a.Result != "" {
		fields = append(fields, F("result", a.Result))
	}
	return Event{KindClientResponse, fields}
}

// The views of the records above (view.go).

// RunStartRecord is run.start's view.
type RunStartRecord struct {
	Scenario    string        `trace:"scenario"`
	Mode        string        `trace:"mode"`
	Site        string        `trace:"site,optional"`
	HostID      string        `trace:"host_id,optional"`
	Seed        uint64        `trace:"seed"`
	Strategy    string        `trace:"strategy"`
	TimeScale   float64       `trace:"time_scale,optional"`
	End         time.Duration `trace:"end"`
	SettleStart time.Duration `trace:"settle_start"`
	FaultsEnd   time.Duration `trace:"faults_end"`
	MeshMaxWait time.Duration `trace:"mesh_max_wait,optional"`
}

// AsRunStart reads a run.start record.
var AsRunStart = view[RunStartRecord](KindRunStart)

// ContentChangeRecord is content.change's view; ExpectedCanonical is absent from older traces.
type ContentChangeRecord struct {
	Revision          int    `trace:"revision"`
	Reason            string `trace:"reason"`
	ExpectedHash      string `trace:"expected_hash"`
	ExpectedCanonical string `trace:"expected_canonical,optional"`
	Triggers          int    `trace:"triggers"`
	Functions         int    `trace:"functions"`
}

// AsContentChange reads a content.change record.
var AsContentChange = view[ContentChangeRecord](KindContentChange)

// TimelineRecord is timeline's view. A delete or restart of a named instance adds, with Event.With,
// the Instance it names and whether it was Gone (deleted already) or Draining (site).
type TimelineRecord struct {
	Index    int    `trace:"index"`
	Action   string `trace:"action"`
	Line     int    `trace:"line"`
	Instance string `trace:"instance,optional"`
	Gone     bool   `trace:"gone,optional"`
	Draining bool   `trace:"draining,optional"`
}

// AsTimeline reads a timeline record.
var AsTimeline = view[TimelineRecord](KindTimeline)

// MarkRecord is the view of the kinds that carry no field: faults.end, settle.start and
// host.specialized.
type MarkRecord struct{}

// AsMark reads a faults.end, settle.start or host.specialized record.
var AsMark = view[MarkRecord](KindFaultsEnd, KindSettleStart, KindHostSpecialized)

// RunEndRecord is run.end's view.
type RunEndRecord struct {
	Reason   string `trace:"reason"`
	Complete bool   `trace:"complete"`
}

// AsRunEnd reads a run.end record.
var AsRunEnd = view[RunEndRecord](KindRunEnd)

// InstanceRefusedRecord is instance.refused's view.
type InstanceRefusedRecord struct {
	Reason string `trace:"reason"`
	Limit  int    `trace:"limit"`
}

// AsInstanceRefused reads an instance.refused record.
var AsInstanceRefused = view[InstanceRefusedRecord](KindInstanceRefused)

// FaultArmedRecord is fault.armed's view.
type FaultArmedRecord struct {
	Fault string `trace:"fault"`
}

// AsFaultArmed reads a fault.armed record.
var AsFaultArmed = view[FaultArmedRecord](KindFaultArmed)

// FaultNARecord is fault.na's view.
type FaultNARecord struct {
	Fault  string `trace:"fault"`
	Reason string `trace:"reason"`
}

// AsFaultNA reads a fault.na record.
var AsFaultNA = view[FaultNARecord](KindFaultNA)

// FaultFireRecord is fault.fire's view; Params are what the fault did, as its firer wrote them.
type FaultFireRecord struct {
	Fault    string `trace:"fault"`
	Key      string `trace:"key"`
	Injected bool   `trace:"injected"`
	Params   Fields `trace:",extra"`
}

// AsFaultFire reads a fault.fire record.
var AsFaultFire = view[FaultFireRecord](KindFaultFire)

// ClientCallRecord is client.call's view. site adds, with Event.With, Retry to a caller's
// n-th retry of a MSG-4 call and Pin to a call pinned to an instance ("" when none was found).
type ClientCallRecord struct {
	Call  int     `trace:"call"`
	Kind  string  `trace:"kind"`
	Path  string  `trace:"path"`
	Retry int     `trace:"retry,optional"`
	Pin   *string `trace:"pin,optional"`
}

// AsClientCall reads a client.call record.
var AsClientCall = view[ClientCallRecord](KindClientCall)

// ClientResponseRecord is client.response's view (ClientAnswer's record); Route is nil when the
// answer names no route (NoRoute).
type ClientResponseRecord struct {
	Call     int    `trace:"call"`
	Route    *int   `trace:"route,optional"`
	Kind     string `trace:"kind"`
	Status   int    `trace:"status"`
	Instance string `trace:"instance,optional"`
	Span     int    `trace:"span,optional"`
	Result   string `trace:"result,optional"`
}

// AsClientResponse reads a client.response record.
var AsClientResponse = view[ClientResponseRecord](KindClientResponse)
