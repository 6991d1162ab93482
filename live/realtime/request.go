package realtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
)

// HeaderFrom names the instance a publish comes from (the live runtime's hosts send it); a front
// end's records name it as the sender.
const HeaderFrom = "x-syncsim-from"

// MaxBody bounds a request body a reference server reads; a longer one is answered 413.
const MaxBody = 1 << 20

// maxAnswer bounds an answer's body a party reads (a payload fetched with MSG-3).
const maxAnswer = 4 << 20

// ReadBody reads a request body of at most MaxBody bytes; it answers 413 (too long) or 400 itself
// and reports false.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
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

// Headers flattens a request's headers as the step machines take them: one value per name, repeated
// values joined with commas.
func Headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// NewTransport is a party's own client transport, so that its stop can close the idle connections.
func NewTransport() *http.Transport {
	return &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
}

// Request is an HTTP request a party makes: Method at URL with Headers (one value a name) and Body,
// given up after Timeout.
type Request struct {
	Method, URL string
	Headers     map[string]string
	Body        []byte
	Timeout     time.Duration
}

// Answer is the answer to a Request: its status, its headers, and its body up to the bound Do was
// given.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

var (
	// ErrTimeout is Do's error when no answer came within the request's timeout, or before the
	// party's context ended.
	ErrTimeout = errors.New("realtime: no answer in time")
	// ErrBadRequest is Do's error for a request that could not be made (its URL or method).
	ErrBadRequest = errors.New("realtime: bad request")
)

// Do makes req with c and reads at most limit bytes of the answer's body. Its error says why no
// whole answer came: ErrTimeout, ErrBadRequest, or the transport's (a connection refused or cut);
// when only the body could not be read, the answer's status and headers are there still.
func Do(ctx context.Context, c *http.Client, req Request, limit int64) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, req.Timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	resp, err := c.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, ErrTimeout
		}
		return Answer{}, err
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, Header: resp.Header}
	a.Body, err = io.ReadAll(io.LimitReader(resp.Body, limit))
	return a, err
}

// Get is MSG-3 as a party makes it: a GET of url with headers that gives up after timeout (or when
// ctx ends). It returns the status (0 when no whole answer came), the body and the revision the
// answer names (mesh.RevisionHeader).
func Get(ctx context.Context, c *http.Client, url string, headers map[string]string, timeout time.Duration) (int, []byte, int) {
	a, err := Do(ctx, c, Request{Method: http.MethodGet, URL: url, Headers: headers, Timeout: timeout}, maxAnswer)
	if err != nil {
		return 0, nil, 0
	}
	rev, _ := strconv.Atoi(a.Header.Get(mesh.RevisionHeader))
	return a.Status, a.Body, rev
}

// Publish is MSG-1 or MSG-2 as a host makes it: s's request, with the revision header, that gives
// up after s.Timeout (or when ctx ends). The result's Err says why no answer came; an answer whose
// body was cut counts by its status.
func Publish(ctx context.Context, c *http.Client, s host.Send) host.HTTPResult {
	headers := make(map[string]string, len(s.Headers)+1)
	for k, v := range s.Headers {
		headers[k] = v
	}
	headers[mesh.RevisionHeader] = strconv.Itoa(s.Revision)
	a, err := Do(ctx, c, Request{Method: s.Method, URL: s.URL, Headers: headers, Body: s.Body, Timeout: s.Timeout}, MaxBody)
	switch {
	case a.Status != 0:
		return host.HTTPResult{Status: a.Status}
	case errors.Is(err, ErrTimeout):
		return host.HTTPResult{Err: "timeout after " + s.Timeout.String()}
	case errors.Is(err, ErrBadRequest):
		return host.HTTPResult{Err: "bad request URL"}
	}
	return host.HTTPResult{Err: "connection failed"}
}
