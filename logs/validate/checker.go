package validate

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/logs"
	"github.com/syncsim/syncsim/logs/importer"
	"github.com/syncsim/syncsim/trace"
)

// Party names of the log's instance column that are not host instances.
const (
	partyPlatform = "platform"
	partyFrontEnd = "frontend"
)

// timerSlack is how early a logged timer step may be stamped: the log's time resolution.
const timerSlack = time.Millisecond

// joinBefore is how long before its first line an instance the log never shows starting is taken to
// have started: past its background timer (SYNC-8's 30 s) and its first lease tries, so that the
// excerpt may begin with either.
const joinBefore = host.DefaultBackgroundDelay + time.Second

// siteKey is the encryption key of the symbolic site: tokens between the model's parties are
// issued and checked with it, and no logged line carries it.
const siteKey = "0000000000000000000000000000000000000000000000000000000000000001"

// obs is a log line the model owes: the classified text of a host.Log or mesh.Log effect.
type obs struct {
	kind  logs.Kind
	args  map[string]string
	text  string
	level string
	// optional marks a line the model writes and the log may not show: the hash line for a
	// missing blob (FunctionsSyncManager.CheckHashAsync logs it only when the blob exists), a kind
	// of line the log never carries (its level or category filter drops it), the model's own
	// lines (category Syncsim.*).
	optional bool
}

// inst is one instance: its host machine and what it waits for.
type inst struct {
	name   string
	m      *host.Machine
	alive  bool
	timers map[string]time.Time
	blobs  []host.BlobCall
	sends  []host.Send
	resps  map[int]host.AdminResponse
	owed   []obs
	// joined: the log never shows this instance start; it runs from before the excerpt. catchUp:
	// its lines up to the first the model owes may be part of a step already under way.
	joined, catchUp bool
	// passed is the last optional line the model wrote that the log does not show.
	passed string
}

// outcome is what the checker made of one line.
type outcome struct {
	failure *Failure
	skip    string // why the line was not judged ("" when it was)
	sync    bool   // the line is a step of a sync (or a caller's call of one)
}

// checker is the model's state while a log is read.
type checker struct {
	mode     host.Mode
	lines    []line
	settings importer.Settings
	site     host.Site
	now      time.Time
	// complete: the log is a whole run (it opens with the harness's Site settings line), so every
	// instance must start in it; a real log is an excerpt, and instances it never shows starting
	// join running.
	complete bool
	// present are the kinds the log carries: a kind it never carries is filtered out of it.
	present map[logs.Kind]bool

	rev, keyRev    int
	contentChanges int
	insts          map[string]*inst
	names          []string // instance names in creation order
	nextReq        int
	secretsErr     string

	lease struct {
		holder string
		freeAt time.Time
		// stolen: the log shows the holder losing the lease to a host it does not name; lostBy
		// and lostAt say who lost it and when.
		stolen bool
		lostBy string
		lostAt time.Time
	}
	blob struct {
		known bool
		value string // the log's hash, "" for a missing blob
	}
	// toModel and toLog bind the log's hashes to the model's one to one.
	toModel, toLog map[string]string

	// pos is the index of the line being checked, for look-ahead.
	pos int

	mesh       *mesh.Mesh
	meshTimers map[string]time.Time
	platform   []obs

	caller callerState
}

func newChecker(mode host.Mode, lines []line, s importer.Settings) *checker {
	c := &checker{mode: mode, lines: lines, settings: s, rev: 1, insts: map[string]*inst{}, present: map[logs.Kind]bool{},
		toModel: map[string]string{}, toLog: map[string]string{}, meshTimers: map[string]time.Time{}}
	c.site = host.Site{Name: s.Site.Value, HostID: s.HostID.Value, EncryptionKey: siteKey}
	c.mesh = mesh.New(mesh.Config{Site: c.site, Store: mesh.NewStore(), Rand: rand.New(rand.NewPCG(1, 2))})
	for _, l := range lines {
		c.present[l.Kind()] = true
	}
	c.complete = len(lines) > 0 && lines[0].Kind() == logs.KindSiteSettings
	return c
}

// keys are the symbolic site's keys at the current key revision.
func (c *checker) keys() host.Keys {
	r := strconv.Itoa(c.keyRev)
	return host.Keys{Master: "master-" + r, Host: map[string]string{"default": "host-" + r},
		System: map[string]string{}, Functions: map[string]map[string]string{}}
}

// functions is the symbolic content of a revision: one queue-triggered function, or none.
func functions(rev int, empty bool) []host.Function {
	if empty {
		return []host.Function{}
	}
	r := strconv.Itoa(rev)
	return []host.Function{{Name: "Function" + r, Language: "node", Bindings: []host.Binding{
		{"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "q" + r}}}}
}

func (c *checker) modelHash(rev int, empty bool) string {
	return host.BuildPayload(c.site, functions(rev, empty), c.keys()).Hash
}

// syncKinds are the lines of a sync span.
var syncKinds = map[logs.Kind]bool{
	logs.KindBackgroundStart: true, logs.KindInvalidEnvironment: true, logs.KindNoFunctions: true,
	logs.KindHashChecked: true, logs.KindHashReadError: true, logs.KindHashUpdated: true, logs.KindHashWriteError: true,
	logs.KindOversize: true, logs.KindFrontEndRequest: true, logs.KindFrontEndSucceeded: true, logs.KindFrontEndFailed: true,
	logs.KindSyncFailed: true, logs.KindNotifyFailed: true, logs.KindNotifyPlatform: true, logs.KindMeshRequest: true,
	logs.KindMeshResponse: true,
}

// step checks one line.
func (c *checker) step(i int, l line) outcome {
	if !l.Placed {
		c.now = l.At
	}
	c.pos = i
	c.fireDue()
	if l.Event.Side == logs.SideCaller {
		return c.callerStep(l)
	}
	if strings.EqualFold(l.Instance, partyPlatform) || l.Category == trace.CategoryPlatform {
		return c.judged(l, c.platformStep(l))
	}
	switch l.Kind() {
	case logs.KindSiteSettings, logs.KindHarnessNote:
		return outcome{}
	case logs.KindDeploy:
		// A deploy is an input that may arrive at any time; hosts load it at their next start.
		c.rev++
		return outcome{}
	case logs.KindKeyUpdated:
		return c.keyUpdated(l)
	}
	in := c.insts[l.Instance]
	if in == nil && !isStart(l.Kind()) && l.Kind() != logs.KindInstanceDeleted {
		if !c.mayJoin(l) {
			return c.judged(l, c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running"))
		}
		in = c.join(i, l)
	}
	if in != nil {
		in.passed = ""
	}
	if in != nil && in.alive && len(in.owed) > 0 && l.Kind() != logs.KindInstanceDeleted && !isLease(l.Kind()) {
		if ok, f := c.takeOwed(in, l); ok || f != nil {
			return c.judged(l, f)
		}
	}
	switch l.Kind() {
	case logs.KindLeaseAcquired:
		return c.judged(l, c.leaseAcquired(in, l))
	case logs.KindHostStarting, logs.KindHostStarted:
		return c.judged(l, c.hostStarted(i, l))
	case logs.KindInstanceDeleted:
		return c.judged(l, c.deleted(in, l))
	case logs.KindLeaseRenewFailed:
		return c.judged(l, c.leaseLost(in, l))
	}
	if !syncKinds[l.Kind()] {
		return outcome{skip: SkipNotAStep}
	}
	if in == nil || !in.alive {
		return c.judged(l, c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running"))
	}
	delivered := in.catchUp && c.idle(in) && c.catchUp(in, l)
	if why := c.inputUnless(delivered, in, l); why != "" {
		if in.catchUp {
			return outcome{skip: SkipBeforeSpan}
		}
		if in.passed != "" {
			why += "; the model's step before it wrote " + strconv.Quote(in.passed) + ", which the log does not show"
		}
		return c.judged(l, c.fail(l, why))
	}
	ok, f := c.takeOwed(in, l)
	switch {
	case f != nil:
		return c.judged(l, f)
	case !ok && !answers(l.Kind()):
		why := "the model logs nothing for this step"
		if in.passed != "" {
			why += "; it wrote " + strconv.Quote(in.passed) + " instead"
		}
		return c.judged(l, c.fail(l, why))
	}
	// An answer the model logs no line for (the line it owes is filtered out of the log).
	in.catchUp = false
	return c.judged(l, nil)
}

// judged is the outcome of a judged line.
func (c *checker) judged(l line, f *Failure) outcome {
	return outcome{failure: f, sync: f == nil && syncKinds[l.Kind()]}
}

func isStart(k logs.Kind) bool { return k == logs.KindHostStarting || k == logs.KindHostStarted }

// answers are the lines that answer a pending call: the model may log nothing more for them when the
// line the model owes is filtered out of the log.
func answers(k logs.Kind) bool {
	switch k {
	case logs.KindHashChecked, logs.KindHashUpdated, logs.KindHashReadError, logs.KindHashWriteError,
		logs.KindFrontEndSucceeded, logs.KindFrontEndFailed, logs.KindMeshResponse:
		return true
	}
	return false
}

// mayJoin says whether an instance the model does not know may join running at this line: in an
// excerpt of a real log, an instance whose start the log never shows.
func (c *checker) mayJoin(l line) bool {
	if c.complete || l.Instance == "" {
		return false
	}
	for _, o := range c.lines {
		if o.Instance == l.Instance && isStart(o.Kind()) {
			return false
		}
	}
	return true
}

// join starts an instance the excerpt never shows starting, joinBefore its first line: its lines up
// to the first the model owes may belong to a step already under way (catch-up), and what it
// logged before the excerpt is not owed.
func (c *checker) join(i int, l line) *inst {
	in := c.newInst(l.Instance)
	in.joined, in.catchUp = true, true
	now := c.now
	c.now = now.Add(-joinBefore)
	rev, empty := c.content(i, l)
	c.perform(in, in.m.HostStarted(c.now, host.Loaded{Functions: functions(rev, empty), Revision: rev}))
	c.now = now
	c.fireDue()
	in.owed = nil
	return in
}

func (c *checker) newInst(name string) *inst {
	seed := uint64(len(c.names) + 1)
	in := &inst{name: name, alive: true, timers: map[string]time.Time{}, resps: map[int]host.AdminResponse{}}
	in.m = host.NewMachine(host.Config{Site: c.site, Mode: c.mode, ContainerName: name,
		FrontEndURL: c.site.URL(), MeshURL: "http://mesh/", Secrets: func() (host.Keys, int) { return c.keys(), c.keyRev },
		SecretsError: func() string { return c.secretsErr },
		Rand:         rand.New(rand.NewPCG(seed, 7)), PlaceholderGuard: true})
	c.insts[name] = in
	c.names = append(c.names, name)
	return in
}

// idle reports whether the instance is in no step: nothing owed, pending or answered.
func (c *checker) idle(in *inst) bool {
	return len(in.owed) == 0 && len(in.blobs) == 0 && len(in.sends) == 0
}

// inputUnless delivers the line's input unless catchUp already did.
func (c *checker) inputUnless(delivered bool, in *inst, l line) string {
	if delivered {
		return ""
	}
	return c.input(in, l)
}

// catchUp starts, on a joined instance in no step, the sync the line is part of: the background one
// for a hash line, else a foreground sync; what the model owes before the line is optional. In the
// additive mode a mesh line comes after the front end accepted (PR #11813): the excerpt starts
// after that answer, which catchUp gives. It reports whether it delivered the line's input itself.
func (c *checker) catchUp(in *inst, l line) bool {
	switch l.Kind() {
	case logs.KindNotifyPlatform, logs.KindMeshRequest:
		if c.mode != host.ModeAdditive {
			return false
		}
		c.foreground(in, "admin")
		c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Status: 200})
		for i := range in.owed {
			in.owed[i].optional = true
		}
		return true
	case logs.KindBackgroundStart, logs.KindFrontEndRequest, logs.KindInvalidEnvironment:
		return false // a step's own start: input takes it
	case logs.KindHashChecked, logs.KindHashReadError, logs.KindNoFunctions:
		if _, ok := in.timers["background"]; ok && in.m.Primary() {
			delete(in.timers, "background")
			c.perform(in, in.m.Timer(c.now, "background"))
		}
	case logs.KindSyncFailed:
		// The failure the model can give a sync of its own: SYNC-3's key read (a storage refusal
		// stands for any exception while building the payload); its line is the one the log shows.
		c.secretsErr = "storage refuses the host"
		c.foreground(in, "admin")
		c.secretsErr = ""
		for i := range in.owed {
			in.owed[i].optional = true
		}
		return true
	default:
		c.foreground(in, "admin")
	}
	for i := range in.owed {
		in.owed[i].optional = true
	}
	return false
}

// input delivers to the instance the input that makes it take the line's step; it returns why not.
func (c *checker) input(in *inst, l line) string {
	switch l.Kind() {
	case logs.KindBackgroundStart:
		due, ok := in.timers["background"]
		if !ok {
			return "no background timer is set (SYNC-8: once per host start)"
		}
		if c.now.Add(timerSlack).Before(due) {
			return "the background timer fires at " + stamp(due) + " (SYNC-8)"
		}
		delete(in.timers, "background")
		c.perform(in, in.m.Timer(c.now, "background"))
	case logs.KindHashChecked:
		return c.hashRead(in, l)
	case logs.KindHashUpdated:
		return c.answerUpload(in, 201)
	case logs.KindHashWriteError:
		return c.answerUpload(in, 500)
	case logs.KindHashReadError:
		return c.hashReadError(in, l)
	case logs.KindNotifyPlatform, logs.KindMeshRequest, logs.KindFrontEndRequest:
		if c.pendingBlob(in, host.BlobExists) >= 0 {
			// The real host reads a missing blob without a log line (CheckHashAsync).
			if c.blob.known && c.blob.value != "" {
				return "the hash blob holds '" + short(c.blob.value) + "', so the host logs its hash first"
			}
			c.answerBlob(in, host.BlobExists, host.BlobResult{Status: 404, Code: "BlobNotFound"})
			c.blob.known, c.blob.value = true, ""
			return ""
		}
		c.foreground(in, "admin")
	case logs.KindMeshResponse:
		code, ok := logs.StatusCode(l.Arg("status"))
		if !ok {
			return "unreadable status " + strconv.Quote(l.Arg("status"))
		}
		return c.answerSend(in, host.TargetMesh, host.HTTPResult{Status: code})
	case logs.KindFrontEndSucceeded:
		return c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Status: 200})
	case logs.KindFrontEndFailed:
		code, ok := logs.StatusCode(l.Arg("status"))
		if !ok {
			return "unreadable status " + strconv.Quote(l.Arg("status"))
		}
		return c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Status: code})
	case logs.KindSyncFailed:
		if c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Err: "timeout"}) == "" {
			return ""
		}
		return "no publish is pending, and the model fails a sync only at a publish or at SYNC-3's key read (SYNC-7)"
	case logs.KindNotifyFailed:
		return c.answerSend(in, host.TargetMesh, host.HTTPResult{Err: "timeout"})
	case logs.KindInvalidEnvironment:
		c.foreground(in, "admin")
	case logs.KindNoFunctions, logs.KindOversize:
		return "the model writes this line only as part of another step"
	default:
		return "the model has no step for a " + string(l.Kind()) + " line of an instance"
	}
	return ""
}

// foreground is a foreground sync (MSG-4, a key or function change): an input that may arrive.
func (c *checker) foreground(in *inst, origin string) {
	c.perform(in, in.m.Sync(c.now, origin))
}

// keyUpdated is the key API's change: the keys' revision moves, so the payloads built from now on
// carry the new keys. The foreground sync the key API's controller runs reaches an instance through
// the site router some time later: its own lines start it (input), whichever instance they name.
func (c *checker) keyUpdated(l line) outcome {
	c.keyRev++
	return outcome{}
}

func (c *checker) hostStarted(i int, l line) *Failure {
	in := c.insts[l.Instance]
	if in != nil && !in.alive {
		return c.fail(l, l.Instance+" was deleted; a new instance gets a new name (PROTOCOL.md section 1)")
	}
	if in == nil {
		in = c.newInst(l.Instance)
	} else if in.m.Running() {
		// An in-place restart (a deploy): the host stops, then starts again.
		c.perform(in, in.m.HostStopping(c.now))
		in.owed = nil
	}
	rev, empty := c.content(i, l)
	c.perform(in, in.m.HostStarted(c.now, host.Loaded{Functions: functions(rev, empty), Revision: rev}))
	ok, f := c.takeOwed(in, l)
	if !ok && f == nil {
		return c.fail(l, "the model logs nothing for a host start")
	}
	return f
}

// content chooses what the starting host loaded, looking ahead at its lines until it stops: no
// functions when it logs SYNC-4's skip or publishes an empty triggers array; the revision whose
// hash its first hash line names; else the site's current revision, or a new one when that
// revision's hash is already another's.
func (c *checker) content(i int, start line) (rev int, empty bool) {
	current := ""
	for j, l := range c.lines[i:] {
		if l.Instance != start.Instance {
			continue
		}
		if j > 0 && (l.Kind() == logs.KindHostStarting || l.Kind() == logs.KindInstanceDeleted) {
			break
		}
		if l.Kind() == logs.KindNoFunctions && !strings.Contains(l.Message, "GetTriggers") ||
			l.Kind() == logs.KindFrontEndRequest && l.Arg("triggers") == "0" {
			empty = true
		}
		if l.Kind() == logs.KindHashChecked && current == "" {
			current = l.Arg("current")
		}
	}
	if m, ok := c.toModel[current]; ok {
		for r := 1; r <= c.rev; r++ {
			if c.modelHash(r, empty) == m {
				return r, empty
			}
		}
	}
	if h := c.modelHash(c.rev, empty); current == "" || c.toLog[h] == "" || c.toLog[h] == current {
		return c.rev, empty
	}
	c.rev++
	c.contentChanges++
	return c.rev, empty
}

func (c *checker) deleted(in *inst, l line) *Failure {
	if in == nil || !in.alive {
		return c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running")
	}
	// The deletion may come at any fault point of the step in progress: what it owed is never done.
	in.alive, in.owed, in.blobs, in.sends = false, nil, nil, nil
	if c.lease.holder == in.name {
		c.lease.holder = ""
		c.lease.freeAt = c.now.Add(host.DefaultLeaseDuration)
	}
	return nil
}

// hashRead answers SYNC-5's Exists and Download with the blob the line names.
func (c *checker) hashRead(in *inst, l line) string {
	last := l.Arg("last")
	if c.pendingBlob(in, host.BlobExists) < 0 {
		return "no hash read is pending (SYNC-5 runs in background syncs only)"
	}
	if c.blob.known && c.blob.value != last {
		return "the hash blob holds '" + short(c.blob.value) + "' (BLOB-2: only SyncTriggers hash writes change it)"
	}
	if last == "" {
		c.answerBlob(in, host.BlobExists, host.BlobResult{Status: 404, Code: "BlobNotFound"})
	} else {
		c.answerBlob(in, host.BlobExists, host.BlobResult{Status: 200})
		data := last
		if m, ok := c.toModel[last]; ok {
			data = m
		}
		c.answerBlob(in, host.BlobDownload, host.BlobResult{Status: 200, Data: []byte(data)})
	}
	c.blob.known, c.blob.value = true, last
	return ""
}

// hashReadError answers the pending hash read with the failure the line's exception shows (a
// refusal's status, else a server error): SYNC-5 counts it as unchanged.
func (c *checker) hashReadError(in *inst, l line) string {
	r := host.BlobResult{Status: 500, Code: "InternalError"}
	if l.Arg("storage") == "refused" {
		st, _ := strconv.Atoi(l.Arg("status"))
		r = host.BlobResult{Status: st, Code: "AuthorizationFailure"}
	}
	for _, op := range []host.BlobOp{host.BlobExists, host.BlobDownload} {
		if c.pendingBlob(in, op) >= 0 {
			c.answerBlob(in, op, r)
			return ""
		}
	}
	return "no hash read is pending (SYNC-5)"
}

func (c *checker) answerUpload(in *inst, status int) string {
	if c.pendingBlob(in, host.BlobUpload) < 0 {
		return "no hash write is pending (SYNC-6 writes only after a background sync's publish succeeded)"
	}
	c.answerBlob(in, host.BlobUpload, host.BlobResult{Status: status})
	return ""
}

func (c *checker) pendingBlob(in *inst, op host.BlobOp) int {
	for i, b := range in.blobs {
		if b.Op == op {
			return i
		}
	}
	return -1
}

func (c *checker) answerBlob(in *inst, op host.BlobOp, r host.BlobResult) {
	i := c.pendingBlob(in, op)
	b := in.blobs[i]
	in.blobs = append(in.blobs[:i], in.blobs[i+1:]...)
	c.perform(in, in.m.BlobDone(c.now, b.ID, r))
}

func (c *checker) answerSend(in *inst, t host.Target, r host.HTTPResult) string {
	for i, s := range in.sends {
		if s.Target != t {
			continue
		}
		in.sends = append(in.sends[:i], in.sends[i+1:]...)
		if t == host.TargetMesh && r.Status >= 200 && r.Status < 300 && c.mesh != nil {
			// The platform accepted the notification (MSG-2): its mesh owes a fetch (MESH-2).
			_, effs := c.mesh.Notify(c.now, mesh.Request{Method: s.Method, Headers: s.Headers, Body: s.Body})
			c.performMesh(effs)
		}
		c.perform(in, in.m.HTTPDone(c.now, s.ID, r))
		return ""
	}
	return "no " + t.String() + " request is pending"
}

// perform records a host machine's effects: owed log lines, timers, pending calls; lease calls are
// answered at once from the lease model.
func (c *checker) perform(in *inst, effs []host.Effect) {
	for _, e := range effs {
		switch e := e.(type) {
		case host.Log:
			if o, ok := c.classify(e.Category, e.Level, e.Text); ok {
				in.owed = append(in.owed, o)
			}
		case host.SetTimer:
			in.timers[e.Key] = c.now.Add(e.After)
		case host.CancelTimer:
			delete(in.timers, e.Key)
		case host.BlobCall:
			if e.Blob == host.LockBlobName(c.site.HostID) {
				defer c.perform(in, in.m.BlobDone(c.now, e.ID, c.leaseCall(in, e)))
				continue
			}
			in.blobs = append(in.blobs, e)
		case host.Send:
			in.sends = append(in.sends, e)
		case host.Respond:
			in.resps[e.ReqID] = e.Response
		}
	}
}

// classify turns a model log line into an owed line. A line the catalogue does not know is the
// model's own and not observable; the model's own lines (Syncsim.*), the hash line for a missing
// blob and, in an excerpt of a real log, lines of a kind the log never carries (its level or
// category filter drops them) are optional. A whole run's log carries every kind it has.
func (c *checker) classify(category, level, text string) (obs, bool) {
	ev := logs.Classify(category, level, text)
	if ev.Kind == logs.KindUnknown || ev.Kind == "" {
		return obs{}, false
	}
	o := obs{kind: ev.Kind, args: ev.Args, text: text, level: level}
	if text == host.TextPlatformNotification {
		// The model's own start of the platform modes' publish, where PR #11690's host posts
		// `Posting triggers changed notification to appserver.`: either line is the same step.
		o.kind = logs.KindNotifyPlatform
	}
	o.optional = ev.Side == logs.SideHarness || !c.complete && !c.present[ev.Kind] ||
		ev.Kind == logs.KindHashChecked && ev.Args["last"] == ""
	return o, true
}

// leaseCall answers the primary lease's blob calls: one holder at a time; a deleted holder's lease
// runs out LeaseDuration after its deletion; a lease the log shows stolen is held by a host the
// log does not name until the log's next lease line says who takes it.
func (c *checker) leaseCall(in *inst, b host.BlobCall) host.BlobResult {
	free := c.lease.holder == "" && !c.lease.stolen && !c.now.Before(c.lease.freeAt) && !c.leaseGoesTo(in.name)
	if c.lease.stolen && c.leaseNextTo(in.name) {
		free = true
	}
	switch b.Op {
	case host.BlobAcquireLease:
		if free || c.lease.holder == in.name {
			c.lease.holder, c.lease.stolen = in.name, false
			return host.BlobResult{Status: 201, LeaseID: b.LeaseID}
		}
		return host.BlobResult{Status: 409, Code: "LeaseAlreadyPresent"}
	case host.BlobRenewLease:
		if c.lease.holder == in.name {
			return host.BlobResult{Status: 200, LeaseID: b.LeaseID}
		}
		return host.BlobResult{Status: 409, Code: "LeaseIdMismatchWithLeaseOperation"}
	}
	return host.BlobResult{Status: 201}
}

// leaseGoesTo reports whether the log's next lease acquisition names another instance than name:
// who wins a free lease is a race the log decides.
func (c *checker) leaseGoesTo(name string) bool {
	for _, l := range c.lines[c.pos:] {
		if l.Kind() == logs.KindLeaseAcquired {
			return acquirer(l) != name
		}
	}
	return false
}

// leaseNextTo reports whether the log's next lease acquisition names name.
func (c *checker) leaseNextTo(name string) bool {
	for _, l := range c.lines[c.pos:] {
		if l.Kind() == logs.KindLeaseAcquired {
			return acquirer(l) == name
		}
	}
	return false
}

// acquirer is the instance a lease line is about: its instance (the column the log gives it, or the
// instance Read gives the lines that name none), else the id its message names. A real host's
// message names WEBSITE_INSTANCE_ID, which is not its container's name; the model's names both
// alike.
func acquirer(l line) string {
	if l.Instance != "" {
		return l.Instance
	}
	return l.Arg("instance")
}

// leaseAcquired checks `Host lock lease acquired by instance ID 'X'`: the model's lease gave the
// instance the lease (its owed line, or, for an instance that joined, the lease it took on
// joining).
func (c *checker) leaseAcquired(in *inst, l line) *Failure {
	if in == nil || !in.alive {
		return c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running")
	}
	if c.takeLease(in, logs.KindLeaseAcquired) {
		return nil
	}
	if c.lease.holder != in.name {
		holder := c.lease.holder
		if holder == "" {
			holder = "no one"
		}
		return c.fail(l, "the primary lease is held by "+holder)
	}
	return nil
}

// takeLease takes the lease line of that kind the instance owes, wherever it is among its owed
// lines: the lease loop runs beside the sync, so its lines may come between a sync's lines.
func (c *checker) takeLease(in *inst, kind logs.Kind) bool {
	for i, o := range in.owed {
		if o.kind == kind {
			in.owed = append(in.owed[:i:i], in.owed[i+1:]...)
			return true
		}
	}
	return false
}

// isLease says whether an owed line is the lease loop's.
func isLease(k logs.Kind) bool { return k == logs.KindLeaseAcquired || k == logs.KindLeaseRenewFailed }

// leaseLost checks `Failed to renew host lock lease: Another host has acquired the lease`: the
// instance held the lease (PROTOCOL.md section 1), and a host the log does not name took it, as a
// renewal that comes late under storage latency or skew lets one do (fault primary-lease-lost). The
// instance's next renewal then fails and it drops the primary role.
func (c *checker) leaseLost(in *inst, l line) *Failure {
	if in == nil || !in.alive {
		return c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running")
	}
	if c.lease.lostBy == in.name && c.now.Sub(c.lease.lostAt) < host.DefaultLeaseRenew {
		// The same loss, told by a second logger (the SDK's Singleton lock renewal failed and the
		// coordinator's Failed to renew host lock lease are written for one failed renewal).
		return nil
	}
	if c.lease.holder != in.name || !in.m.Primary() {
		holder := c.lease.holder
		if holder == "" {
			holder = "no one"
		}
		return c.fail(l, in.name+" is not the primary: the lease is held by "+holder)
	}
	c.lease.holder, c.lease.stolen = "", true
	c.lease.lostBy, c.lease.lostAt = in.name, c.now
	if _, ok := in.timers["lease"]; ok {
		delete(in.timers, "lease")
		c.perform(in, in.m.Timer(c.now, "lease"))
	}
	if !c.takeLease(in, logs.KindLeaseRenewFailed) {
		return c.fail(l, "the model's renewal does not fail")
	}
	return nil
}

// fireDue fires the timers no line shows, in deadline order, up to now: the lease loop's and the
// admin wait's (once, at now, however many periods passed: the outcome is the same), and the mesh's
// debounce and retries (at their deadlines).
func (c *checker) fireDue() {
	for {
		var best *inst
		key, at := "", time.Time{}
		for _, n := range c.names {
			in := c.insts[n]
			if !in.alive {
				continue
			}
			for _, k := range sortedKeys(in.timers) {
				if k == "background" || in.timers[k].After(c.now) {
					continue
				}
				if best == nil || in.timers[k].Before(at) {
					best, key, at = in, k, in.timers[k]
				}
			}
		}
		mkey := ""
		for _, k := range sortedKeys(c.meshTimers) {
			if d := c.meshTimers[k]; !d.After(c.now) && (mkey == "" || d.Before(c.meshTimers[mkey])) {
				mkey = k
			}
		}
		switch {
		case mkey != "" && (best == nil || !at.Before(c.meshTimers[mkey])):
			d := c.meshTimers[mkey]
			delete(c.meshTimers, mkey)
			c.performMesh(c.mesh.Timer(d, mkey))
		case best != nil:
			delete(best.timers, key)
			c.perform(best, best.m.Timer(c.now, key))
		default:
			return
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// takeOwed matches the line against the lines the instance owes, passing over optional ones: ok
// when one matches; a failure when a line that is not optional comes first; neither when every
// owed line was optional (then the line may still be an input).
func (c *checker) takeOwed(in *inst, l line) (bool, *Failure) {
	var lease []obs // the lease loop's lines: takeLease takes them in any order
	for i, o := range in.owed {
		if isLease(o.kind) && !isLease(l.Kind()) {
			lease = append(lease, o)
			continue
		}
		why := c.same(o, l)
		if why == "" {
			in.owed = append(lease, in.owed[i+1:]...)
			in.catchUp = false
			return true, nil
		}
		if !o.optional {
			return false, c.fail(l, why)
		}
		in.passed = o.text
	}
	in.owed = lease
	return false, nil
}

// same compares an owed line with a logged one, binding the log's hashes to the model's.
func (c *checker) same(o obs, l line) string {
	if o.kind != l.Kind() {
		return "the model's next line for " + l.Instance + " is " + strconv.Quote(o.text)
	}
	switch l.Kind() {
	case logs.KindHostStarting:
		if g := l.Arg("hostId"); g != "" && !strings.EqualFold(o.args["hostId"], g) {
			return "another host id: the site's is " + c.site.HostID + " (" + c.settings.HostID.From + "; fix: --site)"
		}
	case logs.KindHashChecked:
		if c.logValue(o.args["last"]) != l.Arg("last") {
			return "the model reads '" + short(c.logValue(o.args["last"])) + "'"
		}
		return c.bind(l.Arg("current"), o.args["current"])
	case logs.KindHashUpdated:
		if why := c.bind(l.Arg("hash"), o.args["hash"]); why != "" {
			return why
		}
		c.blob.known, c.blob.value = true, l.Arg("hash")
	case logs.KindMeshResponse, logs.KindFrontEndFailed, logs.KindFetchFailed:
		a, _ := logs.StatusCode(o.args["status"])
		b, _ := logs.StatusCode(l.Arg("status"))
		if a != b {
			return "the model's status is " + o.args["status"]
		}
	case logs.KindMeshRequest:
		if o.args["operation"] != l.Arg("operation") {
			return "the model sends " + o.args["operation"]
		}
	case logs.KindHarnessNote, logs.KindNotifyFailed:
		if strings.TrimSuffix(o.text, ".") != strings.TrimSuffix(strings.TrimSpace(l.Message), ".") {
			return "the model's next line for " + l.Instance + " is " + strconv.Quote(o.text)
		}
	}
	return ""
}

// bind binds a logged hash to the model's hash of the same payload, one to one (PAY-2, PAY-3).
func (c *checker) bind(logged, model string) string {
	if m, ok := c.toModel[logged]; ok && m != model {
		return "'" + short(logged) + "' is the hash of other content"
	}
	if g, ok := c.toLog[model]; ok && g != logged {
		return "the same content hashed to '" + short(g) + "' before (PAY-2)"
	}
	c.toModel[logged], c.toLog[model] = model, logged
	return ""
}

func (c *checker) logValue(model string) string {
	if g, ok := c.toLog[model]; ok {
		return g
	}
	return model
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (c *checker) fail(l line, why string) *Failure {
	return &Failure{File: l.file, Line: l.Line, Text: l.text(), State: c.describe(), Alternatives: c.alternatives(), Why: why}
}

// describe is a one-line rendering of the model's state.
func (c *checker) describe() string {
	var parts []string
	for _, n := range c.names {
		in := c.insts[n]
		if !in.alive {
			continue
		}
		s := n + " " + map[bool]string{true: "running", false: "stopped"}[in.m.Running()]
		if in.joined {
			s += " (from before the excerpt)"
		}
		if in.m.Primary() {
			s += ", primary"
		}
		if d, ok := in.timers["background"]; ok {
			s += ", background timer due " + stamp(d)
		}
		for _, b := range in.blobs {
			s += ", awaiting blob " + string(b.Op)
		}
		for _, r := range in.sends {
			s += ", awaiting " + r.Target.String() + " response"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		parts = append(parts, "no instance running")
	}
	blob := "hash blob unknown"
	if c.blob.known {
		blob = "hash blob '" + short(c.blob.value) + "'"
		if c.blob.value == "" {
			blob = "hash blob missing"
		}
	}
	parts = append(parts, blob)
	if c.mesh.Busy() {
		parts = append(parts, "platform fetching")
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// alternatives are the observable steps the model can take from its state, as log texts.
func (c *checker) alternatives() []string {
	var out []string
	add := func(who, what string) { out = append(out, who+": "+what) }
	for _, n := range c.names {
		in := c.insts[n]
		if !in.alive {
			continue
		}
		if len(in.owed) > 0 {
			add(n, in.owed[0].text)
			continue
		}
		for _, b := range in.blobs {
			switch b.Op {
			case host.BlobExists, host.BlobDownload:
				add(n, "SyncTriggers hash (Last='...', Current='...') or Error checking SyncTriggers hash")
			case host.BlobUpload:
				add(n, "SyncTriggers hash updated to '...' or Error updating SyncTriggers hash")
			}
		}
		for _, s := range in.sends {
			if s.Target == host.TargetMesh {
				add(n, "Mesh response <status> or "+host.ErrTextMeshFailed)
			} else {
				add(n, "SyncTriggers call succeeded. or SyncTriggers call failed (StatusCode=<status>).")
			}
		}
		if d, ok := in.timers["background"]; ok && in.m.Primary() {
			add(n, "Initiating background SyncTriggers operation (from "+stamp(d)+")")
		}
		if in.m.Running() {
			add(n, "a foreground sync (admin call, key or function change)")
		}
		if in.m.Primary() {
			add(n, "Failed to renew host lock lease: Another host has acquired the lease")
		}
		add(n, "Instance deleted")
	}
	if c.mesh.Busy() {
		add(partyPlatform, "GET /admin/host/triggers failed (...) or abandoned")
	}
	add("any", "Starting Host of a new instance, Deployment completed")
	return out
}
