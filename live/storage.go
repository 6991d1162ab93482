package live

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/syncsim/syncsim/host"
)

// storage performs the host's blob calls with the azblob SDK (BLOB-2, the primary lease).
//
// The primary lease lasts the duration the host asks for, which a live run scales with every other
// timer (15 s of scenario time is 150 ms at the default scale), while Azure Storage and Azurite refuse
// a duration under 15 s. So the adapter acquires the service's lease for at least its minimum and
// keeps the scaled expiry itself: an acquisition by another lease id after the holder went a scaled
// duration without a successful renewal first breaks the service's lease (break period 0), and the
// service then grants the lease to that acquirer as it would grant an expired one. The lease's history
// stays the service's: a renewal after the scaled expiry still succeeds when no one acquired the lease
// meanwhile, and fails (409) when someone did, as Azure answers for an expired lease.
type storage struct {
	client  *azblob.Client
	timeout time.Duration

	// leaseMu serializes the lease calls, so that the expiry check, the break and the acquisition
	// that follows it are one step: two acquirers never both break, and no renewal lands between
	// a break and the acquisition it makes room for.
	leaseMu sync.Mutex
	// leases is the scaled lease last granted on each lock blob, by blob name.
	leases map[string]scaledLease
}

// scaledLease is a lease the service granted, with the expiry the host asked for.
type scaledLease struct {
	id       string
	duration time.Duration
	until    time.Time
}

// Azure Storage's bounds on a fixed lease duration (Lease Blob: 15 to 60 seconds).
const (
	minServiceLease = 15 * time.Second
	maxServiceLease = 60 * time.Second
)

// serviceSeconds is the duration asked of the service for a lease of d: d in whole seconds, within
// the service's bounds. A scaled duration over 60 s (a time scale above 4) would expire at the
// service's 60 s, before the adapter's expiry.
func serviceSeconds(d time.Duration) int32 {
	d = min(max(d, minServiceLease), maxServiceLease)
	return int32((d + time.Second - 1) / time.Second)
}

// reset gives the run an empty hosts container.
func (s *storage) reset(ctx context.Context) error {
	c := s.client.ServiceClient().NewContainerClient(host.HostsContainer)
	if _, err := c.Delete(ctx, nil); err != nil && statusOf(err) != 404 {
		return err
	}
	for i := 0; ; i++ {
		_, err := c.Create(ctx, nil)
		if err == nil {
			return nil
		}
		// A container being deleted answers 409 ContainerBeingDeleted for a moment.
		if statusOf(err) != 409 || i > 50 {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *storage) do(call host.BlobCall) host.BlobResult {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	bc := s.client.ServiceClient().NewContainerClient(call.Container).NewBlockBlobClient(call.Blob)
	switch call.Op {
	case host.BlobExists:
		p, err := bc.GetProperties(ctx, nil)
		return result(200, err, etag(p.ETag), nil, "")
	case host.BlobDownload:
		resp, err := bc.DownloadStream(ctx, nil)
		if err != nil {
			return result(0, err, "", nil, "")
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return result(200, err, etag(resp.ETag), data, "")
	case host.BlobUpload:
		opts := &blockblob.UploadOptions{}
		if call.IfNoneMatch != "" {
			m := azcore.ETag(call.IfNoneMatch)
			opts.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: &m}}
		}
		p, err := bc.Upload(ctx, streaming.NopCloser(bytes.NewReader(call.Data)), opts)
		return result(201, err, etag(p.ETag), nil, "")
	case host.BlobAcquireLease, host.BlobRenewLease:
		return s.lease(ctx, bc, call)
	}
	return host.BlobResult{Status: 400, Code: "UnsupportedOperation"}
}

// lease acquires or renews the lease on a lock blob against the service, under the scaled expiry.
func (s *storage) lease(ctx context.Context, bc *blockblob.Client, call host.BlobCall) host.BlobResult {
	id := call.LeaseID
	lc, err := lease.NewBlobClient(bc, &lease.BlobClientOptions{LeaseID: &id})
	if err != nil {
		return result(0, err, "", nil, "")
	}
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	// The service starts a lease's period when the call arrives; counting from before the call keeps
	// the adapter's expiry no later than that, and no earlier than the host's own (host/lease.go
	// counts from its send).
	sent := time.Now()
	held, ok := s.leases[call.Blob]
	if call.Op == host.BlobRenewLease {
		_, err = lc.RenewLease(ctx, nil)
		if err == nil && ok && held.id == id {
			s.leases[call.Blob] = scaledLease{id: id, duration: held.duration, until: sent.Add(held.duration)}
		}
		return result(200, err, "", nil, id)
	}
	if ok && held.id != id && !sent.Before(held.until) {
		// The holder's scaled lease has expired: the service's lease is broken so that it is free
		// now, as an expired one is. A break that finds no lease (the service's own expiry, or a
		// holder gone) changes nothing; any other failure leaves the acquisition to the service,
		// which refuses it while the lease stands.
		breaker, err := lease.NewBlobClient(bc, nil)
		if err == nil {
			_, _ = breaker.BreakLease(ctx, &lease.BlobBreakOptions{BreakPeriod: new(int32(0))})
		}
	}
	_, err = lc.AcquireLease(ctx, serviceSeconds(call.Duration), nil)
	if err == nil {
		if s.leases == nil {
			s.leases = map[string]scaledLease{}
		}
		s.leases[call.Blob] = scaledLease{id: id, duration: call.Duration, until: sent.Add(call.Duration)}
	}
	return result(201, err, "", nil, id)
}

func etag(e *azcore.ETag) string {
	if e == nil {
		return ""
	}
	return string(*e)
}

// result maps an SDK outcome to the host's view: the service's status and error code, or status 0
// for a transport error or a timeout.
func result(ok int, err error, etag string, data []byte, leaseID string) host.BlobResult {
	if err == nil {
		return host.BlobResult{Status: ok, ETag: etag, Data: data, LeaseID: leaseID}
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return host.BlobResult{Status: re.StatusCode, Code: re.ErrorCode}
	}
	return host.BlobResult{}
}

func statusOf(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// hashWrites are one instance's hash blob writes on their way to storage. A host's MSG-3 answer
// leaves only once the writes its host sent before it have reached storage: platform-ack writes the
// served payload's hash in the step that answers the fetch (PROTOCOL.md section 7), and in the
// simulator that write, one hop to storage, lands before the answer has made its two hops (router,
// mesh) to the platform store, so P4 never sees the store ahead of the blob. Live, the answer crosses
// loopback in microseconds while Azurite takes milliseconds, hundreds of scenario milliseconds at the
// default scale; without the wait the store would hold the new payload while the blob still holds
// the old hash, an order no network of the scenario's bounds makes. The calls are not delayed, only
// the answer, and only by the storage time the simulator counts as one hop.
type hashWrites struct {
	pending []chan struct{}
}

// start notes a write sent (the host's lock held: the write is sent inside a step); closing the
// channel returned marks it as having reached storage, and drop forgets it.
func (w *hashWrites) start() chan struct{} {
	ch := make(chan struct{})
	w.pending = append(w.pending, ch)
	return ch
}

// drop forgets a write that reached storage; the host's lock is held.
func (w *hashWrites) drop(ch chan struct{}) {
	w.pending = slices.DeleteFunc(w.pending, func(c chan struct{}) bool { return c == ch })
}

// sent lists the writes not yet known to be at storage, to wait for without the host's lock.
func (w *hashWrites) sent() []chan struct{} { return slices.Clone(w.pending) }

// wait blocks until every write of sent has reached storage, or gone stops the wait (the instance
// was deleted: its answer is lost anyway).
func wait(sent []chan struct{}, gone <-chan struct{}) {
	for _, ch := range sent {
		select {
		case <-ch:
		case <-gone:
			return
		}
	}
}
