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
