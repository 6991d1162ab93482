package world

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/trace"
)

// The trace records of host and platform effects, shared by every driver (sim/TRACE.md) so that
// the simulator and the live runtime write the same trace.

// SpanRecord is the record of a sync span event: sync.call, sync.enter or sync.end.
func SpanRecord(e host.SpanEvent) (trace.Kind, []trace.Field) {
	fields := []trace.Field{trace.F("span", e.Span), trace.F("background", e.Background), trace.F("origin", e.Origin)}
	switch e.Phase {
	case host.SpanCall:
		if e.ReqID != 0 {
			fields = append(fields, trace.F("request", e.ReqID))
		}
	case host.SpanEnter:
		fields = append(fields, trace.F("hash", e.Hash))
	case host.SpanEnd:
		fields = append(fields, trace.F("success", e.Success), trace.F("published", e.Published), trace.F("hash", e.Hash))
		if e.Error != "" {
			fields = append(fields, trace.F("error", e.Error))
		}
	}
	return trace.Kind("sync." + string(e.Phase)), fields
}

// PublishFields are the fields of a sync.publish record (SYNC-6).
func PublishFields(s host.Send) []trace.Field {
	return []trace.Field{trace.F("span", s.Span), trace.F("background", s.Background), trace.F("target", s.Target.String()),
		trace.F("hash", s.Hash), trace.F("triggers", s.Triggers), trace.F("bytes", len(s.Body))}
}

// HostRecord is the record of the other host effects a checker reads: hash.written, sync.hashread,
// primary, log and sync.point.
func HostRecord(e host.Effect) (trace.Kind, []trace.Field) {
	switch e := e.(type) {
	case host.HashWritten:
		return "hash.written", []trace.Field{trace.F("hash", e.Hash)}
	case host.HashRead:
		return "sync.hashread", []trace.Field{trace.F("span", e.Span), trace.F("last", e.Last), trace.F("current", e.Current)}
	case host.PrimaryChanged:
		return "primary", []trace.Field{trace.F("primary", e.Primary)}
	case host.Log:
		return "log", []trace.Field{trace.F("level", e.Level), trace.F("text", e.Text)}
	case host.Point:
		return "sync.point", []trace.Field{trace.F("point", e.Name), trace.F("span", e.Span), trace.F("background", e.Background)}
	}
	panic("world: no record for this effect")
}

// StorageRecord is the storage party's record of a blob call and its result: blob.write for a
// successful write of the hash blob (with the hash it now holds), blob.op otherwise.
func StorageRecord(hostID string, c host.BlobCall, res host.BlobResult) (trace.Kind, []trace.Field) {
	fields := []trace.Field{trace.F("id", c.ID), trace.F("op", string(c.Op)), trace.F("blob", c.Blob), trace.F("status", res.Status)}
	if res.Code != "" {
		fields = append(fields, trace.F("code", res.Code))
	}
	// BLOB-1: the hash blob holds a hash, never a secret, so the trace keeps its value.
	if c.Op == host.BlobUpload && res.OK() && c.Blob == host.HashBlobName(hostID) {
		return "blob.write", append(fields, trace.F("value", string(c.Data)))
	}
	return "blob.op", fields
}

// MeshRecord is the record of one of the mesh's effects: Accepted, Log, Stored and Abandoned are
// recorded; the others (timers, fetches) are carried out by the driver and ok is false.
func MeshRecord(e mesh.Effect) (kind trace.Kind, fields []trace.Field, ok bool) {
	switch e := e.(type) {
	case mesh.Accepted:
		return "mesh.accept", []trace.Field{trace.F("notification", e.Notification), trace.F("instance", e.Instance)}, true
	case mesh.Log:
		return "log", []trace.Field{trace.F("level", e.Level), trace.F("text", e.Text)}, true
	case mesh.Stored:
		return "store.write", []trace.Field{trace.F("via", "mesh"), trace.F("hash", e.Entry.Hash),
			trace.F("canonical", check.CanonicalHash(e.Entry.Body)), trace.F("revision", e.Entry.Revision), trace.F("cover", e.Cover)}, true
	case mesh.Abandoned:
		return "mesh.abandon", []trace.Field{trace.F("cover", e.Cover), trace.F("attempts", e.Attempts), trace.F("reason", e.Reason)}, true
	}
	return "", nil, false
}

// FrontEndRecord is the record of the front end's answer to MSG-1 from sender: store.write when it
// stored the payload, fe.reject otherwise; extra fields follow a store.write's own.
func FrontEndRecord(status int, out mesh.Outcome, sender string, extra ...trace.Field) (kind trace.Kind, fields []trace.Field) {
	if !out.Stored {
		return "fe.reject", []trace.Field{trace.F("status", status), trace.F("reason", out.Reason)}
	}
	return "store.write", append([]trace.Field{trace.F("via", "frontend"), trace.F("hash", out.Entry.Hash),
		trace.F("canonical", check.CanonicalHash(out.Entry.Body)), trace.F("revision", out.Entry.Revision), trace.F("from", sender)}, extra...)
}

// TokenCheckRecord is the record of an endpoint's judgement of a request's token (P8): what the token
// IS, decoded here without the host's validator, next to whether the endpoint accepted it. The token
// and the key never reach the trace (PAY-4): only the header's alg, the claims iss, aud, exp, nbf and
// iat, and whether the HS256 signature verifies with the site's key (computed here with crypto/hmac).
// now is the receiver's true clock (virtual time in the simulator); fault is the firing key of the
// injected token-invalid fault that replaced the token ("" when none).
func TokenCheckRecord(endpoint, site, sender, encryptionKey string, headers map[string]string, now time.Time, accepted bool, fault string) (trace.Kind, []trace.Field) {
	fields := []trace.Field{trace.F("endpoint", endpoint), trace.F("site", site), trace.F("sender", sender),
		trace.F("accepted", accepted), trace.F("now", unixText(now.UnixMilli()))}
	fields = append(fields, tokenFacts(requestToken(headers), encryptionKey)...)
	if fault != "" {
		fields = append(fields, trace.F("fault", fault))
	}
	return "token.check", fields
}

// maxRecordedClaim bounds the length of a string claim the trace keeps: longer values are cut and
// marked, so a hostile token cannot grow the trace (no accepted issuer or audience is that long).
const maxRecordedClaim = 256

// requestToken finds a request's token as TOK-4 places it: x-ms-site-token first, else
// "Authorization: Bearer". Header names are case-insensitive; an exact match wins, then the first
// variant in sorted order, so map order never decides.
func requestToken(h map[string]string) string {
	if t := strings.TrimSpace(headerValue(h, "x-ms-site-token")); t != "" {
		return t
	}
	auth := strings.TrimSpace(headerValue(h, "Authorization"))
	if scheme, rest, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
}

func headerValue(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if strings.EqualFold(k, name) {
			return h[k]
		}
	}
	return ""
}

// siteKey decodes WEBSITE_AUTH_ENCRYPTION_KEY as TOK-1 says: 64 characters are hex, anything else
// standard base64; nil when unusable.
func siteKey(s string) []byte {
	if s == "" {
		return nil
	}
	if len(s) == 64 {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil
		}
		return b
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// tokenFacts decodes a JWT into trace fields: token=absent, token=malformed (not three strict
// base64url segments, or a header or payload that is not a JSON object), or form=present with alg,
// the claims that are there, hs256=ok|bad, crit=true when the header names critical extensions, and
// bad_claims listing claims of the wrong JSON type.
func tokenFacts(tok, encryptionKey string) []trace.Field {
	if tok == "" {
		return []trace.Field{trace.F("form", "absent")}
	}
	parts := strings.Split(tok, ".")
	malformed := []trace.Field{trace.F("form", "malformed")}
	if len(parts) != 3 {
		return malformed
	}
	enc := base64.RawURLEncoding.Strict()
	var header, payload map[string]json.RawMessage
	hb, err1 := enc.DecodeString(parts[0])
	pb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(pb, &payload) != nil ||
		header == nil || payload == nil {
		return malformed
	}
	fields := []trace.Field{trace.F("form", "present")}
	var bad []string
	var alg string
	if raw, ok := header["alg"]; ok && json.Unmarshal(raw, &alg) != nil {
		bad = append(bad, "alg")
	}
	fields = append(fields, trace.F("alg", recordedClaim(alg)))
	for _, name := range []string{"iss", "aud"} {
		raw, ok := payload[name]
		if !ok {
			continue
		}
		v, form, good := stringClaim(raw)
		if !good {
			bad = append(bad, name)
			continue
		}
		fields = append(fields, trace.F(name, v))
		if form != "" {
			fields = append(fields, trace.F(name+"_form", form))
		}
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		raw, ok := payload[name]
		if !ok {
			continue
		}
		var n json.Number
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if d.Decode(&n) != nil || len(n) > 32 {
			bad = append(bad, name)
			continue
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			bad = append(bad, name)
			continue
		}
		fields = append(fields, trace.F(name, string(n)))
	}
	if _, crit := header["crit"]; crit {
		fields = append(fields, trace.F("crit", true))
	}
	if len(bad) > 0 {
		fields = append(fields, trace.F("bad_claims", strings.Join(bad, ",")))
	}
	return append(fields, trace.F("hs256", signatureVerdict(parts[0]+"."+parts[1], sig, siteKey(encryptionKey))))
}

// stringClaim reads iss or aud: a string, or (aud, RFC 7519 4.1.3) an array of strings, recorded as
// its JSON text with form=list. ok is false for any other JSON type.
func stringClaim(raw json.RawMessage) (value, form string, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return recordedClaim(s), "", true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return "", "", false
	}
	for i := range list {
		list[i] = recordedClaim(list[i])
	}
	b, _ := json.Marshal(list)
	return string(b), "list", true
}

func recordedClaim(s string) string {
	if len(s) <= maxRecordedClaim {
		return s
	}
	return s[:maxRecordedClaim] + "...(cut at " + strconv.Itoa(maxRecordedClaim) + " of " + strconv.Itoa(len(s)) + " bytes)"
}

// signatureVerdict says whether sig is the HS256 MAC of the signing input under the site's key (TOK-2),
// whatever the header's alg claims: "ok" or "bad" (also with no usable key).
func signatureVerdict(input string, sig, key []byte) string {
	if len(key) == 0 {
		return "bad"
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	if hmac.Equal(mac.Sum(nil), sig) {
		return "ok"
	}
	return "bad"
}

// unixText renders unix milliseconds as seconds with three decimals, the unit of JWT NumericDates.
func unixText(ms int64) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return sign + strconv.FormatInt(ms/1000, 10) + "." + fmt.Sprintf("%03d", ms%1000)
}

// StoreSnapshotRecord is the record of what the platform store's Get returns for a site: its hash,
// revision and write count, or empty=true. at says which moment: "write" right after a store write,
// "settle-end" at the end of the run (P1, P2, P4, P13 judge the store from these).
func StoreSnapshotRecord(e mesh.Entry, ok bool, at string) (trace.Kind, []trace.Field) {
	if !ok {
		return "store.snapshot", []trace.Field{trace.F("at", at), trace.F("empty", true)}
	}
	return "store.snapshot", []trace.Field{trace.F("at", at), trace.F("hash", e.Hash), trace.F("canonical", check.CanonicalHash(e.Body)),
		trace.F("revision", e.Revision), trace.F("writes", e.Writes)}
}
