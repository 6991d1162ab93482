package blobhttp

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
)

// MaxBodyBytes is the largest Put Blob body the server accepts (4 MiB; the hash blob is a few dozen
// bytes). A larger body fails 413 RequestBodyTooLarge, before the model sees it.
const MaxBodyBytes = 4 << 20

// APIVersion is the x-ms-version answered when a request names none (azblob v1.8.3's version).
// A request's own x-ms-version is echoed: the double does not vary its behaviour by version.
const APIVersion = "2026-12-06"

// handler is the http.Handler New returns. mu serialises every call into the Store, which is a
// single-threaded step machine; the clock is read under mu so that the times the Store sees never
// go backwards.
type handler struct {
	mu     sync.Mutex
	store  *blob.Store
	clock  func() time.Time
	reqSeq atomic.Uint64
}

// New returns an http.Handler serving store over the Blob REST API, reading the time from clock
// (time.Now for live use). The handler is safe for concurrent requests.
func New(store *blob.Store, clock func() time.Time) http.Handler {
	if store == nil || clock == nil {
		panic("blobhttp: New needs a store and a clock")
	}
	return &handler{store: store, clock: clock}
}

// resource is what a path-style URL names: /{account}/{container}/{blob}; blob may hold slashes.
type resource struct{ account, container, blob string }

func parseResource(path string) resource {
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	var r resource
	r.account = parts[0]
	if len(parts) > 1 {
		r.container = parts[1]
	}
	if len(parts) > 2 {
		r.blob = parts[2]
	}
	return r
}

// operation serves one routed request; p answers it.
type operation func(h *handler, p *reply, r *http.Request, res resource)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := h.begin(w, r)
	if !authenticated(r) {
		p.fail(http.StatusForbidden, CodeAuthorizationFailure, "")
		return
	}
	if bad := unsupportedHeader(r); bad != "" {
		p.fail(http.StatusBadRequest, CodeUnsupportedHeader, "The header "+bad+" is not supported by syncsim's blob double.")
		return
	}
	res := parseResource(r.URL.Path)
	op, status, code, msg := route(r, res)
	if op == nil {
		p.fail(status, code, msg)
		return
	}
	op(h, p, r, res)
}

// authenticated accepts any request that carries a credential: an Authorization header (SharedKey,
// SharedKeyLite or Bearer) or a SAS signature. Signatures are not verified: this is a test double
// (DEVIATIONS.md). azblob with a connection string always sends "Authorization: SharedKey ...".
func authenticated(r *http.Request) bool {
	return r.Header.Get("Authorization") != "" || r.URL.Query().Get("sig") != ""
}

// unsupportedHeader names a condition header the model cannot honour, so that it fails loudly
// instead of being ignored.
func unsupportedHeader(r *http.Request) string {
	for _, name := range []string{"If-Modified-Since", "If-Unmodified-Since", "X-Ms-If-Tags"} {
		if r.Header.Get(name) != "" {
			return name
		}
	}
	return ""
}

// route picks the operation for a request, or the status, code and message of a refusal: an
// operation the double does not serve is a 400 (405 for a verb), never a 500 or a silent default.
func route(r *http.Request, res resource) (operation, int, string, string) {
	q := r.URL.Query()
	restype, comp := q.Get("restype"), q.Get("comp")
	switch {
	case res.account == "":
		return nil, 400, CodeInvalidURI, "The request URI does not name an account (path-style: /{account}/{container}/{blob})."
	case res.container == "":
		return nil, 400, CodeInvalidQueryParameterValue, "Account operations are not served by syncsim's blob double."
	case res.blob == "":
		return routeContainer(r.Method, restype, comp)
	case restype != "":
		return nil, 400, CodeInvalidQueryParameterValue, fmt.Sprintf("restype=%s is not valid on a blob.", restype)
	case comp == "lease":
		if r.Method != http.MethodPut {
			return nil, 405, CodeUnsupportedHTTPVerb, "Lease Blob takes PUT."
		}
		return (*handler).lease, 0, "", ""
	case comp != "":
		return nil, 400, CodeInvalidQueryParameterValue, fmt.Sprintf("comp=%s is not served by syncsim's blob double (served: lease).", comp)
	}
	switch r.Method {
	case http.MethodHead:
		return (*handler).getProperties, 0, "", ""
	case http.MethodGet:
		return (*handler).download, 0, "", ""
	case http.MethodPut:
		return (*handler).upload, 0, "", ""
	case http.MethodDelete:
		return (*handler).delete, 0, "", ""
	}
	return nil, 405, CodeUnsupportedHTTPVerb, "The resource doesn't support " + r.Method + "."
}

func routeContainer(method, restype, comp string) (operation, int, string, string) {
	if restype != "container" {
		return nil, 400, CodeInvalidQueryParameterValue, "A container URL needs restype=container."
	}
	if comp != "" {
		return nil, 400, CodeInvalidQueryParameterValue, fmt.Sprintf("comp=%s on a container is not served by syncsim's blob double.", comp)
	}
	switch method {
	case http.MethodPut:
		return (*handler).createContainer, 0, "", ""
	case http.MethodDelete:
		return (*handler).deleteContainer, 0, "", ""
	}
	return nil, 405, CodeUnsupportedHTTPVerb, "The container doesn't support " + method + "."
}
