package importer

import (
	"io"
	"time"
)

// Line is one parsed line of a host log, as the importer reads it: for packages that check a log
// against the model (internal/validate) without a second parser.
type Line struct {
	// N is the line number, from 1; Text the line as read.
	N    int
	Text string
	// At, Instance, Level and Msg are the line's four columns (zero for a line of another shape).
	At                   time.Time
	Instance, Level, Msg string
	// Kind names what the line says happened (see Kind's constants); "unknown" for a line the
	// parser does not recognise.
	Kind string
	// Args are the values the line's pattern captured, in pattern order.
	Args []string
	// Note describes a KindNoted line.
	Note string
}

// The kinds a Line can have.
const (
	KindUnknown           = "unknown"
	KindDeployCompleted   = "deploy-completed"
	KindHostStarted       = "host-started"
	KindBackgroundStart   = "background-start"
	KindHashChecked       = "hash-checked"
	KindNotifyPlatform    = "notify-platform"
	KindMeshRequest       = "mesh-request"
	KindMeshResponse      = "mesh-response"
	KindHashUpdated       = "hash-updated"
	KindInstanceDeleted   = "instance-deleted"
	KindFetchFailed       = "fetch-failed"
	KindFetchAbandoned    = "fetch-abandoned"
	KindKeyUpdated        = "key-updated"
	KindFrontEndRequest   = "frontend-request"
	KindFrontEndSucceeded = "frontend-succeeded"
	KindFrontEndFailed    = "frontend-failed"
	KindNoted             = "noted"
)

var kindNames = map[kind]string{
	unknown: KindUnknown, deployCompleted: KindDeployCompleted, hostStarted: KindHostStarted,
	backgroundStart: KindBackgroundStart, hashChecked: KindHashChecked, notifyPlatform: KindNotifyPlatform,
	meshRequest: KindMeshRequest, meshResponse: KindMeshResponse, hashUpdated: KindHashUpdated,
	instanceDeleted: KindInstanceDeleted, fetchFailed: KindFetchFailed, fetchAbandoned: KindFetchAbandoned,
	keyUpdated: KindKeyUpdated, frontEndRequest: KindFrontEndRequest, frontEndSucceeded: KindFrontEndSucceeded,
	frontEndFailed: KindFrontEndFailed, noted: KindNoted,
}

func exported(e entry) Line {
	return Line{N: e.n, Text: e.text, At: e.at, Instance: e.instance, Level: e.level, Msg: e.msg,
		Kind: kindNames[e.kind], Args: e.args, Note: e.note}
}

// ReadLines reads every event line of r with the importer's parser and limits (o's, zero fields
// taking the importer's defaults); comment and blank lines are skipped but counted in lines. It
// fails when r cannot be read or a limit is exceeded; the error names the file (name) and the fix.
func ReadLines(name string, r io.Reader, o Options) (out []Line, lines int, err error) {
	entries, lines, err := readLog(name, r, o.withDefaults())
	for _, e := range entries {
		out = append(out, exported(e))
	}
	return out, lines, err
}

// ParseMessage classifies one message text (the fourth column) as the importer would.
func ParseMessage(msg string) Line {
	return exported(parseLine(1, "2026-01-01T00:00:00Z x Debug "+msg))
}

// HostStart is what a `Host started (...)` line states.
type HostStart struct{ Site, HostID, Mode string }

// ParseHostStart reads a host-started line's argument (`Site=..., HostId=..., SyncTriggersMode=...`).
func ParseHostStart(args string) HostStart {
	h := parseHostStart(args)
	return HostStart{Site: h.site, HostID: h.hostID, Mode: h.mode}
}

// ModeName maps a logged SyncTriggersMode value to the simulator's mode name.
func ModeName(v string) (string, bool) { return modeName(v) }

// StatusCode reads a logged status, as a .NET name (`ServiceUnavailable`) or a number.
func StatusCode(s string) (int, bool) { return statusCode(s) }
