package world

import (
	"fmt"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/scenarios"
	"github.com/syncsim/syncsim/sim"
)

// apply plays one timeline action.
func (w *World) apply(index int, a scenarios.Action) {
	w.k.Trace.Add(partyWorld, "timeline", trace.F("index", index), trace.F("action", string(a.Kind)), trace.F("line", a.Line))
	switch a.Kind {
	case scenarios.ActionDeploy:
		w.deploy(a.Deploy)
	case scenarios.ActionRotateKey:
		w.rotateKey(a.RotateKey)
	case scenarios.ActionAdminSync:
		w.adminSyncs(a.AdminSync.Count, a.AdminSync.Interval, a.AdminSync.Auth, a.AdminSync.Retry)
	case scenarios.ActionStart:
		for i := 0; i < a.Start.Count; i++ {
			if n := w.startInstance("scale-out"); n != nil {
				n.placeholderFor = a.Start.PlaceholderFor
			}
		}
	case scenarios.ActionDelete:
		for _, n := range w.pick(a.Delete.Which, a.Delete.Count) {
			w.deleteInstance(n, "scale-in", false)
		}
	case scenarios.ActionRestart:
		for _, n := range w.pick(a.Restart.Which, a.Restart.Count) {
			w.deleteInstance(n, "restart", false)
			w.startInstance("restart")
		}
	default:
		panic("world: unknown timeline action " + string(a.Kind))
	}
}

// deploy installs new functions: a new content revision, every running host restarts in place to load
// it, and the deploy hook calls MSG-4 (deploy tools do so 2-3 times, issue #11873).
func (w *World) deploy(d *scenarios.Deploy) {
	w.content.Functions = d.Functions
	w.content.Revision++
	w.contentChanged("deploy")
	for _, n := range w.liveNodes() {
		w.restartHost(n)
	}
	w.adminSyncs(d.HookSyncs, d.HookInterval, "admin-key", scenarios.Retry{})
}

// rotateKey changes one key (a new revision) through the key API of an instance, whose controller then
// runs a foreground sync.
func (w *World) rotateKey(r *scenarios.RotateKey) {
	value := r.Value
	if value == "" {
		value = fmt.Sprintf("rotated-%016x", w.keyRng.Uint64())
	}
	keys := w.content.Keys.Clone()
	switch r.Key.Kind {
	case "master":
		keys.Master = value
	case "host":
		keys.Host = setKey(keys.Host, r.Key.Name, value)
	case "system":
		keys.System = setKey(keys.System, r.Key.Name, value)
	case "function":
		if keys.Functions == nil {
			keys.Functions = map[string]map[string]string{}
		}
		keys.Functions[r.Key.Function] = setKey(keys.Functions[r.Key.Function], r.Key.Name, value)
	}
	w.content.Keys = keys
	w.content.Revision++
	w.keysRev = w.content.Revision
	w.secrets = append(w.secrets, value)
	w.contentChanged("rotate_key " + r.Key.String())
	w.call(kindKeys, host.AdminRequest{Method: "PUT", Path: "/admin/host/keys/" + r.Key.Name})
}

func setKey(m map[string]string, name, value string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[name] = value
	return m
}

// adminSyncs schedules count MSG-4 calls, interval apart, starting now; each is retried as retry says.
func (w *World) adminSyncs(count int, interval time.Duration, auth string, retry scenarios.Retry) {
	for i := 0; i < count; i++ {
		w.k.After(time.Duration(i)*interval, func() { w.adminSync(auth, retry, 0) })
	}
}

// adminSync makes one MSG-4 call; a caller that retries (core-tools #630) repeats it, retry.Delay after
// an answer other than 200, up to retry.Count more times (onClient). attempt 0 is the first call.
func (w *World) adminSync(auth string, retry scenarios.Retry, attempt int) {
	var extra []trace.Field
	if attempt > 0 {
		extra = append(extra, trace.F("retry", attempt))
	}
	w.call(kindMSG4, host.AdminRequest{Method: "POST", Path: host.PathSyncTriggers, Headers: w.authHeaders(auth)}, extra...)
	if attempt < retry.Count {
		w.retries[w.nextCall] = pendingRetry{auth: auth, retry: retry, attempt: attempt + 1}
	}
}

// pendingRetry is a MSG-4 call whose caller retries it if it fails.
type pendingRetry struct {
	auth    string
	retry   scenarios.Retry
	attempt int
}

// retryAfter schedules the retry of call, if its caller retries and the answer was not 200.
func (w *World) retryAfter(call, status int) {
	p, ok := w.retries[call]
	if !ok {
		return
	}
	delete(w.retries, call)
	if status == 200 {
		return
	}
	w.k.After(p.retry.Delay, func() { w.adminSync(p.auth, p.retry, p.attempt) })
}

// authHeaders authorizes a MSG-4 call: the host master key (TOK-6) or a TOK-5 token.
func (w *World) authHeaders(auth string) map[string]string {
	if auth == "token" {
		key, err := host.ParseKey(w.sc.Site.EncryptionKey)
		if err == nil {
			if tok, err := host.IssuePlatformToken(key, w.sc.Site.Name, w.now(), 5*time.Minute); err == nil {
				return map[string]string{"x-ms-site-token": tok}
			}
		}
		return map[string]string{}
	}
	return map[string]string{"x-functions-key": w.content.Keys.Master}
}

// call sends a client request to the site router.
func (w *World) call(kind string, req host.AdminRequest, extra ...trace.Field) {
	w.nextCall++
	w.k.Trace.Add(partyClient, "client.call", append([]trace.Field{trace.F("call", w.nextCall), trace.F("kind", kind), trace.F("path", req.Path)}, extra...)...)
	w.net.Send(sim.Message{From: partyClient, To: partyRouter, Kind: kind,
		Body: adminCall{kind: kind, callerID: w.nextCall, req: req}, Fields: []trace.Field{trace.F("call", w.nextCall)}})
}

func (w *World) liveNodes() []*node {
	var out []*node
	for _, inst := range w.life.Live() {
		out = append(out, w.nodes[inst.Name])
	}
	return out
}

// pick chooses the instances a scale-in or restart acts on.
func (w *World) pick(which string, count int) []*node {
	live := w.liveNodes()
	switch which {
	case "all":
		return live
	case "oldest":
		return live[:min(count, len(live))]
	case "primary":
		for _, n := range live {
			if n.m.Primary() {
				return []*node{n}
			}
		}
		fallthrough
	default: // newest
		var out []*node
		for i := len(live) - 1; i >= 0 && len(out) < count; i-- {
			out = append(out, live[i])
		}
		return out
	}
}
