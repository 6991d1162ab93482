package live

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/trace"
)

// shutdown returns only after every goroutine the run started with r.goroutine did (the instance a
// restart-instance fault starts is one: issue 23).
func TestShutdownWaitsForTheRunsGoroutines(t *testing.T) {
	r := &run{}
	release, finished := make(chan struct{}), make(chan struct{})
	r.goroutine(func() {
		<-release
		close(finished)
	})
	down := make(chan struct{})
	go func() {
		r.shutdown()
		close(down)
	}()
	select {
	case <-down:
		t.Fatal("shutdown returned while a goroutine of the run was still running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-down
	select {
	case <-finished:
	default:
		t.Fatal("shutdown returned before the goroutine finished")
	}
	ran := false
	r.goroutine(func() { ran = true })
	if ran || !r.isClosed() {
		t.Fatal("a goroutine started after shutdown")
	}
}

// restartScenario has a restart-instance fault fire at the first sync's lock, so that a live run
// starts an instance from a fault point.
const restartScenario = `
name: restart-at-lock
site: {name: restartapp}
content:
  functions:
    - name: HttpHello
      bindings:
        - {type: httpTrigger, direction: in, name: req, authLevel: function}
  keys: {master: test-master-key-restart}
instances: {count: 1}
timeline:
  - at: 10s
    admin_sync: {count: 1}
faults:
  scripted:
    - {fault: restart-instance, point: after-lock, after: 5s}
faults_end: 30s
settle: 1m
modes: [frontend]
`

// liveFrame is a frame of the package's own (non-test) code in a goroutine dump, or a goroutine
// the package's code started.
var liveFrame = regexp.MustCompile(`/live/[a-z_]+\.go:`)

// liveGoroutines lists the goroutines running, or started by, the package's non-test code.
func liveGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, m := range liveFrame.FindAllString(g, -1) {
			if !strings.HasSuffix(m, "_test.go:") {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// A live run leaves no goroutine of its own behind once Run returns, also after a restart-instance
// fault started an instance from a fault point (goleak's check, with its grace period for a
// handler goroutine the server's close cut, which returns on its own).
func TestLiveRunLeavesNoGoroutine(t *testing.T) {
	inst := startAzurite(t)
	sc, err := scenarios.Parse("restart-at-lock.yaml", []byte(restartScenario))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, host.ModeFrontend, 1, Options{ConnectionString: inst.ConnectionString})
	if err != nil {
		t.Fatal(err)
	}
	restarted := false
	for _, r := range res.Trace.Records {
		if r.Kind == trace.KindInstanceCreate && r.Get("reason") == "fault restart-instance" {
			restarted = true
		}
	}
	if !restarted {
		t.Fatal("the restart-instance fault started no instance")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := liveGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutine(s) of the live run left after Run returned:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every goroutine of the package starts through live/realtime (r.goroutine and the parties'
// Go count theirs in the run's WaitGroup, a timer's callback is counted until it ran, a server's
// close waits for its accept loop): a bare go statement here (as live/faults.go had for a
// restart-instance fault's new instance) fails.
func TestEveryGoStatementIsJoined(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				t.Errorf("%s: a go statement: start it with r.goroutine or a realtime party's Go, which shutdown waits for", fset.Position(g.Pos()))
			}
			return true
		})
	}
}
