package live

import (
	"sync"
	"time"

	"github.com/syncsim/syncsim/trace"
)

// recorder is the live trace: records stamped with scenario time (real elapsed time divided by the
// time scale), safe for concurrent use. Records keep the order in which they were added.
type recorder struct {
	mu      sync.Mutex
	start   time.Time
	scale   float64
	records []trace.Record
}

func newRecorder(scale float64) *recorder { return &recorder{start: time.Now(), scale: scale} }

// elapsed is the scenario time now.
func (r *recorder) elapsed() time.Duration {
	return time.Duration(float64(time.Since(r.start)) / r.scale)
}

// put appends one record of e by party.
func (r *recorder) put(party string, e trace.Event) { r.add(party, e.Kind, e.Fields...) }

func (r *recorder) add(party string, kind trace.Kind, fields ...trace.Field) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at := r.elapsed()
	if n := len(r.records); n > 0 && at < r.records[n-1].At {
		at = r.records[n-1].At
	}
	r.records = append(r.records, trace.Record{Seq: len(r.records) + 1, At: at, Party: party, Kind: kind, Fields: fields})
}

func (r *recorder) snapshot() []trace.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]trace.Record(nil), r.records...)
}
