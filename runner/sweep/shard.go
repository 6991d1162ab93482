package sweep

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Shard is one of Count parts of a seed range, numbered from 1 (`--shard i/n`), so that n machines
// each sweep one part and `simrun merge` combines their reports. The zero value is no sharding: the
// whole range.
//
// The partition is into contiguous blocks in seed order: with N seeds, the first N mod n shards get
// ceil(N/n) seeds and the others floor(N/n), so sizes differ by at most one and shard i's block comes
// right after shard i-1's. Every seed belongs to exactly one shard, and the shards' blocks in index
// order are the range in seed order.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// IsZero reports whether s is no sharding.
func (s Shard) IsZero() bool { return s == Shard{} }

// String renders the shard as `--shard` spells it: "2/4".
func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// ParseShard reads `--shard`: "i/n" with 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	const want = "want i/n with 1 <= i <= n, e.g. 2/4 for the second of four shards"
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("--shard %q: no \"/\" (%s)", s, want)
	}
	i, err := strconv.Atoi(is)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %q: %q is not a shard index (%s)", s, is, want)
	}
	n, err := strconv.Atoi(ns)
	if err != nil {
		return Shard{}, fmt.Errorf("--shard %q: %q is not a shard count (%s)", s, ns, want)
	}
	if n < 1 {
		return Shard{}, fmt.Errorf("--shard %q: the shard count must be at least 1 (%s)", s, want)
	}
	if i < 1 || i > n {
		return Shard{}, fmt.Errorf("--shard %q: the index must be from 1 to %d (%s)", s, n, want)
	}
	return Shard{Index: i, Count: n}, nil
}

// Block is the part of r that shard s runs (see Shard for the rule); the zero Shard's block is r. It
// is an error for s to be out of bounds or for r to have fewer seeds than s.Count (a shard would be
// empty).
func (s Shard) Block(r Range) (Range, error) {
	if s.IsZero() {
		return r, nil
	}
	if s.Count < 1 || s.Index < 1 || s.Index > s.Count {
		return Range{}, fmt.Errorf("sweep: shard %s: the index must be from 1 to the count", s)
	}
	if r.To < r.From {
		return Range{}, fmt.Errorf("sweep: seed range %d-%d ends before it starts", r.From, r.To)
	}
	n := uint64(s.Count)
	// The range holds To-From+1 seeds, which is 2^64 for 0-18446744073709551615: count in 128 bits.
	lo, hi := bits.Add64(r.To-r.From, 1, 0)
	if hi == 0 && lo < n {
		return Range{}, fmt.Errorf("sweep: --shard %s: seeds %s hold only %d seeds, fewer than %d shards", s, r, lo, n)
	}
	if n == 1 {
		return r, nil
	}
	size, rem := bits.Div64(hi, lo, n) // hi <= 1 < n
	k := uint64(s.Index - 1)
	start := r.From + k*size + min(k, rem)
	if k < rem {
		size++
	}
	return Range{From: start, To: start + size - 1}, nil
}
