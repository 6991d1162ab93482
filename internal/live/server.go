package live

import (
	"net"
	"net/http"
	"time"
)

// server is one party's HTTP server on a free loopback port.
type server struct {
	srv *http.Server
	ln  net.Listener
	url string
}

func listen(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{ln: ln, url: "http://" + ln.Addr().String(),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// close stops the server at once: the listener refuses connections and open ones are cut, as a
// deleted instance's would be.
func (s *server) close() { s.srv.Close() }

func (r *run) addServer(s *server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.servers = append(r.servers, s)
}
