// Package clean holds tricky but allowed code; the purity check must find nothing here.
package clean

import (
	"math/rand/v2"
	"time"
)

// clock is a fake clock whose method happens to be called Now.
type clock struct{ now time.Time }

// Now returns the fake clock's time.
func (c clock) Now() time.Time { return c.now }

// Shadow names a local variable time, so time.Now below is a method, not the package.
func Shadow() {
	time := clock{}
	_ = time.Now()
}

// Param names a parameter rand, so rand.IntN is a method on a *rand.Rand.
func Param(rand *rand.Rand) int {
	return rand.IntN(3)
}

// Seeded uses only the constructors of math/rand/v2 and methods on the result.
func Seeded() int {
	r := rand.New(rand.NewPCG(1, 2))
	var src rand.Source = rand.NewChaCha8([32]byte{})
	_ = src
	return rand.New(rand.NewPCG(1, 2)).IntN(5) + r.IntN(5)
}

// Values uses the pure parts of package time.
func Values(t time.Time) (time.Time, time.Duration) {
	d := 3 * time.Second
	u := time.Unix(0, 0)
	sel := make(chan int)
	select {
	case <-sel:
	default:
	}
	return t.Add(d), u.Sub(t)
}
