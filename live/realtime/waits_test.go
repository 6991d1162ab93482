package realtime

import (
	"testing"

	"github.com/syncsim/syncsim/host"
)

// A request without an id of its own is numbered past firstReq; an answer reaches the request it
// names once, a forgotten request gets none, and after Cut nothing waits: Gone is closed and Add
// refuses.
func TestWaits(t *testing.T) {
	w := NewWaits(100)
	id, direct, ok := w.Add(0)
	if !ok || id != 101 {
		t.Fatalf("Add(0) = %d, %v; want 101, true", id, ok)
	}
	_, routed, _ := w.Add(7)
	_, forgotten, _ := w.Add(8)
	w.Forget(8)
	for _, r := range []int{7, 7, 8, 101} {
		w.Respond(host.Respond{ReqID: r, Response: host.AdminResponse{Status: 200 + r}})
	}
	if a := <-routed; a.Response.Status != 207 || len(routed) != 0 {
		t.Fatalf("route 7 got status %d and %d more answers; want 207 once", a.Response.Status, len(routed))
	}
	if a := <-direct; a.ReqID != 101 {
		t.Fatalf("the direct request got the answer to %d", a.ReqID)
	}
	if len(forgotten) != 0 {
		t.Fatal("a forgotten request got an answer")
	}
	w.Cut()
	w.Cut()
	select {
	case <-w.Gone():
	default:
		t.Fatal("Gone is not closed after Cut")
	}
	if _, _, ok := w.Add(9); ok {
		t.Fatal("Add took a request after Cut")
	}
}
