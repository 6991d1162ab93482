package live

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/trace"
	"github.com/syncsim/syncsim/scenarios"
)

// apply plays one timeline action, as the simulator does.
func (r *run) apply(index int, a scenarios.Action) {
	r.rec.add(partyWorld, "timeline", trace.F("index", index), trace.F("action", string(a.Kind)), trace.F("line", a.Line))
	switch a.Kind {
	case scenarios.ActionDeploy:
		r.mu.Lock()
		r.content.Functions = a.Deploy.Functions
		r.content.Revision++
		r.mu.Unlock()
		r.contentChanged("deploy")
		for _, h := range r.live() {
			h.restartHost()
		}
		r.adminSyncs(a.Deploy.HookSyncs, a.Deploy.HookInterval, "admin-key")
	case scenarios.ActionRotateKey:
		r.rotateKey(a.RotateKey)
	case scenarios.ActionAdminSync:
		r.adminSyncs(a.AdminSync.Count, a.AdminSync.Interval, a.AdminSync.Auth)
	case scenarios.ActionStart:
		for i := 0; i < a.Start.Count; i++ {
			r.startInstance("scale-out")
		}
	case scenarios.ActionDelete:
		for _, h := range r.pick(a.Delete.Which, a.Delete.Count) {
			h.mu.Lock()
			h.killLocked("scale-in", false)
			h.mu.Unlock()
		}
	case scenarios.ActionRestart:
		for _, h := range r.pick(a.Restart.Which, a.Restart.Count) {
			h.mu.Lock()
			h.killLocked("restart", false)
			h.mu.Unlock()
			r.startInstance("restart")
		}
	}
}

func (r *run) rotateKey(k *scenarios.RotateKey) {
	r.mu.Lock()
	value := k.Value
	if value == "" {
		value = fmt.Sprintf("rotated-%016x", r.keyRng.Uint64())
	}
	keys := r.content.Keys.Clone()
	set := func(m map[string]string) map[string]string {
		if m == nil {
			m = map[string]string{}
		}
		m[k.Key.Name] = value
		return m
	}
	switch k.Key.Kind {
	case "master":
		keys.Master = value
	case "host":
		keys.Host = set(keys.Host)
	case "system":
		keys.System = set(keys.System)
	case "function":
		if keys.Functions == nil {
			keys.Functions = map[string]map[string]string{}
		}
		keys.Functions[k.Key.Function] = set(keys.Functions[k.Key.Function])
	}
	r.content.Keys = keys
	r.content.Revision++
	r.keysRev = r.content.Revision
	r.secrets = append(r.secrets, value)
	r.mu.Unlock()
	r.contentChanged("rotate_key " + k.Key.String())
	r.call("keys.request", "PUT", "/admin/host/keys/"+k.Key.Name, nil)
}

// adminSyncs makes count MSG-4 calls, interval apart, starting now.
func (r *run) adminSyncs(count int, interval time.Duration, auth string) {
	for i := 0; i < count; i++ {
		r.after(time.Duration(i)*interval, func() {
			r.call("msg4.request", "POST", host.PathSyncTriggers, r.authHeaders(auth))
		})
	}
}

// authHeaders authorizes a MSG-4 call: the host master key (TOK-6) or a TOK-5 token.
func (r *run) authHeaders(auth string) map[string]string {
	if auth == "token" {
		if key, err := host.ParseKey(r.sc.Site.EncryptionKey); err == nil {
			if tok, err := host.IssuePlatformToken(key, r.sc.Site.Name, time.Now(), 5*time.Minute); err == nil {
				return map[string]string{"x-ms-site-token": tok}
			}
		}
		return map[string]string{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return map[string]string{"x-functions-key": r.content.Keys.Master}
}

// call is a client request to the site router; its answer is recorded as the simulator records it.
func (r *run) call(kind, method, path string, headers map[string]string) {
	r.mu.Lock()
	r.calls++
	id := r.calls
	r.mu.Unlock()
	r.rec.add(partyClient, "client.call", trace.F("call", id), trace.F("kind", kind), trace.F("path", path))
	r.goroutine(func() {
		req, err := http.NewRequest(method, r.router.srv.url+path, nil)
		if err != nil {
			return
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		req.Header.Set("x-syncsim-call", strconv.Itoa(id))
		c := &http.Client{Transport: httpClient.Transport, Timeout: r.scaled(3 * time.Minute)}
		resp, err := c.Do(req)
		if err != nil {
			r.rec.add(partyClient, "client.response", trace.F("call", id), trace.F("kind", respKind(kind)), trace.F("status", 0))
			return
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		route, _ := strconv.Atoi(resp.Header.Get(headerRoute))
		fields := []trace.Field{trace.F("call", id), trace.F("route", route), trace.F("kind", respKind(kind)), trace.F("status", resp.StatusCode)}
		if span := resp.Header.Get(headerSpan); span != "" {
			fields = append(fields, trace.F("instance", resp.Header.Get(headerInstance)), trace.F("span", span))
		}
		if kind == "msg4.request" {
			if res := statusText(body); res != "" {
				fields = append(fields, trace.F("result", res))
			}
		}
		r.rec.add(partyClient, "client.response", fields...)
	})
}

func respKind(kind string) string {
	switch kind {
	case "msg4.request":
		return "msg4.response"
	case "msg3.request":
		return "msg3.response"
	}
	return "keys.response"
}

// live lists the instances not deleted, oldest first.
func (r *run) live() []*liveHost {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*liveHost
	for _, h := range r.hosts {
		h.mu.Lock()
		if h.alive {
			out = append(out, h)
		}
		h.mu.Unlock()
	}
	return out
}

// pick chooses the instances a scale-in or restart acts on, as the simulator does.
func (r *run) pick(which string, count int) []*liveHost {
	live := r.live()
	switch which {
	case "all":
		return live
	case "oldest":
		return live[:min(count, len(live))]
	case "primary":
		for _, h := range live {
			h.mu.Lock()
			p := h.m.Primary()
			h.mu.Unlock()
			if p {
				return []*liveHost{h}
			}
		}
	}
	var out []*liveHost
	for i := len(live) - 1; i >= 0 && len(out) < count; i-- {
		out = append(out, live[i])
	}
	return out
}
