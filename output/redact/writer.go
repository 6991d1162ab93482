package redact

import (
	"bytes"
	"io"
	"sync"
)

// MaxPending bounds what a Writer holds while it waits for a line end: a longer line is masked and
// written in pieces of this size (a credential split across two pieces may then be missed by name,
// never by a declared or earlier learnt value that fits a piece).
const MaxPending = 64 << 10

// Writer masks what is written to it line by line (a line ends at "\n" or "\r", so that a progress
// bar redrawn in place shows at once) and writes the masked lines to the underlying writer. A value
// it learns is masked in every later line. Flush writes a last unterminated line. A Writer is safe
// for use by several goroutines.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	r       *Redactor
	pending []byte
}

// NewWriter returns a Writer that masks with r (nil: by name and structure only) into w.
func NewWriter(w io.Writer, r *Redactor) *Writer {
	if r == nil {
		r = New(nil)
	}
	return &Writer{w: w, r: r}
}

// Write masks and writes every complete line of p, and keeps the rest for the next call. It
// reports len(p) unless the underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	for {
		i := bytes.IndexAny(w.pending, "\n\r")
		if i < 0 {
			break
		}
		if err := w.emit(i + 1); err != nil {
			return 0, err
		}
	}
	for len(w.pending) >= MaxPending {
		if err := w.emit(MaxPending); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// emit masks and writes the first n pending bytes.
func (w *Writer) emit(n int) error {
	line := w.r.String(string(w.pending[:n]))
	w.pending = append(w.pending[:0], w.pending[n:]...)
	_, err := io.WriteString(w.w, line)
	return err
}

// Flush masks and writes what is pending (a last line without a line end).
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	return w.emit(len(w.pending))
}

// Redactor is the Redactor the Writer masks with: a command adds the secrets it learns to it.
func (w *Writer) Redactor() *Redactor { return w.r }

// Unwrap is the underlying writer, so that a caller can still tell whether it is a terminal.
func (w *Writer) Unwrap() io.Writer { return w.w }

// Declare adds secrets to the Redactor behind w when w is a Writer, or wraps one (an Unwrap()
// io.Writer chain); it reports whether it found one. Commands that learn their secrets only after
// the output is set up (the scenarios a run loads) declare them this way, so that every later line
// masks them by value too.
func Declare(w io.Writer, secrets ...string) bool {
	for w != nil {
		if rw, ok := w.(*Writer); ok {
			rw.r.Add(secrets...)
			return true
		}
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}
