package site

import (
	"strconv"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// Refusal is what an endpoint fault does to a request in place of the endpoint: no answer at all
// (NoAnswer: the sender times out, or for fetch-refused the connection is cut), or an answer with
// Status. The driver carries it out; the firing is recorded already.
type Refusal struct {
	NoAnswer bool
	Status   int
}

// AtFrontEnd decides the front end's faults for a MSG-1 of bytes from sender: fe-timeout (no answer:
// the host times out after 100 s), fe-status (an error answer, nothing stored) and fe-size-limit (400
// to a body over its limit: #4691, which #12035's minimal form still exceeds when the triggers alone
// are over it). ok is false when none fires.
func (f *Faults) AtFrontEnd(sender string, bytes int) (r Refusal, ok bool) {
	if in := f.First("frontend", "fe-timeout"); in != nil {
		f.Fire(in, trace.PartyFrontEnd, trace.F("from", sender))
		return Refusal{NoAnswer: true}, true
	}
	if in := f.First("frontend", "fe-status"); in != nil {
		status := in.Spec.Int("status")
		f.Fire(in, trace.PartyFrontEnd, trace.F("status", status), trace.F("from", sender))
		return Refusal{Status: status}, true
	}
	for _, in := range f.Of("fe-size-limit") {
		if bytes > in.Spec.Int("bytes") && f.Roll(in, "frontend") {
			f.Fire(in, trace.PartyFrontEnd, trace.F("status", 400), trace.F("from", sender), trace.F("bytes", bytes))
			return Refusal{Status: 400}, true
		}
	}
	return Refusal{}, false
}

// AtMesh decides the mesh's faults for a MSG-2 from sender: mesh-timeout (no answer), mesh-status
// (an error answer) and mesh-forward-lost (200, but the notification never reaches the platform).
func (f *Faults) AtMesh(sender string) (r Refusal, ok bool) {
	in := f.First("mesh", "mesh-timeout", "mesh-status", "mesh-forward-lost")
	switch {
	case in == nil:
		return Refusal{}, false
	case in.Spec.Name == "mesh-timeout":
		f.Fire(in, trace.PartyMesh, trace.F("from", sender))
		return Refusal{NoAnswer: true}, true
	case in.Spec.Name == "mesh-status":
		status := in.Spec.Int("status")
		f.Fire(in, trace.PartyMesh, trace.F("status", status), trace.F("from", sender))
		return Refusal{Status: status}, true
	default:
		f.Fire(in, trace.PartyMesh, trace.F("from", sender))
		return Refusal{Status: 200}, true
	}
}

// AtFetch decides the site's front-door faults for a MSG-3 (the mesh's fetch number call; 0 when the
// driver does not know it): fetch-refused (no connection: NoAnswer, status 0) and fetch-status.
func (f *Faults) AtFetch(call int) (r Refusal, ok bool) {
	in := f.First("fetch", "fetch-refused", "fetch-status")
	if in == nil {
		return Refusal{}, false
	}
	fields := []trace.Field{trace.F("status", 0)}
	if in.Spec.Name == "fetch-status" {
		r.Status = in.Spec.Int("status")
		fields[0] = trace.F("status", r.Status)
	} else {
		r.NoAnswer = true
	}
	if call != 0 {
		fields = append(fields, trace.F("call", call))
	}
	f.Fire(in, trace.PartyRouter, fields...)
	return r, true
}

// Blob is what the storage faults do to one storage call: Delay before the answer (blob-latency),
// and when Faulted, Result in place of the operation's.
type Blob struct {
	Delay   time.Duration
	Faulted bool
	Result  host.BlobResult
}

// AtStorage decides the storage faults for a host's call c (hashBlob is the site's hash blob):
// blob-latency on any call; storage-refuses (the account refuses the host's identity on every blob,
// lease and hash alike); on the hash blob, blob-read-error on a read, blob-write-error and
// blob-lost-write (201, nothing stored) on an upload. The place is "storage/<op>".
func (f *Faults) AtStorage(c host.BlobCall, hashBlob string) Blob {
	var b Blob
	where, op := "storage/"+string(c.Op), trace.F("op", string(c.Op))
	if in := f.First(where, "blob-latency"); in != nil {
		b.Delay = in.Spec.Duration("by")
		f.Fire(in, trace.PartyStorage, op, trace.F("by", b.Delay))
	}
	refuse := func(name, code string) bool {
		in := f.First(where, name)
		if in == nil {
			return false
		}
		status := in.Spec.Int("status")
		if code == "" {
			code = RefusalCode(status)
		}
		f.Fire(in, trace.PartyStorage, op, trace.F("status", status))
		b.Faulted, b.Result = true, host.BlobResult{Status: status, Code: code}
		return true
	}
	if refuse("storage-refuses", "") || c.Blob != hashBlob {
		return b
	}
	switch c.Op {
	case host.BlobExists, host.BlobDownload:
		refuse("blob-read-error", "ServerBusy")
	case host.BlobUpload:
		if refuse("blob-write-error", "InternalError") {
			return b
		}
		if in := f.First(where, "blob-lost-write"); in != nil {
			f.Fire(in, trace.PartyStorage, op)
			b.Faulted, b.Result = true, host.BlobResult{Status: 201}
		}
	}
	return b
}

// Storage performs a host's storage call c on the driver's storage (do: the blob model, Azure
// Storage) under the storage faults (AtStorage, hostID's hash blob), and records it by the storage
// party (StorageEvent). A faulted call answers the fault's result without reaching storage. The
// driver answers the host delay later (blob-latency), in the scenario's time.
func (f *Faults) Storage(c host.BlobCall, hostID string, do func(host.BlobCall) host.BlobResult) (res host.BlobResult, faulted bool, delay time.Duration) {
	b := f.AtStorage(c, host.HashBlobName(hostID))
	res = b.Result
	if !b.Faulted {
		res = do(c)
	}
	f.clock.Record(trace.PartyStorage, StorageEvent(hostID, c, res, b.Faulted))
	return res, b.Faulted, b.Delay
}

// SecretsError decides a host's SYNC-3 secrets reload on instance number index (name) under
// storage-refuses: the keys live in storage (azure-webjobs-secrets), so a refusing storage makes the
// reload throw. It returns the error text, or "". The place is "secrets/i<index>".
func (f *Faults) SecretsError(index int, name string) string {
	in := f.First("secrets/i"+strconv.Itoa(index), "storage-refuses")
	if in == nil {
		return ""
	}
	status := in.Spec.Int("status")
	f.Fire(in, trace.PartyStorage, trace.F("op", "read-secrets"), trace.F("status", status), trace.F("instance", name))
	return strconv.Itoa(status) + " " + RefusalCode(status)
}

// RefusalCode is storage's error code for a refusal status.
func RefusalCode(status int) string {
	if status == 401 {
		return "AuthenticationFailed"
	}
	return "AuthorizationPermissionMismatch"
}
