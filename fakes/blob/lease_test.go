package blob

import (
	"testing"
	"time"
)

// BLOB-3: a write without the lease id on a leased blob fails 412 LeaseIdMissing; a wrong lease id
// fails 412 LeaseIdMismatchWithBlobOperation. Reads need no lease id, but a wrong one fails.
func TestBlobOperationsOnLeasedBlob(t *testing.T) {
	tests := []struct {
		name    string
		leaseID string
		write   int
		wcode   string
		read    int
		rcode   string
	}{
		{"no lease id", "", 412, CodeLeaseIDMissing, 0, ""},
		{"wrong lease id", "lease-b", 412, CodeLeaseIDMismatchWithBlobOperation, 412, CodeLeaseIDMismatchWithBlobOperation},
		{"right lease id", "lease-a", 0, "", 0, ""},
		{"right lease id, other case (Azurite)", "LEASE-A", 0, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := leased(t)
			c := Conditions{LeaseID: tt.leaseID}
			_, err := s.Upload(at(time.Second), ctr, key, []byte("v2"), c)
			wantCode(t, err, tt.write, tt.wcode)
			_, _, err = s.Download(at(time.Second), ctr, key, c)
			wantCode(t, err, tt.read, tt.rcode)
			err = s.Delete(at(time.Second), ctr, key, c)
			wantCode(t, err, tt.write, tt.wcode)
		})
	}
}

// BLOB-3 with lease expiry on virtual time: a 15 s lease taken at t blocks writes without it at
// t+14s and not at t+16s; expiry is inclusive at exactly t+15s.
func TestLeaseExpiresOnVirtualTime(t *testing.T) {
	tests := []struct {
		after  time.Duration
		status int
		code   string
		state  string
	}{
		{14 * time.Second, 412, CodeLeaseIDMissing, LeaseStateLeased},
		{15 * time.Second, 0, "", LeaseStateExpired},
		{16 * time.Second, 0, "", LeaseStateExpired},
	}
	for _, tt := range tests {
		t.Run(tt.after.String(), func(t *testing.T) {
			s, _ := leased(t)
			p, err := s.GetProperties(at(tt.after), ctr, key, Conditions{})
			wantCode(t, err, 0, "")
			if p.Lease.State != tt.state {
				t.Errorf("lease state = %q, want %q", p.Lease.State, tt.state)
			}
			_, err = s.Upload(at(tt.after), ctr, key, []byte("v2"), Conditions{})
			wantCode(t, err, tt.status, tt.code)
		})
	}
}

// BLOB-3: a second acquire fails 409 LeaseAlreadyPresent; acquiring with the active id renews; an
// expired lease is available to anyone.
func TestAcquireLease(t *testing.T) {
	tests := []struct {
		name     string
		after    time.Duration
		proposed string
		duration time.Duration
		status   int
		code     string
		wantID   string
	}{
		{"other id while leased", time.Second, "lease-b", 15 * time.Second, 409, CodeLeaseAlreadyPresent, ""},
		{"no id while leased", time.Second, "", 15 * time.Second, 409, CodeLeaseAlreadyPresent, ""},
		{"same id renews", 10 * time.Second, "lease-a", 15 * time.Second, 0, "", "lease-a"},
		{"other id after expiry", 15 * time.Second, "lease-b", 15 * time.Second, 0, "", "lease-b"},
		{"generated id after expiry", 20 * time.Second, "", InfiniteLease, 0, "", "00000000-0000-4000-8000-000000000001"},
		{"duration too short", 20 * time.Second, "lease-b", 14 * time.Second, 400, CodeInvalidHeaderValue, ""},
		{"duration too long", 20 * time.Second, "lease-b", 61 * time.Second, 400, CodeInvalidHeaderValue, ""},
		{"negative duration other than -1", 20 * time.Second, "lease-b", -2, 400, CodeInvalidHeaderValue, ""},
		{"same id, bad duration", time.Second, "lease-a", 5 * time.Second, 400, CodeInvalidHeaderValue, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := leased(t)
			id, err := s.AcquireLease(at(tt.after), ctr, key, tt.duration, tt.proposed, Conditions{})
			wantCode(t, err, tt.status, tt.code)
			if id != tt.wantID {
				t.Errorf("lease id = %q, want %q", id, tt.wantID)
			}
		})
	}
}

// Acquiring with the active id restarts the duration: the lease taken at 0 and re-acquired at 10 s
// still blocks writes at 20 s.
func TestAcquireSameIDRenews(t *testing.T) {
	s, _ := leased(t)
	if _, err := s.AcquireLease(at(10*time.Second), ctr, key, 15*time.Second, "lease-a", Conditions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Upload(at(20*time.Second), ctr, key, []byte("v2"), Conditions{})
	wantCode(t, err, 412, CodeLeaseIDMissing)
	_, err = s.Upload(at(25*time.Second), ctr, key, []byte("v2"), Conditions{})
	wantCode(t, err, 0, "")
}

func TestAcquireHonoursConditions(t *testing.T) {
	s, etag := seeded(t)
	// Azurite checks the conditions before it looks for the blob.
	_, err := s.AcquireLease(t0, ctr, "missing", 15*time.Second, "a", Conditions{IfMatch: etag})
	wantCode(t, err, 412, CodeConditionNotMet)
	_, err = s.AcquireLease(t0, ctr, "missing", 15*time.Second, "a", Conditions{IfMatch: "*"})
	wantCode(t, err, 404, CodeBlobNotFound)
	_, err = s.AcquireLease(t0, ctr, key, 15*time.Second, "a", Conditions{IfMatch: "\"stale\""})
	wantCode(t, err, 412, CodeConditionNotMet)
	_, err = s.AcquireLease(t0, ctr, key, 15*time.Second, "a", Conditions{IfMatch: etag})
	wantCode(t, err, 0, "")
}

// Renew, release and change: a wrong id fails 409 LeaseIdMismatchWithLeaseOperation; so do renew and
// release of a blob never leased (Azurite; change answers LeaseNotPresentWithLeaseOperation); an
// expired lease renews, with any id as in Azurite, unless someone acquired it or the blob was written
// since.
func TestLeaseOperations(t *testing.T) {
	type step func(s *Store) error
	renew := func(d time.Duration, id string) step {
		return func(s *Store) error { return s.RenewLease(at(d), ctr, key, id) }
	}
	release := func(d time.Duration, id string) step {
		return func(s *Store) error { return s.ReleaseLease(at(d), ctr, key, id) }
	}
	change := func(d time.Duration, id, to string) step {
		return func(s *Store) error { _, err := s.ChangeLease(at(d), ctr, key, id, to); return err }
	}
	acquire := func(d time.Duration, id string) step {
		return func(s *Store) error {
			_, err := s.AcquireLease(at(d), ctr, key, 15*time.Second, id, Conditions{})
			return err
		}
	}
	write := func(d time.Duration) step {
		return func(s *Store) error { _, err := s.Upload(at(d), ctr, key, nil, Conditions{}); return err }
	}
	sec := time.Second
	tests := []struct {
		name   string
		leased bool
		before []step
		op     step
		status int
		code   string
	}{
		{"renew own lease", true, nil, renew(5*sec, "lease-a"), 0, ""},
		{"renew wrong id", true, nil, renew(5*sec, "lease-b"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"renew never leased (Azurite)", false, nil, renew(5*sec, "lease-a"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"renew without id", true, nil, renew(5*sec, ""), 400, CodeMissingRequiredHeader},
		{"renew expired own lease", true, nil, renew(30*sec, "lease-a"), 0, ""},
		{"renew expired, other id (Azurite)", true, nil, renew(30*sec, "lease-b"), 0, ""},
		{"renew expired after another acquire", true, []step{acquire(20*sec, "lease-b")}, renew(21*sec, "lease-a"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"renew expired after a write (Azurite)", true, []step{write(20 * sec)}, renew(21*sec, "lease-a"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"release own lease", true, nil, release(5*sec, "lease-a"), 0, ""},
		{"release wrong id", true, nil, release(5*sec, "lease-b"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"release never leased (Azurite)", false, nil, release(5*sec, "lease-a"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"release twice (Azurite)", true, []step{release(1*sec, "lease-a")}, release(2*sec, "lease-a"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"release expired own lease", true, nil, release(30*sec, "lease-a"), 0, ""},
		{"change own lease", true, nil, change(5*sec, "lease-a", "lease-b"), 0, ""},
		{"change again is idempotent", true, []step{change(1*sec, "lease-a", "lease-b")}, change(2*sec, "lease-a", "lease-b"), 0, ""},
		{"change wrong id", true, nil, change(5*sec, "lease-x", "lease-y"), 409, CodeLeaseIDMismatchWithLeaseOperation},
		{"change to empty id", true, nil, change(5*sec, "lease-a", ""), 400, CodeInvalidHeaderValue},
		{"change never leased", false, nil, change(5*sec, "lease-a", "lease-b"), 409, CodeLeaseNotPresentWithLeaseOperation},
		{"change expired", true, nil, change(30*sec, "lease-a", "lease-b"), 409, CodeLeaseNotPresentWithLeaseOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := seeded(t)
			if tt.leased {
				s, _ = leased(t)
			}
			for i, st := range tt.before {
				if err := st(s); err != nil {
					t.Fatalf("setup step %d: %v", i, err)
				}
			}
			wantCode(t, tt.op(s), tt.status, tt.code)
		})
	}
}

// Azurite renews an expired lease whatever id the renew names, and the lease keeps its own id.
func TestRenewExpiredKeepsOwnID(t *testing.T) {
	s, _ := leased(t)
	wantCode(t, s.RenewLease(at(30*time.Second), ctr, key, "lease-b"), 0, "")
	_, err := s.Upload(at(31*time.Second), ctr, key, nil, Conditions{LeaseID: "lease-b"})
	wantCode(t, err, 412, CodeLeaseIDMismatchWithBlobOperation)
	_, err = s.Upload(at(31*time.Second), ctr, key, nil, Conditions{LeaseID: "lease-a"})
	wantCode(t, err, 0, "")
}

// A renewed lease runs a full duration from the renewal; a released lease frees writes at once; a
// changed lease is held under the new id.
func TestLeaseOperationEffects(t *testing.T) {
	s, _ := leased(t)
	wantCode(t, s.RenewLease(at(10*time.Second), ctr, key, "lease-a"), 0, "")
	_, err := s.Upload(at(20*time.Second), ctr, key, nil, Conditions{})
	wantCode(t, err, 412, CodeLeaseIDMissing)

	id, err := s.ChangeLease(at(21*time.Second), ctr, key, "lease-a", "lease-b")
	wantCode(t, err, 0, "")
	if id != "lease-b" {
		t.Fatalf("ChangeLease id = %q", id)
	}
	_, err = s.Upload(at(22*time.Second), ctr, key, nil, Conditions{LeaseID: "lease-a"})
	wantCode(t, err, 412, CodeLeaseIDMismatchWithBlobOperation)
	_, err = s.Upload(at(22*time.Second), ctr, key, nil, Conditions{LeaseID: "lease-b"})
	wantCode(t, err, 0, "")

	wantCode(t, s.ReleaseLease(at(23*time.Second), ctr, key, "lease-b"), 0, "")
	_, err = s.Upload(at(23*time.Second), ctr, key, nil, Conditions{})
	wantCode(t, err, 0, "")
}

// An infinite lease never expires; renewing it is a no-op.
func TestInfiniteLease(t *testing.T) {
	s, _ := seeded(t)
	if _, err := s.AcquireLease(t0, ctr, key, InfiniteLease, "inf", Conditions{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RenewLease(at(time.Hour), ctr, key, "inf"), 0, "")
	p, err := s.GetProperties(at(24*time.Hour), ctr, key, Conditions{})
	wantCode(t, err, 0, "")
	want := LeaseInfo{State: LeaseStateLeased, Status: LeaseStatusLocked, Duration: LeaseDurationInfinite}
	if p.Lease != want {
		t.Errorf("lease = %+v, want %+v", p.Lease, want)
	}
}
