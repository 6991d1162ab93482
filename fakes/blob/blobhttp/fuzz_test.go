package blobhttp_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
)

// fuzzLease is the lease held on ctr/leased in the fuzz target's store.
const fuzzLease = "aaaaaaaa-0000-4000-8000-000000000000"

// fuzzStore is the state every fuzzed request starts from: container ctr with blob b ("hello")
// and blob leased under a 60 s lease fuzzLease.
func fuzzStore(t *testing.T) *blob.Store {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := blob.New()
	if err := s.CreateContainer(at, "ctr"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"b", "leased"} {
		if _, err := s.Upload(at, "ctr", name, []byte("hello"), blob.Conditions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AcquireLease(at, "ctr", "leased", 60*time.Second, fuzzLease, blob.Conditions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// fuzzRequest builds a request from fuzzed parts: headers are "Name: value" lines. It builds the
// http.Request by hand, as a server would hand it over, so that any method and target reach the
// handler (httptest.NewRequest panics on some).
func fuzzRequest(method, target, headers string, body []byte) *http.Request {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = &url.URL{Path: target}
	}
	r := &http.Request{Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Host: "127.0.0.1"}
	for _, line := range strings.Split(headers, "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && name != "" {
			r.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	return r
}

// FuzzBlobREST (issue 9, parts 1 and 2): whatever the method, target, headers and body, the Blob
// REST handler never panics and never answers 500 (a client's mistake is a 4xx); the only 5xx is
// Delete Container's documented 501 NotImplemented. Every response carries x-ms-request-id, every
// failure an x-ms-error-code, and a failure with a body (not HEAD, not 304) is Azure's XML error
// naming the same code.
func FuzzBlobREST(f *testing.F) {
	auth := "Authorization: SharedKey devstoreaccount1:c2lnbmF0dXJl\nx-ms-version: 2026-12-06\n"
	seeds := []struct{ method, target, headers, body string }{
		{"GET", "/devstoreaccount1/ctr/b", auth, ""},
		{"HEAD", "/devstoreaccount1/ctr/b", auth, ""},
		{"GET", "/devstoreaccount1/ctr/b", auth + "x-ms-range: bytes=1-3", ""},
		{"GET", "/devstoreaccount1/ctr/b", auth + "Range: bytes=9-", ""},
		{"PUT", "/devstoreaccount1/ctr/b", auth + "x-ms-blob-type: BlockBlob\nIf-Match: \"0x8DC0000000000001\"", "new"},
		{"PUT", "/devstoreaccount1/ctr/new", auth + "x-ms-blob-type: BlockBlob\nIf-None-Match: *", "x"},
		{"PUT", "/devstoreaccount1/ctr/leased", auth + "x-ms-blob-type: BlockBlob\nx-ms-lease-id: " + fuzzLease, "x"},
		{"PUT", "/devstoreaccount1/ctr/leased?comp=lease", auth + "x-ms-lease-action: renew\nx-ms-lease-id: " + fuzzLease, ""},
		{"PUT", "/devstoreaccount1/ctr/b?comp=lease", auth + "x-ms-lease-action: acquire\nx-ms-lease-duration: 15\nx-ms-proposed-lease-id: " + fuzzLease, ""},
		{"PUT", "/devstoreaccount1/ctr/leased?comp=lease", auth + "x-ms-lease-action: break\nx-ms-lease-break-period: 0", ""},
		{"PUT", "/devstoreaccount1/ctr/leased?comp=lease", auth + "x-ms-lease-action: change\nx-ms-lease-id: " + fuzzLease + "\nx-ms-proposed-lease-id: bbbbbbbb-0000-4000-8000-000000000000", ""},
		{"DELETE", "/devstoreaccount1/ctr/b", auth, ""},
		{"DELETE", "/devstoreaccount1/ctr?restype=container", auth, ""},
		{"PUT", "/devstoreaccount1/other?restype=container", auth, ""},
		{"PATCH", "/devstoreaccount1/ctr/b", auth, ""},
		{"GET", "/", "", ""},
		{"GET", "/devstoreaccount1/ctr/b?sig=x&comp=tags", "If-Modified-Since: x", ""},
		{"PUT", "/devstoreaccount1/ctr/b", auth + "x-ms-blob-type: BlockBlob\nIf-Match: \"a\", \"b\"\nIf-None-Match: \"c\"", "\x00\xff"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.headers, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method, target, headers string, body []byte) {
		h := blobhttp.New(fuzzStore(t), func() time.Time { return time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC) })
		req := fuzzRequest(method, target, headers, body)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		status, code := w.Code, w.Header().Get("x-ms-error-code")
		if status < 100 || status > 599 {
			t.Fatalf("status %d", status)
		}
		if status >= 500 && (status != 501 || code != blobhttp.CodeNotImplemented || method != "DELETE") {
			t.Fatalf("%s %q answered %d %s: a 5xx for a client's request\n%s", method, target, status, code, w.Body.String())
		}
		if w.Header().Get("x-ms-request-id") == "" {
			t.Fatalf("no x-ms-request-id on a %d", status)
		}
		if status < 300 || status == 304 && method == "HEAD" {
			return
		}
		if code == "" {
			t.Fatalf("a %d without x-ms-error-code", status)
		}
		if method != "HEAD" && status != 304 && !strings.Contains(w.Body.String(), "<Code>"+code+"</Code>") {
			t.Fatalf("a %d %s whose body does not name the code: %q", status, code, w.Body.String())
		}
	})
}
