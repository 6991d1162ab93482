package blob

import (
	"errors"
	"strconv"
)

// Azure Storage error codes the model answers with (BLOB-3 names the ones the contract depends on).
const (
	// CodeConditionNotMet: an If-Match / If-None-Match condition failed (412, or 304 on a read).
	CodeConditionNotMet = "ConditionNotMet"
	// CodeBlobAlreadyExists: Upload with If-None-Match "*" on an existing blob (409).
	CodeBlobAlreadyExists = "BlobAlreadyExists"
	// CodeBlobNotFound: the blob does not exist (404).
	CodeBlobNotFound = "BlobNotFound"
	// CodeContainerNotFound: the container does not exist (404).
	CodeContainerNotFound = "ContainerNotFound"
	// CodeContainerAlreadyExists: CreateContainer on an existing container (409).
	CodeContainerAlreadyExists = "ContainerAlreadyExists"
	// CodeLeaseIDMissing: a write without a lease id on a leased blob (412).
	CodeLeaseIDMissing = "LeaseIdMissing"
	// CodeLeaseIDMismatchWithBlobOperation: a blob operation with the wrong lease id (412).
	CodeLeaseIDMismatchWithBlobOperation = "LeaseIdMismatchWithBlobOperation"
	// CodeLeaseNotPresentWithBlobOperation: a blob operation with a lease id on an unleased blob (412).
	CodeLeaseNotPresentWithBlobOperation = "LeaseNotPresentWithBlobOperation"
	// CodeLeaseAlreadyPresent: acquire on a blob leased (or breaking) under another id (409).
	CodeLeaseAlreadyPresent = "LeaseAlreadyPresent"
	// CodeLeaseIDMismatchWithLeaseOperation: renew, release or change with the wrong lease id (409).
	CodeLeaseIDMismatchWithLeaseOperation = "LeaseIdMismatchWithLeaseOperation"
	// CodeLeaseNotPresentWithLeaseOperation: a lease operation on a blob with no lease to act on (409).
	CodeLeaseNotPresentWithLeaseOperation = "LeaseNotPresentWithLeaseOperation"
	// CodeLeaseIsBreakingAndCannotBeAcquired: acquire with the breaking lease's own id (409).
	CodeLeaseIsBreakingAndCannotBeAcquired = "LeaseIsBreakingAndCannotBeAcquired"
	// CodeLeaseIsBreakingAndCannotBeChanged: change of a breaking lease with its own id (409).
	CodeLeaseIsBreakingAndCannotBeChanged = "LeaseIsBreakingAndCannotBeChanged"
	// CodeLeaseIsBrokenAndCannotBeRenewed: renew of a breaking or broken lease with its own id (409).
	CodeLeaseIsBrokenAndCannotBeRenewed = "LeaseIsBrokenAndCannotBeRenewed"
	// CodeLeaseLost is Azure's name for "a lease id was given but the lease has expired". The model
	// never answers it: like Azurite it answers CodeLeaseNotPresentWithBlobOperation in that case.
	CodeLeaseLost = "LeaseLost"
	// CodeInvalidHeaderValue: a lease duration or break period out of range, an empty proposed id (400).
	CodeInvalidHeaderValue = "InvalidHeaderValue"
	// CodeMissingRequiredHeader: a renew, release or change without a lease id (400).
	CodeMissingRequiredHeader = "MissingRequiredHeader"
	// CodeMultipleConditionHeadersNotSupported: a write with both If-Match and If-None-Match (400).
	CodeMultipleConditionHeadersNotSupported = "MultipleConditionHeadersNotSupported"
	// CodeUnsatisfiableCondition: a read with If-None-Match "*" (400), as Azurite answers.
	CodeUnsatisfiableCondition = "UnsatisfiableCondition"
)

// Operation names, as they appear in Error.Op and in traces.
const (
	OpCreateContainer = "create-container"
	OpGetProperties   = "get-properties"
	OpDownload        = "download"
	OpUpload          = "upload"
	OpDelete          = "delete"
	OpAcquireLease    = "acquire-lease"
	OpRenewLease      = "renew-lease"
	OpReleaseLease    = "release-lease"
	OpBreakLease      = "break-lease"
	OpChangeLease     = "change-lease"
)

// Error is a storage error with the HTTP status and the Azure error code (BLOB-3), and the operation and
// resource it came from.
type Error struct {
	Status    int
	Code      string
	Op        string
	Container string
	Blob      string
}

// Error renders "blob: <op> <container>[/<blob>]: <status> <code>".
func (e *Error) Error() string {
	where := e.Container
	if e.Blob != "" {
		where += "/" + e.Blob
	}
	return "blob: " + e.Op + " " + where + ": " + strconv.Itoa(e.Status) + " " + e.Code
}

// IsCode reports whether err is (or wraps) an *Error with that code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// StatusOf returns the HTTP status of the *Error that err is or wraps, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// ref names the operation and resource an error is about.
type ref struct{ op, container, blob string }

func (r ref) fail(status int, code string) *Error {
	return &Error{Status: status, Code: code, Op: r.op, Container: r.container, Blob: r.blob}
}
