package mesh

import (
	"math/rand/v2"
	"mime"
	"net/url"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/syncsim/syncsim/host"
)

// Defaults of the reference mesh (PROTOCOL.md MESH-4, MESH-6).
const (
	DefaultDebounce      = 250 * time.Millisecond
	DefaultMaxWait       = time.Second
	DefaultRetryBudget   = 10 * time.Minute
	DefaultBackoffMin    = time.Second
	DefaultBackoffMax    = time.Minute
	DefaultTokenLifetime = 10 * time.Minute
	DefaultFetchTimeout  = 30 * time.Second
)

// Config configures one site's mesh.
type Config struct {
	Site  host.Site
	Store *Store
	// Rand jitters the retry backoff.
	Rand                                                *rand.Rand
	Debounce, MaxWait, RetryBudget                      time.Duration
	BackoffMin, BackoffMax, TokenLifetime, FetchTimeout time.Duration
	// Seams are the decisions a planted defect may replace, and Wrapper wraps the mesh's effects;
	// the zero values are the reference mesh.
	Seams   Seams
	Wrapper Wrapper
}

func (c *Config) applyDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Debounce, DefaultDebounce)
	def(&c.MaxWait, DefaultMaxWait)
	def(&c.RetryBudget, DefaultRetryBudget)
	def(&c.BackoffMin, DefaultBackoffMin)
	def(&c.BackoffMax, DefaultBackoffMax)
	def(&c.TokenLifetime, DefaultTokenLifetime)
	def(&c.FetchTimeout, DefaultFetchTimeout)
}

// Effect is one thing the mesh asks its driver to do, in order.
type Effect interface{ isEffect() }

// Fetch asks the driver to GET {site_url}/admin/host/triggers (MSG-3) through the site router and to
// answer with FetchDone (same ID); Status 0 stands for a refused or reset connection or a timeout.
type Fetch struct {
	ID      int
	URL     string
	Headers map[string]string
	Timeout time.Duration
	Attempt int
	// Cover is the newest notification this attempt answers: a 200 completes every notification up to it.
	Cover int
}

// SetTimer asks for Timer(Key) after a delay; setting a key again replaces the earlier timer.
type SetTimer struct {
	Key   string
	After time.Duration
}

// Log is one platform log line. No upstream code writes the reference platform's lines: the trace
// records them under the harness's category Syncsim.Platform (trace.CategoryPlatform), and
// FIDELITY.md lists their texts.
type Log struct{ Level, Text string }

// Accepted reports an accepted notification (MSG-2 answered 2xx).
type Accepted struct {
	Notification int
	Instance     string
}

// Stored reports a completed fetch: the store holds its payload, and every notification up to Cover
// is delivered.
type Stored struct {
	Entry Entry
	Cover int
}

// Abandoned reports that the mesh gave up on the notifications up to Cover.
type Abandoned struct {
	Cover    int
	Attempts int
	Reason   string
}

func (Fetch) isEffect()     {}
func (SetTimer) isEffect()  {}
func (Log) isEffect()       {}
func (Accepted) isEffect()  {}
func (Stored) isEffect()    {}
func (Abandoned) isEffect() {}

const (
	timerDebounce = "debounce"
	timerRetry    = "retry"
)

// Mesh is one site's mesh: it survives instance deletion (PROTOCOL.md section 1).
type Mesh struct {
	cfg     Config
	effects []Effect

	accepted     int
	covered      int
	pending      bool
	firstPending time.Time
	armed        bool
	nextID       int
	inflight     *attempt
	round        *round
}

type attempt struct {
	id    int
	cover int
}

// round is one fetch with its retries: it lasts until a 200, a 401 or the end of the retry budget.
type round struct {
	attempts     int
	firstFailure time.Time
	waiting      bool
}

// New creates a site's mesh.
func New(cfg Config) *Mesh {
	cfg.applyDefaults()
	cfg.Seams = cfg.Seams.withReference()
	cfg.Wrapper = cfg.Wrapper.withReference()
	return &Mesh{cfg: cfg}
}

func (m *Mesh) emit(e Effect) {
	if m.effects == nil {
		m.effects = getEffects()
	}
	m.effects = append(m.effects, e)
}

// take ends a step: its effects leave the machine, which holds none between steps.
func (m *Mesh) take() []Effect {
	out := m.effects
	m.effects = nil
	return m.cfg.Wrapper.Effects(m, out)
}

// Recycle hands back the effects a step returned, once the caller has carried them out, so that a
// later step (of any mesh) appends into the same array instead of a new one. The caller must not
// read or keep effects afterwards. Not recycling is always correct.
func (m *Mesh) Recycle(effects []Effect) {
	if cap(effects) == 0 || cap(effects) > 64 {
		return
	}
	clear(effects) // the effects' bodies are not held past their step
	b, _ := emptyBoxes.Get().(*effectsBox)
	if b == nil {
		b = new(effectsBox)
	}
	b.a = effects[:0]
	effectArrays.Put(b)
}

// effectArrays are the arrays of steps' effects handed back (Recycle), for later steps; they are
// scratch, so a mesh's state between steps is the same whether its last array came from here or
// not. Their boxes are kept apart when empty (emptyBoxes), so that neither way allocates.
var effectArrays, emptyBoxes sync.Pool

type effectsBox struct{ a []Effect }

func getEffects() []Effect {
	b, _ := effectArrays.Get().(*effectsBox)
	if b == nil {
		return nil
	}
	a := b.a
	b.a = nil
	emptyBoxes.Put(b)
	return a
}

// Notify handles MSG-2: `operation=update-triggers`, form-encoded (MESH-1, MESH-7, MESH-9).
func (m *Mesh) Notify(now time.Time, req Request) (Response, []Effect) {
	if status, why := CheckNotification(req); status != 0 {
		m.emit(Log{Level: "Warning", Text: "Rejected notification: " + why})
		return Response{Status: status, Body: []byte(why)}, m.take()
	}
	m.accepted++
	m.emit(Accepted{Notification: m.accepted, Instance: req.Header("fx-current-instance")})
	if m.cfg.Seams.FetchAtOnce() {
		m.fetchNow(now)
		return Response{Status: 200}, m.take()
	}
	if !m.cfg.Seams.Owed() || (m.inflight != nil && m.cfg.Seams.DropDuringFetch()) {
		// Accepted and forgotten (MESH-2), or deduplicated against the fetch in flight and so lost
		// (MESH-5).
		return Response{Status: 200}, m.take()
	}
	if !m.pending {
		m.pending = true
		m.firstPending = now
	}
	// MESH-6: fetch once no notification has come for Debounce, or MaxWait after the first pending one.
	wait := m.cfg.Seams.DebounceWait(now, m.firstPending, m.cfg.Debounce, m.cfg.MaxWait, m.accepted-m.covered)
	m.armed = true
	m.emit(SetTimer{Key: timerDebounce, After: max(wait, 0)})
	return Response{Status: 200}, m.take()
}

// CheckNotification judges a MSG-2 request as Notify does, and returns the status of a refusal and
// why (0 when it is accepted). MESH-7: 400 for an empty body, a wrong content type, bad encoding, a
// missing or empty operation, and an unknown operation; MESH-9: unknown fields are ignored.
func CheckNotification(req Request) (int, string) {
	if req.Method != "POST" {
		return 405, "method not allowed"
	}
	if len(req.Body) == 0 {
		return 400, "empty body"
	}
	mt, _, err := mime.ParseMediaType(req.Header("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return 400, "body is not application/x-www-form-urlencoded"
	}
	if !utf8.Valid(req.Body) {
		return 400, "body is not UTF-8"
	}
	form, err := url.ParseQuery(string(req.Body))
	if err != nil {
		return 400, "invalid percent-encoding"
	}
	for _, vs := range form {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return 400, "invalid UTF-8 in a field"
			}
		}
	}
	op := form.Get("operation")
	switch {
	case op == "":
		return 400, "missing or empty operation"
	case op != "update-triggers":
		return 400, "unknown operation"
	}
	return 0, ""
}

// Timer handles a timer set with SetTimer.
func (m *Mesh) Timer(now time.Time, key string) []Effect {
	switch key {
	case timerDebounce:
		m.armed = false
		m.debounced(now)
	case timerRetry:
		if m.round != nil && m.round.waiting {
			m.round.waiting = false
			m.start(now)
		}
	}
	return m.take()
}

func (m *Mesh) debounced(now time.Time) {
	if !m.pending || m.inflight != nil {
		// MESH-5: a notification during a fetch gets a fetch of its own once this one ends.
		return
	}
	if m.round != nil && m.round.waiting && m.cfg.Seams.WaitsForRetry() {
		// The retry timer will fetch for it, after the whole backoff.
		return
	}
	if m.round == nil {
		m.round = &round{}
	}
	m.round.waiting = false
	m.start(now)
}

// start sends one fetch attempt covering every notification accepted so far.
func (m *Mesh) start(now time.Time) {
	key, err := host.ParseKey(m.cfg.Site.EncryptionKey)
	headers := map[string]string{}
	if err == nil {
		if tok, err := host.IssuePlatformToken(key, m.cfg.Site.Name, now, m.cfg.TokenLifetime); err == nil {
			headers["x-ms-site-token"] = tok // MESH-3 / TOK-4
		}
	}
	m.nextID++
	m.round.attempts++
	m.inflight = &attempt{id: m.nextID, cover: m.accepted}
	m.pending = false
	m.emit(Fetch{ID: m.nextID, URL: m.cfg.Site.URL() + host.PathTriggers, Headers: headers,
		Timeout: m.cfg.FetchTimeout, Attempt: m.round.attempts, Cover: m.accepted})
}

// fetchNow is Seams.FetchAtOnce's fetch: one of its own for a notification, alongside any fetch in
// flight.
func (m *Mesh) fetchNow(now time.Time) {
	m.round = &round{}
	m.inflight = nil
	m.start(now)
}

// FetchDone delivers a fetch's answer. revision is the simulator's metadata of the body.
func (m *Mesh) FetchDone(now time.Time, id int, status int, body []byte, revision int) []Effect {
	if m.inflight == nil || m.inflight.id != id {
		return nil
	}
	a := m.inflight
	m.inflight = nil
	switch {
	case status == 200:
		e := m.cfg.Store.Put(now, m.cfg.Site.Name, body, host.HashOf(body), revision, "mesh")
		m.covered = a.cover
		m.round = nil
		m.emit(Stored{Entry: e, Cover: a.cover})
	case status == 401:
		// MESH-4 excepts 401: that is MESH-3's failure, and retrying cannot mend a bad token.
		m.abandon(a, "unauthorized")
	default:
		m.failed(now, a, status)
	}
	m.afterRound(now)
	return m.take()
}

func (m *Mesh) failed(now time.Time, a *attempt, status int) {
	r := m.round
	if r.firstFailure.IsZero() {
		r.firstFailure = now
	}
	what := "connection failed"
	if status != 0 {
		what = "StatusCode=" + host.StatusName(status)
	}
	if now.Sub(r.firstFailure) >= m.cfg.Seams.RetryBudget(m.cfg.RetryBudget) {
		m.emit(Log{Level: "Error", Text: "GET " + host.PathTriggers + " abandoned after " +
			strconv.Itoa(int(now.Sub(r.firstFailure)/time.Second)) + " s (" + what + ")"})
		m.abandon(a, "retry budget exhausted")
		return
	}
	// MESH-4: exponential backoff with jitter, never under 100 ms.
	back := m.cfg.BackoffMin << min(r.attempts-1, 20)
	back = min(back, m.cfg.BackoffMax)
	if m.cfg.Rand != nil {
		back = back*4/5 + time.Duration(m.cfg.Rand.Int64N(int64(back*2/5)+1))
	}
	back = m.cfg.Seams.Backoff(back, m.cfg.BackoffMin, r.attempts)
	m.emit(Log{Level: "Warning", Text: "GET " + host.PathTriggers + " failed (" + what + "); retrying in " + back.String()})
	r.waiting = true
	m.emit(SetTimer{Key: timerRetry, After: back})
}

func (m *Mesh) abandon(a *attempt, reason string) {
	m.covered = a.cover
	attempts := m.round.attempts
	m.round = nil
	m.emit(Abandoned{Cover: a.cover, Attempts: attempts, Reason: reason})
}

// afterRound starts the fetch owed to notifications that came during the one that just ended.
func (m *Mesh) afterRound(now time.Time) {
	if m.round != nil || !m.pending || m.armed {
		return
	}
	m.round = &round{}
	m.start(now)
}

// Restore brings a fresh mesh back to what a durable store recorded before a restart: accepted
// notifications numbered up to accepted, of which those up to covered were delivered or abandoned.
// The rest are pending again and owe a fetch that starts after them (MESH-2, MESH-5), so the debounce
// is armed as for a notification received at since (the pending round's start): MaxWait after since,
// or at once when that has passed. Restore panics on a mesh that has already done work, or on
// covered > accepted: both are the driver's mistakes.
func (m *Mesh) Restore(now, since time.Time, accepted, covered int) []Effect {
	if m.accepted != 0 || m.round != nil || m.pending || covered > accepted || covered < 0 {
		panic("mesh: Restore on a mesh that has done work, or with covered > accepted")
	}
	m.accepted, m.covered = accepted, covered
	if accepted == covered {
		return m.take()
	}
	if since.IsZero() || since.After(now) {
		since = now
	}
	m.pending = true
	m.firstPending = since
	m.armed = true
	wait := min(m.cfg.Debounce, since.Add(m.cfg.MaxWait).Sub(now))
	m.emit(Log{Level: "Information", Text: "Restored " + strconv.Itoa(accepted-covered) + " pending notification(s)"})
	m.emit(SetTimer{Key: timerDebounce, After: max(wait, 0)})
	return m.take()
}

// CoveredCount is the newest notification delivered or abandoned so far.
func (m *Mesh) CoveredCount() int { return m.covered }

// AcceptedCount is the number of notifications accepted so far.
func (m *Mesh) AcceptedCount() int { return m.accepted }

// Busy reports whether a fetch is in flight or waiting to be retried.
func (m *Mesh) Busy() bool { return m.inflight != nil || m.round != nil }
