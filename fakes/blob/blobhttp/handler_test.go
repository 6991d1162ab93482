package blobhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The first ETag a fresh store issues, and a lease id for the leased fixture.
const (
	firstETag = `"0x8DC0000000000001"`
	leaseA    = "aaaaaaaa-0000-4000-8000-000000000000"
)

type request struct {
	method, target string
	header         map[string]string
	body           string
}

// fixture builds the state a case starts from: "" nothing, "container" ctr, "blob" ctr/b = "hello",
// "leased" that blob under a 15 s lease leaseA.
func fixture(t *testing.T, state string) http.Handler {
	t.Helper()
	s := blob.New()
	steps := map[string]int{"": 0, "container": 1, "blob": 2, "leased": 3}[state]
	if steps >= 1 {
		must(t, s.CreateContainer(t0, "ctr"))
	}
	if steps >= 2 {
		_, err := s.Upload(t0, "ctr", "b", []byte("hello"), blob.Conditions{})
		must(t, err)
	}
	if steps >= 3 {
		_, err := s.AcquireLease(t0, "ctr", "b", 15*time.Second, leaseA, blob.Conditions{})
		must(t, err)
	}
	return blobhttp.New(s, func() time.Time { return t0.Add(time.Second) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func serve(h http.Handler, rq request, auth bool) *httptest.ResponseRecorder {
	req := httptest.NewRequest(rq.method, "http://127.0.0.1"+rq.target, strings.NewReader(rq.body))
	if auth {
		req.Header.Set("Authorization", "SharedKey devstoreaccount1:c2lnbmF0dXJl")
	}
	req.Header.Set("x-ms-version", "2026-12-06")
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func hdr(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

const blobURL = "/devstoreaccount1/ctr/b"

var (
	putBlock = hdr("x-ms-blob-type", "BlockBlob")
	acquire  = hdr("x-ms-lease-action", "acquire", "x-ms-lease-duration", "15", "x-ms-proposed-lease-id", leaseA)
)

func with(base map[string]string, kv ...string) map[string]string {
	m := hdr(kv...)
	for k, v := range base {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return m
}

// Raw REST requests, one per operation and per kind of bad input: the status, the error code (in
// the x-ms-error-code header and, except for HEAD, in the XML body) and the headers azblob reads.
func TestHandler(t *testing.T) {
	tests := []struct {
		name    string
		state   string
		rq      request
		noAuth  bool
		status  int
		code    string
		headers map[string]string // exact values; "?" only requires presence
		body    string
	}{
		{"no credential", "blob", request{"GET", blobURL, nil, ""}, true, 403, "AuthorizationFailure", nil, ""},
		{"create container", "", request{"PUT", "/devstoreaccount1/ctr?restype=container", nil, ""}, false, 201, "", hdr("Last-Modified", "Thu, 01 Jan 2026 00:00:01 GMT"), ""},
		{"create container twice", "container", request{"PUT", "/devstoreaccount1/ctr?restype=container", nil, ""}, false, 409, blob.CodeContainerAlreadyExists, nil, ""},
		{"delete container is not implemented", "container", request{"DELETE", "/devstoreaccount1/ctr?restype=container", nil, ""}, false, 501, "NotImplemented", nil, ""},
		{"delete missing container", "", request{"DELETE", "/devstoreaccount1/ctr?restype=container", nil, ""}, false, 404, blob.CodeContainerNotFound, nil, ""},
		{"container without restype", "container", request{"PUT", "/devstoreaccount1/ctr", nil, ""}, false, 400, "InvalidQueryParameterValue", nil, ""},
		{"account operation", "", request{"GET", "/devstoreaccount1?comp=list", nil, ""}, false, 400, "InvalidQueryParameterValue", nil, ""},
		{"get properties", "blob", request{"HEAD", blobURL, nil, ""}, false, 200, "", hdr("ETag", firstETag, "Content-Length", "5", "x-ms-blob-type", "BlockBlob", "x-ms-lease-state", "available", "x-ms-lease-status", "unlocked", "Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT"), ""},
		{"get properties of a missing blob", "container", request{"HEAD", blobURL, nil, ""}, false, 404, blob.CodeBlobNotFound, nil, ""},
		{"get properties in a missing container", "", request{"HEAD", blobURL, nil, ""}, false, 404, blob.CodeContainerNotFound, nil, ""},
		{"get blob", "blob", request{"GET", blobURL, nil, ""}, false, 200, "", hdr("ETag", firstETag, "Content-Length", "5"), "hello"},
		{"get blob, leased", "leased", request{"GET", blobURL, nil, ""}, false, 200, "", hdr("x-ms-lease-state", "leased", "x-ms-lease-status", "locked", "x-ms-lease-duration", "fixed"), "hello"},
		{"get a range", "blob", request{"GET", blobURL, hdr("x-ms-range", "bytes=1-3"), ""}, false, 206, "", hdr("Content-Range", "bytes 1-3/5"), "ell"},
		{"get a range past the end", "blob", request{"GET", blobURL, hdr("x-ms-range", "bytes=9-"), ""}, false, 416, "InvalidRange", nil, ""},
		{"get a malformed range", "blob", request{"GET", blobURL, hdr("Range", "lines=1-2"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"get a missing blob", "container", request{"GET", blobURL, nil, ""}, false, 404, blob.CodeBlobNotFound, nil, ""},
		{"get, If-None-Match current", "blob", request{"GET", blobURL, hdr("If-None-Match", firstETag), ""}, false, 304, blob.CodeConditionNotMet, nil, ""},
		{"put blob", "container", request{"PUT", blobURL, putBlock, "hello"}, false, 201, "", hdr("ETag", firstETag, "Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==", "Last-Modified", "Thu, 01 Jan 2026 00:00:01 GMT"), ""},
		{"put overwrites with a new ETag", "blob", request{"PUT", blobURL, putBlock, "bye"}, false, 201, "", hdr("ETag", `"0x8DC0000000000002"`), ""},
		{"put without blob type", "container", request{"PUT", blobURL, nil, "x"}, false, 400, blob.CodeMissingRequiredHeader, nil, ""},
		{"put a page blob", "container", request{"PUT", blobURL, hdr("x-ms-blob-type", "PageBlob"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"put an oversized body", "container", request{"PUT", blobURL, putBlock, strings.Repeat("x", blobhttp.MaxBodyBytes+1)}, false, 413, "RequestBodyTooLarge", nil, ""},
		{"put, If-Match stale", "blob", request{"PUT", blobURL, with(putBlock, "If-Match", `"0x8DC00000000000FF"`), "x"}, false, 412, blob.CodeConditionNotMet, nil, ""},
		{"put, If-Match current", "blob", request{"PUT", blobURL, with(putBlock, "If-Match", firstETag), "x"}, false, 201, "", nil, ""},
		{"put, If-Match unquoted", "blob", request{"PUT", blobURL, with(putBlock, "If-Match", "0x8DC0000000000001"), "x"}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"put, If-Match list", "blob", request{"PUT", blobURL, with(putBlock, "If-Match", `"a", "b"`), "x"}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"put, If-None-Match * on existing", "blob", request{"PUT", blobURL, with(putBlock, "If-None-Match", "*"), "x"}, false, 409, blob.CodeBlobAlreadyExists, nil, ""},
		{"put, If-Modified-Since", "blob", request{"PUT", blobURL, with(putBlock, "If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT"), "x"}, false, 400, "UnsupportedHeader", nil, ""},
		{"put on a leased blob without lease id", "leased", request{"PUT", blobURL, putBlock, "x"}, false, 412, blob.CodeLeaseIDMissing, nil, ""},
		{"put with the wrong lease id", "leased", request{"PUT", blobURL, with(putBlock, "x-ms-lease-id", "bbbbbbbb-0000-4000-8000-000000000000"), "x"}, false, 412, blob.CodeLeaseIDMismatchWithBlobOperation, nil, ""},
		{"put with the lease id", "leased", request{"PUT", blobURL, with(putBlock, "x-ms-lease-id", leaseA), "x"}, false, 201, "", nil, ""},
		{"delete blob", "blob", request{"DELETE", blobURL, nil, ""}, false, 202, "", nil, ""},
		{"delete a missing blob", "container", request{"DELETE", blobURL, nil, ""}, false, 404, blob.CodeBlobNotFound, nil, ""},
		{"post", "blob", request{"POST", blobURL, nil, ""}, false, 405, "UnsupportedHttpVerb", nil, ""},
		{"unknown comp", "blob", request{"PUT", blobURL + "?comp=tier", nil, ""}, false, 400, "InvalidQueryParameterValue", nil, ""},
		{"restype on a blob", "blob", request{"PUT", blobURL + "?restype=container", nil, ""}, false, 400, "InvalidQueryParameterValue", nil, ""},
		{"acquire", "blob", request{"PUT", blobURL + "?comp=lease", acquire, ""}, false, 201, "", hdr("x-ms-lease-id", leaseA, "ETag", firstETag), ""},
		{"acquire twice", "leased", request{"PUT", blobURL + "?comp=lease", with(acquire, "x-ms-proposed-lease-id", "bbbbbbbb-0000-4000-8000-000000000000"), ""}, false, 409, blob.CodeLeaseAlreadyPresent, nil, ""},
		{"acquire, duration not a number", "blob", request{"PUT", blobURL + "?comp=lease", with(acquire, "x-ms-lease-duration", "soon"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"acquire, duration out of range", "blob", request{"PUT", blobURL + "?comp=lease", with(acquire, "x-ms-lease-duration", "10"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"acquire without duration", "blob", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "acquire"), ""}, false, 400, blob.CodeMissingRequiredHeader, nil, ""},
		{"lease without action", "blob", request{"PUT", blobURL + "?comp=lease", nil, ""}, false, 400, blob.CodeMissingRequiredHeader, nil, ""},
		{"lease, unknown action", "blob", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "steal"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"lease, GET", "blob", request{"GET", blobURL + "?comp=lease", nil, ""}, false, 405, "UnsupportedHttpVerb", nil, ""},
		{"renew", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "renew", "x-ms-lease-id", leaseA), ""}, false, 200, "", hdr("x-ms-lease-id", leaseA), ""},
		{"renew with If-Match", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "renew", "x-ms-lease-id", leaseA, "If-Match", firstETag), ""}, false, 400, "UnsupportedHeader", nil, ""},
		{"release", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "release", "x-ms-lease-id", leaseA), ""}, false, 200, "", nil, ""},
		{"change", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "change", "x-ms-lease-id", leaseA, "x-ms-proposed-lease-id", "cccccccc-0000-4000-8000-000000000000"), ""}, false, 200, "", hdr("x-ms-lease-id", "cccccccc-0000-4000-8000-000000000000"), ""},
		{"break now", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "break", "x-ms-lease-break-period", "0"), ""}, false, 202, "", hdr("x-ms-lease-time", "0"), ""},
		{"break at lease end", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "break"), ""}, false, 202, "", hdr("x-ms-lease-time", "14"), ""},
		{"break, bad period", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "break", "x-ms-lease-break-period", "-5"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
		{"break, period over 60", "leased", request{"PUT", blobURL + "?comp=lease", hdr("x-ms-lease-action", "break", "x-ms-lease-break-period", "61"), ""}, false, 400, blob.CodeInvalidHeaderValue, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(fixture(t, tt.state), tt.rq, !tt.noAuth)
			res := w.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status || res.Header.Get("x-ms-error-code") != tt.code {
				t.Fatalf("got %d %q, want %d %q\n%s", res.StatusCode, res.Header.Get("x-ms-error-code"), tt.status, tt.code, body)
			}
			for k, v := range tt.headers {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, k := range []string{"x-ms-request-id", "x-ms-version"} {
				if res.Header.Get(k) == "" {
					t.Errorf("no %s header", k)
				}
			}
			switch {
			case tt.code != "" && tt.rq.method != "HEAD" && tt.status != 304:
				prefix := `<?xml version="1.0" encoding="utf-8"?><Error><Code>` + tt.code + `</Code><Message>`
				if !strings.HasPrefix(string(body), prefix) || !strings.HasSuffix(string(body), "</Message></Error>") {
					t.Errorf("error body = %q", body)
				}
			case string(body) != tt.body:
				t.Errorf("body = %q, want %q", body, tt.body)
			}
		})
	}
}

// The x-ms-version of the request is echoed; without one the server answers APIVersion.
func TestVersionHeader(t *testing.T) {
	h := fixture(t, "blob")
	w := serve(h, request{"HEAD", blobURL, hdr("x-ms-version", "2021-08-06"), ""}, true)
	if got := w.Header().Get("x-ms-version"); got != "2021-08-06" {
		t.Errorf("x-ms-version = %q", got)
	}
	req := httptest.NewRequest("HEAD", "http://127.0.0.1"+blobURL, nil)
	req.Header.Set("Authorization", "SharedKey x:y")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("x-ms-version"); got != blobhttp.APIVersion {
		t.Errorf("x-ms-version = %q, want %q", got, blobhttp.APIVersion)
	}
}
