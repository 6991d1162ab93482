package sim

import (
	"slices"
	"testing"
	"time"
)

// A kernel created while shapes are recorded logs its pushes, stops and pops in order, a stopped
// timer's pop included; one created before or after logs nothing.
func TestRecordShapesLogsTheQueuesOperations(t *testing.T) {
	before := NewKernel(1, Budget{})
	var shape *Shape
	stop := RecordShapes(func(s *Shape) { shape = s })
	k := NewKernel(1, Budget{})
	stop()
	after := NewKernel(1, Budget{})
	if before.queue.shape != nil || after.queue.shape != nil || shape == nil || k.queue.shape != shape {
		t.Fatal("only the kernel created while recording logs its shape")
	}
	var t2 Timer
	k.At(time.Second, func() {
		k.After(time.Second, func() {})
		t2.Stop()
		t2.Stop() // a second stop is not an operation
	})
	t2 = k.At(3*time.Second, func() {})
	k.Run(time.Minute)
	t2.Stop() // popped: not an operation either
	want := []ShapeOp{
		{ShapePush, time.Second, 1}, {ShapePush, 3 * time.Second, 2},
		{ShapePop, time.Second, 1}, {ShapePush, 2 * time.Second, 3}, {ShapeStop, 3 * time.Second, 2},
		{ShapePop, 2 * time.Second, 3}, {ShapePop, 3 * time.Second, 2},
	}
	if !slices.Equal(shape.Ops, want) {
		t.Fatalf("ops %v, want %v", shape.Ops, want)
	}
	if p, q, s := shape.Count(); p != 3 || q != 3 || s != 1 {
		t.Fatalf("count %d %d %d", p, q, s)
	}
}
