package load

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Issue 9 part 5: 100 instances x 100 notifications against the reference mesh: every one answered
// 2xx, fetches coalesced (MESH-6), a fetch after the last notification (MESH-2), no leak.
func TestMeshLoad100x100(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 requests")
	}
	rep, err := Run(context.Background(), Config{Kind: Mesh, Instances: 100, Requests: 100, DurationLimit: 50 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d fetches for %d notifications",
		rep.Throughput, rep.Latency.P50, rep.Latency.P99, rep.Latency.Max, rep.Fetches, rep.OK)
	if !rep.Passed {
		t.Fatalf("failures: %v", rep.Failures)
	}
	if rep.Requests != 10000 || rep.OK != 10000 || rep.Fetches < 1 || rep.Fetches > rep.OK || rep.FetchesAfterLast < 1 {
		t.Fatalf("report %+v", rep)
	}
}

// FE-1 under load: every publish with a valid TOK-3 token answered 2xx, no leak.
func TestFrontEndLoad(t *testing.T) {
	rep, err := Run(context.Background(), Config{Kind: FrontEnd, Instances: 20, Requests: 25, DurationLimit: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed || rep.OK != 500 || rep.Answered != 500 {
		t.Fatalf("report %+v", rep)
	}
}

// The run stops at its duration limit and says so.
func TestDurationLimitStopsTheRun(t *testing.T) {
	rep, err := Run(context.Background(), Config{Kind: FrontEnd, Instances: 4, Requests: 100000, DurationLimit: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.LimitHit || rep.Passed || rep.Requests >= 400000 {
		t.Fatalf("report: limit hit %v, passed %v, %d requests", rep.LimitHit, rep.Passed, rep.Requests)
	}
}

// Load goes to the local machine only.
func TestCheckLoopback(t *testing.T) {
	for target, ok := range map[string]bool{
		"http://127.0.0.1:8080/": true, "http://localhost:1": true, "http://[::1]:9/x": true, "https://127.0.0.1": true,
		"http://10.0.0.1:80": false, "http://example.com": false, "http://127.0.0.2": false, "ftp://127.0.0.1": false,
		"http://localhost.evil.com": false, "127.0.0.1:80": false, "": false, "http://0.0.0.0:80": false,
	} {
		err := CheckLoopback(target)
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrNotLoopback)) {
			t.Errorf("CheckLoopback(%q) = %v, want ok %v", target, err, ok)
		}
	}
	if _, err := Run(context.Background(), Config{Kind: Mesh, Instances: 1, Requests: 1, Target: "http://192.0.2.1:80"}); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("Run against a remote target: %v, want ErrNotLoopback", err)
	}
}
