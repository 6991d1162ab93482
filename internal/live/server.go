package live

import (
	"net"
	"net/http"
	"time"

	"github.com/syncsim/syncsim/internal/httpbound"
)

// server is one party's HTTP server on a free loopback port.
type server struct {
	srv *http.Server
	ln  net.Listener
	url string
	// served is closed when Serve returned.
	served chan struct{}
}

// liveLimits bound every live party's server. The write timeout covers the longest answer a live
// party holds: the router passes MSG-4 through to a host that waits AdminWait (30 s, scaled by
// --time-scale) for its start, so 2 min allows a time scale of up to 3.
var liveLimits = httpbound.Limits{Write: 2 * time.Minute}

func listen(h http.Handler) (*server, error) {
	srv, ln, err := httpbound.Listen("127.0.0.1:0", h, liveLimits)
	if err != nil {
		return nil, err
	}
	s := &server{ln: ln, url: "http://" + ln.Addr().String(), srv: srv, served: make(chan struct{})}
	go func() {
		defer close(s.served)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// close stops the server at once: the listener refuses connections and open ones are cut, as a
// deleted instance's would be. It returns when the server's accept loop did.
func (s *server) close() {
	s.srv.Close()
	<-s.served
}

func (r *run) addServer(s *server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.servers = append(r.servers, s)
}
