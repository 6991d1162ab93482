package meshhttp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/realtime"
)

// MaxBody bounds a request body; a longer one is answered 413.
const MaxBody = realtime.MaxBody

// base is what both servers share: the platform (the lock that serializes the step machine, the
// goroutines and timers stop waits for, the store and the machine's interpreter), the log and the
// data file.
type base struct {
	*realtime.Platform

	// site is the site whose entry Stored reads; name is the server's in its log lines.
	site, name string

	logMu sync.Mutex
	log   io.Writer

	// db is the data file (nil: in memory); writesBase is the platform store's write count before
	// this process (the store counts from 1 again after a restart).
	db         *durable
	writesBase int
}

func newBase(log io.Writer, site, name string) base {
	if log == nil {
		log = io.Discard
	}
	return base{Platform: realtime.NewPlatform(realtime.NewParty(), mesh.NewStore()), site: site, name: name, log: log}
}

// finish waits for the server's goroutines and closes the data file.
func (b *base) finish() {
	b.Wait()
	b.Lock()
	defer b.Unlock()
	if err := b.db.close(); err != nil {
		b.logf("%s: closing the data file: %v", b.name, err)
	}
	b.db = nil
}

// Stored returns the platform store's entry for the site.
func (b *base) Stored() (mesh.Entry, bool) {
	b.Lock()
	defer b.Unlock()
	return b.Store().Get(b.site)
}

// handle serves a request: 500 with err when the server could not start, 503 ("name stopping") once
// it is stopping, GET /status with status() (405 for another method); any other request goes to
// route, counted among the handlers stop waits for.
func (b *base) handle(w http.ResponseWriter, r *http.Request, err error, name string, status func() any, route func()) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if !b.Enter() {
		http.Error(w, name+" stopping", http.StatusServiceUnavailable)
		return
	}
	defer b.Leave()
	if r.URL.Path != "/status" {
		route()
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(status())
}

// logf writes one log line. Callers never pass a token, key or payload body (PAY-4).
func (b *base) logf(format string, args ...any) {
	b.logMu.Lock()
	defer b.logMu.Unlock()
	fmt.Fprintf(b.log, time.Now().UTC().Format("15:04:05.000")+" "+format+"\n", args...)
}

// serve listens on addr and serves h within limits (httpbound: timeouts and a bound on the
// connections); stop runs shut, closes the listener and every connection, then runs finish
// (which waits for the server's goroutines). stop is idempotent. Every handler of the mesh and the
// front end answers within seconds (the planted slow-accept's 6 s is the longest), so the default
// write timeout fits them.
func serve(addr string, h http.Handler, limits httpbound.Limits, shut func(), finish func()) (string, func() error, error) {
	srv, err := realtime.Listen(addr, h, limits)
	if err != nil {
		return "", nil, err
	}
	srv.Start()
	return srv.URL(), srv.Stop(shut, func() error { finish(); return nil }), nil
}
