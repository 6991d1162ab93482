package blobhttp

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
)

// Error codes the server answers on its own, before the model is asked (the model's codes are
// blob.Code*).
const (
	// CodeAuthorizationFailure: a request without any credential (403), as Azurite answers.
	CodeAuthorizationFailure = "AuthorizationFailure"
	// CodeRequestBodyTooLarge: a Put Blob body over MaxBodyBytes (413).
	CodeRequestBodyTooLarge = "RequestBodyTooLarge"
	// CodeInvalidQueryParameterValue: a restype or comp the double does not serve (400).
	CodeInvalidQueryParameterValue = "InvalidQueryParameterValue"
	// CodeInvalidURI: a path that names no account (400).
	CodeInvalidURI = "InvalidUri"
	// CodeUnsupportedHTTPVerb: a method the resource does not take (405).
	CodeUnsupportedHTTPVerb = "UnsupportedHttpVerb"
	// CodeUnsupportedHeader: a condition the model cannot honour, such as If-Modified-Since (400).
	CodeUnsupportedHeader = "UnsupportedHeader"
	// CodeInvalidRange: a byte range that starts past the end of the blob (416).
	CodeInvalidRange = "InvalidRange"
	// CodeNotImplemented: Delete Container, which the model does not have (501).
	CodeNotImplemented = "NotImplemented"
	// CodeInternalError: a failure that is not a *blob.Error (500); a bug in the double.
	CodeInternalError = "InternalError"
)

// messages are Azure's texts for the codes; the body's Message starts with one of them.
var messages = map[string]string{
	blob.CodeConditionNotMet:                      "The condition specified using HTTP conditional header(s) is not met.",
	blob.CodeBlobAlreadyExists:                    "The specified blob already exists.",
	blob.CodeBlobNotFound:                         "The specified blob does not exist.",
	blob.CodeContainerNotFound:                    "The specified container does not exist.",
	blob.CodeContainerAlreadyExists:               "The specified container already exists.",
	blob.CodeLeaseIDMissing:                       "There is currently a lease on the blob and no lease ID was specified in the request.",
	blob.CodeLeaseIDMismatchWithBlobOperation:     "The lease ID specified did not match the lease ID for the blob.",
	blob.CodeLeaseNotPresentWithBlobOperation:     "There is currently no lease on the blob.",
	blob.CodeLeaseAlreadyPresent:                  "There is already a lease present.",
	blob.CodeLeaseIDMismatchWithLeaseOperation:    "The lease ID specified did not match the lease ID for the blob.",
	blob.CodeLeaseNotPresentWithLeaseOperation:    "There is currently no lease on the blob.",
	blob.CodeLeaseIsBreakingAndCannotBeAcquired:   "The lease ID matched, but the lease is currently in breaking state and cannot be acquired until it is broken.",
	blob.CodeLeaseIsBreakingAndCannotBeChanged:    "The lease ID matched, but the lease is currently in breaking state and cannot be changed.",
	blob.CodeLeaseIsBrokenAndCannotBeRenewed:      "The lease ID matched, but the lease has been broken explicitly and cannot be renewed.",
	blob.CodeInvalidHeaderValue:                   "The value for one of the HTTP headers is not in the correct format.",
	blob.CodeMissingRequiredHeader:                "An HTTP header that's mandatory for this request is not specified.",
	blob.CodeMultipleConditionHeadersNotSupported: "Multiple condition headers are not supported.",
	blob.CodeUnsatisfiableCondition:               "The request includes an unsatisfiable condition for this operation.",
	CodeAuthorizationFailure:                      "Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.",
	CodeRequestBodyTooLarge:                       "The request body is too large and exceeds the maximum permissible limit.",
	CodeInvalidRange:                              "The range specified is invalid for the current size of the resource.",
	CodeNotImplemented:                            "The operation is not implemented by syncsim's blob double.",
}

// reply answers one request: it stamps the headers every response carries and renders failures as
// Azure does (x-ms-error-code header plus the XML body, no body on HEAD or 304).
type reply struct {
	w    http.ResponseWriter
	head bool
	id   string
}

func (h *handler) begin(w http.ResponseWriter, r *http.Request) *reply {
	id := fmt.Sprintf("00000000-0000-4000-8000-%012x", h.reqSeq.Add(1))
	hd := w.Header()
	hd.Set("Server", "syncsim-blobhttp")
	hd.Set("x-ms-request-id", id)
	version := r.Header.Get("x-ms-version")
	if version == "" {
		version = APIVersion
	}
	hd.Set("x-ms-version", version)
	if cid := r.Header.Get("x-ms-client-request-id"); cid != "" {
		hd.Set("x-ms-client-request-id", cid)
	}
	return &reply{w: w, head: r.Method == http.MethodHead, id: id}
}

// fail writes an error response; msg "" takes Azure's text for the code.
func (p *reply) fail(status int, code, msg string) {
	if msg == "" {
		msg = messages[code]
	}
	hd := p.w.Header()
	hd.Set("x-ms-error-code", code)
	if p.head || status == http.StatusNotModified {
		p.w.WriteHeader(status)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><Error><Code>`)
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString(`</Code><Message>`)
	_ = xml.EscapeText(&b, []byte(msg+"\nRequestId:"+p.id+"\nTime:"+time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z")))
	b.WriteString(`</Message></Error>`)
	hd.Set("Content-Type", "application/xml")
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	p.w.WriteHeader(status)
	_, _ = p.w.Write([]byte(b.String()))
}

// failWith renders a model error with its status and code; anything else is a bug here: 500.
func (p *reply) failWith(err error) {
	var e *blob.Error
	if errors.As(err, &e) {
		p.fail(e.Status, e.Code, "")
		return
	}
	p.fail(http.StatusInternalServerError, CodeInternalError, err.Error())
}

// properties sets the headers that describe a blob: ETag, Last-Modified and the lease.
func (p *reply) properties(props blob.Properties) {
	hd := p.w.Header()
	hd.Set("ETag", props.ETag)
	hd.Set("Last-Modified", httpTime(props.LastModified))
	hd.Set("x-ms-lease-state", props.Lease.State)
	hd.Set("x-ms-lease-status", props.Lease.Status)
	if props.Lease.Duration != "" {
		hd.Set("x-ms-lease-duration", props.Lease.Duration)
	}
}

func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
