package validate

import (
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/fakes/mesh"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/importer"
)

// Party names of the log's instance column that are not host instances.
const (
	partyPlatform = "platform"
	partyFrontEnd = "frontend"
	partyDeploy   = "deploy"
)

// timerSlack is how early a logged timer step may be stamped: the log's time resolution.
const timerSlack = time.Millisecond

// siteKey is the encryption key of the symbolic site: tokens between the model's parties are
// issued and checked with it, and no logged line carries it.
const siteKey = "0000000000000000000000000000000000000000000000000000000000000001"

// leaseAcquired is the host's text when an instance becomes the primary (PrimaryHostCoordinator).
var leaseAcquired = regexp.MustCompile(`^Host lock lease acquired by instance ID '([^']+)'\.?$`)

// obs is a log line the model owes: the classified text of a host.Log or mesh.Log effect.
type obs struct {
	importer.Line
	// optional marks a line the model writes and the real host may not (the hash line for a
	// missing blob: FunctionsSyncManager.CheckHashAsync logs it only when the blob exists).
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
}

// checker is the model's state while a log is read.
type checker struct {
	mode  host.Mode
	lines []line
	site  host.Site
	known bool // the site is known (after the first host start)
	now   time.Time

	rev, keyRev    int
	contentChanges int
	insts          map[string]*inst
	names          []string // instance names in creation order
	nextReq        int

	lease struct {
		holder string
		freeAt time.Time
	}
	blob struct {
		known bool
		value string // the log's hash, "" for a missing blob
	}
	// toModel and toLog bind the log's hashes to the model's one to one.
	toModel, toLog map[string]string

	// pos is the index of the line being checked, for the lease's look-ahead.
	pos int

	mesh       *mesh.Mesh
	meshTimers map[string]time.Time
	platform   []obs
}

func newChecker(mode host.Mode, lines []line) *checker {
	return &checker{mode: mode, lines: lines, rev: 1, insts: map[string]*inst{},
		toModel: map[string]string{}, toLog: map[string]string{}, meshTimers: map[string]time.Time{}}
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

// step checks one line; it returns nil when the model explains it.
func (c *checker) step(i int, l line) *Failure {
	if !l.At.IsZero() {
		c.now = l.At
	}
	c.pos = i
	c.fireDue()
	if m := leaseAcquired.FindStringSubmatch(l.Msg); l.Kind == importer.KindUnknown && m != nil {
		if c.lease.holder != m[1] {
			return c.fail(l, "the primary lease is held by "+strconv.Quote(c.lease.holder))
		}
		return nil
	}
	switch {
	case strings.EqualFold(l.Instance, partyPlatform):
		return c.platformStep(l)
	case l.Kind == importer.KindDeployCompleted:
		// A deploy is an input that may arrive at any time; hosts load it at their next start.
		c.rev++
		return nil
	}
	in := c.insts[l.Instance]
	if in != nil && in.alive && len(in.owed) > 0 && l.Kind != importer.KindInstanceDeleted {
		return c.matchOwed(in, l)
	}
	switch l.Kind {
	case importer.KindHostStarted:
		return c.hostStarted(i, l)
	case importer.KindInstanceDeleted:
		return c.deleted(in, l)
	}
	if in == nil || !in.alive {
		return c.fail(l, "no instance "+strconv.Quote(l.Instance)+" is running")
	}
	if why := c.input(in, l); why != "" {
		return c.fail(l, why)
	}
	if l.Kind == importer.KindKeyUpdated {
		// The key API's line is the input itself; the sync it starts owes the lines after it.
		return nil
	}
	if len(in.owed) == 0 {
		return c.fail(l, "the model logs nothing for this step")
	}
	return c.matchOwed(in, l)
}

// input delivers to the instance the input that makes it take the line's step; it returns why not.
func (c *checker) input(in *inst, l line) string {
	switch l.Kind {
	case importer.KindBackgroundStart:
		due, ok := in.timers["background"]
		if !ok {
			return "no background timer is set (SYNC-8: once per host start)"
		}
		if c.now.Add(timerSlack).Before(due) {
			return "the background timer fires at " + stamp(due) + " (SYNC-8)"
		}
		delete(in.timers, "background")
		c.perform(in, in.m.Timer(c.now, "background"))
	case importer.KindHashChecked:
		return c.hashRead(in, l)
	case importer.KindHashUpdated:
		return c.answerUpload(in, 201)
	case importer.KindNotifyPlatform, importer.KindMeshRequest, importer.KindFrontEndRequest:
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
	case importer.KindKeyUpdated:
		c.keyRev++
		c.foreground(in, "keys")
	case importer.KindMeshResponse:
		code, ok := importer.StatusCode(l.Args[0])
		if !ok {
			return "unreadable status " + strconv.Quote(l.Args[0])
		}
		return c.answerSend(in, host.TargetMesh, host.HTTPResult{Status: code})
	case importer.KindFrontEndSucceeded:
		return c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Status: 200})
	case importer.KindFrontEndFailed:
		code, ok := importer.StatusCode(l.Args[0])
		if !ok {
			return "unreadable status " + strconv.Quote(l.Args[0])
		}
		return c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Status: code})
	case importer.KindNoted:
		return c.noted(in, l)
	default:
		return "the model has no step for a " + l.Kind + " line of an instance"
	}
	return ""
}

// noted handles the host texts that change nothing in an imported scenario.
func (c *checker) noted(in *inst, l line) string {
	msg := strings.TrimSuffix(l.Msg, ".")
	switch {
	case strings.HasPrefix(msg, "Error checking SyncTriggers hash"):
		for _, op := range []host.BlobOp{host.BlobExists, host.BlobDownload} {
			if c.pendingBlob(in, op) >= 0 {
				c.answerBlob(in, op, host.BlobResult{Status: 500, Code: "InternalError"})
				return ""
			}
		}
		return "no hash read is pending (SYNC-5)"
	case strings.HasPrefix(msg, "Error updating SyncTriggers hash"):
		return c.answerUpload(in, 500)
	case msg == strings.TrimSuffix(host.ErrTextOperationFailed, "."):
		return c.answerSend(in, host.TargetFrontEnd, host.HTTPResult{Err: "timeout"})
	case msg == strings.TrimSuffix(host.ErrTextMeshFailed, "."):
		return c.answerSend(in, host.TargetMesh, host.HTTPResult{Err: "timeout"})
	case msg == strings.TrimSuffix(host.ErrTextInvalidEnvironment, "."):
		c.foreground(in, "admin")
		return ""
	}
	return "the model writes this text only as part of another step"
}

// foreground is a foreground sync (MSG-4, a key or function change): an input that may arrive.
func (c *checker) foreground(in *inst, origin string) {
	c.perform(in, in.m.Sync(c.now, origin))
}

func (c *checker) hostStarted(i int, l line) *Failure {
	h := importer.ParseHostStart(l.Args[0])
	if !c.known {
		id := strings.ToLower(h.HostID)
		if id == "" {
			id = host.DefaultHostID(strings.ToLower(h.Site))
		}
		c.site = host.Site{Name: strings.ToLower(h.Site), HostID: id, EncryptionKey: siteKey}
		c.known = true
		c.mesh = mesh.New(mesh.Config{Site: c.site, Store: mesh.NewStore(), Rand: rand.New(rand.NewPCG(1, 2))})
	}
	in := c.insts[l.Instance]
	if in != nil && !in.alive {
		return c.fail(l, l.Instance+" was deleted; a new instance gets a new name (PROTOCOL.md section 1)")
	}
	if in == nil {
		seed := uint64(len(c.names) + 1)
		in = &inst{name: l.Instance, alive: true, timers: map[string]time.Time{}, resps: map[int]host.AdminResponse{}}
		in.m = host.NewMachine(host.Config{Site: c.site, Mode: c.mode, ContainerName: l.Instance,
			FrontEndURL: c.site.URL(), MeshURL: "http://mesh/", Secrets: func() (host.Keys, int) { return c.keys(), c.keyRev },
			Rand: rand.New(rand.NewPCG(seed, 7)), PlaceholderGuard: true})
		c.insts[l.Instance] = in
		c.names = append(c.names, l.Instance)
	} else if in.m.Running() {
		// An in-place restart (a deploy): the host stops, then starts again.
		c.perform(in, in.m.HostStopping(c.now))
	}
	rev, empty := c.content(i, l)
	c.perform(in, in.m.HostStarted(c.now, host.Loaded{Functions: functions(rev, empty), Revision: rev}))
	return c.matchOwed(in, l)
}

// content chooses what the starting host loaded, looking ahead at its lines until it stops: no
// functions when it logs SYNC-4's skip; the revision whose hash its first hash line names; else
// the site's current revision, or a new one when that revision's hash is already another's.
func (c *checker) content(i int, start line) (rev int, empty bool) {
	current := ""
	for _, l := range c.lines[i+1:] {
		if l.Instance != start.Instance {
			continue
		}
		if l.Kind == importer.KindHostStarted || l.Kind == importer.KindInstanceDeleted {
			break
		}
		if l.Kind == importer.KindNoted && strings.HasPrefix(l.Msg, "No functions found") {
			empty = true
		}
		if l.Kind == importer.KindHashChecked && current == "" {
			current = l.Args[1]
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
	last := l.Args[0]
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
			if o, ok := classify(e.Text); ok {
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

// classify turns a model log text into an owed line; texts the parser does not know are the
// model's own and not observable.
func classify(text string) (obs, bool) {
	l := importer.ParseMessage(text)
	if l.Kind == importer.KindUnknown && strings.HasPrefix(text, host.ErrTextOperationFailed) {
		l = importer.ParseMessage(host.ErrTextOperationFailed)
	}
	if l.Kind == importer.KindUnknown {
		return obs{}, false
	}
	l.Text = text
	return obs{Line: l, optional: l.Kind == importer.KindHashChecked && l.Args[0] == ""}, true
}

// leaseCall answers the primary lease's blob calls: one holder at a time; a deleted holder's lease
// runs out LeaseDuration after its deletion.
func (c *checker) leaseCall(in *inst, b host.BlobCall) host.BlobResult {
	free := c.lease.holder == "" && !c.now.Before(c.lease.freeAt) && !c.leaseGoesTo(in.name)
	switch b.Op {
	case host.BlobAcquireLease:
		if free || c.lease.holder == in.name {
			c.lease.holder = in.name
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

// leaseGoesTo reports whether the log's next lease line names another instance than name: who wins
// a free lease is a race the log decides.
func (c *checker) leaseGoesTo(name string) bool {
	for _, l := range c.lines[c.pos:] {
		if m := leaseAcquired.FindStringSubmatch(l.Msg); l.Kind == importer.KindUnknown && m != nil {
			return m[1] != name
		}
	}
	return false
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

// matchOwed checks the line against the first line the instance owes, passing over optional ones.
func (c *checker) matchOwed(in *inst, l line) *Failure {
	for len(in.owed) > 0 {
		o := in.owed[0]
		if why := c.same(o, l); why == "" {
			in.owed = in.owed[1:]
			return nil
		} else if !o.optional {
			return c.fail(l, why)
		}
		in.owed = in.owed[1:]
	}
	return c.fail(l, "the model logs nothing more for this step")
}

// same compares an owed line with a logged one, binding the log's hashes to the model's.
func (c *checker) same(o obs, l line) string {
	if o.Kind != l.Kind {
		return "the model's next line for " + l.Instance + " is " + strconv.Quote(o.Text)
	}
	switch l.Kind {
	case importer.KindHostStarted:
		m, g := importer.ParseHostStart(o.Args[0]), importer.ParseHostStart(l.Args[0])
		mm, _ := importer.ModeName(m.Mode)
		gm, _ := importer.ModeName(g.Mode)
		if g.Site != "" && !strings.EqualFold(m.Site, g.Site) || g.HostID != "" && !strings.EqualFold(m.HostID, g.HostID) {
			return "another site: the log's first host start is " + c.site.Name + "/" + c.site.HostID
		}
		if g.Mode != "" && gm != mm {
			return "another mode: validating " + c.mode.String() + " (SyncTriggersMode=" + m.Mode + "; fix: --mode)"
		}
	case importer.KindHashChecked:
		if c.logValue(o.Args[0]) != l.Args[0] {
			return "the model reads '" + short(c.logValue(o.Args[0])) + "'"
		}
		return c.bind(l.Args[1], o.Args[1])
	case importer.KindHashUpdated:
		if why := c.bind(l.Args[0], o.Args[0]); why != "" {
			return why
		}
		c.blob.known, c.blob.value = true, l.Args[0]
	case importer.KindMeshResponse, importer.KindFrontEndFailed, importer.KindFetchFailed:
		a, _ := importer.StatusCode(o.Args[0])
		b, _ := importer.StatusCode(l.Args[0])
		if a != b {
			return "the model's status is " + o.Args[0]
		}
	case importer.KindMeshRequest:
		if o.Args[0] != l.Args[0] {
			return "the model sends " + o.Args[0]
		}
	case importer.KindNoted:
		if strings.TrimSuffix(o.Msg, ".") != strings.TrimSuffix(l.Msg, ".") {
			return "the model's next line for " + l.Instance + " is " + strconv.Quote(o.Text)
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
	return &Failure{File: l.file, Line: l.N, Text: l.Text, State: c.describe(), Alternatives: c.alternatives(), Why: why}
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
	if c.mesh != nil && c.mesh.Busy() {
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
			add(n, in.owed[0].Text)
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
		add(n, "Instance deleted")
	}
	if c.mesh != nil && c.mesh.Busy() {
		add(partyPlatform, "GET /admin/host/triggers failed (...) or abandoned")
	}
	add("any", "Host started of a new instance, Deployment completed")
	return out
}
