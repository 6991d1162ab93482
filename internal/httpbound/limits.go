package httpbound

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// The default limits. A request body here is at most a few MiB on a loopback or data-centre link,
// so 30 s to read a whole request is generous; handlers answer within seconds, except where a
// server raises Write for a legitimately long answer (MSG-4's 30 s wait, a held fetch).
const (
	DefaultReadHeader = 10 * time.Second
	DefaultRead       = 30 * time.Second
	DefaultWrite      = 60 * time.Second
	DefaultIdle       = 60 * time.Second
)

// Bounds of the default connection count, which is a quarter of the process's open-file limit:
// a process may run several servers (serve host starts a front end or a mesh too) and needs
// descriptors for its own outgoing requests and files.
const (
	MinDefaultConns = 16
	MaxDefaultConns = 512
)

// ErrLimit is the error of an invalid limit (a flag or field out of range).
var ErrLimit = errors.New("httpbound: invalid limit")

// Limits bounds one HTTP server. A zero field takes its default.
type Limits struct {
	// ReadHeader bounds reading a request's header, from the connection's first byte or the end of
	// the previous request: a slowloris header is cut after it (net/http's ReadHeaderTimeout).
	ReadHeader time.Duration
	// Read bounds reading a whole request, header and body: a slow body is cut after it
	// (ReadTimeout). It does not bound the handler: net/http clears the read deadline once the
	// body has been read.
	Read time.Duration
	// Write bounds a request from the end of its header to the end of its answer, so it must
	// exceed the longest legitimate handler (WriteTimeout).
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next request (IdleTimeout).
	Idle time.Duration
	// MaxConns bounds the connections served at once; zero means DefaultConns().
	MaxConns int
}

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&l.ReadHeader, DefaultReadHeader)
	def(&l.Read, DefaultRead)
	def(&l.Write, DefaultWrite)
	def(&l.Idle, DefaultIdle)
	if l.MaxConns == 0 {
		l.MaxConns = DefaultConns()
	}
	// A header is part of the request: ReadTimeout covers it too.
	l.Read = max(l.Read, l.ReadHeader)
	return l
}

// Validate reports a negative limit, naming the flag that sets it.
func (l Limits) Validate() error {
	for _, f := range []struct {
		flag string
		v    time.Duration
	}{{"--read-header-timeout", l.ReadHeader}, {"--read-timeout", l.Read}, {"--write-timeout", l.Write}, {"--idle-timeout", l.Idle}} {
		if f.v < 0 {
			return fmt.Errorf("%w: %s %s is negative (fix: a positive duration such as 30s, or 0 for the default)", ErrLimit, f.flag, f.v)
		}
	}
	if l.MaxConns < 0 {
		return fmt.Errorf("%w: --max-conns %d is negative (fix: a positive count, or 0 for the default %d)", ErrLimit, l.MaxConns, DefaultConns())
	}
	return nil
}

// AtLeastWrite returns l with Write raised to at least d (after defaults): for a server whose
// handlers legitimately answer late.
func (l Limits) AtLeastWrite(d time.Duration) Limits {
	l = l.WithDefaults()
	l.Write = max(l.Write, d)
	return l
}

// DefaultConns is the default MaxConns: a quarter of the open-file limit, between
// MinDefaultConns and MaxDefaultConns (MaxDefaultConns where the limit cannot be read).
func DefaultConns() int {
	n, ok := openFileLimit()
	if !ok {
		return MaxDefaultConns
	}
	return int(min(max(n/4, MinDefaultConns), MaxDefaultConns))
}

// Server returns an http.Server for h with l's timeouts (ConnState is left for Listen to set).
func (l Limits) Server(h http.Handler) *http.Server {
	l = l.WithDefaults()
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read,
		WriteTimeout: l.Write, IdleTimeout: l.Idle}
}
