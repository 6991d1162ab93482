package blob

import (
	"bytes"
	"time"
)

// GetProperties answers a blob's properties at now (Azure's Get Blob Properties; the host's Exists
// is this call with 404 read as false). Order of checks: container, conditions, existence, lease id.
func (s *Store) GetProperties(now time.Time, containerName, name string, c Conditions) (Properties, error) {
	b, err := s.readable(now, ref{OpGetProperties, containerName, name}, c)
	if err != nil {
		return Properties{}, err
	}
	return b.properties(now), nil
}

// Exists reports whether the blob exists, as the .NET SDK's Exists does: BlobNotFound and
// ContainerNotFound are false, any other error is returned.
func (s *Store) Exists(now time.Time, containerName, name string) (bool, error) {
	_, err := s.GetProperties(now, containerName, name, Conditions{})
	switch {
	case err == nil:
		return true, nil
	case IsCode(err, CodeBlobNotFound), IsCode(err, CodeContainerNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Download returns a copy of the blob's bytes and its properties, with the same checks as
// GetProperties.
func (s *Store) Download(now time.Time, containerName, name string, c Conditions) ([]byte, Properties, error) {
	b, err := s.readable(now, ref{OpDownload, containerName, name}, c)
	if err != nil {
		return nil, Properties{}, err
	}
	return bytes.Clone(b.data), b.properties(now), nil
}

func (s *Store) readable(now time.Time, r ref, c Conditions) (*entry, error) {
	_, b, err := s.lookup(r)
	if err != nil {
		return nil, err
	}
	if err := checkRead(r, c, b); err != nil {
		return nil, err
	}
	if b == nil {
		// BLOB-3: a missing blob fails 404 BlobNotFound.
		return nil, r.fail(404, CodeBlobNotFound)
	}
	if err := checkReadLease(r, b.lease.at(now), c.LeaseID); err != nil {
		return nil, err
	}
	return b, nil
}

// Upload writes the blob (Put Blob): it overwrites an existing blob unless c.IfNoneMatch is "*".
// Every successful Upload issues a new ETag (BLOB-3) and keeps an active or breaking lease; an
// expired or broken lease is cleared, as Azurite's write lease syncer does. Order of checks:
// container, conditions, If-None-Match "*", lease id (Azurite 3.35.0's createBlob reports that the
// blob exists before it validates the lease; checked by blobhttp's differential test).
func (s *Store) Upload(now time.Time, containerName, name string, data []byte, c Conditions) (Properties, error) {
	r := ref{OpUpload, containerName, name}
	cont, b, err := s.lookup(r)
	if err != nil {
		return Properties{}, err
	}
	if err := checkWrite(r, c, b); err != nil {
		return Properties{}, err
	}
	if b == nil {
		// Azurite: a lease id on a blob that does not exist yet is ignored and the blob is created
		// (its createBlob validates the lease only of an existing blob; Azure answers 412
		// LeaseNotPresentWithBlobOperation, see DEVIATIONS.md).
		b = &entry{}
		cont.blobs[name] = b
	} else {
		if c.IfNoneMatch == "*" {
			// BLOB-3: If-None-Match "*" on an existing blob fails 409 BlobAlreadyExists, before the
			// lease is looked at (Azurite's createBlob order).
			return Properties{}, r.fail(409, CodeBlobAlreadyExists)
		}
		l := b.lease.at(now)
		if err := checkWriteLease(r, l, c.LeaseID); err != nil {
			return Properties{}, err
		}
		b.lease = l.afterWrite()
	}
	b.data = bytes.Clone(data)
	if b.data == nil {
		b.data = []byte{}
	}
	b.etag = s.nextETag()
	b.modified = now
	return b.properties(now), nil
}

// Delete removes the blob and its lease. Order of checks: container, conditions, existence, lease id.
func (s *Store) Delete(now time.Time, containerName, name string, c Conditions) error {
	r := ref{OpDelete, containerName, name}
	cont, b, err := s.lookup(r)
	if err != nil {
		return err
	}
	if err := checkWrite(r, c, b); err != nil {
		return err
	}
	if b == nil {
		return r.fail(404, CodeBlobNotFound)
	}
	if err := checkWriteLease(r, b.lease.at(now), c.LeaseID); err != nil {
		return err
	}
	delete(cont.blobs, name)
	return nil
}
