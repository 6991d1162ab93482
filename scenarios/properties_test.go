package scenarios

import (
	"slices"
	"testing"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/host"
)

// PropertyIDs are the catalogue's IDs in its order, and `expect` takes every one of them, the
// newest included, stored sorted by number.
func TestPropertyIDsAreTheCatalogues(t *testing.T) {
	var want []string
	for _, p := range check.Catalogue() {
		want = append(want, p.ID)
	}
	if !slices.Equal(PropertyIDs, want) {
		t.Fatalf("PropertyIDs %v, the catalogue %v", PropertyIDs, want)
	}
	cases := []struct {
		expect string
		want   []string
	}{
		{"[P18, P17, P14]", []string{"P14", "P17", "P18"}},
		{"[P16, P9, P15, P13]", []string{"P9", "P13", "P15", "P16"}},
	}
	for _, c := range cases {
		sc, err := Parse("p.yaml", []byte(head+"expect:\n  frontend: "+c.expect+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", c.expect, err)
		}
		if got := sc.Expected(host.ModeFrontend); !slices.Equal(got, c.want) {
			t.Errorf("%s: stored %v, want %v", c.expect, got, c.want)
		}
	}
	if _, err := Parse("p.yaml", []byte(head+"expect:\n  frontend: [P23]\n")); err == nil {
		t.Error("P23, which the catalogue lacks, was accepted")
	}
}
