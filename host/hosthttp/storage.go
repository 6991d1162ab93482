package hosthttp

import (
	"errors"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/host"
)

// blobOp performs a host's storage call (BLOB-2, the primary lease) on the in-memory blob model at
// now, as the simulator's world does.
func blobOp(store *blob.Store, c host.BlobCall, now time.Time) host.BlobResult {
	var (
		res  host.BlobResult
		err  error
		cond = blob.Conditions{IfNoneMatch: c.IfNoneMatch}
	)
	switch c.Op {
	case host.BlobExists:
		var p blob.Properties
		p, err = store.GetProperties(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, ETag: p.ETag}
	case host.BlobDownload:
		var data []byte
		var p blob.Properties
		data, p, err = store.Download(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, Data: data, ETag: p.ETag}
	case host.BlobUpload:
		var p blob.Properties
		p, err = store.Upload(now, c.Container, c.Blob, c.Data, cond)
		res = host.BlobResult{Status: 201, ETag: p.ETag}
	case host.BlobAcquireLease:
		var id string
		id, err = store.AcquireLease(now, c.Container, c.Blob, c.Duration, c.LeaseID, blob.Conditions{})
		res = host.BlobResult{Status: 201, LeaseID: id}
	case host.BlobRenewLease:
		err = store.RenewLease(now, c.Container, c.Blob, c.LeaseID)
		res = host.BlobResult{Status: 200, LeaseID: c.LeaseID}
	default:
		return host.BlobResult{Status: 400, Code: "UnsupportedOperation"}
	}
	if err != nil {
		var be *blob.Error
		if errors.As(err, &be) {
			return host.BlobResult{Status: be.Status, Code: be.Code}
		}
		return host.BlobResult{}
	}
	return res
}
