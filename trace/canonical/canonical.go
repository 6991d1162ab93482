package canonical

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"unicode/utf8"
)

// ErrNotJSON: a payload given to Form is not one JSON value.
var ErrNotJSON = errors.New("canonical: payload is not one JSON value")

// Form is the checkers' own canonical form of a JSON payload, written from PAY-1/PAY-2 and not
// from host/'s serializer: object keys sorted by their UTF-8 bytes, no whitespace, strings re-encoded
// the same way whatever escapes the input used, numbers kept as their literal text (1 and 1.0 differ),
// arrays in their order (the order of triggers and functions is the host's to choose and the
// platform's to see). Two payloads are semantically equal when their canonical forms are equal: key
// order and whitespace do not matter. The depth is bounded by encoding/json's own nesting limit.
func Form(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body))
	p := canonParser{in: body}
	if !p.value(&buf) {
		return nil, ErrNotJSON
	}
	if p.space(); p.pos != len(body) {
		return nil, ErrNotJSON
	}
	return buf.Bytes(), nil
}

// Hash is the lowercase hex SHA-256 of Form(body), the field `canonical` of the trace's
// content.change, store.write and store.snapshot records (trace/TRACE.md); "" when body is not JSON.
func Hash(body []byte) string {
	c, err := Form(body)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:])
}

// writeString writes s as a JSON string with encoding/json's escapes but none for <, > and &, so the
// same text always gives the same bytes (TestWriteStringAsEncodingJSON holds it to encoding/json):
// '"' and '\\' escaped, \b \f \n \r \t short, other control characters as \u00xx, invalid UTF-8
// as \ufffd, U+2028 and U+2029 as \u2028 and \u2029, everything else as it is.
func writeString(buf *bytes.Buffer, s []byte) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf.Write(s[start:i])
			switch b {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(b)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[b>>4])
				buf.WriteByte(hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.Write(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf.Write(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.Write(s[start:])
	buf.WriteByte('"')
}
