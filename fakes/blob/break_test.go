package blob

import (
	"testing"
	"time"
)

// Break: leased becomes breaking for the break period (0 breaks at once); while breaking, acquires
// fail 409 and writes still need the lease id; after the period the lease is broken and the blob
// takes writes and acquires again.
func TestBreakLease(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name      string
		period    time.Duration
		infinite  bool
		status    int
		code      string
		remaining time.Duration
		state     string // right after the break
	}{
		{"period 0 breaks at once", 0, false, 0, "", 0, LeaseStateBroken},
		{"period 5s", 5 * sec, false, 0, "", 5 * sec, LeaseStateBreaking},
		{"period capped by fixed expiry", 60 * sec, false, 0, "", 14 * sec, LeaseStateBreaking},
		{"unspecified: at lease end", BreakAtLeaseEnd, false, 0, "", 14 * sec, LeaseStateBreaking},
		{"infinite, unspecified: at once", BreakAtLeaseEnd, true, 0, "", 0, LeaseStateBroken},
		{"infinite, period 30s", 30 * sec, true, 0, "", 30 * sec, LeaseStateBreaking},
		{"period too long", 61 * sec, false, 400, CodeInvalidHeaderValue, 0, LeaseStateLeased},
		{"negative period", -2 * sec, false, 400, CodeInvalidHeaderValue, 0, LeaseStateLeased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := seeded(t)
			d := 15 * sec
			if tt.infinite {
				d = InfiniteLease
			}
			if _, err := s.AcquireLease(t0, ctr, key, d, "lease-a", Conditions{}); err != nil {
				t.Fatal(err)
			}
			left, err := s.BreakLease(at(sec), ctr, key, tt.period)
			wantCode(t, err, tt.status, tt.code)
			if left != tt.remaining {
				t.Errorf("remaining = %v, want %v", left, tt.remaining)
			}
			p, _ := s.GetProperties(at(sec), ctr, key, Conditions{})
			if p.Lease.State != tt.state {
				t.Errorf("state = %q, want %q", p.Lease.State, tt.state)
			}
		})
	}
}

func TestBreakingLeaseBlocksUntilBroken(t *testing.T) {
	sec := time.Second
	s, _ := leased(t)
	if _, err := s.BreakLease(at(sec), ctr, key, 5*sec); err != nil {
		t.Fatal(err)
	}
	_, err := s.AcquireLease(at(2*sec), ctr, key, 15*sec, "lease-b", Conditions{})
	wantCode(t, err, 409, CodeLeaseAlreadyPresent)
	_, err = s.AcquireLease(at(2*sec), ctr, key, 15*sec, "lease-a", Conditions{})
	wantCode(t, err, 409, CodeLeaseIsBreakingAndCannotBeAcquired)
	wantCode(t, s.RenewLease(at(2*sec), ctr, key, "lease-a"), 409, CodeLeaseIsBrokenAndCannotBeRenewed)
	_, err = s.ChangeLease(at(2*sec), ctr, key, "lease-a", "lease-c")
	wantCode(t, err, 409, CodeLeaseIsBreakingAndCannotBeChanged)
	_, err = s.Upload(at(2*sec), ctr, key, nil, Conditions{})
	wantCode(t, err, 412, CodeLeaseIDMissing)
	_, err = s.Upload(at(2*sec), ctr, key, nil, Conditions{LeaseID: "lease-a"})
	wantCode(t, err, 0, "")

	// Broken from 6 s on: the old id no longer works, writes and acquires without it do.
	wantCode(t, s.RenewLease(at(6*sec), ctr, key, "lease-a"), 409, CodeLeaseIsBrokenAndCannotBeRenewed)
	_, err = s.Upload(at(6*sec), ctr, key, nil, Conditions{LeaseID: "lease-a"})
	wantCode(t, err, 412, CodeLeaseNotPresentWithBlobOperation)
	_, err = s.AcquireLease(at(6*sec), ctr, key, 15*sec, "lease-b", Conditions{})
	wantCode(t, err, 0, "")
}

func TestBreakWithoutLease(t *testing.T) {
	s, _ := seeded(t)
	_, err := s.BreakLease(t0, ctr, key, 0)
	wantCode(t, err, 409, CodeLeaseNotPresentWithLeaseOperation)
}

// A second break can only shorten the breaking period.
func TestSecondBreakShortens(t *testing.T) {
	sec := time.Second
	s, _ := leased(t)
	if _, err := s.BreakLease(t0, ctr, key, 10*sec); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		period time.Duration
		want   time.Duration
	}{
		{30 * sec, 9 * sec}, {BreakAtLeaseEnd, 9 * sec}, {4 * sec, 4 * sec}, {0, 0},
	}
	for _, tt := range tests {
		left, err := s.BreakLease(at(sec), ctr, key, tt.period)
		wantCode(t, err, 0, "")
		if left != tt.want {
			t.Errorf("break %v: remaining %v, want %v", tt.period, left, tt.want)
		}
	}
}
