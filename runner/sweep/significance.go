package sweep

import "math"

// Significance: a sweep judged against a baseline compares, per cell, k failures in n runs with the
// baseline's k0 in n0 by a one-sided Fisher exact test. Under the null hypothesis (both samples have
// the same failure rate) and with the k+k0 failures of the n+n0 runs fixed, the sweep's share X is
// hypergeometric; the p-value of "fails more often" is P(X >= k), that of "fails less often"
// P(X <= k). The test needs no large-sample approximation, so it holds for the rare failures and
// small sweeps a CI gate sees (a 200-seed sweep against a 2,000-seed baseline).

// FisherGreater is the one-sided p-value that k of n fails more often than k0 of n0: P(X >= k) for X
// hypergeometric with n+n0 runs, k+k0 failures and n draws. Counts out of range (negative, more
// failures than runs) give 1, the p-value of no evidence.
func FisherGreater(k, n, k0, n0 int) float64 {
	if !validCounts(k, n, k0, n0) {
		return 1
	}
	hi := min(n, k+k0)
	return tail(k, hi, k, n, k0, n0)
}

// FisherLess is the one-sided p-value that k of n fails less often than k0 of n0: P(X <= k).
func FisherLess(k, n, k0, n0 int) float64 {
	if !validCounts(k, n, k0, n0) {
		return 1
	}
	return tail(0, k, k, n, k0, n0) // tail clamps to the distribution's support
}

func validCounts(k, n, k0, n0 int) bool {
	return k >= 0 && n >= 0 && k0 >= 0 && n0 >= 0 && k <= n && k0 <= n0
}

// tail sums the hypergeometric probabilities of x = from..to, in log space so that the terms of a
// 2,000-run baseline neither overflow nor lose the small p-values that matter.
func tail(from, to, k, n, k0, n0 int) float64 {
	total, failures := n+n0, k+k0
	lo := max(0, n-(total-failures))
	if from < lo {
		from = lo
	}
	if to > min(n, failures) {
		to = min(n, failures)
	}
	if from > to {
		return 0
	}
	denom := logChoose(total, n)
	sum := 0.0
	for x := from; x <= to; x++ {
		sum += math.Exp(logChoose(failures, x) + logChoose(total-failures, n-x) - denom)
	}
	return math.Min(1, sum)
}

// logChoose is ln C(n, k).
func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
