package check

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strconv"
)

// ErrNotJSON: a payload given to Canonical is not one JSON value.
var ErrNotJSON = errors.New("check: payload is not one JSON value")

// Canonical is the checkers' own canonical form of a JSON payload, written from PAY-1/PAY-2 and not
// from host/'s serializer: object keys sorted by their UTF-8 bytes, no whitespace, strings re-encoded
// the same way whatever escapes the input used, numbers kept as their literal text (1 and 1.0 differ),
// arrays in their order (the order of triggers and functions is the host's to choose and the
// platform's to see). Two payloads are semantically equal when their canonical forms are equal: key
// order and whitespace do not matter. The depth is bounded by encoding/json's own nesting limit.
func Canonical(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ErrNotJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrNotJSON
	}
	var buf bytes.Buffer
	writeCanonical(&buf, v)
	return buf.Bytes(), nil
}

// CanonicalHash is the lowercase hex SHA-256 of Canonical(body), the field `canonical` of the trace's
// content.change, store.write and store.snapshot records (internal/trace/TRACE.md); "" when body is not JSON.
func CanonicalHash(body []byte) string {
	c, err := Canonical(body)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

func writeCanonical(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			writeCanonical(buf, v[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeCanonical(buf, x)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, v)
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	default: // nil
		buf.WriteString("null")
	}
}

// writeString writes s as a JSON string with encoding/json's escapes but none for <, > and &, so the
// same text always gives the same bytes.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a Go string always encodes
	buf.Truncate(buf.Len() - 1) // the newline Encode appends
}
