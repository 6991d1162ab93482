package host

import "time"

// Effect is one thing the sync manager asks its driver to do. A step returns its effects as an ordered
// list, and the driver performs them in that order: when the driver deletes the instance at a fault
// Point, it drops every effect after it, exactly as a process that dies there would never do them.
type Effect interface{ isEffect() }

// Target names the platform endpoint of a Send.
type Target int

const (
	// TargetFrontEnd is POST {fe}/operations/settriggers (MSG-1).
	TargetFrontEnd Target = iota + 1
	// TargetMesh is POST {MESH_INIT_URI} (MSG-2).
	TargetMesh
)

func (t Target) String() string {
	if t == TargetFrontEnd {
		return "frontend"
	}
	return "mesh"
}

// Send asks the driver to make an HTTP request and to answer it with HTTPDone (same ID): a status, or a
// transport error or timeout after Timeout.
type Send struct {
	ID      int
	Target  Target
	Method  string
	URL     string
	Headers map[string]string
	Body    []byte
	Timeout time.Duration
	// Revision is the content revision the payload was built from: simulator metadata, not on the wire.
	Revision int
	// Span, Background, Hash and Triggers describe the sync span and the payload this publish is
	// about (PAY-3 hash, trigger count).
	Span       int
	Background bool
	Hash       string
	Triggers   int
}

// BlobOp names a storage operation.
type BlobOp string

// The storage operations the host performs (BLOB-2 and the primary lease of PROTOCOL.md section 1).
const (
	BlobExists       BlobOp = "exists"
	BlobDownload     BlobOp = "download"
	BlobUpload       BlobOp = "upload"
	BlobAcquireLease BlobOp = "acquire-lease"
	BlobRenewLease   BlobOp = "renew-lease"
)

// BlobCall asks the driver to perform a storage operation and to answer with BlobDone (same ID).
type BlobCall struct {
	ID          int
	Op          BlobOp
	Container   string
	Blob        string
	Data        []byte
	IfNoneMatch string
	LeaseID     string
	Duration    time.Duration
}

// SetTimer asks for Timer(Key) after the given delay; setting a key again replaces the earlier timer.
type SetTimer struct {
	Key   string
	After time.Duration
}

// CancelTimer cancels a timer set earlier; unknown keys are ignored.
type CancelTimer struct{ Key string }

// Respond answers an admin request (MSG-3, MSG-4, key API) received with Admin.
type Respond struct {
	ReqID    int
	Response AdminResponse
	// Span is the sync span that answers a MSG-4 (0 otherwise).
	Span int
	// Revision is the content revision a MSG-3 body was built from (simulator metadata).
	Revision int
}

// Log is one host log line in the real host's words (logtext.go): its level, its logger's category
// and its message; Exception is what upstream passes as the line's exception (`Type: message`), ""
// for none. Never a secret (PAY-4).
type Log struct {
	Level     string
	Category  string
	Text      string
	Exception string
}

// SpanPhase marks the life of a sync span.
type SpanPhase string

// Span phases: a call of TrySync, entering the exclusive part (after SYNC-2's lock, or right after the
// gate in a mode without a lock), and the result.
const (
	SpanCall  SpanPhase = "call"
	SpanEnter SpanPhase = "enter"
	SpanEnd   SpanPhase = "end"
)

// SpanEvent reports a sync span's progress; checkers judge P3 and P9 on them.
type SpanEvent struct {
	Span       int
	Phase      SpanPhase
	Background bool
	Origin     string
	Success    bool
	Error      string
	// Published is set on SpanEnd when the span published (MSG-1 or MSG-2 answered 2xx).
	Published bool
	// Hash is the PAY-3 hash of the payload the span built (SpanEnter onwards; "" before).
	Hash string
	// ReqID is the admin request (MSG-4) the span answers, 0 for none.
	ReqID int
}

// Point reports that the machine reached a named fault point (PROTOCOL.md section 6).
type Point struct {
	Name       string
	Span       int
	Background bool
}

// PrimaryChanged reports that the instance gained or lost the primary lease.
type PrimaryChanged struct{ Primary bool }

// HashWritten reports a successful SYNC-6 write of the hash blob, for the trace.
type HashWritten struct{ Hash string }

// HashRead reports SYNC-5's comparison: the blob's hash (Last, "" when missing) and the payload's.
type HashRead struct {
	Span          int
	Last, Current string
}

func (Send) isEffect()           {}
func (BlobCall) isEffect()       {}
func (SetTimer) isEffect()       {}
func (CancelTimer) isEffect()    {}
func (Respond) isEffect()        {}
func (Log) isEffect()            {}
func (SpanEvent) isEffect()      {}
func (Point) isEffect()          {}
func (PrimaryChanged) isEffect() {}
func (HashWritten) isEffect()    {}
func (HashRead) isEffect()       {}

// BlobResult is the outcome of a BlobCall: Status 0 means a transport error or timeout.
type BlobResult struct {
	Status  int
	Code    string
	Data    []byte
	ETag    string
	LeaseID string
}

// OK reports a 2xx result.
func (r BlobResult) OK() bool { return r.Status >= 200 && r.Status < 300 }

// HTTPResult is the outcome of a Send: Status 0 means a transport error or a timeout (Err says which).
type HTTPResult struct {
	Status int
	Err    string
}
