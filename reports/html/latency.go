package html

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/syncsim/syncsim/check"
)

// The P13 chart: a histogram of metrics.convergence_ms over the runs, bars of equal width on a
// linear axis with round bin edges, and a separate bar for the runs whose store never converged.
const (
	chartW     = 720
	chartH     = 240
	chartLeft  = 56
	chartRight = 16
	chartTop   = 16
	chartBase  = 196
	maxBins    = 16
)

type latencyView struct {
	N, NotConverged          int
	Log                      bool
	Min, Median, P95, Max    string
	Width, Height            int
	Bars                     []bar
	XTicks, YTicks           []tick
	BaseY, Left, Right, TopY int
}

type bar struct {
	X, Y, W, H int
	N          int
	Class      string
	Title      string
}

type tick struct {
	X, Y  int
	Label string
}

// latencyOf reads each run's P13 verdict; nil when no run has one.
func latencyOf(runs [][]check.Verdict) *latencyView {
	var ms []int64
	never, judged := 0, 0
	for _, vs := range runs {
		for _, v := range vs {
			if v.ID != check.PropP13.ID {
				continue
			}
			judged++
			if x, ok := v.Metrics["convergence_ms"]; ok {
				ms = append(ms, x)
			} else {
				never++
			}
		}
	}
	if judged == 0 {
		return nil
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	lv := &latencyView{N: len(ms), NotConverged: never, Width: chartW, Height: chartH, BaseY: chartBase,
		Left: chartLeft, Right: chartW - chartRight, TopY: chartTop}
	if len(ms) > 0 {
		lv.Min, lv.Max = fmtMs(ms[0]), fmtMs(ms[len(ms)-1])
		lv.Median, lv.P95 = fmtMs(quantile(ms, 0.5)), fmtMs(quantile(ms, 0.95))
	}
	lv.layout(ms)
	return lv
}

func (lv *latencyView) layout(ms []int64) {
	edges := binEdges(ms)
	lv.Log = len(ms) > 0 && ms[len(ms)-1] > logSpan*max(ms[0], 1)
	bins := len(edges) - 1
	counts := make([]int, bins)
	for _, x := range ms {
		i := sort.Search(bins, func(i int) bool { return edges[i+1] > x })
		counts[min(i, bins-1)]++
	}
	slots := bins
	if lv.NotConverged > 0 {
		slots++
	}
	peak := lv.NotConverged
	for _, n := range counts {
		peak = max(peak, n)
	}
	peak = max(peak, 1)
	bw := (lv.Right - lv.Left) / max(slots, 1)
	height := func(n int) int { return n * (chartBase - chartTop) / peak }
	for i, n := range counts {
		h := height(n)
		lv.Bars = append(lv.Bars, bar{X: lv.Left + i*bw + 1, Y: chartBase - h, W: bw - 2, H: h, N: n, Class: "bar",
			Title: fmt.Sprintf("%d run(s) converged in [%s, %s)", n, fmtMs(edges[i]), fmtMs(edges[i+1]))})
	}
	step := max(1, (bins+7)/8)
	for i := 0; i <= bins; i += step {
		lv.XTicks = append(lv.XTicks, tick{X: lv.Left + i*bw, Y: chartBase + 16, Label: fmtMs(edges[i])})
	}
	if lv.NotConverged > 0 {
		x := lv.Left + bins*bw
		h := height(lv.NotConverged)
		lv.Bars = append(lv.Bars, bar{X: x + 1, Y: chartBase - h, W: bw - 2, H: h, N: lv.NotConverged, Class: "bar never",
			Title: fmt.Sprintf("%d run(s) never converged (P1 fails too)", lv.NotConverged)})
		lv.XTicks = append(lv.XTicks, tick{X: x + bw/2, Y: chartBase + 30, Label: "never"})
	}
	for _, n := range []int{0, peak / 2, peak} {
		if n == peak/2 && (n == 0 || n == peak) {
			continue
		}
		lv.YTicks = append(lv.YTicks, tick{X: lv.Left - 6, Y: chartBase - height(n) + 4, Label: fmt.Sprint(n)})
	}
}

// binEdges picks round bin edges (1, 2 or 5 times a power of ten milliseconds): equal widths when
// the latencies span less than logSpan times their smallest, else a log scale (three bins a decade),
// since convergence times range from milliseconds (a direct publish) to an hour (the next instance).
func binEdges(ms []int64) []int64 {
	if len(ms) == 0 {
		return []int64{0, 1000}
	}
	lo, hi := ms[0], ms[len(ms)-1]
	nice := niceSteps()
	if hi > logSpan*max(lo, 1) {
		i := sort.Search(len(nice), func(i int) bool { return nice[i] > lo }) - 1
		edges := []int64{0}
		if i >= 0 {
			edges[0] = nice[i]
		}
		for j := max(i+1, 0); j < len(nice) && edges[len(edges)-1] <= hi; j++ {
			edges = append(edges, nice[j])
		}
		return edges
	}
	width := nice[len(nice)-1]
	for _, m := range nice {
		if (hi-lo)/m < maxBins {
			width = m
			break
		}
	}
	start := lo / width * width
	edges := []int64{start}
	for edges[len(edges)-1] <= hi {
		edges = append(edges, edges[len(edges)-1]+width)
	}
	return edges
}

// logSpan is the ratio of the largest to the smallest latency above which the chart is logarithmic.
const logSpan = 50

func niceSteps() []int64 {
	var out []int64
	for p := int64(1); p <= 1e9; p *= 10 {
		out = append(out, p, 2*p, 5*p)
	}
	return out
}

func quantile(sorted []int64, q float64) int64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// fmtMs renders milliseconds as a duration a person reads: "39ms", "2.5s", "1m5s".
func fmtMs(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", ms)
	case d < time.Minute:
		return fmt.Sprintf("%gs", float64(ms)/1000)
	}
	return d.Round(time.Second).String()
}
