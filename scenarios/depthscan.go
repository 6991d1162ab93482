package scenarios

// scanDepth estimates, without parsing, how deeply the collections of a YAML text nest and how
// many keys its block mappings hold, and reports where the first estimate goes over its bound.
// goccy's parser recurses once per level and once per key of a block mapping, and its cost grows
// with the square of either (100,000 levels of "[" in 200 KB take 40 s and 15 GB of allocations;
// 80,000 keys in 1 MiB take 36 s and 43 GB), so both are bounded before the parser sees the bytes.
//
// The estimate follows block indentation (a stack of indentation columns, with "- ", "? " and ": "
// indicators at the start of a line each opening a level at their column, and a "key:" another)
// and flow brackets, skipping comments, quoted scalars and block scalars. It is cheap and linear,
// not exact: a block list at its parent key's indentation is one level it does not see, and a
// plain scalar continued on a more indented line is one it sees wrongly. The caller therefore
// refuses only well above MaxDepth, and the exact check on the tree (treeBuilder) decides the
// rest. Keys are counted per block mapping at one column; keys of flow mappings are not, as goccy
// reads those in a loop.
func scanDepth(data []byte, limit int) (pos, scanProblem) {
	s := depthScanner{limit: limit, blockScalar: -1}
	line := 1
	for start := 0; start <= len(data); line++ {
		end := start
		for end < len(data) && data[end] != '\n' {
			end++
		}
		if at, deep := s.line(data[start:end], line); deep {
			return at, s.problem
		}
		start = end + 1
	}
	return pos{}, scanOK
}

// scanProblem is what scanDepth found.
type scanProblem int

const (
	scanOK   scanProblem = iota
	scanDeep             // the collections nest deeper than the limit
	scanKeys             // a block mapping holds more than MaxBlockKeys keys
)

// level is one open block level: its column and, for a mapping, the keys seen so far.
type level struct{ col, keys int }

// depthScanner is scanDepth's state between lines.
type depthScanner struct {
	limit   int
	problem scanProblem
	stack   []level // the open block levels
	flow    int     // open flow brackets
	quote   byte    // the open quoted scalar's quote, or 0
	escape  bool    // the previous character was a backslash inside double quotes
	// carried is the keys of the mapping a key at the start of this line continues.
	carried int
	// blockScalar is the indentation a block scalar's lines must exceed, -1 outside one.
	blockScalar int
}

func (s *depthScanner) deep() bool {
	if len(s.stack)+s.flow > s.limit {
		s.problem = scanDeep
		return true
	}
	return false
}

// line scans one line (without its newline).
func (s *depthScanner) line(l []byte, n int) (pos, bool) {
	indent := skipSpaces(l, 0)
	blank := indent == len(l) || l[indent] == '#' && s.quote == 0
	if s.blockScalar >= 0 {
		if blank || indent > s.blockScalar {
			return pos{}, false
		}
		s.blockScalar = -1
	}
	if s.quote != 0 || s.flow > 0 {
		// A multi-line quoted scalar or flow collection: no block structure on this line.
		return s.rest(l, indent, n, false)
	}
	if blank || l[indent] == '%' && indent == 0 {
		return pos{}, false
	}
	if indent == 0 && len(l) >= 3 && (string(l[:3]) == "---" || string(l[:3]) == "...") && (len(l) == 3 || l[3] == ' ') {
		s.stack = s.stack[:0]
		indent = 3
	}
	// A key at the column of the previous line's mapping continues that mapping.
	carried := 0
	for len(s.stack) > 0 && s.stack[len(s.stack)-1].col >= indent {
		if top := s.stack[len(s.stack)-1]; top.col == indent {
			carried = top.keys
		}
		s.stack = s.stack[:len(s.stack)-1]
	}
	// The indicators that open block levels on this line: "- - - x" nests three lists.
	i := indent
	for {
		i = skipProps(l, skipSpaces(l, i))
		if i < len(l) && (l[i] == '-' || l[i] == '?' || l[i] == ':') && (i+1 == len(l) || l[i+1] == ' ') {
			s.push(i, 0)
			if s.deep() {
				return pos{n, i + 1}, true
			}
			i++
			continue
		}
		break
	}
	if i != indent {
		carried = 0
	}
	s.carried = carried
	return s.rest(l, i, n, true)
}

// push opens a block level at column col with keys keys.
func (s *depthScanner) push(col, keys int) {
	if len(s.stack) == 0 || s.stack[len(s.stack)-1].col < col {
		s.stack = append(s.stack, level{col, keys})
	}
}

// rest scans from i to the end of the line for quotes, flow brackets, a key's ':' and a block
// scalar's '|' or '>'. block says the line is in block context, with a node starting at i.
func (s *depthScanner) rest(l []byte, i, n int, block bool) (pos, bool) {
	nodeStart, keyCol, i0 := true, i, i
	for ; i < len(l); i++ {
		c := l[i]
		if s.quote != 0 {
			switch {
			case s.escape:
				s.escape = false
			case s.quote == '"' && c == '\\':
				s.escape = true
			case c == '\'' && s.quote == '\'' && i+1 < len(l) && l[i+1] == '\'':
				i++ // '' is an escaped quote
			case c == s.quote:
				s.quote = 0
			}
			continue
		}
		if c == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t') {
			break
		}
		if nodeStart {
			switch {
			case c == ' ' || c == '\t':
				continue
			case c == '&' || c == '!':
				i = skipProps(l, i) - 1
				continue
			case c == '[' || c == '{':
				s.flow++
				if s.deep() {
					return pos{n, i + 1}, true
				}
				continue
			case c == '"' || c == '\'':
				s.quote, nodeStart = c, false
				continue
			case (c == '|' || c == '>') && s.flow == 0:
				s.blockScalar = 0
				if len(s.stack) > 0 {
					s.blockScalar = s.stack[len(s.stack)-1].col
				}
				return pos{}, false
			}
			nodeStart = false
			if s.flow == 0 {
				keyCol = i
			}
		}
		switch {
		case s.flow > 0 && (c == '[' || c == '{'):
			s.flow++
			if s.deep() {
				return pos{n, i + 1}, true
			}
		case s.flow > 0 && (c == ']' || c == '}'):
			s.flow--
		case s.flow > 0 && c == ',':
			nodeStart = true
		case c == ':' && (i+1 == len(l) || l[i+1] == ' ' || s.flow > 0 && (l[i+1] == ',' || l[i+1] == ']' || l[i+1] == '}')):
			if s.flow == 0 && block {
				// "key:" opens a mapping at the key's column, or continues the one there; its
				// value starts after the ':'.
				keys := 1
				if keyCol == i0 {
					keys += s.carried
				}
				s.push(keyCol, keys)
				block = false
				if s.deep() {
					return pos{n, keyCol + 1}, true
				}
				if keys > MaxBlockKeys {
					s.problem = scanKeys
					return pos{n, keyCol + 1}, true
				}
			}
			nodeStart = true
		}
	}
	// A line break inside double quotes is not escaped by a backslash before it in our count.
	s.escape = false
	return pos{}, false
}

func skipSpaces(l []byte, i int) int {
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

// skipProps skips an anchor (&name) or tag (!tag) and the spaces after it, as often as they come.
func skipProps(l []byte, i int) int {
	for i < len(l) && (l[i] == '&' || l[i] == '!') {
		for i < len(l) && l[i] != ' ' {
			i++
		}
		i = skipSpaces(l, i)
	}
	return i
}
