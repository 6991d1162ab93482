package mesh

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
)

// RevisionHeader carries the content revision a payload was built from. It is simulator metadata, not
// part of the contract: the store records it so that checkers can compare revisions (P2).
const RevisionHeader = "x-syncsim-revision"

// Request is an HTTP request as the platform's step machines see it. Header names are matched
// case-insensitively.
type Request struct {
	Method  string
	Path    string
	Headers map[string]string
	Body    []byte
}

// Header returns a header's value: an exact match of the name first, else the first
// case-insensitive match in sorted order, so that map order never decides.
func (r Request) Header(name string) string {
	if v, ok := r.Headers[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		if strings.EqualFold(k, name) {
			return r.Headers[k]
		}
	}
	return ""
}

// Response is an HTTP answer.
type Response struct {
	Status int
	Body   []byte
}

// FrontEnd is the reference FE: POST /operations/settriggers (MSG-1). It checks the TOK-3 token on
// the virtual clock, stores the body with its revision and answers 200.
type FrontEnd struct {
	Site  host.Site
	Store *Store
	// Seams are the decisions a planted defect may replace; the zero value is the reference front
	// end.
	Seams FrontEndSeams
}

// Outcome tells the driver what a front-end request did, for the trace.
type Outcome struct {
	Stored bool
	Entry  Entry
	// Reason says why the front end's judgement refused a request ("" when it accepted it); a
	// FrontEndSeams.Verdict may still store a refused body or refuse an accepted one.
	Reason string
}

// SetTriggers handles MSG-1: the request is judged (FE-2, FE-3), and an accepted body is stored
// (FE-5) and answered 200 (FE-1).
func (f *FrontEnd) SetTriggers(now time.Time, req Request) (Response, Outcome) {
	sm := f.Seams.withReference()
	resp, out := f.judge(now, req, sm)
	resp, keep := sm.Verdict(resp, out)
	if !keep {
		return resp, out
	}
	rev, _ := strconv.Atoi(req.Header(RevisionHeader))
	e := f.Store.Put(now, f.Site.Name, req.Body, host.HashOf(req.Body), rev, "frontend")
	return resp, Outcome{Stored: true, Entry: e, Reason: out.Reason}
}

// judge answers a request without storing it: 200 with an empty Reason when it is to be stored.
func (f *FrontEnd) judge(now time.Time, req Request, sm FrontEndSeams) (Response, Outcome) {
	if req.Method != "POST" {
		return Response{Status: 405}, Outcome{Reason: "method"}
	}
	key, err := host.ParseKey(f.Site.EncryptionKey)
	if err != nil {
		return Response{Status: 401}, Outcome{Reason: "no key"}
	}
	// FE-2 / TOK-5: exactly TOK-3's issuer and audience.
	if _, err := host.ValidateFrontEndToken(key, f.Site.Name, req.Header("x-ms-site-token"), now); sm.TokenRefused(err) {
		return Response{Status: 401}, Outcome{Reason: "token"}
	}
	// FE-3: a body that is not JSON is a client's mistake.
	if !sm.ValidBody(req.Body) {
		return Response{Status: 400}, Outcome{Reason: "not json"}
	}
	return Response{Status: 200}, Outcome{}
}
