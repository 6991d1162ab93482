package meshhttp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/internal/httpbound"
)

// MaxBody bounds a request body; a longer one is answered 413.
const MaxBody = 1 << 20

// base is what both servers share: the lock that serializes the step machine, the goroutines and
// timers stop waits for, and the log.
type base struct {
	mu     sync.Mutex
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup

	logMu sync.Mutex
	log   io.Writer

	// db is the data file (nil: in memory); writesBase is the platform store's write count before
	// this process (the store counts from 1 again after a restart).
	db         *durable
	writesBase int
}

func newBase(log io.Writer) base {
	if log == nil {
		log = io.Discard
	}
	return base{done: make(chan struct{}), log: log}
}

// logf writes one log line. Callers never pass a token, key or payload body (PAY-4).
func (b *base) logf(format string, args ...any) {
	b.logMu.Lock()
	defer b.logMu.Unlock()
	fmt.Fprintf(b.log, time.Now().UTC().Format("15:04:05.000")+" "+format+"\n", args...)
}

// enter registers a request handler with stop; false once the server is closed.
func (b *base) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	return true
}

// spawnLocked runs fn on a goroutine that stop waits for; b.mu is held.
func (b *base) spawnLocked(fn func()) {
	if b.closed {
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
}

// markClosed refuses new work and wakes every waiting handler; extra runs under the lock.
func (b *base) markClosed(extra func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	close(b.done)
	if extra != nil {
		extra()
	}
}

// serve listens on addr and serves h within limits (httpbound: timeouts and a bound on the
// connections); stop runs beginClose, closes the listener and every connection, then runs finish
// (which waits for the server's goroutines). stop is idempotent. Every handler of the mesh and the
// front end answers within seconds (the planted slow-accept's 6 s is the longest), so the default
// write timeout fits them.
func serve(addr string, h http.Handler, limits httpbound.Limits, beginClose func(), finish func()) (string, func() error, error) {
	srv, ln, err := httpbound.Listen(addr, h, limits)
	if err != nil {
		return "", nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			beginClose()
			stopErr = srv.Close()
			if err := <-served; !errors.Is(err, http.ErrServerClosed) && stopErr == nil {
				stopErr = err
			}
			finish()
		})
		return stopErr
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// readBody reads a request body of at most MaxBody bytes; it answers 413 (too long) or 400 itself
// and reports false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLong *http.MaxBytesError
		if errors.As(err, &tooLong) {
			http.Error(w, "request body over 1 MiB", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
		}
		return nil, false
	}
	return body, true
}

// headersOf flattens a request's headers as the step machines take them.
func headersOf(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// newTransport is a server's own client transport, so that stop can close its idle connections.
func newTransport() *http.Transport {
	return &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
}
