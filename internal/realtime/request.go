package realtime

import (
	"bytes"
	"context"
	"errors"
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

// Get is MSG-3 as a party makes it: a GET of url with headers that gives up after timeout (or when
// ctx ends). It returns the status (0 when no whole answer came), the body and the revision the
// answer names (mesh.RevisionHeader).
func Get(ctx context.Context, c *http.Client, url string, headers map[string]string, timeout time.Duration) (int, []byte, int) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, 0
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, 0
	}
	rev, _ := strconv.Atoi(resp.Header.Get(mesh.RevisionHeader))
	return resp.StatusCode, body, rev
}

// Publish is MSG-1 or MSG-2 as a host makes it: s's request, with the revision header, that gives
// up after s.Timeout (or when ctx ends). The result's Err says why no answer came.
func Publish(ctx context.Context, c *http.Client, s host.Send) host.HTTPResult {
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, s.Method, s.URL, bytes.NewReader(s.Body))
	if err != nil {
		return host.HTTPResult{Err: "bad request URL"}
	}
	for k, v := range s.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set(mesh.RevisionHeader, strconv.Itoa(s.Revision))
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return host.HTTPResult{Err: "timeout after " + s.Timeout.String()}
		}
		return host.HTTPResult{Err: "connection failed"}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBody))
	resp.Body.Close()
	return host.HTTPResult{Status: resp.StatusCode}
}
