package httpbound

import (
	"net"
	"net/http"
	"sync"
)

// Listen listens on addr (TCP) and returns a server for h with l's timeouts and a listener that
// serves at most l.MaxConns connections at once. Serve the server on the listener; closing the
// server closes the listener.
func Listen(addr string, h http.Handler, l Limits) (*http.Server, net.Listener, error) {
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		return nil, nil, err
	}
	inner, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := l.Server(h)
	ln := newListener(inner, l.MaxConns)
	srv.ConnState = ln.track
	return srv, ln, nil
}

// listener is a net.Listener that hands out at most cap(slots) connections at once. Accept takes
// the next connection from the kernel first and then waits for a slot, so at most one connection
// beyond the bound holds a descriptor; while it waits, the longest-idle keep-alive connection is
// closed to make room (net/http's IdleTimeout would close it later anyway).
type listener struct {
	net.Listener
	slots   chan struct{}
	done    chan struct{}
	once    sync.Once
	idleNow chan struct{} // signalled when a connection turns idle

	mu sync.Mutex
	// idle maps each idle keep-alive connection to the order in which it turned idle (a counter, so
	// that two connections turning idle within the clock's resolution are still ordered).
	idle     map[*conn]uint64
	idleTurn uint64
	peak     int // most connections held at once (tests read it)
}

func newListener(inner net.Listener, maxConns int) *listener {
	return &listener{Listener: inner, slots: make(chan struct{}, maxConns), done: make(chan struct{}),
		idleNow: make(chan struct{}, 1), idle: map[*conn]uint64{}}
}

// Accept returns the next connection once a slot is free.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case l.slots <- struct{}{}:
			l.mu.Lock()
			l.peak = max(l.peak, len(l.slots))
			l.mu.Unlock()
			return &conn{Conn: c, l: l}, nil
		default:
		}
		l.closeLongestIdle()
		select {
		case l.slots <- struct{}{}:
			l.mu.Lock()
			l.peak = max(l.peak, len(l.slots))
			l.mu.Unlock()
			return &conn{Conn: c, l: l}, nil
		case <-l.idleNow:
			// A connection turned idle: loop to close it.
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// Close closes the listener and wakes an Accept that waits for a slot.
func (l *listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// closeLongestIdle closes the connection idle the longest, if any.
func (l *listener) closeLongestIdle() {
	l.mu.Lock()
	var oldest *conn
	var since uint64
	for c, turn := range l.idle {
		if oldest == nil || turn < since {
			oldest, since = c, turn
		}
	}
	if oldest != nil {
		delete(l.idle, oldest)
	}
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// track is the server's ConnState hook: it keeps the set of idle connections.
func (l *listener) track(nc net.Conn, state http.ConnState) {
	c, ok := nc.(*conn)
	if !ok {
		return
	}
	l.mu.Lock()
	if state == http.StateIdle {
		l.idleTurn++
		l.idle[c] = l.idleTurn
	} else {
		delete(l.idle, c)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		select {
		case l.idleNow <- struct{}{}:
		default:
		}
	}
}

// conn frees its slot when closed (by the server, by closeLongestIdle, or by a handler that
// hijacked it).
type conn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}

// SetLinger forwards to the TCP connection, so that a handler that hijacks a connection can still
// reset it (SO_LINGER 0) rather than close it gracefully.
func (c *conn) SetLinger(sec int) error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.SetLinger(sec)
	}
	return nil
}
