package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
)

// stream is the Recorder's incremental SHA-256: each record is rendered and hashed once, as it is
// added, exactly as Trace.RecordsHash (or, after HashHeader, Trace.Hash) hashes it. So a run's hash
// costs no second pass over its records.
type stream struct {
	h   hash.Hash
	buf []byte
}

func newStream() *stream { return &stream{h: sha256.New()} }

func (s *stream) add(r *Record) {
	s.buf = append(r.Append(s.buf[:0]), '\n')
	s.h.Write(s.buf)
}

// headerLine is the line Trace.Hash hashes before the records.
func headerLine(h Header) []byte {
	return []byte(strconv.Itoa(h.Format) + "|" + h.Scenario + "|" + h.ScenarioSHA256 + "|" + h.Mode + "|" +
		strconv.FormatUint(h.Seed, 10) + "\n")
}

// HashHeader makes Sum hash the header first, as Trace.Hash does, so that Sum equals the Hash of a
// Trace with this header and the recorder's records. Call it before the first record; after one it
// is a programmer error.
func (r *Recorder) HashHeader(h Header) {
	if len(r.records) > 0 {
		panic("trace: HashHeader after the first record")
	}
	r.stream.h.Write(headerLine(h))
}

// Sum is the hex SHA-256 of the records so far, fed as they were added: Trace.RecordsHash of them, or
// Trace.Hash with the header given to HashHeader. It reads the records' state when they were added:
// a record changed afterwards through Records is not seen (nothing may change them).
func (r *Recorder) Sum() string { return hex.EncodeToString(r.stream.h.Sum(nil)) }
