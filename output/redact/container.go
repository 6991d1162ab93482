package redact

import "strings"

// A key container is a JSON (or YAML flow) object or array that holds keys by name: the Functions
// key API's and secrets file's `"functionKeys": {"default": "..."}`, `"keys": [{"name": "default",
// "value": "..."}]`, `"masterKey": {"name": "master", "value": "..."}`, `"systemKeys": [...]` and the
// payload's `"secrets": {...}` (PAY-1, PAY-4). Every scalar value in it is a key's value and is
// masked, at any depth, except what names a key (the fields `name` and `keyName`) and what is never
// masked (numbers, true, false, null, digests, descriptions, a mask).

// maxContainerDepth bounds the nesting a container is followed into; deeper, it is left alone.
const maxContainerDepth = 32

// isContainerName reports whether the name holds keys when its value is an object or array: its
// last word is, or ends with, key, keys or secrets (masterKey, functionKeys, systemKeys, keys,
// secrets). hostKeys is often a count (`"hostKeys": 2`); a count is not an object, so it is left as
// it is. Other credential names (`"auth": {"type": ...}`, a token's claims) are not containers.
func isContainerName(name string) bool {
	w := strings.ToLower(lastWord(name))
	return strings.HasSuffix(w, "key") || strings.HasSuffix(w, "keys") || strings.HasSuffix(w, "secrets")
}

// isNameField reports whether a field inside a key container names a key instead of holding one.
func isNameField(field string) bool {
	return strings.EqualFold(field, "name") || strings.EqualFold(field, "keyName")
}

// isPlural reports whether a container name holds many keys (functionKeys, keys, secrets), whose
// every value but a name is a key; a singular one (masterKey, rotate_key) holds one key among
// other members.
func isPlural(name string) bool {
	w := strings.ToLower(lastWord(name))
	return strings.HasSuffix(w, "keys") || strings.HasSuffix(w, "secrets")
}

// masks reports whether the scalar v of the member field is masked: in a plural container every
// value but a name; in a singular one the member `value` and the members with a credential name, as
// outside a container (`{"name": "master", "value": ...}`, `rotate_key: {key: host.default, value: ...}`).
func (f frame) masks(v string, quoted bool) bool {
	switch {
	case v == "" || neverMasked(v, !quoted) || isNameField(f.field):
		return false
	case f.plural:
		return true
	case strings.EqualFold(f.field, "value"):
		return true
	case isBareKey(f.field):
		return isKeyShaped(v)
	}
	return isCredentialName(f.field)
}

// containerAfter looks at the name s[a:b]: when it is a container name followed by a separator
// (`:` or `=`) and an object or array (also inside a JSON string: `"functionKeys": "{\"default\":
// ...}"`), it returns the values in it to mask and where the container ends. ok is false otherwise.
func containerAfter(s string, a, b int) (spans []span, end int, ok bool) {
	name := s[a:b]
	if !isContainerName(name) {
		return nil, 0, false
	}
	j := b
	if q := quoteBefore(s, a); q != "" && strings.HasPrefix(s[j:], q) {
		j += len(q)
	}
	k := skipBlanks(s, j)
	if k >= len(s) || (s[k] != ':' && s[k] != '=') {
		return nil, 0, false
	}
	k = skipBlanks(s, k+1)
	switch {
	case strings.HasPrefix(s[k:], `"{`) || strings.HasPrefix(s[k:], `"[`):
		k++
	case strings.HasPrefix(s[k:], `\"{`) || strings.HasPrefix(s[k:], `\"[`):
		k += 2
	}
	if k >= len(s) || (s[k] != '{' && s[k] != '[') {
		return nil, 0, false
	}
	if strings.HasPrefix(s[k:], Mask) {
		return nil, 0, false
	}
	spans, end = containerValues(s, k, isPlural(name))
	return spans, end, true
}

// frame is one open object or array of a container: field is the name of the member being read
// (an array's members take the field its array was the value of), key whether a member's name comes
// next, plural whether the container holds many keys (isPlural).
type frame struct {
	object bool
	plural bool
	field  string
	key    bool
}

// containerValues reads the container that opens at s[k] up to its close, the end of the line or
// of s, and returns the values to mask and the index after the container. It is one pass over the
// text: every step moves forward.
func containerValues(s string, k int, plural bool) ([]span, int) {
	var out []span
	var stack []frame
	i := k
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n' || c == '\r':
			return out, i
		case c == ' ' || c == '\t':
			i++
		case (c == '{' || c == '[') && !strings.HasPrefix(s[i:], Mask):
			if len(stack) == maxContainerDepth {
				return out, i
			}
			field := ""
			if len(stack) > 0 {
				field = stack[len(stack)-1].field
			}
			stack = append(stack, frame{object: c == '{', plural: plural, field: field, key: c == '{'})
			i++
		case c == '}' || c == ']':
			if len(stack) == 0 {
				return out, i
			}
			stack = stack[:len(stack)-1]
			i++
			if len(stack) == 0 {
				return out, i
			}
		case len(stack) == 0:
			return out, i
		case c == ',':
			top := &stack[len(stack)-1]
			top.key = top.object
			i++
		case c == ':':
			stack[len(stack)-1].key = false
			i++
		default:
			sp, quoted, next := containerScalar(s, i, stack[len(stack)-1].key)
			if next <= i {
				return out, i // nothing readable: a quote that closes the enclosing string
			}
			i = next
			top := &stack[len(stack)-1]
			v := s[sp.start:sp.end]
			if top.object && top.key {
				top.field = v
				continue
			}
			if top.masks(v, quoted) {
				out = append(out, sp)
			}
		}
	}
	return out, i
}

// containerScalar reads one string or bare scalar at s[i:]: its text, whether it was quoted, and
// the index after it. A quoted one is in `"` (JSON escapes), `\"` (JSON inside a JSON string) or
// `'`; a bare one (YAML flow) ends at a delimiter, and at `:` when it is a member's name.
func containerScalar(s string, i int, key bool) (span, bool, int) {
	switch {
	case strings.HasPrefix(s[i:], `\"`):
		start := i + 2
		end := start
		for end < len(s) && s[end] != '\n' && !strings.HasPrefix(s[end:], `\"`) {
			end++
		}
		next := end
		if strings.HasPrefix(s[end:], `\"`) {
			next += 2 // the closing \"; an unclosed string ends at the line's end
		}
		return span{start, end}, true, next
	case s[i] == '"' || s[i] == '\'':
		sp := quotedOrPlain(s, i)
		next := sp.end
		if next < len(s) && s[next] == s[i] {
			next++ // the closing quote; an unclosed string ends at the line's end
		}
		return sp, true, next
	case s[i] == '\\':
		return span{i, i}, false, i // an escape outside a string: the enclosing string ends here
	}
	end := i
	if strings.HasPrefix(s[i:], Mask) {
		end += len(Mask)
	}
	for end < len(s) && !strings.ContainsRune(",{}[]\"'\n\r\\", rune(s[end])) && !(key && s[end] == ':') {
		end++
	}
	v := strings.TrimRight(s[i:end], " \t")
	return span{i, i + len(v)}, false, end
}
