package conformance

import (
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/realtime"
)

// Publication is one publish a host under test sent to the Sink.
type Publication struct {
	At   time.Time
	Path string
	// Hash is the PAY-3 hash of the body (the body itself carries secrets and is not kept).
	Hash string
	// Status is what the sink answered.
	Status int
}

// Sink plays the platform for a host under test (HOST rules): it takes every POST (MSG-1 to the
// front end's path, MSG-2 to any other), records the body's hash, and answers 200, or a failure
// status for the next publishes (FailNext), so that HOST-2 can see a failed publish reported.
type Sink struct {
	mu       sync.Mutex
	srv      *realtime.Server
	url      string
	pubs     []Publication
	failLeft int
	failWith int
}

// Listen serves the sink on addr and returns its base URL: configure the host's front end (and
// mesh) with it.
func (s *Sink) Listen(addr string) (string, error) {
	// Every publish is answered at once: the default limits fit.
	srv, err := realtime.Listen(addr, http.HandlerFunc(s.serve), httpbound.Limits{})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.srv, s.url = srv, srv.URL()
	s.mu.Unlock()
	srv.Start()
	return s.url, nil
}

// Close stops the sink.
func (s *Sink) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// FailNext answers the next n publishes with status.
func (s *Sink) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failWith = n, status
}

// Publications returns the publishes received at or after t.
func (s *Sink) Publications(t time.Time) []Publication {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Publication
	for _, p := range s.pubs {
		if !p.At.Before(t) {
			out = append(out, p)
		}
	}
	return out
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	p := Publication{At: time.Now(), Path: r.URL.Path, Hash: host.HashOf(body), Status: http.StatusOK}
	s.mu.Lock()
	if s.failLeft > 0 {
		s.failLeft--
		p.Status = s.failWith
	}
	s.pubs = append(s.pubs, p)
	s.mu.Unlock()
	w.WriteHeader(p.Status)
}
