package blobhttp

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
)

// leaseCall is one parsed Lease Blob request, ready to run against the store.
type leaseCall struct {
	action     string
	leaseID    string
	proposedID string
	duration   time.Duration // acquire
	period     time.Duration // break
	cond       blob.Conditions
}

// parseLease reads x-ms-lease-action and the headers that action takes. Out-of-range durations and
// break periods are left to the model (400 InvalidHeaderValue); only what is not a number is
// refused here.
func parseLease(r *http.Request) (leaseCall, *badRequest) {
	l := leaseCall{
		action:     strings.ToLower(r.Header.Get("x-ms-lease-action")),
		leaseID:    r.Header.Get("x-ms-lease-id"),
		proposedID: r.Header.Get("x-ms-proposed-lease-id"),
	}
	c, bad := conditions(r)
	if bad != nil {
		return l, bad
	}
	l.cond = c
	switch l.action {
	case "":
		return l, missingHeader("x-ms-lease-action")
	case "acquire":
		v := r.Header.Get("x-ms-lease-duration")
		if v == "" {
			return l, missingHeader("x-ms-lease-duration")
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return l, invalidHeader("x-ms-lease-duration", v)
		}
		l.duration = blob.InfiniteLease
		if n != -1 {
			l.duration = time.Duration(n) * time.Second
		}
	case "break":
		l.period = blob.BreakAtLeaseEnd
		if v := r.Header.Get("x-ms-lease-break-period"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return l, invalidHeader("x-ms-lease-break-period", v)
			}
			l.period = time.Duration(n) * time.Second
		}
	case "renew", "release", "change":
	default:
		return l, invalidHeader("x-ms-lease-action", l.action)
	}
	// Only acquire takes If-Match / If-None-Match in the model; refuse them elsewhere rather than
	// ignore them.
	if l.action != "acquire" && (c.IfMatch != "" || c.IfNoneMatch != "") {
		return l, &badRequest{400, CodeUnsupportedHeader, "syncsim's blob double honours If-Match / If-None-Match on lease acquire only."}
	}
	return l, nil
}

// run performs the call on the store and returns the status and the lease headers to answer.
func (l leaseCall) run(s *blob.Store, now time.Time, res resource) (int, http.Header, error) {
	hd := http.Header{}
	switch l.action {
	case "acquire":
		id, err := s.AcquireLease(now, res.container, res.blob, l.duration, l.proposedID, l.cond)
		hd.Set("x-ms-lease-id", id)
		return http.StatusCreated, hd, err
	case "renew":
		hd.Set("x-ms-lease-id", l.leaseID)
		return http.StatusOK, hd, s.RenewLease(now, res.container, res.blob, l.leaseID)
	case "release":
		return http.StatusOK, hd, s.ReleaseLease(now, res.container, res.blob, l.leaseID)
	case "change":
		id, err := s.ChangeLease(now, res.container, res.blob, l.leaseID, l.proposedID)
		hd.Set("x-ms-lease-id", id)
		return http.StatusOK, hd, err
	default: // break
		left, err := s.BreakLease(now, res.container, res.blob, l.period)
		hd.Set("x-ms-lease-time", strconv.Itoa(int(math.Ceil(left.Seconds()))))
		return http.StatusAccepted, hd, err
	}
}

// lease serves Lease Blob (PUT ?comp=lease). Lease operations never change the ETag; the answer
// carries the blob's current ETag and Last-Modified as Azure's does.
func (h *handler) lease(p *reply, r *http.Request, res resource) {
	l, bad := parseLease(r)
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	h.mu.Lock()
	now := h.clock()
	status, extra, err := l.run(h.store, now, res)
	var props blob.Properties
	if err == nil {
		props, err = h.store.GetProperties(now, res.container, res.blob, blob.Conditions{})
	}
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	hd := p.w.Header()
	for k, v := range extra {
		hd[k] = v
	}
	hd.Set("ETag", props.ETag)
	hd.Set("Last-Modified", httpTime(props.LastModified))
	p.w.WriteHeader(status)
}
