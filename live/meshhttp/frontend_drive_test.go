package meshhttp

import (
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/realtime"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// recordingFrontEnd is a site.FrontEndEnv on a fixed clock that keeps its records as text.
type recordingFrontEnd struct {
	now     time.Time
	records []string
}

func (e *recordingFrontEnd) Now() time.Time { return e.now }
func (e *recordingFrontEnd) Stored()        {}
func (e *recordingFrontEnd) Record(party string, ev trace.Event) {
	e.records = append(e.records, fmt.Sprintf("%s %s %v", party, ev.Kind, ev.Fields))
}

// The front-end server judges every MSG-1 through the one interpreter of the front end
// (site's FrontEnd), as the simulator does: fed the same requests on the same clock, it
// writes the records the simulator's interpreter writes (token.check, store.write, fe.reject) and
// ends with the store entry the simulator's store holds (FE-1, FE-2, FE-3, FE-5).
func TestFrontEndServerGoesThroughTheInterpreter(t *testing.T) {
	noLeak(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := testKey(t)
	tok, err := host.IssueSiteToken(key, testSite.Name, t0)
	if err != nil {
		t.Fatal(err)
	}
	srvEnv := &recordingFrontEnd{now: t0}
	s := NewFrontEnd(FrontEndConfig{Site: testSite})
	s.now, s.record = srvEnv.Now, srvEnv.Record
	ts := httptest.NewServer(s)
	t.Cleanup(func() { ts.Close(); s.Close() })

	refEnv := &recordingFrontEnd{now: t0}
	refStore := mesh.NewStore()
	ref := site.NewFrontEnd(&mesh.FrontEnd{Site: testSite, Store: refStore}, testSite, refEnv)

	withToken := map[string]string{"x-ms-site-token": tok}
	requests := []struct {
		name     string
		body     string
		headers  map[string]string
		revision string
	}{
		{"no token", `{"triggers":[]}`, nil, "1"},
		{"not json", `{"triggers":`, withToken, "1"},
		{"revision 2", `{"triggers":[],"hostId":"a"}`, withToken, "2"},
		{"revision 3", `{"triggers":[{"type":"httpTrigger"}],"hostId":"a"}`, withToken, "3"},
		{"bad token", `{"triggers":[]}`, map[string]string{"x-ms-site-token": "not-a-token"}, "4"},
	}
	for _, r := range requests {
		headers := map[string]string{mesh.RevisionHeader: r.revision, realtime.HeaderFrom: "pod-a"}
		for k, v := range r.headers {
			headers[k] = v
		}
		status, _ := do(t, "POST", ts.URL+PathSetTriggers, "application/json", []byte(r.body), headers)
		want, _ := ref.SetTriggers(mesh.Request{Method: "POST", Path: PathSetTriggers, Headers: headers, Body: []byte(r.body)},
			trace.InstanceParty("pod-a"), "", nil)
		if status != want.Status {
			t.Errorf("%s: the server answered %d, the interpreter %d", r.name, status, want.Status)
		}
	}
	if !reflect.DeepEqual(srvEnv.records, refEnv.records) {
		t.Errorf("the server's records differ from the interpreter's:\nserver:\n%q\ninterpreter:\n%q", srvEnv.records, refEnv.records)
	}
	if len(refEnv.records) != 2*len(requests) {
		t.Errorf("the interpreter wrote %d records for %d requests, want a token check and a verdict each", len(refEnv.records), len(requests))
	}
	got, gotOK := s.Stored()
	want, wantOK := refStore.Get(testSite.Name)
	if gotOK != wantOK || !reflect.DeepEqual(got, want) {
		t.Errorf("the server's store holds %+v (%v), the interpreter's %+v (%v)", got, gotOK, want, wantOK)
	}
	if want.Revision != 3 || want.Writes != 2 {
		t.Errorf("the interpreter's store holds revision %d after %d writes, want 3 after 2", want.Revision, want.Writes)
	}
}
