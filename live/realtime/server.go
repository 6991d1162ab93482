package realtime

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/syncsim/syncsim/internal/httpbound"
)

// Server is one party's HTTP server on its own listener, bounded by package httpbound (timeouts and
// a bound on the connections served at once). Its accept loop is a goroutine Close waits for.
type Server struct {
	srv *http.Server
	ln  net.Listener
	url string
	// served gets Serve's error once its loop returned; nil until Start.
	served chan error

	once    sync.Once
	stopErr error
}

// Listen listens on addr ("127.0.0.1:0" picks a free port) for h within limits. Connections wait in
// the kernel's queue until Start.
func Listen(addr string, h http.Handler, limits httpbound.Limits) (*Server, error) {
	srv, ln, err := httpbound.Listen(addr, h, limits)
	if err != nil {
		return nil, err
	}
	return &Server{srv: srv, ln: ln, url: "http://" + ln.Addr().String()}, nil
}

// Serve listens on addr for h within limits and serves at once (Listen, then Start): a server whose
// owner needs nothing of it before its first request.
func Serve(addr string, h http.Handler, limits httpbound.Limits) (*Server, error) {
	s, err := Listen(addr, h, limits)
	if err != nil {
		return nil, err
	}
	s.Start()
	return s, nil
}

// URL is the server's base URL, "http://127.0.0.1:port".
func (s *Server) URL() string { return s.url }

// Addr is the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Start serves the connections.
func (s *Server) Start() {
	s.served = make(chan error, 1)
	go func() { s.served <- s.srv.Serve(s.ln) }()
}

// Close stops the server at once: the listener refuses connections and open ones are cut (as a
// deleted instance's would be). It returns when the accept loop did, with the error that stopped it
// (nil for a Close). Close and Shutdown share one stop: later calls of either return the first
// one's error.
func (s *Server) Close() error { return s.stop(s.srv.Close) }

// Shutdown stops the server gracefully: the listener refuses connections, idle ones close, and the
// requests in flight get up to grace to finish before Shutdown gives up on them (net/http's
// Shutdown). It returns as Close does.
func (s *Server) Shutdown(grace time.Duration) error {
	return s.stop(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		return s.srv.Shutdown(ctx)
	})
}

// stop halts the server once and waits for its accept loop.
func (s *Server) stop(halt func() error) error {
	s.once.Do(func() {
		if s.served == nil {
			s.stopErr = s.ln.Close()
			return
		}
		s.stopErr = halt()
		if err := <-s.served; !errors.Is(err, http.ErrServerClosed) && s.stopErr == nil {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// SetKeepAlivesEnabled is net/http's: false serves one request per connection (a harness's site
// whose reset connection must never be a reused one). Call it before Start.
func (s *Server) SetKeepAlivesEnabled(v bool) { s.srv.SetKeepAlivesEnabled(v) }

// Stop is the stop of a party s serves: shut refuses new work and stops its timers, Close cuts the
// connections, then finish waits for the party's goroutines and releases what it holds. The first
// error is returned; the stop is idempotent.
func (s *Server) Stop(shut func(), finish func() error) func() error {
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			shut()
			err = s.Close()
			if ferr := finish(); ferr != nil && err == nil {
				err = ferr
			}
		})
		return err
	}
}
