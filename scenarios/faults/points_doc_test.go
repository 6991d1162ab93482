package faults

import "testing"

// Every fault point has its place in a sync span described, and only fault points do.
func TestPointDocCoversPoints(t *testing.T) {
	for _, p := range Points {
		if PointDoc[p] == "" {
			t.Errorf("fault point %s has no PointDoc", p)
		}
	}
	if len(PointDoc) != len(Points) {
		t.Errorf("PointDoc has %d entries for %d fault points", len(PointDoc), len(Points))
	}
}
