package site

import (
	"testing"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
	"github.com/syncsim/syncsim/trace/canonical"
)

// fakeMesh is a recording MeshEnv; it replaces every fetch's token when forge is set.
type fakeMesh struct {
	calls
	forge string
}

func (f *fakeMesh) MeshNow() time.Time                       { return t0 }
func (f *fakeMesh) SetTimer(key string, after time.Duration) { f.add("set-timer %s %s", key, after) }
func (f *fakeMesh) Fetch(x mesh.Fetch)                       { f.add("fetch %d %s", x.ID, x.Headers["x-ms-site-token"]) }
func (f *fakeMesh) Observe(e mesh.Effect)                    { f.add("observe %T", e) }
func (f *fakeMesh) FetchHeaders(x mesh.Fetch) map[string]string {
	if f.forge == "" {
		return x.Headers
	}
	return map[string]string{"x-ms-site-token": f.forge}
}

// Every mesh effect is recorded by the mesh party (and observed) or handed to the driver; a fetch is
// recorded with the digest of the token it really carries.
func TestMeshPerform(t *testing.T) {
	env := &fakeMesh{forge: "forged"}
	d := NewMesh(mesh.New(mesh.Config{Site: testSite, Store: mesh.NewStore()}), env)
	entry := mesh.Entry{Hash: "h1", Body: []byte(`{"a":1}`), Revision: 2}
	d.Perform([]mesh.Effect{
		mesh.Accepted{Notification: 1, Instance: "pod-a"},
		mesh.SetTimer{Key: "debounce", After: 250 * time.Millisecond},
		mesh.Fetch{ID: 1, Attempt: 1, Cover: 1, Headers: map[string]string{"x-ms-site-token": "real"}},
		mesh.Log{Level: "Warning", Text: "retrying"},
		mesh.Stored{Entry: entry, Cover: 1},
		mesh.Abandoned{Cover: 2, Attempts: 5, Reason: "budget"},
	})
	expect(t, env.lines,
		"mesh mesh.accept notification=1 instance=pod-a",
		"observe mesh.Accepted",
		"set-timer debounce 250ms",
		"mesh mesh.fetch fetch=1 attempt=1 cover=1 token="+trace.SecretDigest([]byte("forged")),
		"fetch 1 forged",
		"mesh log level=Warning category=Syncsim.Platform text=retrying",
		"observe mesh.Log",
		"mesh store.write via=mesh hash=h1 canonical="+canonical.Hash(entry.Body)+" revision=2 cover=1",
		"observe mesh.Stored",
		"mesh mesh.abandon cover=2 attempts=5 reason=budget",
		"observe mesh.Abandoned",
	)
	env.lines = nil
	d.FetchTimeout(9)
	d.FetchDone(10, 200, nil, 0)
	expect(t, env.lines, "mesh mesh.fetch.done fetch=9 status=0 error=timeout", "mesh mesh.fetch.done fetch=10 status=200")
}

// fakeFrontEnd is a recording FrontEndEnv.
type fakeFrontEnd struct{ calls }

func (f *fakeFrontEnd) Now() time.Time { return t0 }
func (f *fakeFrontEnd) Stored()        { f.add("stored") }

// The front end records its token check, then store.write (and tells the driver) or fe.reject.
func TestFrontEndSetTriggers(t *testing.T) {
	env := &fakeFrontEnd{}
	fe := NewFrontEnd(&mesh.FrontEnd{Site: testSite, Store: mesh.NewStore()}, testSite, env)
	body := []byte(`{"triggers":[]}`)
	resp, out := fe.SetTriggers(mesh.Request{Method: "POST", Path: "/operations/settriggers", Body: body}, "instance/pod-a", "", nil)
	if resp.Status != 401 || out.Stored || out.Reason != "token" {
		t.Fatalf("no token: %d %+v", resp.Status, out)
	}
	expect(t, env.lines,
		"frontend token.check endpoint=frontend site=myapp sender=instance/pod-a accepted=false now=1767225600.000 form=absent",
		"frontend fe.reject status=401 reason=token")

	key, err := host.ParseKey(testSite.EncryptionKey)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := host.IssueSiteToken(key, testSite.Name, t0)
	if err != nil {
		t.Fatal(err)
	}
	env.lines = nil
	resp, out = fe.SetTriggers(mesh.Request{Method: "POST", Path: "/operations/settriggers", Body: body,
		Headers: map[string]string{"x-ms-site-token": tok, mesh.RevisionHeader: "3"}}, "instance/pod-a", "", &trace.Delivery{Msg: 12})
	if resp.Status != 200 || !out.Stored || out.Entry.Revision != 3 || len(env.lines) != 3 {
		t.Fatalf("valid token: %d %q", resp.Status, env.lines)
	}
	want := "frontend store.write via=frontend hash=" + host.HashOf(body) + " canonical=" + canonical.Hash(body) +
		" revision=3 from=instance/pod-a msg=12 duplicate=false"
	expect(t, env.lines[1:], want, "stored")
}
