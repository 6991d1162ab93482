package blob

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	ctr = "azure-webjobs-hosts"
	key = "synctriggers/app/last"
)

// seeded returns a store holding ctr/key = "v1" written at t0, and its ETag.
func seeded(t *testing.T) (*Store, string) {
	t.Helper()
	s := New()
	if err := s.CreateContainer(t0, ctr); err != nil {
		t.Fatal(err)
	}
	p, err := s.Upload(t0, ctr, key, []byte("v1"), Conditions{})
	if err != nil {
		t.Fatal(err)
	}
	return s, p.ETag
}

// leased is seeded plus a 15 s lease "lease-a" acquired at t0.
func leased(t *testing.T) (*Store, string) {
	t.Helper()
	s, etag := seeded(t)
	if _, err := s.AcquireLease(t0, ctr, key, 15*time.Second, "lease-a", Conditions{}); err != nil {
		t.Fatal(err)
	}
	return s, etag
}

// wantCode fails unless err is an *Error with that status and code ("" and 0 mean success).
func wantCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	if !IsCode(err, code) || StatusOf(err) != status {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
}

func at(d time.Duration) time.Time { return t0.Add(d) }
