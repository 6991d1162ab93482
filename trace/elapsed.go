package trace

import (
	"strconv"
	"time"
)

// FormatElapsed renders a virtual offset as HH:MM:SS.mmm (with microseconds when it has any), the
// form traces and timelines use.
func FormatElapsed(d time.Duration) string { return string(AppendElapsed(nil, d)) }

// AppendElapsed appends FormatElapsed's rendering to b, without allocating on its own.
func AppendElapsed(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	two := func(b []byte, n int64) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }
	three := func(b []byte, n int64) []byte {
		return append(b, byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
	}
	h := int64(d / time.Hour)
	if h >= 100 {
		b = strconv.AppendInt(b, h, 10)
	} else {
		b = two(b, h)
	}
	b = append(b, ':')
	b = two(b, int64(d%time.Hour/time.Minute))
	b = append(b, ':')
	b = two(b, int64(d%time.Minute/time.Second))
	b = append(b, '.')
	b = three(b, int64(d%time.Second/time.Millisecond))
	if us := int64(d % time.Millisecond / time.Microsecond); us != 0 {
		b = three(b, us)
	}
	return b
}
