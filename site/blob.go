package site

import (
	"errors"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/host"
)

// blobErrorOf is the *blob.Error errors.As finds in err's tree, or nil. A chain of plain wrappers
// (each with Unwrap() error and no As method) is walked without errors.As, whose target escapes:
// in such a chain the first *blob.Error is the one errors.As finds; any other tree is left to it.
func blobErrorOf(err error) *blob.Error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if be, ok := e.(*blob.Error); ok {
			return be
		}
		if _, ok := e.(interface{ As(any) bool }); ok {
			break
		}
	}
	var be *blob.Error
	if errors.As(err, &be) {
		return be
	}
	return nil
}

// BlobOn carries out a host's storage call on the blob model at now (the simulator's storage and the
// standalone host's): the BLOB-3 status and code of a refusal, 400 UnsupportedOperation for an
// operation the model does not have.
func BlobOn(s *blob.Store, now time.Time, c host.BlobCall) host.BlobResult {
	var (
		res  host.BlobResult
		err  error
		cond = blob.Conditions{IfNoneMatch: c.IfNoneMatch}
	)
	switch c.Op {
	case host.BlobExists:
		var p blob.Properties
		p, err = s.GetProperties(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, ETag: p.ETag}
	case host.BlobDownload:
		var data []byte
		var p blob.Properties
		data, p, err = s.Download(now, c.Container, c.Blob, cond)
		res = host.BlobResult{Status: 200, Data: data, ETag: p.ETag}
	case host.BlobUpload:
		var p blob.Properties
		p, err = s.Upload(now, c.Container, c.Blob, c.Data, cond)
		res = host.BlobResult{Status: 201, ETag: p.ETag}
	case host.BlobAcquireLease:
		var id string
		id, err = s.AcquireLease(now, c.Container, c.Blob, c.Duration, c.LeaseID, blob.Conditions{})
		res = host.BlobResult{Status: 201, LeaseID: id}
	case host.BlobRenewLease:
		err = s.RenewLease(now, c.Container, c.Blob, c.LeaseID)
		res = host.BlobResult{Status: 200, LeaseID: c.LeaseID}
	default:
		return host.BlobResult{Status: 400, Code: "UnsupportedOperation"}
	}
	if err != nil {
		// blob.StatusOf's status, and the code of the same error.
		if be := blobErrorOf(err); be != nil {
			return host.BlobResult{Status: be.Status, Code: be.Code}
		}
		return host.BlobResult{}
	}
	return res
}
