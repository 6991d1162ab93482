package load

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
)

// fetchSite is the site's admin API as the load run plays it: it answers every MSG-3 fetch with 200
// and a fixed payload and records when each started and whether its TOK-4 token was valid (MESH-3).
type fetchSite struct {
	site host.Site
	key  []byte
	url  string
	srv  *http.Server
	done chan struct{}

	mu       sync.Mutex
	starts   []time.Time
	badToken int
	arrived  chan struct{}
}

func startSite(addr string, site host.Site) (*fetchSite, error) {
	key, err := host.ParseKey(site.EncryptionKey)
	if err != nil {
		return nil, err
	}
	s := &fetchSite{site: site, key: key, done: make(chan struct{}), arrived: make(chan struct{}, 1)}
	// Every fetch is answered at once: the default limits fit.
	srv, ln, err := httpbound.Listen(addr, s, httpbound.Limits{})
	if err != nil {
		return nil, err
	}
	s.srv, s.url = srv, "http://"+ln.Addr().String()
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return
		}
	}()
	return s, nil
}

func (s *fetchSite) stop() {
	s.srv.Close()
	<-s.done
}

func (s *fetchSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if r.Method != http.MethodGet || r.URL.Path != host.PathTriggers {
		http.NotFound(w, r)
		return
	}
	tok := host.TokenFromHeaders(map[string]string{"x-ms-site-token": r.Header.Get("x-ms-site-token"),
		"Authorization": r.Header.Get("Authorization")})
	c, err := host.ValidateHostToken(s.key, s.site.Name, tok, at)
	valid := err == nil && c.Platform
	s.mu.Lock()
	s.starts = append(s.starts, at)
	if !valid {
		s.badToken++
	}
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	if !valid {
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte(`{"triggers":[],"hostId":"` + s.site.HostID + `"}`))
}

func (s *fetchSite) counts() (fetches, badToken int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.starts), s.badToken
}

func (s *fetchSite) after(t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, at := range s.starts {
		if at.After(t) {
			n++
		}
	}
	return n
}

// waitAfter waits up to d for a fetch that started after t and returns how many did.
func (s *fetchSite) waitAfter(ctx context.Context, t time.Time, d time.Duration) int {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		if n := s.after(t); n > 0 {
			return n
		}
		select {
		case <-s.arrived:
		case <-timer.C:
			return s.after(t)
		case <-ctx.Done():
			return s.after(t)
		}
	}
}
