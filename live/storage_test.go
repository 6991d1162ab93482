package live

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/syncsim/syncsim/host"
)

// The primary lease lasts the scaled duration the host asks for, against a service that grants no
// lease under 15 s (PROTOCOL.md section 1; PrimaryHostCoordinator's 15 s lease at scale 0.01): while
// the holder renews, no one else gets it; once the holder has gone a scaled duration without renewing,
// the next acquirer does, and the old holder's renewal is refused, as Azure answers for an expired
// lease taken by another id. A holder that renews late while no one asked keeps its lease.
func TestLeaseLastsItsScaledDuration(t *testing.T) {
	inst := startAzurite(t)
	client, err := azblob.NewClientFromConnectionString(inst.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &storage{client: client, timeout: 10 * time.Second}
	if err := s.reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	const d = 300 * time.Millisecond
	lock := host.LockBlobName("leaseapp")
	a, b := "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	call := func(op host.BlobOp, id string) int {
		return s.do(host.BlobCall{Op: op, Container: host.HostsContainer, Blob: lock, LeaseID: id, Duration: d}).Status
	}
	if st := s.do(host.BlobCall{Op: host.BlobUpload, Container: host.HostsContainer, Blob: lock, IfNoneMatch: "*"}).Status; st != 201 {
		t.Fatalf("creating the lock blob: %d", st)
	}
	steps := []struct {
		what  string
		sleep time.Duration
		op    host.BlobOp
		id    string
		want  int
	}{
		{"a acquires", 0, host.BlobAcquireLease, a, 201},
		{"b while a holds", 0, host.BlobAcquireLease, b, 409},
		{"a renews within the duration", d / 2, host.BlobRenewLease, a, 200},
		{"b within the renewed duration", d / 2, host.BlobAcquireLease, b, 409},
		{"a renews late, no one asked meanwhile", d, host.BlobRenewLease, a, 200},
		{"b after a went a duration without renewing", d + d/2, host.BlobAcquireLease, b, 201},
		{"a's late renewal after b took the lease", 0, host.BlobRenewLease, a, 409},
		{"a while b holds", 0, host.BlobAcquireLease, a, 409},
		{"b renews", 0, host.BlobRenewLease, b, 200},
	}
	for _, st := range steps {
		time.Sleep(st.sleep)
		if got := call(st.op, st.id); got != st.want {
			t.Errorf("%s: %s answered %d, want %d", st.what, st.op, got, st.want)
		}
	}
}
