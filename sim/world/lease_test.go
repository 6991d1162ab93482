package world

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// A primary whose renewal was dropped or delayed (random faults of the fleet's profile) waits for its
// answer longer than its 15 s lease; storage grants the lease to another instance meanwhile. Before
// the host checked its lease's freshness (PROTOCOL.md section 1 "primary", SYNC-8) its background
// timer then started a sync as a second primary (P14, P15). Now the stale primary steps down at its
// background timer, and the run shows it doing so. The seeds are the smallest per mode in which an
// instance steps down, with the lease renewed every 12 s as upstream's coordinator does.
func TestStalePrimaryStepsDownBeforeBackgroundSync(t *testing.T) {
	sc := load(t, "scenarios/fleet.yaml")
	for _, c := range []struct {
		mode host.Mode
		seed uint64
	}{
		{host.ModeFrontend, 17},
		{host.ModeAdditive, 17},
		{host.ModePlatformAck, 30},
		{host.ModePlatform, 17},
		{host.ModeSignalAll, 8},
	} {
		t.Run(c.mode.String(), func(t *testing.T) {
			res := run(t, sc, c.mode, c.seed, Options{})
			for _, p := range []check.Property{check.PropP14, check.PropP15} {
				if v := verdict(t, res, p); v.Status != check.Pass || v.Checked == 0 {
					t.Errorf("seed %d: %s %s checked %d: %q", c.seed, p.ID, v.Status, v.Checked, v.Evidence)
				}
			}
			if !steppedDown(res.Trace.Records) {
				t.Errorf("seed %d: no instance stepped down for a stale lease at its background timer", c.seed)
			}
		})
	}
}

// Upstream's coordinator learns that its lease was taken only at its next renewal, 12 s after the
// last (PrimaryHostCoordinator.cs@f79ea0b: renewal every LeaseTimeout - 3 s): when an injected
// primary-lease-lost breaks the lease, another instance acquires it at its next attempt (every 5 s),
// and the old primary's background timer fires before its next renewal, both run the background sync
// (P15), as the real host would. Fleet seed 58, frontend: the lease is broken at 04:28.457, pod-15d4
// acquires it at 04:30.077, and pod-f5ee, which renewed at 04:28.027, syncs at 04:32 as a second
// primary. P14 does not judge the broken instance before its next renewal; P15 does.
func TestBrokenLeaseTwoPrimariesUntilNextRenewal(t *testing.T) {
	res := run(t, load(t, "scenarios/fleet.yaml"), host.ModeFrontend, 58, Options{})
	if v := verdict(t, res, check.PropP14); v.Status != check.Pass {
		t.Errorf("P14 %s: %q", v.Status, v.Evidence)
	}
	v := verdict(t, res, check.PropP15)
	if v.Status != check.Fail || len(v.Evidence) == 0 || !strings.Contains(v.Evidence[0].Text, "acting as primary while the lease is held by") {
		t.Fatalf("P15 %s: %q, want the second primary found", v.Status, v.Evidence)
	}
}

// steppedDown reports whether an instance gave up the primary role at its background timer: its
// `primary primary=false` record is followed, at the same moment, by the timer's skip line.
func steppedDown(recs []trace.Record) bool {
	for i := 0; i+1 < len(recs); i++ {
		r, next := recs[i], recs[i+1]
		if r.Kind == "primary" && r.Get("primary") == "false" && next.Party == r.Party && next.At == r.At &&
			next.Kind == "log" && next.Get("text") == host.TextNotPrimary {
			return true
		}
	}
	return false
}

// The lease record's filter knows the lock blob by host.LockBlobName's spelling, and nothing else.
func TestIsLockBlob(t *testing.T) {
	for _, id := range []string{"myapp", "", "a/b", "host"} {
		if !isLockBlob(host.LockBlobName(id), id) {
			t.Errorf("%q: its lock blob %q is not recognized", id, host.LockBlobName(id))
		}
	}
	for _, name := range []string{host.HashBlobName("myapp"), host.LockBlobName("other"), host.LockBlobName("myap"),
		"locks/myapp/hosts", "lock/myapp/host", "locks/myapp/host/", "", "locks//host"} {
		if isLockBlob(name, "myapp") {
			t.Errorf("%q is taken for myapp's lock blob", name)
		}
	}
}
