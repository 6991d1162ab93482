package canonical

import (
	"bytes"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxCanonicalDepth is encoding/json's nesting limit, which Form keeps.
const maxCanonicalDepth = 10000

// canonParser writes the canonical form of one JSON text as it reads it: the same bytes as decoding
// into maps and writing them back (TestCanonicalParserAsDecoding holds it to that), without building
// the maps. Objects keep the last of duplicate keys, as a decoded map does.
type canonParser struct {
	in    []byte
	pos   int
	depth int
	// Reused across the values of one text: decoded strings, the open objects' keys and members
	// (a stack: an inner object's are popped before its parent adds its own), and the scratch an
	// object's values are copied to while its members are written in key order.
	text, keys, scratch []byte
	members             []member
}

// member is one key of an open object: its decoded text in keys, its value's canonical bytes in the
// output.
type member struct {
	ks, ke     int
	start, end int
}

// value appends the canonical form of the value at p.pos to out; ok is false for anything that is
// not valid JSON.
func (p *canonParser) value(out *bytes.Buffer) bool {
	p.space()
	if p.pos >= len(p.in) {
		return false
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object(out)
	case c == '[':
		return p.array(out)
	case c == '"':
		s, ok := p.str(p.text[:0])
		if ok {
			p.text = s
			writeString(out, s)
		}
		return ok
	case c == 't':
		return p.literal(out, "true")
	case c == 'f':
		return p.literal(out, "false")
	case c == 'n':
		return p.literal(out, "null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number(out)
	}
	return false
}

func (p *canonParser) space() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *canonParser) literal(out *bytes.Buffer, lit string) bool {
	if !bytes.HasPrefix(p.in[p.pos:], []byte(lit)) {
		return false
	}
	p.pos += len(lit)
	out.WriteString(lit)
	return true
}

// number copies a number's literal text after checking RFC 8259's grammar.
func (p *canonParser) number(out *bytes.Buffer) bool {
	start := p.pos
	if p.in[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.in) && '0' <= p.in[p.pos] && p.in[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.in) && p.in[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return false
	}
	if p.pos < len(p.in) && p.in[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return false
		}
	}
	if p.pos < len(p.in) && (p.in[p.pos] == 'e' || p.in[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.in) && (p.in[p.pos] == '+' || p.in[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	out.Write(p.in[start:p.pos])
	return true
}

// str decodes the string at p.pos (its opening quote) and appends its text to dst, as
// encoding/json decodes it: invalid UTF-8 and unpaired surrogates become U+FFFD.
func (p *canonParser) str(dst []byte) ([]byte, bool) {
	p.pos++
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		switch {
		case c == '"':
			p.pos++
			return dst, true
		case c < 0x20:
			return dst, false
		case c == '\\':
			if p.pos+1 >= len(p.in) {
				return dst, false
			}
			e := p.in[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				dst = append(dst, e)
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return dst, false
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if p.pos+1 < len(p.in) && p.in[p.pos] == '\\' && p.in[p.pos+1] == 'u' {
						save := p.pos
						p.pos += 2
						var ok2 bool
						if r2, ok2 = p.hex4(); !ok2 {
							return dst, false
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							continue
						}
						p.pos = save
					}
					r = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, r)
			default:
				return dst, false
			}
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.in[p.pos:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, p.in[p.pos:p.pos+size]...)
			}
			p.pos += size
		}
	}
	return dst, false
}

func (p *canonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.in) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.in[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

func (p *canonParser) array(out *bytes.Buffer) bool {
	if p.depth++; p.depth > maxCanonicalDepth {
		return false
	}
	p.pos++
	out.WriteByte('[')
	p.space()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
		out.WriteByte(']')
		p.depth--
		return true
	}
	for n := 0; ; n++ {
		if n > 0 {
			out.WriteByte(',')
		}
		if !p.value(out) {
			return false
		}
		p.space()
		if p.pos >= len(p.in) {
			return false
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			out.WriteByte(']')
			p.depth--
			return true
		default:
			return false
		}
	}
}

// object writes its members' values to a scratch area of out as it reads them, then the members in
// key order (the last of duplicates), and drops the scratch.
func (p *canonParser) object(out *bytes.Buffer) bool {
	if p.depth++; p.depth > maxCanonicalDepth {
		return false
	}
	p.pos++
	p.space()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
		out.WriteString("{}")
		p.depth--
		return true
	}
	mark, base, keysBase := out.Len(), len(p.members), len(p.keys)
	for {
		p.space()
		if p.pos >= len(p.in) || p.in[p.pos] != '"' {
			return false
		}
		ks := len(p.keys)
		keys, ok := p.str(p.keys)
		if !ok {
			return false
		}
		p.keys = keys
		ke := len(p.keys)
		p.space()
		if p.pos >= len(p.in) || p.in[p.pos] != ':' {
			return false
		}
		p.pos++
		start := out.Len()
		if !p.value(out) {
			return false
		}
		p.members = append(p.members, member{ks: ks, ke: ke, start: start, end: out.Len()})
		p.space()
		if p.pos >= len(p.in) {
			return false
		}
		if c := p.in[p.pos]; c == ',' {
			p.pos++
			continue
		} else if c != '}' {
			return false
		}
		p.pos++
		break
	}
	members := p.members[base:]
	key := func(m member) []byte { return p.keys[m.ks:m.ke] }
	// The last of duplicate keys wins; the sort is stable so that it stays last.
	slices.SortStableFunc(members, func(a, b member) int { return bytes.Compare(key(a), key(b)) })
	p.scratch = append(p.scratch[:0], out.Bytes()[mark:]...)
	out.Truncate(mark)
	out.WriteByte('{')
	n := 0
	for i, m := range members {
		if i+1 < len(members) && bytes.Equal(key(members[i+1]), key(m)) {
			continue
		}
		if n > 0 {
			out.WriteByte(',')
		}
		n++
		writeString(out, key(m))
		out.WriteByte(':')
		out.Write(p.scratch[m.start-mark : m.end-mark])
	}
	p.members, p.keys = p.members[:base], p.keys[:keysBase]
	out.WriteByte('}')
	p.depth--
	return true
}
