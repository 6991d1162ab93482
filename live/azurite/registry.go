package azurite

import (
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// live holds every Instance started and not yet stopped, for StopAll.
var live = struct {
	sync.Mutex
	set map[*Instance]struct{}
}{set: map[*Instance]struct{}{}}

func register(i *Instance) {
	live.Lock()
	defer live.Unlock()
	live.set[i] = struct{}{}
}

func unregister(i *Instance) {
	live.Lock()
	defer live.Unlock()
	delete(live.set, i)
}

// Live is the number of Instances started and not yet stopped.
func Live() int {
	live.Lock()
	defer live.Unlock()
	return len(live.set)
}

// StopAll stops every Instance not yet stopped, all at once, and waits for them.
func StopAll() error {
	live.Lock()
	all := make([]*Instance, 0, len(live.set))
	for i := range live.set {
		all = append(all, i) // order does not matter: they stop in parallel
	}
	live.Unlock()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for n, i := range all {
		wg.Go(func() { errs[n] = i.Stop() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// StopOnSignal installs a SIGINT/SIGTERM handler that runs StopAll and exits with status 130,
// for the CLI: Ctrl-C during a live run leaves nothing running. The returned function
// uninstalls the handler.
func StopOnSignal() (uninstall func()) {
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			_ = StopAll()
			os.Exit(130)
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}
