package mesh

import (
	"sort"
	"time"
)

// Entry is what the platform holds for one site.
type Entry struct {
	// Body is the payload; it carries secrets and is never written to a trace or report (PAY-4).
	Body     []byte
	Hash     string
	Revision int
	// Via says which path wrote it: "frontend" (MSG-1) or "mesh" (MSG-3 fetch).
	Via string
	At  time.Time
	// Writes counts the writes so far, this one included.
	Writes int
}

// Store is the platform store: the last payload per site. Both the front end and the mesh write it.
type Store struct {
	entries map[string]Entry
	// Seams are the decisions a planted defect may replace; the zero value is the reference store.
	Seams StoreSeams
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{entries: map[string]Entry{}} }

// Put records a payload for a site and returns the entry as stored.
func (s *Store) Put(now time.Time, site string, body []byte, hash string, revision int, via string) Entry {
	prev := s.entries[site]
	e := Entry{Body: append([]byte(nil), body...), Hash: hash, Revision: revision, Via: via, At: now, Writes: prev.Writes + 1}
	if !s.Seams.withReference().Keeps(prev, e) {
		// Acknowledged with the new entry, the old one kept (its write count advances).
		prev.Writes = e.Writes
		s.entries[site] = prev
		return e
	}
	s.entries[site] = e
	return e
}

// Get returns a site's entry.
func (s *Store) Get(site string) (Entry, bool) {
	e, ok := s.entries[site]
	return e, ok
}

// Sites lists the sites with an entry, sorted.
func (s *Store) Sites() []string {
	out := make([]string, 0, len(s.entries))
	for k := range s.entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
