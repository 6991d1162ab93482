package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Format is the version of the trace layout below; it changes whenever a record's meaning does.
const Format = 1

// Field is one key/value of a trace record. Fields keep the order they were added in, so a record
// renders the same way every time (never built by ranging over a map).
type Field struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// F builds a field from a value of a common type; anything else is a programmer error.
func F(key string, v any) Field {
	switch x := v.(type) {
	case string:
		return Field{key, x}
	case int:
		return Field{key, formatInt(int64(x))}
	case int64:
		return Field{key, formatInt(x)}
	case uint64:
		return Field{key, formatUint(x)}
	case bool:
		return Field{key, strconv.FormatBool(x)}
	case time.Duration:
		return Field{key, x.String()}
	case float64:
		return Field{key, strconv.FormatFloat(x, 'g', -1, 64)}
	default:
		panic("trace: unsupported trace field type for " + key)
	}
}

// SecretDigest is how a trace refers to a body or value that carries credentials (PAY-4): by the first
// 16 hex digits of its SHA-256, never by content.
func SecretDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// Record is one event of a run: when, which party, what kind, and its fields.
type Record struct {
	Seq    int           `json:"seq"`
	At     time.Duration `json:"at_ns"`
	Party  string        `json:"party"`
	Kind   Kind          `json:"kind"`
	Fields []Field       `json:"fields,omitempty"`
}

// Get returns the value of the first field named key, or "".
func (r Record) Get(key string) string {
	for _, f := range r.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// Has reports whether the record carries a field named key.
func (r Record) Has(key string) bool {
	for _, f := range r.Fields {
		if f.Key == key {
			return true
		}
	}
	return false
}

// Int returns the field as an int, or 0.
func (r Record) Int(key string) int {
	n, _ := strconv.Atoi(r.Get(key))
	return n
}

// String renders the record on one line: "#12 00:00:32.125 instance/pod-a7f3 sync.enter span=3".
func (r Record) String() string { return string(r.Append(nil)) }

// Append appends String's rendering to b.
func (r Record) Append(b []byte) []byte {
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(r.Seq), 10)
	b = append(b, ' ')
	b = AppendElapsed(b, r.At)
	b = append(b, ' ')
	b = append(b, r.Party...)
	b = append(b, ' ')
	b = append(b, string(r.Kind)...)
	for _, f := range r.Fields {
		b = append(b, ' ')
		b = append(b, f.Key...)
		b = append(b, '=')
		if f.Value == "" || strings.ContainsAny(f.Value, " \"=") {
			b = strconv.AppendQuote(b, f.Value)
		} else {
			b = append(b, f.Value...)
		}
	}
	return b
}

// Equal reports whether two records are the same event.
func (r Record) Equal(o Record) bool {
	if r.Seq != o.Seq || r.At != o.At || r.Party != o.Party || r.Kind != o.Kind || len(r.Fields) != len(o.Fields) {
		return false
	}
	for i, f := range r.Fields {
		if f != o.Fields[i] {
			return false
		}
	}
	return true
}

// Header says which run a trace belongs to. It is not part of the record sequence.
type Header struct {
	Format         int    `json:"format"`
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	Mode           string `json:"mode"`
	Seed           uint64 `json:"seed"`
}

// Trace is a whole run: its header and every record in order.
type Trace struct {
	Header  Header   `json:"header"`
	Records []Record `json:"records"`
}

// Hash is the run's identity: SHA-256 over the header and every record, hex-encoded.
func (t *Trace) Hash() string {
	h := sha256.New()
	h.Write(headerLine(t.Header))
	writeRecords(h, t.Records)
	return hex.EncodeToString(h.Sum(nil))
}

// RecordsHash hashes the records only: two runs with equal RecordsHash had the same event sequence,
// whatever their headers say.
func (t *Trace) RecordsHash() string {
	h := sha256.New()
	writeRecords(h, t.Records)
	return hex.EncodeToString(h.Sum(nil))
}

func writeRecords(h interface{ Write([]byte) (int, error) }, recs []Record) {
	var buf []byte
	for _, r := range recs {
		buf = append(r.Append(buf[:0]), '\n')
		h.Write(buf)
	}
}

// FirstDifference compares two record sequences and returns the index of the first record that
// differs (or the length of the shorter one when one is a prefix of the other), and -1 when equal.
func FirstDifference(a, b []Record) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if !a[i].Equal(b[i]) {
			return i
		}
	}
	if len(a) != len(b) {
		return n
	}
	return -1
}

// Recorder appends records stamped with a clock (the kernel's virtual time in the simulator), and
// hashes each as it is added (Sum).
type Recorder struct {
	clock   func() time.Duration
	records []Record
	stream  *stream
}

// NewRecorder is an empty recorder reading the time from clock.
func NewRecorder(clock func() time.Duration) *Recorder {
	return &Recorder{clock: clock, stream: newStream()}
}

// Add appends one record.
func (r *Recorder) Add(party string, kind Kind, fields ...Field) {
	r.records = append(r.records, Record{Seq: len(r.records) + 1, At: r.clock(), Party: party, Kind: kind, Fields: fields})
	r.stream.add(&r.records[len(r.records)-1])
}

// Len is the number of records so far.
func (r *Recorder) Len() int { return len(r.records) }

// Records returns the records so far (the recorder's own slice: do not modify).
func (r *Recorder) Records() []Record { return r.records }
