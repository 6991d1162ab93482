package scenarios

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// ErrInvalid is what every content problem of a scenario file unwraps to, so that a caller can tell
// a bad scenario (exit code 3, with the message) from other failures.
var ErrInvalid = errors.New("scenarios: invalid scenario")

// Error is one problem in a scenario file, with where it is and how to fix it. Its text never
// quotes a credential (PAY-4): values under content.keys, rotate_key.value and site.encryption_key
// are described, never echoed.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the problem has no position (a file that cannot be read)
	Column int // 1-based; 0 when unknown
	// Field is the path of the field at fault, such as timeline[2].deploy.hook_syncs; empty for a
	// YAML syntax error or a problem with the file as a whole.
	Field string
	Msg   string
	Fix   string

	cause error
}

// Error renders "file:line:col: field: msg (fix: fix)", leaving out the parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":" + strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString(" (fix: " + e.Fix + ")")
	}
	return b.String()
}

// Unwrap returns the underlying I/O error for a file that could not be read, else ErrInvalid.
func (e *Error) Unwrap() error {
	if e.cause != nil {
		return e.cause
	}
	return ErrInvalid
}

// Errors are several problems, ordered by file, line and column. errors.As finds the first *Error.
type Errors []*Error

// Error renders one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// maxErrors bounds how many problems one file reports; after that many the rest are mostly echoes.
const maxErrors = 30

// joinErrors returns nil, the single *Error, or Errors sorted by position.
func joinErrors(es []*Error) error {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	sorted := append(Errors(nil), es...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return sorted
}
