package sweep

import (
	"math"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	cases := []struct {
		in   string
		want Shard
		err  string
	}{
		{"1/1", Shard{1, 1}, ""},
		{"2/4", Shard{2, 4}, ""},
		{" 3/3 ", Shard{3, 3}, ""},
		{"0/3", Shard{}, "the index must be from 1 to 3"},
		{"4/3", Shard{}, "the index must be from 1 to 3"},
		{"-1/3", Shard{}, "the index must be from 1 to 3"},
		{"1/0", Shard{}, "the shard count must be at least 1"},
		{"x", Shard{}, `no "/"`},
		{"", Shard{}, `no "/"`},
		{"x/3", Shard{}, `"x" is not a shard index`},
		{"1/y", Shard{}, `"y" is not a shard count`},
		{"1/2/3", Shard{}, `"2/3" is not a shard count`},
	}
	for _, c := range cases {
		got, err := ParseShard(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %+v, %v", c.in, got, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "want i/n")):
			t.Errorf("%q: error %v, want %q", c.in, err, c.err)
		}
	}
	if s := (Shard{2, 4}).String(); s != "2/4" {
		t.Error(s)
	}
}

// checkPartition asserts that the blocks of shards 1..n of r are contiguous, in order, cover r
// exactly once and differ in size by at most one, larger blocks first.
func checkPartition(t *testing.T, r Range, n int) {
	t.Helper()
	next, prevSize := r.From, uint64(math.MaxUint64)
	for i := 1; i <= n; i++ {
		b, err := Shard{i, n}.Block(r)
		if err != nil {
			t.Fatalf("%s shard %d/%d: %v", r, i, n, err)
		}
		if b.From != next || b.To < b.From {
			t.Fatalf("%s shard %d/%d: block %s, want one starting at %d", r, i, n, b, next)
		}
		size := b.To - b.From // one less than the size: no overflow on the full range
		if size > prevSize || i > 1 && prevSize-size > 1 {
			t.Fatalf("%s shard %d/%d: block %s after a block of %d seeds", r, i, n, b, prevSize+1)
		}
		prevSize = size
		if i == n {
			if b.To != r.To {
				t.Fatalf("%s: the last shard of %d ends at %d", r, n, b.To)
			}
			return
		}
		next = b.To + 1
	}
}

// Every seed belongs to exactly one shard, for many ranges and shard counts.
func TestShardBlocksPartitionTheRange(t *testing.T) {
	for _, from := range []uint64{0, 1, 17, math.MaxUint64 - 40} {
		for count := uint64(1); count <= 41; count++ {
			r := Range{from, from + count - 1}
			for n := 1; n <= int(count); n++ {
				checkPartition(t, r, n)
			}
		}
	}
	full := Range{0, math.MaxUint64}
	for _, n := range []int{1, 2, 3, 7, 1000} {
		checkPartition(t, full, n)
	}
	checkPartition(t, Range{1, 1_000_000}, 999_983)
	// Seeds 1-9 in four shards: 3, 2, 2, 2.
	var got []string
	for i := 1; i <= 4; i++ {
		b, _ := Shard{i, 4}.Block(Range{1, 9})
		got = append(got, b.String())
	}
	if strings.Join(got, " ") != "1-3 4-5 6-7 8-9" {
		t.Fatalf("blocks %v", got)
	}
	if b, err := (Shard{}).Block(Range{4, 8}); err != nil || b != (Range{4, 8}) {
		t.Fatalf("no shard: %s %v", b, err)
	}
}

func TestShardBlockErrors(t *testing.T) {
	cases := []struct {
		shard Shard
		r     Range
		want  string
	}{
		{Shard{4, 4}, Range{1, 3}, "hold only 3 seeds, fewer than 4 shards"},
		{Shard{0, 4}, Range{1, 9}, "index must be from 1"},
		{Shard{5, 4}, Range{1, 9}, "index must be from 1"},
		{Shard{1, 2}, Range{9, 1}, "ends before it starts"},
	}
	for _, c := range cases {
		if _, err := c.shard.Block(c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v of %s: %v, want %q", c.shard, c.r, err, c.want)
		}
	}
}
