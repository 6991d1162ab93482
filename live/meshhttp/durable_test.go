package meshhttp

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// readPending opens a data file no process holds and returns its pending record.
func readPending(t *testing.T, path string) pendingRecord {
	t.Helper()
	d, err := openDurable(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	p, err := d.pending()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// MESH-2 across a restart, in process: a notification acknowledged while the site is down stays
// pending on disk, and the mesh started again on the file fetches for it.
func TestMeshRestoresPendingFromDataFile(t *testing.T) {
	noLeak(t)
	data := filepath.Join(t.TempDir(), "mesh.db")
	down := newSite(t, 503, 503, 503, 503, 503, 503, 503, 503)
	ts := httptest.NewServer(down)
	defer ts.Close()
	cfg := MeshConfig{Site: testSite, SiteURL: ts.URL, Debounce: 20 * time.Millisecond, BackoffMin: time.Hour,
		BackoffMax: time.Hour, DataFile: data}
	url, stop, err := NewMesh(cfg).Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := notify(t, url, "operation=update-triggers"); got != 200 {
			t.Fatalf("notify: %d", got)
		}
	}
	down.waitFetch(1, 2*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if p := readPending(t, data); p.Accepted != 3 || p.Pending() != 3 {
		t.Fatalf("on disk %+v, want 3 accepted, 3 pending", p)
	}

	up := newSite(t)
	ts2 := httptest.NewServer(up)
	defer ts2.Close()
	cfg.SiteURL = ts2.URL
	srv := NewMesh(cfg)
	_, stop, err = srv.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !up.waitFetch(1, 3*time.Second) {
		t.Fatal("MESH-2: no fetch after the restart")
	}
	deadline := time.Now().Add(3 * time.Second)
	for srv.Status().Pending != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := srv.Status(); st.Restored != 3 || st.Pending != 0 || st.Stored != 1 {
		t.Fatalf("status %+v, want 3 restored, 0 pending, 1 stored", st)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if p := readPending(t, data); p.Pending() != 0 || p.Accepted != 3 {
		t.Fatalf("on disk after the drain %+v, want 3 accepted, none pending", p)
	}
}

// FE-5 across a restart, in process: the last accepted payload and the write count survive.
func TestFrontEndRestoresStoreFromDataFile(t *testing.T) {
	noLeak(t)
	data := filepath.Join(t.TempDir(), "fe.db")
	serveOn := func() (string, func() error) {
		url, stop, err := NewFrontEnd(FrontEndConfig{Site: testSite, DataFile: data}).Serve("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return url, stop
	}
	url, stop := serveOn()
	for rev := 1; rev <= 3; rev++ {
		h := siteToken(t)
		h["x-syncsim-revision"] = strconv.Itoa(rev)
		if got := setTriggers(t, url, []byte(`{"triggers":[],"rev":`+strconv.Itoa(rev)+`}`), h); got != 200 {
			t.Fatalf("publish %d: %d", rev, got)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	url, stop = serveOn()
	defer stop()
	code, body := do(t, "GET", url+PathSetTriggers, "", nil, nil)
	if code != 200 || string(body) != `{"triggers":[],"rev":3}` {
		t.Fatalf("read-back %d %s, want the third payload", code, body)
	}
	_, body = do(t, "GET", url+"/status", "", nil, nil)
	var st FrontEndStatus
	if err := json.Unmarshal(body, &st); err != nil || st.Writes != 3 || st.LastRevision != 3 {
		t.Fatalf("status %s (%v), want 3 writes, revision 3", body, err)
	}
	h := siteToken(t)
	h["x-syncsim-revision"] = "4"
	setTriggers(t, url, []byte(`{"triggers":[]}`), h)
	_, body = do(t, "GET", url+"/status", "", nil, nil)
	if json.Unmarshal(body, &st); st.Writes != 4 {
		t.Fatalf("status %s after a fourth publish, want 4 writes", body)
	}
}
