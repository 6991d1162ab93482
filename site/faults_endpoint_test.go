package site

import (
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/trace"
)

// Each endpoint's faults, in the order they are rolled, and what the driver is to do.
func TestEndpointFaults(t *testing.T) {
	cases := []struct {
		name   string
		faults []string
		at     func(f *Faults) (Refusal, bool)
		want   Refusal
		record string
	}{
		{"fe-timeout first", []string{"fe-status:p=1,status=503", "fe-timeout:p=1"}, func(f *Faults) (Refusal, bool) { return f.AtFrontEnd("instance/a", 10) },
			Refusal{NoAnswer: true}, "frontend fault.fire fault=fe-timeout key=fe-timeout@frontend#1 from=instance/a injected=true"},
		{"fe-status", []string{"fe-status:p=1,status=503"}, func(f *Faults) (Refusal, bool) { return f.AtFrontEnd("instance/a", 10) },
			Refusal{Status: 503}, "frontend fault.fire fault=fe-status key=fe-status@frontend#1 status=503 from=instance/a injected=true"},
		{"fe-size-limit over", []string{"fe-size-limit:bytes=100"}, func(f *Faults) (Refusal, bool) { return f.AtFrontEnd("instance/a", 101) },
			Refusal{Status: 400}, "frontend fault.fire fault=fe-size-limit key=fe-size-limit@frontend#1 status=400 from=instance/a bytes=101 injected=true"},
		{"mesh-forward-lost", []string{"mesh-forward-lost:p=1"}, func(f *Faults) (Refusal, bool) { return f.AtMesh("instance/b") },
			Refusal{Status: 200}, "mesh fault.fire fault=mesh-forward-lost key=mesh-forward-lost@mesh#1 from=instance/b injected=true"},
		{"fetch-refused", []string{"fetch-refused:p=1"}, func(f *Faults) (Refusal, bool) { return f.AtFetch(7) },
			Refusal{NoAnswer: true}, "router fault.fire fault=fetch-refused key=fetch-refused@fetch#1 status=0 call=7 injected=true"},
		{"fetch-status no call", []string{"fetch-status:p=1,status=502"}, func(f *Faults) (Refusal, bool) { return f.AtFetch(0) },
			Refusal{Status: 502}, "router fault.fire fault=fetch-status key=fetch-status@fetch#1 status=502 injected=true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{}
			f := armed(t, clock, 1, FaultOptions{}, c.faults...)
			r, ok := c.at(f)
			if !ok || r != c.want {
				t.Fatalf("got %+v %v, want %+v", r, ok, c.want)
			}
			if last := clock.log[len(clock.log)-1]; !strings.HasSuffix(last, c.record) {
				t.Fatalf("recorded %q, want %q", last, c.record)
			}
		})
	}
	f := armed(t, &fakeClock{}, 1, FaultOptions{}, "fe-size-limit:bytes=100")
	if _, ok := f.AtFrontEnd("instance/a", 100); ok {
		t.Fatal("fe-size-limit fired on a body at its limit")
	}
}

// Storage faults: latency on any call, storage-refuses on every blob, the others on the hash blob only.
func TestStorageFaults(t *testing.T) {
	hash := host.HashBlobName("app")
	cases := []struct {
		name   string
		faults []string
		call   host.BlobCall
		want   Blob
	}{
		{"latency and refusal", []string{"blob-latency:p=1,by=2s", "storage-refuses:p=1,status=401"}, host.BlobCall{Op: host.BlobRenewLease, Blob: "lock"},
			Blob{Delay: 2e9, Faulted: true, Result: host.BlobResult{Status: 401, Code: "AuthenticationFailed"}}},
		{"read error off the hash blob", []string{"blob-read-error:p=1,status=503"}, host.BlobCall{Op: host.BlobDownload, Blob: "lock"}, Blob{}},
		{"read error", []string{"blob-read-error:p=1,status=503"}, host.BlobCall{Op: host.BlobDownload, Blob: hash},
			Blob{Faulted: true, Result: host.BlobResult{Status: 503, Code: "ServerBusy"}}},
		{"lost write", []string{"blob-lost-write:p=1"}, host.BlobCall{Op: host.BlobUpload, Blob: hash},
			Blob{Faulted: true, Result: host.BlobResult{Status: 201}}},
		{"write error before lost write", []string{"blob-lost-write:p=1", "blob-write-error:p=1,status=500"}, host.BlobCall{Op: host.BlobUpload, Blob: hash},
			Blob{Faulted: true, Result: host.BlobResult{Status: 500, Code: "InternalError"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := armed(t, &fakeClock{}, 1, FaultOptions{}, c.faults...)
			got := f.AtStorage(c.call, hash)
			if got.Delay != c.want.Delay || got.Faulted != c.want.Faulted || got.Result.Status != c.want.Result.Status || got.Result.Code != c.want.Result.Code {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
	f := armed(t, &fakeClock{}, 1, FaultOptions{}, "storage-refuses:p=1,status=403")
	if got := f.SecretsError(2, "pod-c"); got != "403 AuthorizationPermissionMismatch" {
		t.Fatalf("secrets reload error %q", got)
	}
}

// token-invalid replaces the sender's token at its target only, and names its firing key.
func TestBadToken(t *testing.T) {
	site := host.Site{Name: "app", HostID: "app", EncryptionKey: strings.Repeat("ab", 32)}
	f := armed(t, &fakeClock{}, 1, FaultOptions{}, "token-invalid:target=msg3,kind=expired,p=1", "token-invalid:target=msg4,kind=stripped,p=1")
	in := map[string]string{"X-Ms-Site-Token": "good", "Other": "kept"}
	out, key := f.BadToken(site, "frontend", "instance/a", trace.Epoch, in)
	if key != "" || out["X-Ms-Site-Token"] != "good" {
		t.Fatalf("frontend: %v %q", out, key)
	}
	out, key = f.BadToken(site, "msg3", "mesh", trace.Epoch, in)
	if key != "token-invalid@msg3#1" || out["Other"] != "kept" || out["X-Ms-Site-Token"] != "" || out["x-ms-site-token"] != ForgeToken(site, "msg3", "expired", trace.Epoch) {
		t.Fatalf("msg3: %v %q", out, key)
	}
	out, key = f.BadToken(site, "msg4", "client", trace.Epoch, in)
	if key != "token-invalid.1@msg4#1" || len(out) != 1 || out["Other"] != "kept" {
		t.Fatalf("msg4 stripped: %v %q", out, key)
	}
	if in["X-Ms-Site-Token"] != "good" {
		t.Fatal("the sender's headers were modified")
	}
}

// A storage call reaches the driver's storage unless a fault answers it, and storage records it
// either way: blob.write with the hash for a successful hash-blob upload (BLOB-1), a faulted
// blob.op without the value otherwise.
func TestStorageCallReachesStorageUnlessFaulted(t *testing.T) {
	upload := host.BlobCall{ID: 4, Op: host.BlobUpload, Container: host.HostsContainer, Blob: host.HashBlobName("app"), Data: []byte("abc")}
	cases := []struct {
		name    string
		faults  []string
		reached bool
		status  int
		record  string
	}{
		{"no fault", nil, true, 201, "storage blob.write id=4 op=upload blob=synctriggers/app/last status=201 value=abc"},
		{"blob-write-error", []string{"blob-write-error:p=1,status=500"}, false, 500, "storage blob.op id=4 op=upload blob=synctriggers/app/last status=500 code=InternalError faulted=true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &fakeClock{}
			f := armed(t, clock, 1, FaultOptions{}, c.faults...)
			reached := false
			res, faulted, _ := f.Storage(upload, "app", func(host.BlobCall) host.BlobResult {
				reached = true
				return host.BlobResult{Status: 201}
			})
			if reached != c.reached || faulted == c.reached || res.Status != c.status {
				t.Errorf("reached %v, faulted %v, status %d; want reached %v, status %d", reached, faulted, res.Status, c.reached, c.status)
			}
			if last := clock.log[len(clock.log)-1]; !strings.HasSuffix(last, c.record) {
				t.Errorf("recorded %q, want %q", last, c.record)
			}
		})
	}
}
