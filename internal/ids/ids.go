// Package ids makes identifiers from a seeded random stream, so that request ids, lease ids and
// X-ARR-LOG-ID values are part of a run's determinism rather than of the machine it runs on.
package ids

import "math/rand/v2"

// UUID formats 16 bytes of the stream as a version-4 UUID string.
func UUID(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}
