package mesh

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var site = host.Site{Name: "myapp", HostID: "myapp", EncryptionKey: strings.Repeat("cd", 32)}

func notifyReq() Request {
	return Request{Method: "POST", Body: []byte("operation=update-triggers"),
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "fx-current-instance": "pod-1"}}
}

func newMesh() *Mesh {
	return New(Config{Site: site, Store: NewStore(), Rand: rand.New(rand.NewPCG(1, 1))})
}

func effectsOf[T Effect](effs []Effect) []T {
	var out []T
	for _, e := range effs {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// MESH-7 and MESH-9: malformed notifications get 400 and fetch nothing; unknown fields are ignored.
func TestNotifyValidation(t *testing.T) {
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	cases := []struct {
		name    string
		req     Request
		status  int
		message string
	}{
		{"empty body", Request{Method: "POST", Headers: form}, 400, "empty body"},
		{"json body", Request{Method: "POST", Body: []byte(`{"operation":"update-triggers"}`), Headers: map[string]string{"Content-Type": "application/json"}}, 400, "x-www-form-urlencoded"},
		{"no content type", Request{Method: "POST", Body: []byte("operation=update-triggers")}, 400, "x-www-form-urlencoded"},
		{"bad percent", Request{Method: "POST", Body: []byte("operation=%zz"), Headers: form}, 400, "percent"},
		{"bad utf-8", Request{Method: "POST", Body: []byte("operation=\xff"), Headers: form}, 400, "UTF-8"},
		{"encoded bad utf-8", Request{Method: "POST", Body: []byte("operation=%ff"), Headers: form}, 400, "UTF-8"},
		{"no operation", Request{Method: "POST", Body: []byte("x=1"), Headers: form}, 400, "operation"},
		{"empty operation", Request{Method: "POST", Body: []byte("operation="), Headers: form}, 400, "operation"},
		{"unknown operation", Request{Method: "POST", Body: []byte("operation=reboot"), Headers: form}, 400, "unknown operation"},
		{"wrong method", Request{Method: "GET", Body: []byte("operation=update-triggers"), Headers: form}, 405, "method"},
		{"extra field ignored", Request{Method: "POST", Body: []byte("operation=update-triggers&hash=abc"), Headers: form}, 200, ""},
		{"charset parameter", Request{Method: "POST", Body: []byte("operation=update-triggers"), Headers: map[string]string{"content-type": "application/x-www-form-urlencoded; charset=utf-8"}}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMesh()
			resp, effs := m.Notify(t0, c.req)
			if resp.Status != c.status || !strings.Contains(string(resp.Body), c.message) {
				t.Fatalf("status %d body %q, want %d containing %q", resp.Status, resp.Body, c.status, c.message)
			}
			accepted := len(effectsOf[Accepted](effs)) == 1
			if accepted != (c.status == 200) {
				t.Fatalf("accepted=%v for status %d", accepted, c.status)
			}
		})
	}
}

type fetchRig struct {
	t   *testing.T
	m   *Mesh
	now time.Time
	// timers holds the pending timers by key with their due time.
	timers map[string]time.Time
	fetch  []Fetch
	log    []Effect
}

func newRig(t *testing.T) *fetchRig {
	return &fetchRig{t: t, m: newMesh(), now: t0, timers: map[string]time.Time{}}
}

func (r *fetchRig) absorb(effs []Effect) {
	for _, e := range effs {
		r.log = append(r.log, e)
		switch e := e.(type) {
		case SetTimer:
			r.timers[e.Key] = r.now.Add(e.After)
		case Fetch:
			r.fetch = append(r.fetch, e)
		}
	}
}

func (r *fetchRig) notify() {
	_, effs := r.m.Notify(r.now, notifyReq())
	r.absorb(effs)
}

// advance moves time forward, firing due timers in order.
func (r *fetchRig) advance(d time.Duration) {
	end := r.now.Add(d)
	for {
		key, due := "", time.Time{}
		for k, at := range r.timers {
			if !at.After(end) && (key == "" || at.Before(due) || at.Equal(due) && k < key) {
				key, due = k, at
			}
		}
		if key == "" {
			break
		}
		delete(r.timers, key)
		r.now = due
		r.absorb(r.m.Timer(r.now, key))
	}
	r.now = end
}

func (r *fetchRig) answer(status int) {
	f := r.fetch[len(r.fetch)-1]
	r.absorb(r.m.FetchDone(r.now, f.ID, status, []byte(`{"triggers":[]}`), 3))
}

// MESH-6: a burst within 1 s leads to one fetch, 250 ms after the last notification.
func TestDebounceCoalescesBurst(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 5; i++ {
		r.notify()
		r.advance(100 * time.Millisecond)
	}
	r.advance(time.Second)
	if len(r.fetch) != 1 || r.fetch[0].Cover != 5 {
		t.Fatalf("fetches %+v, want one covering all 5", r.fetch)
	}
}

// MESH-6: a steady stream still fetches 1 s after the first pending notification.
func TestDebounceMaxWait(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 12; i++ {
		r.notify()
		r.advance(100 * time.Millisecond)
	}
	if len(r.fetch) == 0 {
		t.Fatal("no fetch within 1.2 s of a steady stream")
	}
	if got := r.fetch[0].Cover; got < 9 || got > 11 {
		t.Fatalf("first fetch covers %d notifications, want about 10 (1 s of them)", got)
	}
}

// MESH-3: every fetch carries a valid TOK-4 token.
func TestFetchCarriesPlatformToken(t *testing.T) {
	r := newRig(t)
	r.notify()
	r.advance(time.Second)
	key, _ := host.ParseKey(site.EncryptionKey)
	claims, err := host.ValidateHostToken(key, "myapp", r.fetch[0].Headers["x-ms-site-token"], r.now)
	if err != nil || !claims.Platform {
		t.Fatalf("token claims %+v err %v", claims, err)
	}
	if r.fetch[0].URL != "https://myapp.azurewebsites.net/admin/host/triggers" {
		t.Fatalf("url %s", r.fetch[0].URL)
	}
}

// A 200 stores the payload and completes the notifications it covers.
func TestFetchStores(t *testing.T) {
	r := newRig(t)
	r.notify()
	r.advance(time.Second)
	r.answer(200)
	st := effectsOf[Stored](r.log)
	if len(st) != 1 || st[0].Cover != 1 || st[0].Entry.Revision != 3 || st[0].Entry.Via != "mesh" {
		t.Fatalf("stored %+v", st)
	}
	if e, ok := r.m.cfg.Store.Get("myapp"); !ok || e.Hash != host.HashOf([]byte(`{"triggers":[]}`)) {
		t.Fatalf("store %+v", e)
	}
}

// MESH-5: a notification during a fetch causes another fetch that starts after it.
func TestNotificationDuringFetchRefetches(t *testing.T) {
	r := newRig(t)
	r.notify()
	r.advance(time.Second)
	r.notify() // while fetch 1 is in flight
	r.advance(time.Second)
	if len(r.fetch) != 1 {
		t.Fatalf("a second fetch started while the first was in flight: %+v", r.fetch)
	}
	r.answer(200)
	if len(r.fetch) != 2 || r.fetch[1].Cover != 2 {
		t.Fatalf("fetches %+v, want a second covering notification 2", r.fetch)
	}
}

// MESH-4: failed fetches are retried with backoff (at least 100 ms apart) for the whole budget, then
// abandoned; 401 is not retried.
func TestRetryBudgetThenAbandon(t *testing.T) {
	r := newRig(t)
	r.notify()
	r.advance(time.Second)
	start := r.now
	var last time.Time
	for len(effectsOf[Abandoned](r.log)) == 0 {
		if r.now.Sub(start) > 20*time.Minute {
			t.Fatal("never gave up")
		}
		r.answer(503)
		if len(effectsOf[Abandoned](r.log)) > 0 {
			break
		}
		before := len(r.fetch)
		r.advance(2 * time.Minute)
		if len(r.fetch) != before+1 {
			t.Fatalf("no retry after a 503 at %v", r.now.Sub(start))
		}
		if !last.IsZero() && r.now.Sub(last) < 100*time.Millisecond {
			t.Fatal("retries closer than 100 ms")
		}
		last = r.now
	}
	elapsed := r.now.Sub(start)
	if elapsed < 10*time.Minute {
		t.Fatalf("gave up after %v, before the 10-minute budget", elapsed)
	}
	ab := effectsOf[Abandoned](r.log)[0]
	if ab.Cover != 1 || ab.Reason != "retry budget exhausted" || ab.Attempts < 5 {
		t.Fatalf("abandoned %+v", ab)
	}

	u := newRig(t)
	u.notify()
	u.advance(time.Second)
	u.answer(401)
	if ab := effectsOf[Abandoned](u.log); len(ab) != 1 || ab[0].Reason != "unauthorized" {
		t.Fatalf("401: %+v", ab)
	}
	u.advance(time.Hour)
	if len(u.fetch) != 1 {
		t.Fatal("a 401 was retried")
	}
}

// FE-1, FE-2, FE-3, FE-5 on the reference front end.
func TestFrontEnd(t *testing.T) {
	key, _ := host.ParseKey(site.EncryptionKey)
	good, _ := host.IssueSiteToken(key, "myapp", t0)
	platform, _ := host.IssuePlatformToken(key, "myapp", t0, time.Minute)
	cases := []struct {
		name   string
		req    Request
		status int
	}{
		{"valid", Request{Method: "POST", Body: []byte(`{"triggers":[]}`), Headers: map[string]string{"x-ms-site-token": good, RevisionHeader: "4"}}, 200},
		{"no token", Request{Method: "POST", Body: []byte(`{}`)}, 401},
		{"platform token", Request{Method: "POST", Body: []byte(`{}`), Headers: map[string]string{"x-ms-site-token": platform}}, 401},
		{"not json", Request{Method: "POST", Body: []byte(`{`), Headers: map[string]string{"x-ms-site-token": good}}, 400},
		{"get", Request{Method: "GET"}, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := NewStore()
			fe := &FrontEnd{Site: site, Store: store}
			resp, out := fe.SetTriggers(t0, c.req)
			if resp.Status != c.status {
				t.Fatalf("status %d, want %d", resp.Status, c.status)
			}
			e, stored := store.Get("myapp")
			if stored != (c.status == 200) || out.Stored != stored {
				t.Fatalf("stored=%v for status %d", stored, c.status)
			}
			if stored && (string(e.Body) != string(c.req.Body) || e.Revision != 4 || e.Via != "frontend") {
				t.Fatalf("entry %+v", e)
			}
		})
	}
}
