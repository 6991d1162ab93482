// Package boundtest plays abusive HTTP clients against a server, for the tests that show a server
// bounded by package httpbound: connections held idle after a keep-alive request, headers sent a
// few bytes at a time and never finished (slowloris), bodies that stop short of their
// Content-Length, and connections that send nothing. Hold opens them; Closed waits for the server
// to close them.
//
//	conns, err := boundtest.Hold(addr, boundtest.SlowBody, 20, "POST / HTTP/1.1\r\n")
//	if err != nil { ... }
//	defer boundtest.CloseAll(conns)
//	// ... another client must still be served ...
//	if n := boundtest.Closed(conns, 30*time.Second); n != len(conns) { ... }
package boundtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Kind is a way of holding a connection.
type Kind int

// The kinds of held connection.
const (
	// Idle sends one complete request (Head plus an empty line), reads the answer and keeps the
	// connection open: a keep-alive connection the server must close after its idle timeout.
	Idle Kind = iota
	// SlowHeader sends Head without the empty line that ends a header: cut by the header timeout.
	SlowHeader
	// SlowBody sends Head, a Content-Length of 1000 and 10 bytes of body: cut by the read timeout.
	SlowBody
	// Silent connects and sends nothing: cut by the header timeout.
	Silent
)

// Kinds lists every kind, in order.
var Kinds = []Kind{Idle, SlowHeader, SlowBody, Silent}

func (k Kind) String() string {
	switch k {
	case Idle:
		return "idle keep-alive"
	case SlowHeader:
		return "slow header"
	case SlowBody:
		return "slow body"
	case Silent:
		return "silent"
	}
	return fmt.Sprintf("kind %d", int(k))
}

// dialTimeout bounds each connect; answerTimeout bounds waiting for an Idle request's answer.
const (
	dialTimeout   = 5 * time.Second
	answerTimeout = 30 * time.Second
)

// Hold opens n connections of kind to addr (host:port) and returns them in their held state. head
// is the request line and any headers, each ending in CRLF ("POST / HTTP/1.1\r\n"); Hold adds the
// Host header. An Idle connection that the server closes to make room for a later one is still
// returned (Closed counts it as closed).
func Hold(addr string, kind Kind, n int, head string) ([]net.Conn, error) {
	var conns []net.Conn
	for range n {
		c, err := net.DialTimeout("tcp", addr, dialTimeout)
		if err != nil {
			CloseAll(conns)
			return nil, fmt.Errorf("boundtest: dial %s: %w", addr, err)
		}
		conns = append(conns, c)
		if err := hold(c, kind, head+"Host: "+addr+"\r\n"); err != nil {
			CloseAll(conns)
			return nil, fmt.Errorf("boundtest: %s: %w", kind, err)
		}
	}
	return conns, nil
}

func hold(c net.Conn, kind Kind, head string) error {
	switch kind {
	case Silent:
		return nil
	case SlowHeader:
		_, err := io.WriteString(c, head+"X-Slow: a")
		return err
	case SlowBody:
		_, err := io.WriteString(c, head+"Content-Length: 1000\r\n\r\n0123456789")
		return err
	}
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		return err
	}
	c.SetReadDeadline(time.Now().Add(answerTimeout))
	defer c.SetReadDeadline(time.Time{})
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return fmt.Errorf("no answer to the request: %w", err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.Close {
		return errors.New("the server closed a keep-alive connection after its answer")
	}
	return err
}

// Closed waits up to within for the server to close each connection (a read ends in EOF or a
// reset rather than in the deadline) and returns how many it closed. Bytes the server sends first
// (an answer to a cut request) are read and ignored.
func Closed(conns []net.Conn, within time.Duration) int {
	deadline := time.Now().Add(within)
	var mu sync.Mutex
	var wg sync.WaitGroup
	closed := 0
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(deadline)
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			mu.Lock()
			closed++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return closed
}

// CloseAll closes every connection (the client's side).
func CloseAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}
