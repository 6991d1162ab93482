package live

import (
	"bytes"
	"context"
	"errors"
	"io"
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
type storage struct {
	client  *azblob.Client
	timeout time.Duration
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
		id := call.LeaseID
		lc, err := lease.NewBlobClient(bc, &lease.BlobClientOptions{LeaseID: &id})
		if err != nil {
			return result(0, err, "", nil, "")
		}
		if call.Op == host.BlobAcquireLease {
			_, err = lc.AcquireLease(ctx, int32(call.Duration/time.Second), nil)
			return result(201, err, "", nil, id)
		}
		_, err = lc.RenewLease(ctx, nil)
		return result(200, err, "", nil, id)
	}
	return host.BlobResult{Status: 400, Code: "UnsupportedOperation"}
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
