package output

import (
	"io"
	"strconv"
	"sync"

	"github.com/syncsim/syncsim/check"
)

// Stream is P11 on a stream as it leaves the process (the CLI's stdout and stderr, after the one
// redaction's line-buffered writer): each write is judged before it goes on; one that still holds a
// credential is withheld and kept as a *check.LeakError naming the stream and its line.
type Stream struct {
	name string
	w    io.Writer

	mu    sync.Mutex
	line  int
	leaks []error
}

// NewStream judges what is written to w, named name in its errors.
func NewStream(name string, w io.Writer) *Stream { return &Stream{name: name, w: w} }

// Write judges p (the redaction's writer hands over whole lines) and passes it on when clean.
func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	first := s.line + 1
	for _, c := range p {
		if c == '\n' {
			s.line++
		}
	}
	if err := check.JudgeOutput(s.name+" line "+strconv.Itoa(first), p, nil); err != nil {
		s.leaks = append(s.leaks, err)
		s.mu.Unlock()
		return len(p), nil
	}
	s.mu.Unlock()
	return s.w.Write(p)
}

// Leaks are the writes withheld so far.
func (s *Stream) Leaks() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.leaks...)
}

// Unwrap is the underlying writer, so that a caller can still tell whether it is a terminal.
func (s *Stream) Unwrap() io.Writer { return s.w }
