package check

import "testing"

// Lease records as the world writes them: expires_ms is virtual milliseconds since the start.
const (
	acquireA = "@1s storage lease op=acquire-lease instance=instance/a status=201 state=leased holder=instance/a expires_ms=16000 duration=15s"
	renewA   = "@6s storage lease op=renew-lease instance=instance/a status=200 state=leased holder=instance/a expires_ms=21000 duration=15s"
)

func TestP14BackgroundOnPrimaryOnly(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"background sync on the holder", []string{acquireA, renewA,
			"@7s instance/a sync.call span=1 background=true origin=background"}, Pass, 1, nil},
		{"background sync on another instance (SYNC-8)", []string{acquireA,
			"@7s instance/b sync.call span=1 background=true origin=background"}, Fail, 1,
			[]string{"instance/b started at #2 ", "held by instance/a until 00:00:16.000"}},
		{"background sync after the lease expired", []string{acquireA,
			"@20s instance/a sync.call span=1 background=true origin=background"}, Fail, 1,
			[]string{"lease of instance/a expired at 00:00:16.000"}},
		{"foreground syncs are not judged", []string{acquireA,
			"@7s instance/b sync.call span=1 background=false origin=admin"}, Pass, 0, nil},
		{"no lease records: nothing judged", []string{
			"@7s instance/b sync.call span=1 background=true origin=background"}, Pass, 0, nil},
		{"an injected break the host cannot know of yet", []string{acquireA,
			"@3s storage lease op=break-lease status=202 state=broken",
			"@4s instance/a sync.call span=1 background=true origin=background"}, Pass, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, BackgroundOnPrimaryOnly(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}

func TestP15AtMostOnePrimary(t *testing.T) {
	cases := []struct {
		name    string
		lines   []string
		want    Status
		checked int
		ev      []string
	}{
		{"acquire, renew, a failed acquire by another", []string{acquireA, renewA,
			"@7s storage lease op=acquire-lease instance=instance/b status=409 state=leased holder=instance/a expires_ms=21000 duration=15s",
			"@8s instance/a sync.call span=1 background=true"}, Pass, 3, nil},
		{"a second grant while the first is unexpired", []string{acquireA,
			"@5s storage lease op=acquire-lease instance=instance/b status=201 state=leased holder=instance/b expires_ms=20000 duration=15s"},
			Fail, 2, []string{"granted the lease to instance/b at #2 ", "instance/a held it until 00:00:16.000"}},
		{"a renewal that does not extend the lease", []string{acquireA,
			"@6s storage lease op=renew-lease instance=instance/a status=200 state=leased holder=instance/a expires_ms=16000 duration=15s"},
			Fail, 2, []string{"renew-lease by instance/a at #2 ", "did not extend it"}},
		{"a stale primary acting while another holds the lease", []string{acquireA,
			"@17s storage lease op=acquire-lease instance=instance/b status=201 state=leased holder=instance/b expires_ms=32000 duration=15s",
			"@18s instance/a sync.call span=4 background=true"},
			Fail, 3, []string{"span 4 of instance/a started at #3 ", "acting as primary while the lease is held by instance/b"}},
		{"a stale primary that does not act is allowed", []string{acquireA,
			"@17s storage lease op=acquire-lease instance=instance/b status=201 state=leased holder=instance/b expires_ms=32000 duration=15s",
			"@18s instance/a primary primary=true"}, Pass, 2, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expect(t, AtMostOnePrimary(Input{Trace: script(c.lines...)}), c.want, c.checked, c.ev...)
		})
	}
}
