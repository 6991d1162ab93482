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
}

type entry struct {
	key string
	at  pos // the key's position
	val *node
}

func (n *node) lookup(key string) (entry, bool) {
	for _, e := range n.entries {
		if e.key == key {
			return e, true
		}
	}
	return entry{}, false
}

// treeBuilder converts goccy's AST into nodes, reporting problems through fail.
type treeBuilder struct {
	anchors map[string]*node
	fail    func(at pos, field, msg, fix string)
}

// parseTree parses one YAML document. A syntax error is returned as an *Error without a field and
// with goccy's position; its message never includes the source line.
func parseTree(file string, data []byte, fail func(at pos, field, msg, fix string)) (*node, *Error) {
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
	b := &treeBuilder{anchors: map[string]*node{}, fail: fail}
	return b.build("", docs[0].Body), nil
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

func (b *treeBuilder) build(path string, n ast.Node) *node {
	at := position(n)
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
		return b.tag(path, v)
	case *ast.AnchorNode:
		out := b.build(path, v.Value)
		if v.Name != nil {
			b.anchors[v.Name.GetToken().Value] = out
		}
		return out
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.GetToken().Value
		}
		if out, ok := b.anchors[name]; ok {
			return out
		}
		b.fail(at, path, "alias *"+name+" refers to no earlier anchor", "define &"+name+" before using *"+name+"; an anchor cannot refer to itself")
		return &node{kind: kindNull, at: at}
	case *ast.MappingNode:
		out := &node{kind: kindMap, at: at}
		b.mapping(path, out, v.Values)
		return out
	case *ast.MappingValueNode:
		out := &node{kind: kindMap, at: at}
		b.mapping(path, out, []*ast.MappingValueNode{v})
		return out
	case *ast.SequenceNode:
		out := &node{kind: kindSeq, at: at}
		for i, item := range v.Values {
			out.items = append(out.items, b.build(index(path, i), item))
		}
		return out
	}
	b.fail(at, path, "unsupported YAML construct", "use plain mappings, lists and scalars")
	return &node{kind: kindNull, at: at}
}

func (b *treeBuilder) tag(path string, v *ast.TagNode) *node {
	switch v.Start.Value {
	case "!!str":
		inner := b.build(path, v.Value)
		if inner.kind == kindMap || inner.kind == kindSeq {
			b.fail(inner.at, path, "!!str applies only to a scalar", "remove the tag")
			return inner
		}
		return &node{kind: kindString, at: inner.at, text: inner.text, val: inner.text}
	case "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq":
		return b.build(path, v.Value)
	}
	at := position(v)
	b.fail(at, path, "unsupported tag "+v.Start.Value, "remove the tag; the schema needs none")
	return &node{kind: kindNull, at: at}
}

// mapping fills out's entries. Explicit keys win over merged ones (<<), earlier merges over later
// ones, as YAML's merge key type says; a key repeated explicitly is an error.
func (b *treeBuilder) mapping(path string, out *node, values []*ast.MappingValueNode) {
	var merged []entry
	for _, mv := range values {
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			merged = append(merged, b.merge(path, mv.Value)...)
			continue
		}
		keyNode := ast.Node(mv.Key)
		if mk, ok := mv.Key.(*ast.MappingKeyNode); ok {
			keyNode = mk.Value
		}
		key := b.build(path, keyNode)
		if key.kind == kindMap || key.kind == kindSeq {
			b.fail(key.at, path, "a key must be a scalar", "use a plain name as the key")
			continue
		}
		if prev, dup := out.lookup(key.text); dup {
			b.fail(key.at, child(path, key.text), "key "+quote(key.text)+" appears twice (first at line "+itoa(prev.at.line)+")",
				"keep one of them")
			continue
		}
		out.entries = append(out.entries, entry{key: key.text, at: key.at, val: b.build(child(path, key.text), mv.Value)})
	}
	for _, e := range merged {
		if _, dup := out.lookup(e.key); !dup {
			out.entries = append(out.entries, e)
		}
	}
}

func (b *treeBuilder) merge(path string, v ast.Node) []entry {
	src := b.build(path, v)
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
	b.fail(src.at, path, "a merge key (<<) takes a mapping or a list of mappings", "merge an alias of a mapping, such as <<: *base")
	return nil
}
