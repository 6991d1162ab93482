package realtime

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
)

// Do carries the request's method, headers and body and reads the answer within its bound; a server
// that answers too late is ErrTimeout, a bad URL ErrBadRequest, a refused connection the transport's
// error. Publish turns them into the host's results (MSG-1, MSG-2).
func TestDo(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
			return
		}
		w.Header().Set("x-echo", r.Method+"|"+r.Header.Get("x-in")+"|"+r.Header.Get(mesh.RevisionHeader))
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("0123456789"))
	}))
	defer srv.Close()
	defer close(release)
	c := srv.Client()
	ctx := context.Background()

	a, err := Do(ctx, c, Request{Method: "POST", URL: srv.URL + "/", Headers: map[string]string{"x-in": "v"}, Body: []byte("b"), Timeout: 5 * time.Second}, 4)
	if err != nil || a.Status != http.StatusAccepted || string(a.Body) != "0123" || a.Header.Get("x-echo") != "POST|v|" {
		t.Fatalf("Do = %d %q %q, %v; want 202, the body cut to 4 bytes, the headers echoed", a.Status, a.Body, a.Header.Get("x-echo"), err)
	}
	if _, err := Do(ctx, c, Request{Method: "GET", URL: srv.URL + "/slow", Timeout: 20 * time.Millisecond}, 4); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a late answer: %v, want ErrTimeout", err)
	}
	if _, err := Do(ctx, c, Request{Method: "GET", URL: "://no", Timeout: time.Second}, 4); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("a bad URL: %v, want ErrBadRequest", err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, err := Do(ctx, c, Request{Method: "GET", URL: closed.URL, Timeout: time.Second}, 4); err == nil || errors.Is(err, ErrTimeout) {
		t.Fatalf("a refused connection: %v, want the transport's error", err)
	}

	for _, tc := range []struct {
		url  string
		want host.HTTPResult
	}{
		{srv.URL + "/", host.HTTPResult{Status: http.StatusAccepted}},
		{srv.URL + "/slow", host.HTTPResult{Err: "timeout after 20ms"}},
		{closed.URL, host.HTTPResult{Err: "connection failed"}},
		{"://no", host.HTTPResult{Err: "bad request URL"}},
	} {
		got := Publish(ctx, c, host.Send{Method: "POST", URL: tc.url, Revision: 3, Timeout: 20 * time.Millisecond})
		if got != tc.want {
			t.Errorf("Publish to %s = %+v, want %+v", tc.url, got, tc.want)
		}
	}
}
