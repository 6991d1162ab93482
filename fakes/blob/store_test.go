package blob

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestCreateContainerTwice(t *testing.T) {
	s := New()
	wantCode(t, s.CreateContainer(t0, ctr), 0, "")
	wantCode(t, s.CreateContainer(t0, ctr), 409, CodeContainerAlreadyExists)
}

// Every blob operation on a missing container fails 404 ContainerNotFound; every operation that
// needs the blob fails 404 BlobNotFound when only the blob is missing (BLOB-3).
func TestMissingContainerAndBlob(t *testing.T) {
	sec := time.Second
	ops := []struct {
		name      string
		run       func(s *Store, c string) error
		needsBlob bool
	}{
		{OpGetProperties, func(s *Store, c string) error {
			_, err := s.GetProperties(t0, c, "nope", Conditions{})
			return err
		}, true},
		{OpDownload, func(s *Store, c string) error { _, _, err := s.Download(t0, c, "nope", Conditions{}); return err }, true},
		{OpUpload, func(s *Store, c string) error { _, err := s.Upload(t0, c, "nope", nil, Conditions{}); return err }, false},
		{OpDelete, func(s *Store, c string) error { return s.Delete(t0, c, "nope", Conditions{}) }, true},
		{OpAcquireLease, func(s *Store, c string) error {
			_, err := s.AcquireLease(t0, c, "nope", 15*sec, "", Conditions{})
			return err
		}, true},
		{OpRenewLease, func(s *Store, c string) error { return s.RenewLease(t0, c, "nope", "a") }, true},
		{OpReleaseLease, func(s *Store, c string) error { return s.ReleaseLease(t0, c, "nope", "a") }, true},
		{OpBreakLease, func(s *Store, c string) error { _, err := s.BreakLease(t0, c, "nope", 0); return err }, true},
		{OpChangeLease, func(s *Store, c string) error { _, err := s.ChangeLease(t0, c, "nope", "a", "b"); return err }, true},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			s, _ := seeded(t)
			err := op.run(s, "missing")
			wantCode(t, err, 404, CodeContainerNotFound)
			if e := err.(*Error); e.Op != op.name || e.Container != "missing" || e.Blob != "nope" {
				t.Errorf("error names %q %q %q", e.Op, e.Container, e.Blob)
			}
			err = op.run(s, ctr)
			if op.needsBlob {
				wantCode(t, err, 404, CodeBlobNotFound)
			} else {
				wantCode(t, err, 0, "")
			}
		})
	}
}

func TestExists(t *testing.T) {
	s, _ := seeded(t)
	tests := []struct {
		container, name string
		want            bool
	}{
		{ctr, key, true}, {ctr, "nope", false}, {"missing", key, false},
	}
	for _, tt := range tests {
		got, err := s.Exists(t0, tt.container, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Exists(%s, %s) = %v, %v; want %v", tt.container, tt.name, got, err, tt.want)
		}
	}
}

// BLOB-3: the ETag changes on every write, even of the same bytes; lease operations leave it alone.
func TestETagChangesPerWriteNotPerLeaseOp(t *testing.T) {
	sec := time.Second
	s, first := seeded(t)
	p, _ := s.Upload(at(sec), ctr, key, []byte("v1"), Conditions{})
	if p.ETag == first {
		t.Fatalf("identical rewrite kept ETag %s", first)
	}
	second := p.ETag
	steps := []func() error{
		func() error { _, err := s.AcquireLease(at(2*sec), ctr, key, 15*sec, "a", Conditions{}); return err },
		func() error { return s.RenewLease(at(3*sec), ctr, key, "a") },
		func() error { _, err := s.ChangeLease(at(4*sec), ctr, key, "a", "b"); return err },
		func() error { _, err := s.BreakLease(at(5*sec), ctr, key, 0); return err },
		func() error { return s.ReleaseLease(at(6*sec), ctr, key, "b") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("lease step %d: %v", i, err)
		}
		if _, etag, _ := s.Peek(ctr, key); etag != second {
			t.Fatalf("lease step %d changed ETag %s -> %s", i, second, etag)
		}
	}
	p, _ = s.Upload(at(7*sec), ctr, key, []byte("v3"), Conditions{})
	if p.ETag == second || p.ETag == first {
		t.Errorf("write after lease ops reused an ETag: %s", p.ETag)
	}
	if !p.LastModified.Equal(at(7*sec)) || p.ContentLength != 2 {
		t.Errorf("properties = %+v", p)
	}
}

// Data is copied in and out: callers cannot change stored bytes.
func TestCopySemantics(t *testing.T) {
	s := New()
	_ = s.CreateContainer(t0, ctr)
	in := []byte("abc")
	_, _ = s.Upload(t0, ctr, key, in, Conditions{})
	in[0] = 'X'
	out, _, _ := s.Download(t0, ctr, key, Conditions{})
	out[1] = 'Y'
	peek, _, _ := s.Peek(ctr, key)
	peek[2] = 'Z'
	if got, _, _ := s.Peek(ctr, key); string(got) != "abc" {
		t.Errorf("stored bytes = %q, want abc", got)
	}
}

func TestListingsAreSorted(t *testing.T) {
	s := New()
	for _, c := range []string{"zeta", "alpha", "mid"} {
		_ = s.CreateContainer(t0, c)
	}
	for _, b := range []string{"b/2", "a", "b/1", "c"} {
		_, _ = s.Upload(t0, "mid", b, nil, Conditions{})
	}
	if got, want := s.Containers(), []string{"alpha", "mid", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("Containers() = %v, want %v", got, want)
	}
	if got, want := s.Blobs("mid"), []string{"a", "b/1", "b/2", "c"}; !slices.Equal(got, want) {
		t.Errorf("Blobs() = %v, want %v", got, want)
	}
	if got := s.Blobs("missing"); got != nil {
		t.Errorf("Blobs(missing) = %v", got)
	}
	if _, _, ok := s.Peek("missing", "a"); ok {
		t.Error("Peek on a missing container found a blob")
	}
}

// Two stores given the same operations issue identical ETags and lease ids.
func TestDeterministicIDs(t *testing.T) {
	run := func() []string {
		s := New()
		var out []string
		_ = s.CreateContainer(t0, ctr)
		for i, name := range []string{"x", "y", "x"} {
			p, _ := s.Upload(at(time.Duration(i)*time.Second), ctr, name, []byte(name), Conditions{})
			out = append(out, p.ETag)
		}
		id1, _ := s.AcquireLease(t0, ctr, "x", 15*time.Second, "", Conditions{})
		id2, _ := s.AcquireLease(t0, ctr, "y", InfiniteLease, "", Conditions{})
		return append(out, id1, id2)
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("runs differ:\n%v\n%v", a, b)
	}
	want := []string{"\"0x8DC0000000000001\"", "\"0x8DC0000000000002\"", "\"0x8DC0000000000003\"",
		"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ids = %v, want %v", a, want)
	}
}

// GetProperties reports the lease as Azure does, moving with virtual time.
func TestLeaseInfoStates(t *testing.T) {
	sec := time.Second
	s, _ := leased(t)
	if _, err := s.BreakLease(at(sec), ctr, key, 5*sec); err != nil {
		t.Fatal(err)
	}
	s2, _ := leased(t)
	tests := []struct {
		s    *Store
		at   time.Duration
		want LeaseInfo
	}{
		{s2, sec, LeaseInfo{LeaseStateLeased, LeaseStatusLocked, LeaseDurationFixed}},
		{s2, 15 * sec, LeaseInfo{LeaseStateExpired, LeaseStatusUnlocked, ""}},
		{s, 2 * sec, LeaseInfo{LeaseStateBreaking, LeaseStatusLocked, ""}},
		{s, 6 * sec, LeaseInfo{LeaseStateBroken, LeaseStatusUnlocked, ""}},
	}
	for _, tt := range tests {
		p, err := tt.s.GetProperties(at(tt.at), ctr, key, Conditions{})
		if err != nil || p.Lease != tt.want {
			t.Errorf("at %v: lease %+v, %v; want %+v", tt.at, p.Lease, err, tt.want)
		}
	}
	fresh, _ := seeded(t)
	p, _ := fresh.GetProperties(t0, ctr, key, Conditions{})
	if want := (LeaseInfo{LeaseStateAvailable, LeaseStatusUnlocked, ""}); p.Lease != want {
		t.Errorf("never leased: %+v", p.Lease)
	}
}

// A write clears an expired lease, so the blob reads as available afterwards (Azurite).
func TestWriteClearsExpiredLease(t *testing.T) {
	s, _ := leased(t)
	p, err := s.Upload(at(20*time.Second), ctr, key, nil, Conditions{})
	wantCode(t, err, 0, "")
	if p.Lease.State != LeaseStateAvailable {
		t.Errorf("lease after write = %q, want available", p.Lease.State)
	}
}
