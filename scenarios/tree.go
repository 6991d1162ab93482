package scenarios

import (
	"errors"
	"math"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The loader does not decode YAML into structs: goccy's decoder reports type mismatches with the
// offending value in the text, which would leak credentials (PAY-4), and it cannot say which of our
// fields is at fault. Instead the file is parsed to goccy's AST and turned into a small tree of
// nodes that keep their positions, with anchors, aliases and merge keys resolved; decode.go reads
// that tree field by field.

type kind int

const (
	kindNull kind = iota
	kindString
	kindInt
	kindFloat
	kindBool
	kindMap
	kindSeq
)

// describe names a kind for messages ("must be a mapping, not a list").
func (k kind) describe() string {
	switch k {
	case kindNull:
		return "empty"
	case kindString:
		return "a string"
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindMap:
		return "a mapping"
	default:
		return "a list"
	}
}

type pos struct{ line, col int }

// node is one YAML value with its position.
type node struct {
	kind kind
	at   pos
	// text is a scalar's source text (for a string, its value); val is its value: string, int64,
	// uint64, float64, bool or nil.
	text    string
	val     any
	entries []entry // kindMap, in file order, merge keys resolved
	items   []*node // kindSeq
	// size counts the values and keys below and including this one, aliases expanded; height is
	// how many levels of mappings and lists it holds (0 for a scalar). An alias shares its
	// anchor's node, so both are known before anything expands it (MaxNodes, MaxDepth).
	size, height int
	// index finds a key of a large mapping; built on the first lookup.
	index map[string]int
}

// indexedEntries is where lookup stops scanning and builds an index: large mappings would make
// every lookup, and so the schema's and the decoder's walks, quadratic.
const indexedEntries = 16

type entry struct {
	key string
	at  pos // the key's position
	val *node
}

func (n *node) lookup(key string) (entry, bool) {
	if len(n.entries) <= indexedEntries {
		for _, e := range n.entries {
			if e.key == key {
				return e, true
			}
		}
		return entry{}, false
	}
	if n.index == nil {
		n.index = make(map[string]int, len(n.entries))
		for i := len(n.entries) - 1; i >= 0; i-- {
			n.index[n.entries[i].key] = i // the first of a repeated key wins, as in the scan
		}
	}
	if i, ok := n.index[key]; ok {
		return n.entries[i], true
	}
	return entry{}, false
}

// treeBuilder converts goccy's AST into nodes, reporting problems through fail. It counts the
// nodes the tree stands for with aliases expanded, the aliases and the depth as it goes, and stops
// at the first bound the file goes over (over), before anything expands an alias.
type treeBuilder struct {
	file    string
	anchors map[string]*node
	fail    func(at pos, field, msg, fix string)
	nodes   int // values and keys so far, aliases expanded
	aliases int
	over    *Error
}

// limit records the first bound the file goes over; building stops there.
func (b *treeBuilder) limit(at pos, path, msg, fix string) {
	if b.over == nil {
		b.over = limitError(b.file, at, path, msg, fix)
	}
}

// count adds n expanded nodes at a position.
func (b *treeBuilder) count(at pos, path string, n int) {
	b.nodes += n
	if b.nodes > MaxNodes {
		b.limit(at, path, "the file stands for more than "+thousands(MaxNodes)+" values with its aliases expanded",
			"use fewer aliases or write less"+fixed("MaxNodes"))
	}
}

// tooDeep reports a collection at depth (enclosing collections) whose height goes past MaxDepth.
func (b *treeBuilder) tooDeep(at pos, path string, depth, height int) bool {
	if depth+height <= MaxDepth {
		return false
	}
	b.limit(at, path, "mappings and lists nest more than "+itoa(MaxDepth)+" levels deep here (aliases expanded)",
		"flatten the structure"+fixed("MaxDepth"))
	return true
}

// parseTree parses one YAML document. A syntax error is returned as an *Error without a field and
// with goccy's position; its message never includes the source line.
func parseTree(file string, data []byte, fail func(at pos, field, msg, fix string)) (*node, *Error) {
	// goccy's parser recurses per level and per key of a block mapping, at a cost that grows with
	// the square of either, so it never sees such a file; the exact depth check on the tree covers
	// the files the scan lets through.
	switch at, problem := scanDepth(data, 2*MaxDepth); problem {
	case scanDeep:
		return nil, limitError(file, at, "", "mappings and lists nest more than "+itoa(MaxDepth)+" levels deep here",
			"flatten the structure"+fixed("MaxDepth"))
	case scanKeys:
		return nil, limitError(file, at, "", "a block mapping holds more than "+thousands(MaxBlockKeys)+" keys by this one",
			"use fewer keys, or write the mapping in flow style ({k: v, ...})"+fixed("MaxBlockKeys"))
	}
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, syntaxError(file, err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return nil, &Error{File: file, Line: 1, Msg: "the file holds no scenario", Fix: "write a scenario mapping; see scenarios/SCHEMA.md"}
	}
	if len(docs) > 1 {
		p := position(docs[1].Body)
		return nil, &Error{File: file, Line: p.line, Column: p.col, Msg: "the file holds more than one YAML document",
			Fix: "put one scenario per file and remove the '---' separator"}
	}
	b := &treeBuilder{file: file, anchors: map[string]*node{}, fail: fail}
	root := b.build("", docs[0].Body, 0)
	if b.over != nil {
		return nil, b.over
	}
	return root, nil
}

// syntaxError keeps goccy's message and position but not its source excerpt, which could quote a
// credential (PAY-4).
func syntaxError(file string, err error) *Error {
	e := &Error{File: file, Line: 1, Msg: "invalid YAML", Fix: "check the indentation, quoting and brackets at this position"}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = "invalid YAML: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return e
}

// position is where a node starts: a block mapping starts at its first key.
func position(n ast.Node) pos {
	switch v := n.(type) {
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return position(v.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return position(v.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return pos{}
	}
	return pos{tk.Position.Line, tk.Position.Column}
}

// build converts n, found inside depth mappings and lists. Once a bound is over it returns empty
// values without looking further.
func (b *treeBuilder) build(path string, n ast.Node, depth int) *node {
	if b.over != nil {
		return &node{kind: kindNull, size: 1}
	}
	at := position(n)
	if _, alias := n.(*ast.AliasNode); !alias {
		if _, wrapper := n.(*ast.AnchorNode); !wrapper {
			if _, tag := n.(*ast.TagNode); !tag {
				b.count(at, path, 1)
			}
		}
	}
	out := b.value(path, n, depth, at)
	if out.size == 0 {
		out.size = 1
	}
	return out
}

func (b *treeBuilder) value(path string, n ast.Node, depth int, at pos) *node {
	switch v := n.(type) {
	case *ast.NullNode:
		return &node{kind: kindNull, at: at, text: "null"}
	case *ast.StringNode:
		return &node{kind: kindString, at: at, text: v.Value, val: v.Value}
	case *ast.LiteralNode:
		return &node{kind: kindString, at: at, text: v.Value.Value, val: v.Value.Value}
	case *ast.IntegerNode:
		// goccy gives uint64 for a non-negative literal; bindings hold int64 where it fits, as JSON
		// numbers compare equal whatever their Go type, but tests and consumers see one type.
		val := v.Value
		if u, ok := val.(uint64); ok && u <= math.MaxInt64 {
			val = int64(u)
		}
		return &node{kind: kindInt, at: at, text: v.GetToken().Value, val: val}
	case *ast.FloatNode:
		return &node{kind: kindFloat, at: at, text: v.GetToken().Value, val: v.Value}
	case *ast.InfinityNode:
		return &node{kind: kindFloat, at: at, text: v.GetToken().Value, val: v.Value}
	case *ast.NanNode:
		return &node{kind: kindFloat, at: at, text: v.GetToken().Value, val: math.NaN()}
	case *ast.BoolNode:
		return &node{kind: kindBool, at: at, text: v.GetToken().Value, val: v.Value}
	case *ast.TagNode:
		return b.tag(path, v, depth)
	case *ast.AnchorNode:
		out := b.build(path, v.Value, depth)
		if v.Name != nil {
			b.anchors[v.Name.GetToken().Value] = out
		}
		return out
	case *ast.AliasNode:
		return b.alias(path, v, depth, at)
	case *ast.MappingNode:
		return b.mapping(path, at, v.Values, depth)
	case *ast.MappingValueNode:
		return b.mapping(path, at, []*ast.MappingValueNode{v}, depth)
	case *ast.SequenceNode:
		out := &node{kind: kindSeq, at: at, size: 1, height: 1}
		if b.tooDeep(at, path, depth, 1) {
			return out
		}
		for i, item := range v.Values {
			c := b.build(index(path, i), item, depth+1)
			out.items = append(out.items, c)
			out.size += c.size
			out.height = max(out.height, c.height+1)
		}
		return out
	}
	b.fail(at, path, "unsupported YAML construct", "use plain mappings, lists and scalars")
	return &node{kind: kindNull, at: at}
}

// alias shares its anchor's node; the expansion it stands for counts against MaxNodes and
// MaxDepth here, so that nothing after the builder can blow up (a "billion laughs" file).
func (b *treeBuilder) alias(path string, v *ast.AliasNode, depth int, at pos) *node {
	name := ""
	if v.Value != nil {
		name = v.Value.GetToken().Value
	}
	if b.aliases++; b.aliases > MaxAliases {
		b.limit(at, path, "the file uses more than "+thousands(MaxAliases)+" aliases", "use fewer aliases"+fixed("MaxAliases"))
		return &node{kind: kindNull, at: at}
	}
	out, ok := b.anchors[name]
	if !ok {
		b.fail(at, path, "alias *"+name+" refers to no earlier anchor", "define &"+name+" before using *"+name+"; an anchor cannot refer to itself")
		return &node{kind: kindNull, at: at}
	}
	b.count(at, path, out.size)
	if b.tooDeep(at, path, depth, out.height) {
		return &node{kind: kindNull, at: at}
	}
	return out
}

func (b *treeBuilder) tag(path string, v *ast.TagNode, depth int) *node {
	switch v.Start.Value {
	case "!!str":
		inner := b.build(path, v.Value, depth)
		if inner.kind == kindMap || inner.kind == kindSeq {
			b.fail(inner.at, path, "!!str applies only to a scalar", "remove the tag")
			return inner
		}
		return &node{kind: kindString, at: inner.at, text: inner.text, val: inner.text}
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
		return b.build(path, v.Value, depth)
	}
	at := position(v)
	b.fail(at, path, "unsupported tag "+v.Start.Value, "remove the tag; the schema needs none")
	return &node{kind: kindNull, at: at}
}

// mapping builds a mapping's entries. Explicit keys win over merged ones (<<), earlier merges over
// later ones, as YAML's merge key type says; a key repeated explicitly is an error.
func (b *treeBuilder) mapping(path string, at pos, values []*ast.MappingValueNode, depth int) *node {
	out := &node{kind: kindMap, at: at, size: 1, height: 1}
	if b.tooDeep(at, path, depth, 1) {
		return out
	}
	seen := map[string]int{} // key -> index in out.entries
	add := func(e entry) {
		seen[e.key] = len(out.entries)
		out.entries = append(out.entries, e)
		out.size += 1 + e.val.size
		out.height = max(out.height, e.val.height+1)
	}
	var merged []entry
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			merged = append(merged, b.merge(path, mv.Value, depth+1)...)
			continue
		}
		keyNode := ast.Node(mv.Key)
		if mk, ok := mv.Key.(*ast.MappingKeyNode); ok {
			keyNode = mk.Value
		}
		key := b.build(path, keyNode, depth+1)
		if key.kind == kindMap || key.kind == kindSeq {
			b.fail(key.at, path, "a key must be a scalar", "use a plain name as the key")
			continue
		}
		if i, dup := seen[key.text]; dup {
			b.fail(key.at, child(path, key.text), "key "+quote(key.text)+" appears twice (first at line "+itoa(out.entries[i].at.line)+")",
				"keep one of them")
			continue
		}
		add(entry{key: key.text, at: key.at, val: b.build(child(path, key.text), mv.Value, depth+1)})
	}
	for _, e := range merged {
		if _, dup := seen[e.key]; !dup {
			add(e)
		}
	}
	return out
}

// merge reads the value of a merge key (<<), at the depth of the mapping's values.
func (b *treeBuilder) merge(path string, v ast.Node, depth int) []entry {
	src := b.build(path, v, depth)
	switch src.kind {
	case kindMap:
		return src.entries
	case kindSeq:
		var out []entry
		for _, item := range src.items {
			if item.kind != kindMap {
				b.fail(item.at, path, "a merge key (<<) takes mappings only", "merge an alias of a mapping, such as <<: *base")
				continue
			}
			out = append(out, item.entries...)
		}
		return out
	}
	if src.kind == kindNull && b.over != nil {
		return nil
	}
	b.fail(src.at, path, "a merge key (<<) takes a mapping or a list of mappings", "merge an alias of a mapping, such as <<: *base")
	return nil
}
