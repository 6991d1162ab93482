package httpbound

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/internal/httpbound/boundtest"
)

// short are test limits: a held connection is cut within a second, four are served at once.
var short = Limits{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 5 * time.Second,
	Idle: 400 * time.Millisecond, MaxConns: 4}

// generous bounds every wait for an outcome; no test asserts how fast anything happens.
const generous = 30 * time.Second

// echo answers "ok" after reading the body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	io.WriteString(w, "ok")
})

func start(t *testing.T, h http.Handler, l Limits) (string, *listener) {
	t.Helper()
	srv, ln, err := Listen("127.0.0.1:0", h, l)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String(), ln.(*listener)
}

// get is another, well-behaved client: a fresh connection, a generous timeout.
func get(addr string) (int, string, error) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: generous}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// More held connections than the bound, of every kind, do not keep another client from being
// served, the server never holds more than MaxConns of them, and it closes every one after its
// timeout.
func TestHeldConnectionsDoNotStarveAClient(t *testing.T) {
	const held = 12 // three times the bound
	for _, kind := range boundtest.Kinds {
		t.Run(kind.String(), func(t *testing.T) {
			addr, ln := start(t, echo, short)
			conns, err := boundtest.Hold(addr, kind, held, "POST / HTTP/1.1\r\n")
			if err != nil {
				t.Fatal(err)
			}
			defer boundtest.CloseAll(conns)
			status, body, err := get(addr)
			if err != nil || status != 200 || body != "ok" {
				t.Fatalf("another client: %d %q %v, want 200 ok", status, body, err)
			}
			if n := boundtest.Closed(conns, generous); n != held {
				t.Errorf("the server closed %d of %d held connections", n, held)
			}
			ln.mu.Lock()
			peak := ln.peak
			ln.mu.Unlock()
			if peak > short.MaxConns {
				t.Errorf("%d connections served at once, bound %d", peak, short.MaxConns)
			}
		})
	}
}

// At the bound, a new connection makes the server close the connection idle the longest at once,
// well before its idle timeout (a minute here), and the new client is served.
func TestIdleConnectionClosedToMakeRoom(t *testing.T) {
	l := short
	l.Idle = time.Minute
	addr, ln := start(t, echo, l)
	// One at a time, each idle on the server before the next is opened: the server learns a
	// connection is idle after the client has its answer, so the order must be waited for.
	var conns []net.Conn
	defer func() { boundtest.CloseAll(conns) }()
	for i := range l.MaxConns {
		c, err := boundtest.Hold(addr, boundtest.Idle, 1, "GET / HTTP/1.1\r\n")
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c...)
		if !waitIdle(ln, i+1, generous) {
			t.Fatalf("the server never saw %d idle connections", i+1)
		}
	}
	if status, _, err := get(addr); err != nil || status != 200 {
		t.Fatalf("a client beyond the bound: %d %v, want 200", status, err)
	}
	// Only the first (longest idle) connection was closed; the idle timeout is far away.
	if n := boundtest.Closed(conns[:1], generous); n != 1 {
		t.Error("the longest-idle connection is still open")
	}
	if n := boundtest.Closed(conns[1:], 200*time.Millisecond); n != 0 {
		t.Errorf("%d other idle connections closed, want none", n)
	}
}

// Closing the server wakes an Accept that waits for a slot, so Serve returns.
func TestCloseWhileAcceptWaits(t *testing.T) {
	l := short
	l.MaxConns = 1
	l.ReadHeader, l.Read = time.Minute, time.Minute
	srv, ln, err := Listen("127.0.0.1:0", echo, l)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	conns, err := boundtest.Hold(ln.Addr().String(), boundtest.Silent, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	defer boundtest.CloseAll(conns)
	srv.Close()
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v, want ErrServerClosed", err)
		}
	case <-time.After(generous):
		t.Fatal("Serve did not return after Close")
	}
}

// A hijacked connection can still be reset: the wrapper forwards SetLinger.
func TestHijackedConnectionSetLinger(t *testing.T) {
	addr, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if l, ok := c.(interface{ SetLinger(int) error }); !ok || l.SetLinger(0) != nil {
			io.WriteString(c, "HTTP/1.1 500 no SetLinger\r\nContent-Length: 0\r\n\r\n")
		}
		c.Close()
	}), short)
	c, err := net.DialTimeout("tcp", addr, generous)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(generous))
	b, err := io.ReadAll(c)
	if len(b) != 0 {
		t.Fatalf("got %q, want a reset connection", b)
	}
	if err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("read: %v, want a connection reset", err)
	}
}

func TestLimits(t *testing.T) {
	d := Limits{}.WithDefaults()
	if d.ReadHeader != DefaultReadHeader || d.Read != DefaultRead || d.Write != DefaultWrite || d.Idle != DefaultIdle ||
		d.MaxConns < MinDefaultConns || d.MaxConns > MaxDefaultConns {
		t.Errorf("defaults %+v", d)
	}
	if got := (Limits{ReadHeader: time.Minute, Read: time.Second}).WithDefaults().Read; got != time.Minute {
		t.Errorf("Read below ReadHeader: %s, want it raised to 1m", got)
	}
	if got := (Limits{Write: time.Second}).AtLeastWrite(time.Minute).Write; got != time.Minute {
		t.Errorf("AtLeastWrite: %s, want 1m", got)
	}
	tests := []struct {
		l    Limits
		want string
	}{
		{Limits{}, ""},
		{Limits{Read: -time.Second}, "--read-timeout"},
		{Limits{ReadHeader: -1}, "--read-header-timeout"},
		{Limits{Write: -1}, "--write-timeout"},
		{Limits{Idle: -1}, "--idle-timeout"},
		{Limits{MaxConns: -3}, "--max-conns"},
	}
	for _, tt := range tests {
		err := tt.l.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.l, err)
		case tt.want != "" && (!errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: %v, want ErrLimit naming %s", tt.l, err, tt.want)
		}
	}
	if _, _, err := Listen("127.0.0.1:0", echo, Limits{MaxConns: -1}); !errors.Is(err, ErrLimit) {
		t.Errorf("Listen with a negative bound: %v", err)
	}
}

// waitIdle waits up to within for the listener to count n idle connections.
func waitIdle(ln *listener, n int, within time.Duration) bool {
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(time.Millisecond) {
		ln.mu.Lock()
		got := len(ln.idle)
		ln.mu.Unlock()
		if got >= n {
			return true
		}
	}
	return false
}
