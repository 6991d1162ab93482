package blobhttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	azb "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"
)

// This file is the differential test's vocabulary: a step is one azblob call described
// symbolically (which client, which ETag, which lease id), so that the same step means the same
// thing against two servers whose ETags differ; a session runs steps against one server and turns
// each answer into a comparable outcome.

type opKind string

const (
	opCreate  opKind = "create-container"
	opHead    opKind = "get-properties"
	opGet     opKind = "download"
	opPut     opKind = "upload"
	opDelete  opKind = "delete"
	opAcquire opKind = "acquire"
	opRenew   opKind = "renew"
	opRelease opKind = "release"
	opBreak   opKind = "break"
	opChange  opKind = "change"
)

// etagRef names an ETag relative to what a session has seen.
type etagRef string

const (
	etagNone  etagRef = ""
	etagLast  etagRef = "last"  // the ETag this client saw last (a made-up one if none)
	etagStale etagRef = "stale" // the first ETag the session ever saw (a made-up one if none)
	etagStar  etagRef = "*"
)

// leaseRef names a lease id: each client owns one, and "wrong" was never used by anyone.
type leaseRef string

const (
	leaseNone  leaseRef = ""
	leaseOwn   leaseRef = "own"
	leaseOther leaseRef = "other"
	leaseWrong leaseRef = "wrong"
)

// noPeriod marks a break without x-ms-lease-break-period.
const noPeriod = -1

// step is one operation. lease is x-ms-lease-id for blob operations, the proposed id for
// acquire and the current id for renew, release and change; proposed is change's new id.
type step struct {
	op          opKind
	client      int
	blob        string
	ifMatch     etagRef
	ifNoneMatch etagRef
	lease       leaseRef
	proposed    leaseRef
	data        string
	duration    int32
	period      int32
}

func (s step) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client%d %s", s.client, s.op)
	if s.op != opCreate {
		fmt.Fprintf(&b, " %s", s.blob)
	}
	if s.op == opPut {
		fmt.Fprintf(&b, " data=%q", s.data)
	}
	if s.ifMatch != etagNone {
		fmt.Fprintf(&b, " If-Match=%s", s.ifMatch)
	}
	if s.ifNoneMatch != etagNone {
		fmt.Fprintf(&b, " If-None-Match=%s", s.ifNoneMatch)
	}
	if s.lease != leaseNone {
		fmt.Fprintf(&b, " lease=%s", s.lease)
	}
	switch s.op {
	case opAcquire:
		fmt.Fprintf(&b, " duration=%d", s.duration)
	case opChange:
		fmt.Fprintf(&b, " proposed=%s", s.proposed)
	case opBreak:
		if s.period != noPeriod {
			fmt.Fprintf(&b, " period=%d", s.period)
		}
	}
	return b.String()
}

// outcome is what is compared between the servers after a step.
type outcome struct {
	Status    int    // HTTP status; 0 on success
	Code      string // x-ms-error-code
	Content   string // download
	Lease     string // state/status/duration after get-properties and download
	LeaseID   string // the lease id acquire and change answer, as a leaseRef
	FreshETag bool   // upload: the new ETag differs from every ETag seen before
}

func (o outcome) String() string {
	if o.Status != 0 {
		return fmt.Sprintf("%d %s", o.Status, o.Code)
	}
	s := "ok"
	if o.Content != "" {
		s += fmt.Sprintf(" content=%q", o.Content)
	}
	if o.Lease != "" {
		s += " lease=" + o.Lease
	}
	if o.LeaseID != "" {
		s += " lease-id=" + o.LeaseID
	}
	if o.FreshETag {
		s += " fresh-etag"
	}
	return s
}

// session runs steps against one server: two azblob clients (the two writers) on one container.
type session struct {
	ctx      context.Context
	clients  [2]*container.Client
	leaseIDs map[leaseRef]string // own ids are per client: "own0", "own1"
	lastSeen [2]azcore.ETag
	seen     []azcore.ETag
}

func newSession(ctx context.Context, conn, containerName string, ids [3]string) (*session, error) {
	s := &session{ctx: ctx, leaseIDs: map[leaseRef]string{"own0": ids[0], "own1": ids[1], leaseWrong: ids[2]}}
	opts := &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}}
	for i := range s.clients {
		c, err := azblob.NewClientFromConnectionString(conn, opts)
		if err != nil {
			return nil, err
		}
		s.clients[i] = c.ServiceClient().NewContainerClient(containerName)
	}
	return s, nil
}

// made-up ETag for "last" or "stale" before anything was seen; no server issues it.
const unseenETag = azcore.ETag(`"0x8D000000BADBAD0"`)

func (s *session) etag(client int, r etagRef) *azcore.ETag {
	var e azcore.ETag
	switch r {
	case etagNone:
		return nil
	case etagStar:
		e = azcore.ETagAny
	case etagLast:
		e = s.lastSeen[client]
	case etagStale:
		if len(s.seen) > 0 {
			e = s.seen[0]
		}
	}
	if e == "" {
		e = unseenETag
	}
	return &e
}

func (s *session) leaseID(client int, r leaseRef) string {
	switch r {
	case leaseOwn:
		return s.leaseIDs[leaseRef(fmt.Sprintf("own%d", client))]
	case leaseOther:
		return s.leaseIDs[leaseRef(fmt.Sprintf("own%d", 1-client))]
	}
	return s.leaseIDs[r]
}

// leaseName maps an id back to a leaseRef as seen by client, so outcomes compare symbolically.
func (s *session) leaseName(client int, id *string) string {
	if id == nil {
		return "<none>"
	}
	for _, r := range []leaseRef{leaseOwn, leaseOther, leaseWrong} {
		if strings.EqualFold(*id, s.leaseID(client, r)) {
			return string(r)
		}
	}
	return "<unknown " + *id + ">"
}

func (s *session) access(st step) *azb.AccessConditions {
	a := &azb.AccessConditions{ModifiedAccessConditions: &azb.ModifiedAccessConditions{
		IfMatch: s.etag(st.client, st.ifMatch), IfNoneMatch: s.etag(st.client, st.ifNoneMatch),
	}}
	if st.lease != leaseNone {
		id := s.leaseID(st.client, st.lease)
		a.LeaseAccessConditions = &azb.LeaseAccessConditions{LeaseID: &id}
	}
	return a
}

func (s *session) observe(client int, e *azcore.ETag) {
	if e != nil {
		s.lastSeen[client] = *e
	}
}

func deref[T ~string](p *T) string {
	if p == nil {
		return "-"
	}
	return string(*p)
}

// run performs st and returns its outcome; a failure that is not a storage error is returned as err.
func (s *session) run(st step) (outcome, error) {
	c := s.clients[st.client]
	bb := c.NewBlockBlobClient(st.blob)
	var o outcome
	var err error
	switch st.op {
	case opCreate:
		_, err = c.Create(s.ctx, nil)
	case opHead:
		var r azb.GetPropertiesResponse
		r, err = bb.GetProperties(s.ctx, &azb.GetPropertiesOptions{AccessConditions: s.access(st)})
		if err == nil {
			s.observe(st.client, r.ETag)
			o.Lease = deref(r.LeaseState) + "/" + deref(r.LeaseStatus) + "/" + deref(r.LeaseDuration)
		}
	case opGet:
		var r azb.DownloadStreamResponse
		var raw *http.Response
		ctx := policy.WithCaptureResponse(s.ctx, &raw)
		r, err = bb.DownloadStream(ctx, &azb.DownloadStreamOptions{AccessConditions: s.access(st)})
		if err == nil && raw != nil && raw.StatusCode == http.StatusNotModified {
			// azblob counts 304 as a success without a body; compare it as the failure it is.
			return outcome{Status: raw.StatusCode, Code: raw.Header.Get("x-ms-error-code")}, nil
		}
		if err == nil {
			data, rerr := io.ReadAll(r.Body)
			r.Body.Close()
			if rerr != nil {
				return o, rerr
			}
			s.observe(st.client, r.ETag)
			o.Content = string(data)
			o.Lease = deref(r.LeaseState) + "/" + deref(r.LeaseStatus) + "/" + deref(r.LeaseDuration)
		}
	case opPut:
		var r blockblob.UploadResponse
		r, err = bb.Upload(s.ctx, streaming.NopCloser(strings.NewReader(st.data)), &blockblob.UploadOptions{AccessConditions: s.access(st)})
		if err == nil && r.ETag != nil {
			o.FreshETag = true
			for _, e := range s.seen {
				o.FreshETag = o.FreshETag && e != *r.ETag
			}
			s.seen = append(s.seen, *r.ETag)
			s.observe(st.client, r.ETag)
		}
	case opDelete:
		_, err = bb.Delete(s.ctx, &azb.DeleteOptions{AccessConditions: s.access(st)})
	default:
		o, err = s.runLease(st, bb)
	}
	var re *azcore.ResponseError
	switch {
	case err == nil:
		return o, nil
	case errors.As(err, &re):
		return outcome{Status: re.StatusCode, Code: re.ErrorCode}, nil
	default:
		return o, err
	}
}

func (s *session) runLease(st step, bb *blockblob.Client) (outcome, error) {
	id := s.leaseID(st.client, st.lease)
	lc, err := lease.NewBlobClient(bb, &lease.BlobClientOptions{LeaseID: &id})
	if err != nil {
		return outcome{}, err
	}
	var o outcome
	switch st.op {
	case opAcquire:
		var r lease.BlobAcquireResponse
		r, err = lc.AcquireLease(s.ctx, st.duration, &lease.BlobAcquireOptions{ModifiedAccessConditions: s.access(st).ModifiedAccessConditions})
		o.LeaseID = s.leaseName(st.client, r.LeaseID)
	case opRenew:
		_, err = lc.RenewLease(s.ctx, nil)
	case opRelease:
		_, err = lc.ReleaseLease(s.ctx, nil)
	case opChange:
		var r lease.BlobChangeResponse
		r, err = lc.ChangeLease(s.ctx, s.leaseID(st.client, st.proposed), nil)
		o.LeaseID = s.leaseName(st.client, r.LeaseID)
	case opBreak:
		var opts *lease.BlobBreakOptions
		if st.period != noPeriod {
			p := st.period
			opts = &lease.BlobBreakOptions{BreakPeriod: &p}
		}
		_, err = lc.BreakLease(s.ctx, opts)
	}
	return o, err
}
