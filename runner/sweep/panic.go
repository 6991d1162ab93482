package sweep

import "fmt"

// WorkerPanic is a panic raised in a sweep worker, recovered there and raised again on the goroutine
// that called Sweep once every worker has stopped: a panic on a worker's own goroutine would kill
// the process before the CLI's recover could turn it into an internal error (exit 4), and Go's own
// exit code for it, 2, is the CLI's "only inconclusive verdicts".
type WorkerPanic struct {
	// Value is what the worker panicked with.
	Value any
	// Stack is the worker's stack where it panicked.
	Stack []byte
	// Scenario, Mode and Seed name the run that panicked, to reproduce it with simrun run.
	Scenario string
	Mode     string
	Seed     uint64
}

// Error says what panicked and in which run.
func (p *WorkerPanic) Error() string {
	return fmt.Sprintf("%v (in a sweep worker: %s mode=%s seed=%d)", p.Value, p.Scenario, p.Mode, p.Seed)
}

// PanicStack is the worker's stack, which the CLI prints instead of the stack it recovers on.
func (p *WorkerPanic) PanicStack() []byte { return p.Stack }
