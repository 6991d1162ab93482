package planted

import "math/rand/v2"

// Pick uses the global source of math/rand/v2, directly and through a generic function.
func Pick() int {
	r := rand.New(rand.NewPCG(1, 2)) // allowed: a seeded stream
	return rand.IntN(10) + int(rand.N[int64](3)) + r.IntN(5)
}
