package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/meshhttp"
)

// Kind names the server under load.
type Kind string

// The kinds of server Run drives.
const (
	Mesh     Kind = "mesh"
	FrontEnd Kind = "frontend"
)

// Defaults of a run.
const (
	DefaultDurationLimit = 60 * time.Second
	DefaultConcurrency   = 100
	// DefaultFetchWait bounds the wait, after the load, for a fetch that starts after the last
	// notification (MESH-2 asks for 30 s; the reference mesh fetches 250 ms after a quiet period).
	DefaultFetchWait = 5 * time.Second
	// MaxRequests bounds Instances x Requests, so that a typo cannot start an unbounded run.
	MaxRequests = 1_000_000
)

// Errors of Run.
var (
	ErrNotLoopback = errors.New("load: the target must be on 127.0.0.1, localhost or [::1]")
	ErrConfig      = errors.New("load: bad configuration")
)

// Config is one load run.
type Config struct {
	Kind Kind
	// Instances simulated instances each send Requests requests, one after the other.
	Instances, Requests int
	// Target is the endpoint under test (the mesh's MESH_INIT_URI or the front end's base URL);
	// empty starts the reference server in process.
	Target string
	// Concurrency bounds the instances sending at once (default min(Instances, 100)).
	Concurrency int
	// DurationLimit stops the run when hit (default 60 s); the report says so and fails.
	DurationLimit time.Duration
	// FetchWait bounds the wait for the fetch owed to the last notification (default 5 s).
	FetchWait time.Duration
	// Site and its key sign the front end's TOK-3 tokens (and check the mesh's TOK-4 tokens); the
	// zero value uses a built-in test site, which a Target must then be configured with.
	Site host.Site
	// SiteListen is where the test site serving MSG-3 listens (default 127.0.0.1:0); a mesh under
	// test must be configured with its URL (Report.SiteURL) to be observed.
	SiteListen string
	// Log gets progress lines; nil discards.
	Log io.Writer
}

// TestSite is the site a run uses when Config.Site is empty.
var TestSite = host.Site{Name: "loadapp", HostID: "loadapp",
	EncryptionKey: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}

func (c *Config) defaults() error {
	if c.Kind != Mesh && c.Kind != FrontEnd {
		return fmt.Errorf("%w: kind %q (want mesh or frontend)", ErrConfig, c.Kind)
	}
	if c.Instances < 1 || c.Requests < 1 || c.Instances*c.Requests > MaxRequests {
		return fmt.Errorf("%w: --instances and --requests must be at least 1, and their product at most %d", ErrConfig, MaxRequests)
	}
	if c.Concurrency <= 0 {
		c.Concurrency = min(c.Instances, DefaultConcurrency)
	}
	if c.DurationLimit <= 0 {
		c.DurationLimit = DefaultDurationLimit
	}
	if c.FetchWait <= 0 {
		c.FetchWait = DefaultFetchWait
	}
	if c.Site.Name == "" {
		c.Site = TestSite
	}
	if _, err := host.ParseKey(c.Site.EncryptionKey); err != nil {
		return fmt.Errorf("%w: site key: %w", ErrConfig, err)
	}
	if c.SiteListen == "" {
		c.SiteListen = "127.0.0.1:0"
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Target != "" {
		return CheckLoopback(c.Target)
	}
	return nil
}

// CheckLoopback accepts an http(s) URL whose host is 127.0.0.1, localhost or ::1, and nothing else:
// load is only ever sent to the local machine.
func CheckLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: %q is not an http URL", ErrNotLoopback, target)
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, u.Hostname())
}

// Latency is a latency distribution in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// Report is what a run measured; Passed and Failures are its verdict.
type Report struct {
	Kind                string         `json:"kind"`
	Target              string         `json:"target"`
	InProcess           bool           `json:"in_process"`
	Instances           int            `json:"instances"`
	RequestsPerInstance int            `json:"requests_per_instance"`
	Concurrency         int            `json:"concurrency"`
	Requests            int            `json:"requests"`
	Answered            int            `json:"answered"`
	OK                  int            `json:"ok_2xx"`
	NonOK               map[string]int `json:"non_2xx_by_status"`
	Errors              int            `json:"errors"`
	ErrorSample         string         `json:"error_sample,omitempty"`
	Latency             Latency        `json:"latency"`
	Seconds             float64        `json:"seconds"`
	Throughput          float64        `json:"throughput_rps"`
	LimitHit            bool           `json:"duration_limit_hit"`

	// Mesh only: the site's view of the fetches.
	SiteURL          string `json:"site_url,omitempty"`
	Fetches          int    `json:"fetches"`
	FetchesBadToken  int    `json:"fetches_bad_token"`
	FetchesAfterLast int    `json:"fetches_after_last_notification"`
	NoFetchLost      bool   `json:"no_fetch_lost"`

	GoroutinesBefore int  `json:"goroutines_before"`
	GoroutinesAfter  int  `json:"goroutines_after"`
	FDsBefore        int  `json:"fds_before"`
	FDsAfter         int  `json:"fds_after"`
	Leak             bool `json:"leak"`

	Passed   bool     `json:"passed"`
	Failures []string `json:"failures"`
}

// Run drives one load run. An error means the run could not start (a bad configuration, a refused
// target, a port in use); what the run found is in the report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	rep := Report{Kind: string(cfg.Kind), Instances: cfg.Instances, RequestsPerInstance: cfg.Requests,
		Concurrency: cfg.Concurrency, NonOK: map[string]int{}, InProcess: cfg.Target == ""}
	rep.GoroutinesBefore, rep.FDsBefore = runtime.NumGoroutine(), countFDs()
	err := drive(ctx, cfg, &rep)
	if err != nil {
		return rep, err
	}
	settle(&rep)
	rep.judge(cfg)
	return rep, nil
}

// drive starts what the run needs, sends the load, waits for the fetch owed, and stops it all.
func drive(ctx context.Context, cfg Config, rep *Report) error {
	var site *fetchSite
	if cfg.Kind == Mesh {
		var err error
		if site, err = startSite(cfg.SiteListen, cfg.Site); err != nil {
			return fmt.Errorf("load: test site: %w", err)
		}
		defer site.stop()
		rep.SiteURL = site.url
	}
	target := cfg.Target
	if target == "" {
		url, stop, err := startServer(cfg, site)
		if err != nil {
			return err
		}
		defer stop()
		target = url
	}
	rep.Target = target
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: cfg.Concurrency, MaxConnsPerHost: cfg.Concurrency,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	fmt.Fprintf(cfg.Log, "load %s: %d instances x %d requests against %s (concurrency %d, limit %s)\n",
		cfg.Kind, cfg.Instances, cfg.Requests, target, cfg.Concurrency, cfg.DurationLimit)
	lastOK := send(ctx, cfg, client, target, rep)
	if site != nil {
		rep.FetchesAfterLast = site.waitAfter(ctx, lastOK, cfg.FetchWait)
		rep.Fetches, rep.FetchesBadToken = site.counts()
		rep.NoFetchLost = rep.OK == 0 || rep.FetchesAfterLast > 0
	}
	return nil
}

// startServer starts the reference mesh or front end in process on 127.0.0.1:0.
func startServer(cfg Config, site *fetchSite) (string, func() error, error) {
	if cfg.Kind == Mesh {
		url, stop, err := meshhttp.NewMesh(meshhttp.MeshConfig{Site: cfg.Site, SiteURL: site.url}).Serve("127.0.0.1:0")
		if err != nil {
			return "", nil, fmt.Errorf("load: reference mesh: %w", err)
		}
		return url + "/", stop, nil
	}
	url, stop, err := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: cfg.Site}).Serve("127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("load: reference front end: %w", err)
	}
	return url, stop, nil
}

// result is one request's outcome.
type result struct {
	status  int
	err     error
	latency time.Duration
	done    time.Time
}

// send runs the instances, at most Concurrency at once, until done or the duration limit, and
// fills the answer figures; it returns when the last 2xx was received.
func send(ctx context.Context, cfg Config, client *http.Client, target string, rep *Report) time.Time {
	ctx, cancel := context.WithTimeout(ctx, cfg.DurationLimit)
	defer cancel()
	key, _ := host.ParseKey(cfg.Site.EncryptionKey)
	results := make([][]result, cfg.Instances)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runInstance(ctx, cfg, client, target, key, i)
			}
		}()
	}
feed:
	for i := range cfg.Instances {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	rep.LimitHit = ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded)
	var lat []time.Duration
	var lastOK time.Time
	for _, rs := range results {
		for _, r := range rs {
			rep.Requests++
			switch {
			case r.err != nil:
				rep.Errors++
				if rep.ErrorSample == "" {
					rep.ErrorSample = r.err.Error()
				}
				continue
			case r.status/100 == 2:
				rep.OK++
				if r.done.After(lastOK) {
					lastOK = r.done
				}
			default:
				rep.NonOK[strconv.Itoa(r.status)]++
			}
			rep.Answered++
			lat = append(lat, r.latency)
		}
	}
	rep.Latency = percentiles(lat)
	rep.Seconds = elapsed.Seconds()
	if elapsed > 0 {
		rep.Throughput = float64(rep.Answered) / elapsed.Seconds()
	}
	return lastOK
}

// runInstance sends one instance's requests in order; it stops early when ctx ends.
func runInstance(ctx context.Context, cfg Config, client *http.Client, target string, key []byte, i int) []result {
	name := fmt.Sprintf("load-%05d", i)
	out := make([]result, 0, cfg.Requests)
	for k := range cfg.Requests {
		if ctx.Err() != nil {
			break
		}
		req, err := buildRequest(ctx, cfg, target, key, name, i, k)
		if err != nil {
			out = append(out, result{err: err})
			continue
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				break // the limit, not the target, cut this request
			}
			out = append(out, result{err: err, latency: time.Since(t0)})
			continue
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		done := time.Now()
		out = append(out, result{status: resp.StatusCode, latency: done.Sub(t0), done: done})
	}
	return out
}

// buildRequest is MSG-2 for the mesh (form post, fx-current-instance) or MSG-1 for the front end
// (TOK-3 token, a revision increasing per instance, a payload naming the instance).
func buildRequest(ctx context.Context, cfg Config, target string, key []byte, name string, i, k int) (*http.Request, error) {
	if cfg.Kind == Mesh {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader("operation=update-triggers"))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("fx-current-instance", name)
		return req, nil
	}
	rev := i*cfg.Requests + k + 1
	body := `{"triggers":[{"type":"httpTrigger","functionName":"f` + strconv.Itoa(k) + `"}],"hostId":"` +
		cfg.Site.HostID + `","functions":[],"secrets":{},"instance":"` + name + `"}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(target, "/")+meshhttp.PathSetTriggers, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	tok, err := host.IssueSiteToken(key, cfg.Site.Name, time.Now())
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("x-ms-site-token", tok)
	req.Header.Set("User-Agent", "AzureFunctionsRuntime")
	req.Header.Set(mesh.RevisionHeader, strconv.Itoa(rev))
	return req, nil
}

func percentiles(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(q*float64(len(d))+0.5) - 1
		return ms(d[min(max(i, 0), len(d)-1)])
	}
	return Latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ms(d[len(d)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// countFDs counts this process's open file descriptors (-1 where /proc is absent).
func countFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// settle waits up to 2 s for goroutines and descriptors to come back to their count before the run.
func settle(rep *Report) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		rep.GoroutinesAfter, rep.FDsAfter = runtime.NumGoroutine(), countFDs()
		if rep.GoroutinesAfter <= rep.GoroutinesBefore && rep.FDsAfter <= rep.FDsBefore || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	rep.Leak = rep.GoroutinesAfter > rep.GoroutinesBefore || rep.FDsAfter > rep.FDsBefore
}

// judge fills Passed and Failures.
func (r *Report) judge(cfg Config) {
	fail := func(format string, args ...any) { r.Failures = append(r.Failures, fmt.Sprintf(format, args...)) }
	want := cfg.Instances * cfg.Requests
	if r.LimitHit {
		fail("duration limit %s hit after %d of %d requests", cfg.DurationLimit, r.Requests, want)
	}
	if r.OK != want {
		fail("%d of %d requests answered 2xx (%d errors, non-2xx %v)", r.OK, want, r.Errors, r.NonOK)
	}
	if cfg.Kind == Mesh {
		switch {
		case r.Fetches == 0 && !r.InProcess:
			fail("the site at %s received no fetch: is the mesh under test configured with that site URL?", r.SiteURL)
		case r.Fetches > r.OK:
			fail("MESH-6: %d fetches for %d notifications (no coalescing)", r.Fetches, r.OK)
		}
		if !r.NoFetchLost {
			fail("MESH-2: no fetch started after the last notification within %s", cfg.FetchWait)
		}
		if r.FetchesBadToken > 0 {
			fail("MESH-3: %d fetches without a valid TOK-4 token", r.FetchesBadToken)
		}
	}
	if r.Leak {
		fail("leak: goroutines %d -> %d, file descriptors %d -> %d", r.GoroutinesBefore, r.GoroutinesAfter, r.FDsBefore, r.FDsAfter)
	}
	r.Passed = len(r.Failures) == 0
}

// WriteText renders the report for a terminal.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "load %s against %s: %d instances x %d requests, concurrency %d\n", r.Kind, r.Target, r.Instances, r.RequestsPerInstance, r.Concurrency)
	fmt.Fprintf(w, "  requests %d, answered %d, 2xx %d, errors %d", r.Requests, r.Answered, r.OK, r.Errors)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.NonOK {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(w, ", %s: %d", k, r.NonOK[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %.0f req/s over %.2f s\n",
		r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, r.Throughput, r.Seconds)
	if r.Kind == string(Mesh) {
		fmt.Fprintf(w, "  fetches %d for %d notifications (site %s), %d after the last notification; no fetch lost: %v\n",
			r.Fetches, r.OK, r.SiteURL, r.FetchesAfterLast, r.NoFetchLost)
	}
	fmt.Fprintf(w, "  goroutines %d -> %d, file descriptors %d -> %d\n", r.GoroutinesBefore, r.GoroutinesAfter, r.FDsBefore, r.FDsAfter)
	if r.Passed {
		fmt.Fprintln(w, "  PASS")
		return
	}
	for _, f := range r.Failures {
		fmt.Fprintln(w, "  FAIL:", f)
	}
}
