package blob

import "strings"

// Conditions are the access conditions of a blob operation: If-Match, If-None-Match and
// x-ms-lease-id. Empty fields are absent. ETags compare as exact strings, quotes included, so pass
// them as Properties.ETag gives them.
type Conditions struct {
	IfMatch     string // an ETag, or "*" for any existing blob
	IfNoneMatch string // an ETag, or "*" for "only if the blob does not exist"
	LeaseID     string
}

// checkRead applies If-Match / If-None-Match for GetProperties and Download, as Azurite's
// ReadConditionalHeadersValidator does. b is nil when the blob does not exist.
func checkRead(r ref, c Conditions, b *entry) error {
	if b == nil && c.IfMatch != "" {
		// BLOB-3: If-Match on a missing blob fails 412, even "*" (checked before 404).
		return r.fail(412, CodeConditionNotMet)
	}
	// Decided here, after Azurite: If-None-Match "*" can never hold on a read: 400.
	if c.IfNoneMatch == "*" {
		return r.fail(400, CodeUnsatisfiableCondition)
	}
	if b == nil {
		return nil
	}
	if c.IfMatch != "" && c.IfMatch != "*" && c.IfMatch != b.etag {
		return r.fail(412, CodeConditionNotMet)
	}
	// Decided here, after Azurite: a matching If-None-Match on a read is "not modified": 304 with the
	// code ConditionNotMet.
	if c.IfNoneMatch != "" && c.IfNoneMatch == b.etag {
		return r.fail(304, CodeConditionNotMet)
	}
	return nil
}

// checkWrite applies If-Match / If-None-Match for Upload, Delete and AcquireLease, as Azurite's
// WriteConditionalHeadersValidator does. If-None-Match "*" on an existing blob passes here: Upload
// answers it with 409 BlobAlreadyExists after the lease check; Delete and lease operations ignore
// it (Azurite does; Azure would answer 412).
func checkWrite(r ref, c Conditions, b *entry) error {
	if c.IfMatch != "" && c.IfNoneMatch != "" {
		return r.fail(400, CodeMultipleConditionHeadersNotSupported)
	}
	if b == nil {
		// Decided here, after Azurite: If-Match "*" on a missing blob passes a write (Upload creates).
		if c.IfMatch != "" && c.IfMatch != "*" {
			return r.fail(412, CodeConditionNotMet)
		}
		return nil
	}
	// BLOB-3: If-Match with a stale ETag fails 412 ConditionNotMet.
	if c.IfMatch != "" && c.IfMatch != "*" && c.IfMatch != b.etag {
		return r.fail(412, CodeConditionNotMet)
	}
	if c.IfNoneMatch != "" && c.IfNoneMatch != "*" && c.IfNoneMatch == b.etag {
		return r.fail(412, CodeConditionNotMet)
	}
	return nil
}

// checkWriteLease applies x-ms-lease-id to a write or delete of an existing blob (Azurite's
// BlobWriteLeaseValidator). Lease ids compare case-insensitively, as Azurite's validators do.
func checkWriteLease(r ref, l lease, leaseID string) error {
	if l.locked() {
		if leaseID == "" {
			// BLOB-3: a write without the lease id on a leased blob fails 412 LeaseIdMissing.
			return r.fail(412, CodeLeaseIDMissing)
		}
		if !strings.EqualFold(leaseID, l.id) {
			// BLOB-3: a wrong lease id fails 412 LeaseIdMismatchWithBlobOperation.
			return r.fail(412, CodeLeaseIDMismatchWithBlobOperation)
		}
		return nil
	}
	if leaseID != "" {
		return r.fail(412, CodeLeaseNotPresentWithBlobOperation)
	}
	return nil
}

// checkReadLease applies x-ms-lease-id to a read: reads need no lease id, but one given must match
// (Azurite's BlobReadLeaseValidator).
func checkReadLease(r ref, l lease, leaseID string) error {
	if leaseID == "" {
		return nil
	}
	if !l.locked() {
		return r.fail(412, CodeLeaseNotPresentWithBlobOperation)
	}
	if !strings.EqualFold(leaseID, l.id) {
		return r.fail(412, CodeLeaseIDMismatchWithBlobOperation)
	}
	return nil
}
