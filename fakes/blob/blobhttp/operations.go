package blobhttp

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/fakes/blob"
)

// badRequest is a request the double refuses before the model sees it.
type badRequest struct {
	status    int
	code, msg string
}

func (b *badRequest) Error() string { return fmt.Sprintf("%d %s: %s", b.status, b.code, b.msg) }

func invalidHeader(name, value string) *badRequest {
	return &badRequest{400, blob.CodeInvalidHeaderValue, fmt.Sprintf("The value %q of the header %s is not in the correct format.", value, name)}
}

func missingHeader(name string) *badRequest {
	return &badRequest{400, blob.CodeMissingRequiredHeader, "An HTTP header that's mandatory for this request is not specified: " + name + "."}
}

// conditions reads If-Match, If-None-Match and x-ms-lease-id. An ETag must be "*" or one quoted
// value: weak ETags and lists are refused (400) rather than compared as strings that never match.
func conditions(r *http.Request) (blob.Conditions, *badRequest) {
	var c blob.Conditions
	for _, f := range []struct {
		name string
		dst  *string
	}{{"If-Match", &c.IfMatch}, {"If-None-Match", &c.IfNoneMatch}} {
		v := strings.TrimSpace(r.Header.Get(f.name))
		if v != "" && v != "*" && !quotedETag(v) {
			return c, invalidHeader(f.name, v)
		}
		*f.dst = v
	}
	c.LeaseID = r.Header.Get("x-ms-lease-id")
	return c, nil
}

func quotedETag(v string) bool {
	return len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && !strings.ContainsAny(v[1:len(v)-1], "\",")
}

func (h *handler) createContainer(p *reply, r *http.Request, res resource) {
	h.mu.Lock()
	now := h.clock()
	err := h.store.CreateContainer(now, res.container)
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	p.w.Header().Set("Last-Modified", httpTime(now))
	p.w.WriteHeader(http.StatusCreated)
}

// deleteContainer: the model has no DeleteContainer, so the double says so (501) rather than
// pretending; a missing container still answers 404 as Azure does.
func (h *handler) deleteContainer(p *reply, r *http.Request, res resource) {
	h.mu.Lock()
	found := slices.Contains(h.store.Containers(), res.container)
	h.mu.Unlock()
	if !found {
		p.fail(http.StatusNotFound, blob.CodeContainerNotFound, "")
		return
	}
	p.fail(http.StatusNotImplemented, CodeNotImplemented, "Delete Container is not implemented: the blob model has no DeleteContainer.")
}

func (h *handler) getProperties(p *reply, r *http.Request, res resource) {
	c, bad := conditions(r)
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	h.mu.Lock()
	props, err := h.store.GetProperties(h.clock(), res.container, res.blob, c)
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	p.properties(props)
	hd := p.w.Header()
	blobHeaders(hd)
	hd.Set("Content-Length", strconv.Itoa(props.ContentLength))
	p.w.WriteHeader(http.StatusOK)
}

func blobHeaders(hd http.Header) {
	hd.Set("x-ms-blob-type", "BlockBlob")
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("Accept-Ranges", "bytes")
}

func (h *handler) download(p *reply, r *http.Request, res resource) {
	c, bad := conditions(r)
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	h.mu.Lock()
	data, props, err := h.store.Download(h.clock(), res.container, res.blob, c)
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	part, bad := byteRange(r, len(data))
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	p.properties(props)
	hd := p.w.Header()
	blobHeaders(hd)
	status := http.StatusOK
	if part != nil {
		hd.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", part[0], part[1]-1, len(data)))
		data = data[part[0]:part[1]]
		status = http.StatusPartialContent
	}
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	p.w.WriteHeader(status)
	_, _ = p.w.Write(data)
}

// byteRange reads x-ms-range (or Range) "bytes=START-[END]" into a half-open [start, end) within
// size; nil when the request asks for the whole blob.
func byteRange(r *http.Request, size int) ([]int, *badRequest) {
	name := "x-ms-range"
	v := r.Header.Get(name)
	if v == "" {
		name = "Range"
		v = r.Header.Get(name)
	}
	if v == "" {
		return nil, nil
	}
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, dash := strings.Cut(spec, "-")
	start, err1 := strconv.Atoi(first)
	end, err2 := start, error(nil) // an open range ends at the blob's end
	if last != "" {
		end, err2 = strconv.Atoi(last)
	}
	if !ok || !dash || err1 != nil || err2 != nil || start < 0 || end < start {
		return nil, invalidHeader(name, v)
	}
	if start >= size {
		return nil, &badRequest{http.StatusRequestedRangeNotSatisfiable, CodeInvalidRange, ""}
	}
	if last == "" {
		end = size - 1
	}
	return []int{start, min(end+1, size)}, nil
}

func (h *handler) upload(p *reply, r *http.Request, res resource) {
	switch t := r.Header.Get("x-ms-blob-type"); t {
	case "BlockBlob":
	case "":
		p.fail(400, blob.CodeMissingRequiredHeader, "Put Blob needs x-ms-blob-type.")
		return
	default:
		p.fail(400, blob.CodeInvalidHeaderValue, fmt.Sprintf("x-ms-blob-type %q: syncsim's blob double serves block blobs only.", t))
		return
	}
	c, bad := conditions(r)
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	if r.ContentLength > MaxBodyBytes {
		p.fail(http.StatusRequestEntityTooLarge, CodeRequestBodyTooLarge, "")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(p.w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		p.fail(http.StatusRequestEntityTooLarge, CodeRequestBodyTooLarge, "")
		return
	case err != nil:
		p.fail(http.StatusBadRequest, blob.CodeInvalidHeaderValue, "The request body could not be read: "+err.Error())
		return
	}
	h.mu.Lock()
	props, err := h.store.Upload(h.clock(), res.container, res.blob, data, c)
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	sum := md5.Sum(data)
	hd := p.w.Header()
	hd.Set("ETag", props.ETag)
	hd.Set("Last-Modified", httpTime(props.LastModified))
	hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	hd.Set("x-ms-request-server-encrypted", "false")
	p.w.WriteHeader(http.StatusCreated)
}

func (h *handler) delete(p *reply, r *http.Request, res resource) {
	c, bad := conditions(r)
	if bad != nil {
		p.fail(bad.status, bad.code, bad.msg)
		return
	}
	h.mu.Lock()
	err := h.store.Delete(h.clock(), res.container, res.blob, c)
	h.mu.Unlock()
	if err != nil {
		p.failWith(err)
		return
	}
	p.w.WriteHeader(http.StatusAccepted)
}
