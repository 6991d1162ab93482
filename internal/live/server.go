package live

import (
	"net/http"
	"time"

	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/internal/realtime"
)

// server is one party's HTTP server on a free loopback port.
type server struct {
	srv *realtime.Server
	url string
}

// liveLimits bound every live party's server. The write timeout covers the longest answer a live
// party holds: the router passes MSG-4 through to a host that waits AdminWait (30 s, scaled by
// --time-scale) for its start, so 2 min allows a time scale of up to 3.
var liveLimits = httpbound.Limits{Write: 2 * time.Minute}

func listen(h http.Handler) (*server, error) {
	srv, err := realtime.Listen("127.0.0.1:0", h, liveLimits)
	if err != nil {
		return nil, err
	}
	srv.Start()
	return &server{srv: srv, url: srv.URL()}, nil
}

// close stops the server at once: the listener refuses connections and open ones are cut, as a
// deleted instance's would be. It returns when the server's accept loop did.
func (s *server) close() { s.srv.Close() }

func (r *run) addServer(s *server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.servers = append(r.servers, s)
}
