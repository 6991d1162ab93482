package blob

import (
	"testing"
)

// BLOB-3: If-Match with a stale ETag fails 412 ConditionNotMet; If-None-Match "*" on an existing blob
// fails 409 BlobAlreadyExists; a missing blob fails 404 BlobNotFound.
func TestUploadConditions(t *testing.T) {
	const stale = "\"0x8DC00000000000FF\""
	tests := []struct {
		name    string
		blob    string // key (exists) or "new" (missing)
		cond    func(etag string) Conditions
		status  int
		code    string
		written bool
	}{
		{"unconditional overwrite", key, func(string) Conditions { return Conditions{} }, 0, "", true},
		{"If-Match current", key, func(e string) Conditions { return Conditions{IfMatch: e} }, 0, "", true},
		{"If-Match stale", key, func(string) Conditions { return Conditions{IfMatch: stale} }, 412, CodeConditionNotMet, false},
		{"If-Match * existing", key, func(string) Conditions { return Conditions{IfMatch: "*"} }, 0, "", true},
		{"If-Match on missing", "new", func(e string) Conditions { return Conditions{IfMatch: e} }, 412, CodeConditionNotMet, false},
		{"If-Match * on missing creates (Azurite)", "new", func(string) Conditions { return Conditions{IfMatch: "*"} }, 0, "", true},
		{"If-None-Match * existing", key, func(string) Conditions { return Conditions{IfNoneMatch: "*"} }, 409, CodeBlobAlreadyExists, false},
		{"If-None-Match * missing", "new", func(string) Conditions { return Conditions{IfNoneMatch: "*"} }, 0, "", true},
		{"If-None-Match matching etag", key, func(e string) Conditions { return Conditions{IfNoneMatch: e} }, 412, CodeConditionNotMet, false},
		{"If-None-Match other etag", key, func(string) Conditions { return Conditions{IfNoneMatch: stale} }, 0, "", true},
		{"both headers", key, func(e string) Conditions { return Conditions{IfMatch: e, IfNoneMatch: stale} }, 400, CodeMultipleConditionHeadersNotSupported, false},
		{"lease id on missing blob is ignored (Azurite)", "new", func(string) Conditions { return Conditions{LeaseID: "x"} }, 0, "", true},
		{"If-None-Match * existing, lease id given (Azurite: 409 first)", key, func(string) Conditions { return Conditions{IfNoneMatch: "*", LeaseID: "x"} }, 409, CodeBlobAlreadyExists, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, etag := seeded(t)
			_, err := s.Upload(at(1), ctr, tt.blob, []byte("v2"), tt.cond(etag))
			wantCode(t, err, tt.status, tt.code)
			data, _, ok := s.Peek(ctr, tt.blob)
			if got := ok && string(data) == "v2"; got != tt.written {
				t.Errorf("written = %v (data %q, exists %v), want %v", got, data, ok, tt.written)
			}
		})
	}
}

// BLOB-3: conditions on reads; a missing blob fails 404 BlobNotFound. Decided here (after Azurite):
// a matching If-None-Match on a read is 304 ConditionNotMet, If-None-Match "*" is 400.
func TestReadConditions(t *testing.T) {
	const stale = "\"0x8DC00000000000FF\""
	tests := []struct {
		name   string
		blob   string
		cond   func(etag string) Conditions
		status int
		code   string
	}{
		{"none", key, func(string) Conditions { return Conditions{} }, 0, ""},
		{"If-Match current", key, func(e string) Conditions { return Conditions{IfMatch: e} }, 0, ""},
		{"If-Match *", key, func(string) Conditions { return Conditions{IfMatch: "*"} }, 0, ""},
		{"If-Match stale", key, func(string) Conditions { return Conditions{IfMatch: stale} }, 412, CodeConditionNotMet},
		{"If-Match on missing", "new", func(e string) Conditions { return Conditions{IfMatch: e} }, 412, CodeConditionNotMet},
		{"If-Match * on missing", "new", func(string) Conditions { return Conditions{IfMatch: "*"} }, 412, CodeConditionNotMet},
		{"missing blob", "new", func(string) Conditions { return Conditions{} }, 404, CodeBlobNotFound},
		{"If-None-Match matching", key, func(e string) Conditions { return Conditions{IfNoneMatch: e} }, 304, CodeConditionNotMet},
		{"If-None-Match other", key, func(string) Conditions { return Conditions{IfNoneMatch: stale} }, 0, ""},
		{"If-None-Match *", key, func(string) Conditions { return Conditions{IfNoneMatch: "*"} }, 400, CodeUnsatisfiableCondition},
		{"lease id on unleased blob", key, func(string) Conditions { return Conditions{LeaseID: "x"} }, 412, CodeLeaseNotPresentWithBlobOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, etag := seeded(t)
			_, err := s.GetProperties(at(1), ctr, tt.blob, tt.cond(etag))
			wantCode(t, err, tt.status, tt.code)
			_, _, err = s.Download(at(1), ctr, tt.blob, tt.cond(etag))
			wantCode(t, err, tt.status, tt.code)
		})
	}
}

// BLOB-3: Delete follows the write conditions; a missing blob fails 404 BlobNotFound.
func TestDeleteConditions(t *testing.T) {
	tests := []struct {
		name    string
		blob    string
		cond    func(etag string) Conditions
		status  int
		code    string
		deleted bool
	}{
		{"unconditional", key, func(string) Conditions { return Conditions{} }, 0, "", true},
		{"If-Match current", key, func(e string) Conditions { return Conditions{IfMatch: e} }, 0, "", true},
		{"If-Match stale", key, func(string) Conditions { return Conditions{IfMatch: "\"old\""} }, 412, CodeConditionNotMet, false},
		{"missing", "new", func(string) Conditions { return Conditions{} }, 404, CodeBlobNotFound, false},
		{"lease id on unleased blob", key, func(string) Conditions { return Conditions{LeaseID: "x"} }, 412, CodeLeaseNotPresentWithBlobOperation, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, etag := seeded(t)
			err := s.Delete(at(1), ctr, tt.blob, tt.cond(etag))
			wantCode(t, err, tt.status, tt.code)
			_, _, ok := s.Peek(ctr, key)
			if ok == tt.deleted {
				t.Errorf("blob exists = %v after delete, want deleted = %v", ok, tt.deleted)
			}
		})
	}
}
