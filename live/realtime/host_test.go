package realtime

import (
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/site"
	"github.com/syncsim/syncsim/trace"
)

// quietHost is a HostIO that publishes nothing, calls no storage and keeps no record.
type quietHost struct{}

func (q *quietHost) Now() time.Time             { return time.Now() }
func (q *quietHost) HostNow() time.Time         { return time.Now() }
func (q *quietHost) Alive() bool                { return true }
func (q *quietHost) Record(string, trace.Event) {}
func (q *quietHost) Point(host.Point)           {}
func (q *quietHost) Send(host.Send)             {}
func (q *quietHost) Blob(host.BlobCall)         {}

func newQuietHost() *Host {
	m := host.NewMachine(host.Config{Site: host.Site{Name: "myapp", HostID: "myapp"}, ContainerName: "pod-a"})
	return NewHost(NewParty(), m, trace.InstanceParty("pod-a"), host.Site{Name: "myapp"}, &quietHost{}, 0)
}

// A step's follow-ups run in order once it ends, each one's own follow-ups before the next: the
// order the standalone host's storage answers reach the machine in (each call of a step answered,
// and that answer's calls, before the step's next call).
func TestHostStepRunsFollowUpsInOrder(t *testing.T) {
	h := newQuietHost()
	var order []string
	h.Lock()
	h.Step(func(*site.Host) {
		h.Defer(func() {
			order = append(order, "a")
			h.Defer(func() { order = append(order, "a.1") })
		})
		h.Defer(func() { order = append(order, "b") })
		order = append(order, "step")
	})
	h.Unlock()
	if got := strings.Join(order, " "); got != "step a a.1 b" {
		t.Fatalf("order %q, want %q", got, "step a a.1 b")
	}
}

// An admin request is numbered, handed to the machine and answered on its channel (a host that has
// not started answers 503 at once, HOST-1); once the party stops, nothing is handed over.
func TestHostAdminAnswersAndStops(t *testing.T) {
	h := newQuietHost()
	var ids []int
	admin := func() (<-chan host.Respond, bool) {
		ch, _, ok := h.Admin(0, func(d *site.Host, id int) {
			ids = append(ids, id)
			d.Admin(id, host.AdminRequest{Method: "GET", Path: host.PathTriggers}, "")
		})
		return ch, ok
	}
	for want := 1; want <= 2; want++ {
		ch, ok := admin()
		if !ok {
			t.Fatal("a running party refused an admin request")
		}
		select {
		case r := <-ch:
			if r.ReqID != want || r.Response.Status != 503 {
				t.Fatalf("answer %d %d, want request %d answered 503", r.ReqID, r.Response.Status, want)
			}
		default:
			t.Fatal("no answer for a host that has not started")
		}
	}
	if !shutAndWait(h.Party) {
		t.Fatal("the host's party did not stop")
	}
	if _, ok := admin(); ok || len(ids) != 2 {
		t.Fatalf("after the stop: handed over %v (ids %v), want nothing", ok, ids)
	}
}
