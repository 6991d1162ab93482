package plant

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
)

// The served parts' planted defects that act on a request or its answer: http.Handler middleware
// around the reference server, which knows nothing of them.
var (
	// TriggersWithoutToken serves a GET of the triggers that has no token as if the platform had
	// sent one (HOST-1).
	TriggersWithoutToken Interceptor = func(s *Set) {
		site := s.Site
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == host.PathTriggers && host.TokenFromHeaders(headersOf(r.Header)) == "" {
					if key, err := host.ParseKey(site.EncryptionKey); err == nil {
						if tok, err := host.IssuePlatformToken(key, site.Name, time.Now(), 5*time.Minute); err == nil {
							r.Header.Set("x-ms-site-token", tok)
						}
					}
				}
				next.ServeHTTP(w, r)
			})
		})
	}
	// TriggersStalePayload serves PAY-1's minimal form of the payload, whose hash differs from
	// what a sync publishes (HOST-1).
	TriggersStalePayload Interceptor = func(s *Set) {
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != host.PathTriggers {
					next.ServeHTTP(w, r)
					return
				}
				rec := &recorder{header: w.Header(), status: http.StatusOK}
				next.ServeHTTP(rec, r)
				body := rec.body.Bytes()
				if rec.status == http.StatusOK {
					body = minimalForm(body)
				}
				w.WriteHeader(rec.status)
				w.Write(body)
			})
		})
	}
	// SlowAccept answers a notification after 6 s (MESH-1).
	SlowAccept Interceptor = func(s *Set) {
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !isNotification(r) {
					next.ServeHTTP(w, r)
					return
				}
				rec := &recorder{header: w.Header(), status: http.StatusOK}
				next.ServeHTTP(rec, r)
				t := time.NewTimer(6 * time.Second)
				defer t.Stop()
				select {
				case <-t.C:
				case <-r.Context().Done():
					return
				}
				w.WriteHeader(rec.status)
				w.Write(rec.body.Bytes())
			})
		})
	}
	// Serialize handles one notification at a time with a 100 ms pause, and answers 503 when 8 are
	// waiting (MESH-8). MESH-6's burst of 10 in 0.45 s stays below that; MESH-8's 100 at once do
	// not.
	Serialize Interceptor = func(s *Set) {
		q := &queue{one: make(chan struct{}, 1)}
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !isNotification(r) {
					next.ServeHTTP(w, r)
					return
				}
				if !q.acquire(r) {
					http.Error(w, "busy", http.StatusServiceUnavailable)
					return
				}
				defer func() { <-q.one }()
				next.ServeHTTP(w, r)
			})
		})
	}
	// AcceptMalformed answers 200 to a malformed notification (empty body, missing operation, ...)
	// and fetches, as if a well-formed one had come (MESH-7).
	AcceptMalformed Interceptor = func(s *Set) {
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if body, ok := peekNotification(r); ok {
					req := mesh.Request{Method: r.Method, Path: r.URL.Path, Headers: headersOf(r.Header), Body: body}
					if status, _ := mesh.CheckNotification(req); status == http.StatusBadRequest {
						r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						setBody(r, []byte("operation=update-triggers"))
					}
				}
				next.ServeHTTP(w, r)
			})
		})
	}
	// RejectUnknownField answers 400 to a notification with a field other than operation (MESH-9).
	RejectUnknownField Interceptor = func(s *Set) {
		s.wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if body, ok := peekNotification(r); ok {
					if form, err := url.ParseQuery(string(body)); err == nil {
						for k := range form {
							if k != "operation" {
								http.Error(w, "unknown field", http.StatusBadRequest)
								return
							}
						}
					}
				}
				next.ServeHTTP(w, r)
			})
		})
	}
)

// isNotification reports whether r is MSG-2 (POST to the mesh's root).
func isNotification(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/" }

// peekNotification reads a notification's body and puts it back for the server, which applies
// its own size limit; ok is false for another request or a body over 1 MiB.
func peekNotification(r *http.Request) ([]byte, bool) {
	if !isNotification(r) || r.Body == nil {
		return nil, false
	}
	const limit = 1 << 20
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	setBody(r, body)
	return body, err == nil && len(body) <= limit
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
}

func headersOf(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

// recorder holds an answer back, so that a middleware can delay or rewrite it; headers go to the
// real writer's map.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

// queue is Serialize's one-at-a-time lane: at most 8 waiting, then 100 ms per request.
type queue struct {
	mu      sync.Mutex
	waiting int
	one     chan struct{}
}

func (q *queue) acquire(r *http.Request) bool {
	q.mu.Lock()
	if q.waiting >= 8 {
		q.mu.Unlock()
		return false
	}
	q.waiting++
	q.mu.Unlock()
	acquired := false
	select {
	case q.one <- struct{}{}:
		acquired = true
	case <-r.Context().Done():
	}
	q.mu.Lock()
	q.waiting--
	q.mu.Unlock()
	if !acquired {
		return false
	}
	t := time.NewTimer(100 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		<-q.one
		return false
	}
}

// minimalForm rewrites a payload to PAY-1's minimal form {"triggers":[...],"hostId":"..."}.
func minimalForm(body []byte) []byte {
	var p struct {
		Triggers json.RawMessage `json:"triggers"`
		HostID   string          `json:"hostId"`
	}
	if json.Unmarshal(body, &p) != nil {
		return body
	}
	out, err := json.Marshal(p)
	if err != nil {
		return body
	}
	return out
}
