package ids

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

func TestUUIDIsVersion4AndSeeded(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a := rand.New(rand.NewPCG(1, 2))
	b := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		x, y := UUID(a), UUID(b)
		if x != y {
			t.Fatalf("same stream gave %s and %s", x, y)
		}
		if !re.MatchString(x) {
			t.Fatalf("%s is not a version-4 UUID", x)
		}
		if seen[x] {
			t.Fatalf("repeated %s", x)
		}
		seen[x] = true
	}
}
