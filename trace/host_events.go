package trace

import (
	"strconv"
	"time"
)

// The records of an instance and its host (trace/TRACE.md, "Instances and hosts"): the instance's
// life, and what the host's sync manager reports through its effects. site maps each
// host effect to one of these; the drivers record the instance's life.

// InstanceCreate is instance.create: an instance was created (reason says why, index is its number
// in the run); url is the live runtime's address of its admin API ("" in the simulator: omitted).
func InstanceCreate(reason string, index int, url string) Event {
	fields := []Field{F("reason", reason), F("index", index)}
	if url != "" {
		fields = append(fields, F("url", url))
	}
	return Event{KindInstanceCreate, fields}
}

// HostStart is host.start: the host started with a content revision and its function count;
// placeholder is set while the active host is the placeholder (#11873).
func HostStart(revision, functions int, placeholder bool) Event {
	return Event{KindHostStart, []Field{F("revision", revision), F("functions", functions), F("placeholder", placeholder)}}
}

// HostStop is host.stop: the host stops inside a running instance (a deploy).
func HostStop(reason string) Event { return Event{KindHostStop, []Field{F("reason", reason)}} }

// HostSpecialized is host.specialized: the placeholder specialized, the real host starts.
func HostSpecialized() Event { return Event{Kind: KindHostSpecialized} }

// InstanceDelete is instance.delete; injected marks a deletion by an injected fault.
func InstanceDelete(reason string, injected bool) Event {
	fields := []Field{F("reason", reason)}
	if injected {
		fields = append(fields, F("injected", true))
	}
	return Event{KindInstanceDelete, fields}
}

// InstanceDrain is instance.drain: the instance takes no new requests from now on and is deleted
// after d (a timeline delete or restart with a drain; reason as instance.delete's).
func InstanceDrain(reason string, d time.Duration) Event {
	return Event{KindInstanceDrain, []Field{F("reason", reason), F("for", d)}}
}

// The harness's log categories: lines of syncsim's own parties, which no upstream host writes
// (FIDELITY.md, "Lines of the harness"). The host model's own lines use host.CategoryModel.
const (
	// CategoryWorld is the world's: deploys, instance deletions, key updates, the site's settings.
	CategoryWorld = "Syncsim.World"
	// CategoryPlatform is the reference platform's (the mesh and the front end).
	CategoryPlatform = "Syncsim.Platform"
)

// Log is log: one log line of a host or the mesh, with its logger's category (upstream's, or one of
// the harness's Syncsim.* categories); exception is the exception upstream logs with the line
// (`Type: message`), "" for none (omitted). Never a secret (PAY-4).
func Log(level, category, text, exception string) Event {
	fields := []Field{F("level", level), F("category", category), F("text", text)}
	if exception != "" {
		fields = append(fields, F("exception", exception))
	}
	return Event{KindLog, fields}
}

// Primary is primary: the instance gained or lost the primary lease.
func Primary(primary bool) Event { return Event{KindPrimary, []Field{F("primary", primary)}} }

// SyncCall is sync.call: a call of TrySync; request is the admin request (MSG-4) it answers, 0 for
// none (omitted).
func SyncCall(span int, background bool, origin string, request int) Event {
	fields := spanFields(span, background, origin)
	if request != 0 {
		fields = append(fields, F("request", request))
	}
	return Event{KindSyncCall, fields}
}

// SyncEnter is sync.enter: the span entered the exclusive part with the PAY-3 hash of its payload.
func SyncEnter(span int, background bool, origin, hash string) Event {
	return Event{KindSyncEnter, append(spanFields(span, background, origin), F("hash", hash))}
}

// SyncEnd is sync.end: the span's result; errText is omitted when "".
func SyncEnd(span int, background bool, origin string, success, published bool, hash, errText string) Event {
	fields := append(spanFields(span, background, origin), F("success", success), F("published", published), F("hash", hash))
	if errText != "" {
		fields = append(fields, F("error", errText))
	}
	return Event{KindSyncEnd, fields}
}

func spanFields(span int, background bool, origin string) []Field {
	return []Field{F("span", span), F("background", background), F("origin", origin)}
}

// SyncPoint is sync.point: the host reached a named fault point (PROTOCOL.md section 6).
func SyncPoint(point string, span int, background bool) Event {
	return Event{KindSyncPoint, []Field{F("point", point), F("span", span), F("background", background)}}
}

// SyncHashRead is sync.hashread: SYNC-5's comparison of the hash blob (last, "" when missing) and
// the payload's hash (current).
func SyncHashRead(span int, last, current string) Event {
	return Event{KindSyncHashRead, []Field{F("span", span), F("last", last), F("current", current)}}
}

// SyncPublish is sync.publish: a MSG-1 or MSG-2 leaves (SYNC-6); target names the endpoint, bytes
// the body's length.
func SyncPublish(span int, background bool, target, hash string, triggers, bytes int) Event {
	return Event{KindSyncPublish, []Field{F("span", span), F("background", background), F("target", target),
		F("hash", hash), F("triggers", triggers), F("bytes", bytes)}}
}

// HTTPResult is http.result: a MSG-1/MSG-2 answer (status) or its absence (status 0 and errText).
func HTTPResult(id, span int, target string, status int, errText string) Event {
	fields := []Field{F("id", id), F("span", span), F("target", target), F("status", status)}
	if errText != "" {
		fields = append(fields, F("error", errText))
	}
	return Event{KindHTTPResult, fields}
}

// HashWritten is hash.written: a successful SYNC-6 write of the hash blob.
func HashWritten(hash string) Event { return Event{KindHashWritten, []Field{F("hash", hash)}} }

// HTTPTimeout is http.timeout: a MSG-1/MSG-2 got no answer within its timeout.
func HTTPTimeout(id int, to string) Event {
	return Event{KindHTTPTimeout, []Field{F("id", id), F("to", to)}}
}

// BlobTimeout is blob.timeout: a storage call got no answer within the client's timeout.
func BlobTimeout(id int, op string) Event {
	return Event{KindBlobTimeout, []Field{F("id", id), F("op", op)}}
}

// TokenCheck is token.check: an endpoint's judgement of a request's token (P8) next to what the token
// is. nowMs is the receiver's true clock in unix milliseconds, recorded as seconds with three
// decimals (the unit of JWT NumericDates); facts are the token's decoded facts (form, alg, claims,
// hs256: site decodes them); fault is the firing key of an injected token-invalid fault
// that replaced the token ("" when none: omitted).
func TokenCheck(endpoint, site, sender string, accepted bool, nowMs int64, facts []Field, fault string) Event {
	fields := []Field{F("endpoint", endpoint), F("site", site), F("sender", sender), F("accepted", accepted), F("now", unixSeconds(nowMs))}
	fields = append(fields, facts...)
	if fault != "" {
		fields = append(fields, F("fault", fault))
	}
	return Event{KindTokenCheck, fields}
}

// unixSeconds renders unix milliseconds as seconds with three decimals.
func unixSeconds(ms int64) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	frac := ms % 1000
	return sign + strconv.FormatInt(ms/1000, 10) + "." + string([]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)})
}

// The views of the records above (view.go).

// InstanceCreateRecord is instance.create's view.
type InstanceCreateRecord struct {
	Reason string `trace:"reason"`
	Index  int    `trace:"index"`
	URL    string `trace:"url,optional"`
}

// AsInstanceCreate reads an instance.create record.
var AsInstanceCreate = view[InstanceCreateRecord](KindInstanceCreate)

// HostStartRecord is host.start's view.
type HostStartRecord struct {
	Revision    int  `trace:"revision"`
	Functions   int  `trace:"functions"`
	Placeholder bool `trace:"placeholder"`
}

// AsHostStart reads a host.start record.
var AsHostStart = view[HostStartRecord](KindHostStart)

// HostStopRecord is host.stop's view.
type HostStopRecord struct {
	Reason string `trace:"reason"`
}

// AsHostStop reads a host.stop record.
var AsHostStop = view[HostStopRecord](KindHostStop)

// InstanceDeleteRecord is instance.delete's view.
type InstanceDeleteRecord struct {
	Reason   string `trace:"reason"`
	Injected bool   `trace:"injected,optional"`
}

// AsInstanceDelete reads an instance.delete record.
var AsInstanceDelete = view[InstanceDeleteRecord](KindInstanceDelete)

// InstanceDrainRecord is instance.drain's view.
type InstanceDrainRecord struct {
	Reason string        `trace:"reason"`
	For    time.Duration `trace:"for"`
}

// AsInstanceDrain reads an instance.drain record.
var AsInstanceDrain = view[InstanceDrainRecord](KindInstanceDrain)

// LogRecord is log's view.
type LogRecord struct {
	Level     string `trace:"level"`
	Category  string `trace:"category"`
	Text      string `trace:"text"`
	Exception string `trace:"exception,optional"`
}

// AsLog reads a log record.
var AsLog = view[LogRecord](KindLog)

// PrimaryRecord is primary's view.
type PrimaryRecord struct {
	Primary bool `trace:"primary"`
}

// AsPrimary reads a primary record.
var AsPrimary = view[PrimaryRecord](KindPrimary)

// SyncCallRecord is sync.call's view.
type SyncCallRecord struct {
	Span       int    `trace:"span"`
	Background bool   `trace:"background"`
	Origin     string `trace:"origin"`
	Request    int    `trace:"request,optional"`
}

// AsSyncCall reads a sync.call record.
var AsSyncCall = view[SyncCallRecord](KindSyncCall)

// SyncEnterRecord is sync.enter's view.
type SyncEnterRecord struct {
	Span       int    `trace:"span"`
	Background bool   `trace:"background"`
	Origin     string `trace:"origin"`
	Hash       string `trace:"hash"`
}

// AsSyncEnter reads a sync.enter record.
var AsSyncEnter = view[SyncEnterRecord](KindSyncEnter)

// SyncEndRecord is sync.end's view.
type SyncEndRecord struct {
	Span       int    `trace:"span"`
	Background bool   `trace:"background"`
	Origin     string `trace:"origin"`
	Success    bool   `trace:"success"`
	Published  bool   `trace:"published"`
	Hash       string `trace:"hash"`
	Error      string `trace:"error,optional"`
}

// AsSyncEnd reads a sync.end record.
var AsSyncEnd = view[SyncEndRecord](KindSyncEnd)

// SyncPointRecord is sync.point's view.
type SyncPointRecord struct {
	Point      string `trace:"point"`
	Span       int    `trace:"span"`
	Background bool   `trace:"background"`
}

// AsSyncPoint reads a sync.point record.
var AsSyncPoint = view[SyncPointRecord](KindSyncPoint)

// SyncHashReadRecord is sync.hashread's view.
type SyncHashReadRecord struct {
	Span    int    `trace:"span"`
	Last    string `trace:"last"`
	Current string `trace:"current"`
}

// AsSyncHashRead reads a sync.hashread record.
var AsSyncHashRead = view[SyncHashReadRecord](KindSyncHashRead)

// SyncPublishRecord is sync.publish's view.
type SyncPublishRecord struct {
	Span       int    `trace:"span"`
	Background bool   `trace:"background"`
	Target     string `trace:"target"`
	Hash       string `trace:"hash"`
	Triggers   int    `trace:"triggers"`
	Bytes      int    `trace:"bytes"`
}

// AsSyncPublish reads a sync.publish record.
var AsSyncPublish = view[SyncPublishRecord](KindSyncPublish)

// HTTPResultRecord is http.result's view; Span is nil in older traces, whose results name no span.
type HTTPResultRecord struct {
	ID     int    `trace:"id"`
	Span   *int   `trace:"span,optional"`
	Target string `trace:"target"`
	Status int    `trace:"status"`
	Error  string `trace:"error,optional"`
}

// AsHTTPResult reads an http.result record.
var AsHTTPResult = view[HTTPResultRecord](KindHTTPResult)

// HashWrittenRecord is hash.written's view.
type HashWrittenRecord struct {
	Hash string `trace:"hash"`
}

// AsHashWritten reads a hash.written record.
var AsHashWritten = view[HashWrittenRecord](KindHashWritten)

// HTTPTimeoutRecord is http.timeout's view.
type HTTPTimeoutRecord struct {
	ID int    `trace:"id"`
	To string `trace:"to"`
}

// AsHTTPTimeout reads an http.timeout record.
var AsHTTPTimeout = view[HTTPTimeoutRecord](KindHTTPTimeout)

// BlobTimeoutRecord is blob.timeout's view.
type BlobTimeoutRecord struct {
	ID int    `trace:"id"`
	Op string `trace:"op"`
}

// AsBlobTimeout reads a blob.timeout record.
var AsBlobTimeout = view[BlobTimeoutRecord](KindBlobTimeout)

// TokenCheckRecord is token.check's view: the endpoint's judgement, and the token's facts as
// site decodes them (nil or zero when the token does not have them). Now and the
// NumericDates are unix seconds as recorded.
type TokenCheckRecord struct {
	Endpoint  string  `trace:"endpoint"`
	Site      string  `trace:"site"`
	Sender    string  `trace:"sender"`
	Accepted  bool    `trace:"accepted"`
	Now       string  `trace:"now"`
	Form      string  `trace:"form,optional"`
	Alg       string  `trace:"alg,optional"`
	Iss       *string `trace:"iss,optional"`
	IssForm   string  `trace:"iss_form,optional"`
	Aud       *string `trace:"aud,optional"`
	AudForm   string  `trace:"aud_form,optional"`
	Exp       *string `trace:"exp,optional"`
	Nbf       *string `trace:"nbf,optional"`
	Iat       *string `trace:"iat,optional"`
	Crit      bool    `trace:"crit,optional"`
	BadClaims string  `trace:"bad_claims,optional"`
	HS256     string  `trace:"hs256,optional"`
	Fault     string  `trace:"fault,optional"`
}

// AsTokenCheck reads a token.check record.
var AsTokenCheck = view[TokenCheckRecord](KindTokenCheck)
