package canonical

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// canonicalByDecoding is Form written the plain way: decode into maps, write them back. It is
// the reference the parser is tested against.
func canonicalByDecoding(body []byte) ([]byte, error) {
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
			writeString(buf, []byte(k))
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
		writeString(buf, []byte(v))
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	default: // nil
		buf.WriteString("null")
	}
}

// The parser writes what decoding into maps and writing back writes, and refuses what decoding
// refuses: random JSON with whitespace, duplicate keys, escapes, surrogates and invalid UTF-8, and
// every prefix and one-byte change of it.
func TestCanonicalParserAsDecoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	strs := []string{`"a"`, `"b"`, `"\u00e9"`, `"\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, "\"\xff\xfe\"",
		`"\\\"\/\b\f\n\r\t"`, `"<&>"`, "\"\u2028\"", `""`, `"\u0000"`}
	nums := []string{"0", "-0", "1", "1.0", "-12.5e+3", "1E9", "3.25e-2", "123456789012345678901234567890"}
	ws := []string{"", " ", "\n\t ", "\r"}
	var gen func(depth int) string
	gen = func(depth int) string {
		w := ws[rng.IntN(len(ws))]
		switch k := rng.IntN(7); {
		case depth > 4 || k == 0:
			return w + nums[rng.IntN(len(nums))]
		case k == 1:
			return w + strs[rng.IntN(len(strs))]
		case k == 2:
			return w + []string{"true", "false", "null"}[rng.IntN(3)]
		case k <= 4:
			var parts []string
			for i := rng.IntN(4); i > 0; i-- {
				parts = append(parts, strs[rng.IntN(len(strs))]+w+":"+gen(depth+1))
			}
			return w + "{" + strings.Join(parts, ",") + w + "}"
		default:
			var parts []string
			for i := rng.IntN(4); i > 0; i-- {
				parts = append(parts, gen(depth+1))
			}
			return w + "[" + strings.Join(parts, ",") + w + "]" + w
		}
	}
	same := func(in []byte) {
		t.Helper()
		want, werr := canonicalByDecoding(in)
		got, gerr := Form(in)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q (%v), want %q (%v)", in, got, gerr, want, werr)
		}
	}
	for i := 0; i < 3000; i++ {
		doc := []byte(gen(0))
		same(doc)
		same(doc[:rng.IntN(len(doc)+1)])
		if len(doc) > 0 {
			m := append([]byte(nil), doc...)
			const swaps = "{}[],:\"0-.eE \\ux"
			m[rng.IntN(len(m))] = swaps[rng.IntN(len(swaps))]
			same(m)
		}
	}
	for _, in := range []string{"", " ", "{", "[1,]", `{"a":1,}`, `{"a" 1}`, "01", "1.", "-", "1e", "tru", "nul",
		`"\x"`, "\"\x01\"", `"\u12"`, `{"a":1}{}`, `[1] x`, strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat("[", 100) + strings.Repeat("]", 100), `{"k":1,"k":2}`, `{"b":1,"a":{"d":[],"c":{}}}`} {
		same([]byte(in))
	}
}
