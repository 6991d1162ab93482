package conformance

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/internal/check"
)

// MeshRules are MESH-1..9 (PROTOCOL.md section 8, "Mesh"), in ID order. They need env.MeshURL and
// env.Site, the harness's site the mesh fetches from.
func MeshRules() []Rule {
	return []Rule{
		{ID: "MESH-1", Level: check.Must, Name: "notification-answered",
			Title: "MUST answer a well-formed `operation=update-triggers` with 2xx within 5 s", Run: mesh1},
		{ID: "MESH-2", Level: check.Must, Name: "fetch-after-notification",
			Title: "MUST, after each accepted notification, complete a MSG-3 fetch that started after that notification was received, within 30 s when the site answers", Run: mesh2},
		{ID: "MESH-3", Level: check.Must, Name: "fetch-token",
			Title: "MUST present a valid TOK-4 token on every fetch", Run: mesh3},
		{ID: "MESH-4", Level: check.Must, Name: "retry-failed-fetch", Disruptive: true,
			Title: "MUST retry a failed fetch (401 excepted; 404, 5xx, refused or reset connection, timeout) with backoff for at least 10 minutes; SHOULD wait at least 100 ms between attempts", Run: mesh4},
		{ID: "MESH-5", Level: check.Must, Name: "latest-wins",
			Title: "MUST NOT lose an update by deduplication: a notification that arrives while a fetch is in flight causes another fetch that starts after it", Run: mesh5},
		{ID: "MESH-6", Level: check.Should, Name: "coalesce-burst",
			Title: "SHOULD coalesce: a burst of notifications within 1 s causes at most 2 fetches", Run: mesh6},
		{ID: "MESH-7", Level: check.Must, Name: "reject-malformed",
			Title: "MUST answer with 400 and fetch nothing for an empty body, a body that is not application/x-www-form-urlencoded, invalid percent-encoding or UTF-8, a missing or empty operation; 4xx for an unknown operation; never 5xx for a client's mistake", Run: mesh7},
		{ID: "MESH-8", Level: check.Must, Name: "concurrent-notifications",
			Title: "MUST answer every one of 100 concurrent notifications (from different fx-current-instance values)", Run: mesh8},
		{ID: "MESH-9", Level: check.Must, Name: "ignore-unknown-fields",
			Title: "MUST ignore unknown form fields (such as hash)", Run: mesh9},
	}
}

func meshRule(id string) Rule {
	r, _ := Find(MeshRules(), id)
	return r
}

// needMesh checks the Env has what mesh rules need.
func needMesh(env *Env, v *verdict) bool {
	switch {
	case env.MeshURL == "":
		v.inconclusive("no mesh URL given")
	case env.Site == nil:
		v.inconclusive("the harness's site is not running")
	default:
		return true
	}
	return false
}

// waitFetch waits up to d for a fetch that reached the site at or after t and whose answer was
// written (or, with started, only begun).
func waitFetch(ctx context.Context, site *Site, t time.Time, d time.Duration, started bool) (Fetch, bool) {
	deadline := time.Now().Add(d)
	for {
		for _, f := range site.FetchesSince(t) {
			if started || !f.End.IsZero() {
				return f, true
			}
		}
		if time.Now().After(deadline) || !sleep(ctx, 20*time.Millisecond) {
			return Fetch{}, false
		}
	}
}

func describeFetch(start time.Time, f Fetch) string {
	s := "fetch " + f.Method + " " + f.Path + " started " + since(start, f.Start)
	if !f.End.IsZero() {
		if f.Status == 0 {
			s += ", connection reset " + since(start, f.End)
		} else {
			s += ", answered " + strconv.Itoa(f.Status) + " " + since(start, f.End)
		}
	}
	if f.TokenValid {
		s += ", token valid"
	} else {
		s += ", token " + f.TokenProblem
	}
	return s
}

// MESH-1: three well-formed notifications, each answered 2xx within 5 s.
func mesh1(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-1"))
	if !needMesh(env, v) {
		return v.done()
	}
	for i := 1; i <= 3; i++ {
		a := env.notify(ctx, "operation=update-triggers", formType, "conformance-mesh1-"+strconv.Itoa(i), 2*AnswerDeadline)
		switch {
		case a.OK() && a.Took() <= AnswerDeadline:
			v.see("POST operation=update-triggers (fx-current-instance conformance-mesh1-%d): %s", i, a)
		case a.OK():
			v.fail("POST operation=update-triggers (fx-current-instance conformance-mesh1-%d): %s, over 5 s", i, a)
			return v.done()
		default:
			v.fail("POST operation=update-triggers (fx-current-instance conformance-mesh1-%d): %s, want 2xx within 5 s", i, a)
			return v.done()
		}
	}
	return v.done()
}

// MESH-2: two notifications, one after the other; each must be followed by a fetch that starts
// after it was sent and is answered within 30 s. Any answer counts as completed: whether the
// token was valid is MESH-3's.
func mesh2(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-2"))
	if !needMesh(env, v) {
		return v.done()
	}
	for i := 1; i <= 2; i++ {
		env.quiet(ctx)
		start := time.Now()
		a := env.notifyValid(ctx, "conformance-mesh2-"+strconv.Itoa(i))
		if !a.OK() {
			v.inconclusive("notification %d not accepted (%s): nothing owed (MESH-1 judges the answer)", i, a)
			continue
		}
		f, ok := waitFetch(ctx, env.Site, a.Sent, a.Took()+env.fetchWait(), false)
		switch {
		case !ok:
			v.fail("notification %d sent +0s, answered %s; no fetch started after it and completed within %s", i, a, env.fetchWait())
		case f.End.Sub(a.Answered) > env.fetchWait():
			v.fail("notification %d answered %s; %s: later than %s", i, a, describeFetch(start, f), env.fetchWait())
		default:
			v.see("notification %d answered %s; %s", i, a, describeFetch(start, f))
		}
	}
	return v.done()
}

// MESH-3: the tokens of a first fetch and of a retry after a failed one.
func mesh3(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-3"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	start := time.Now()
	seen := 0
	judge := func(fs []Fetch) {
		for _, f := range fs[seen:] {
			if f.TokenValid {
				v.see("%s", describeFetch(start, f))
			} else {
				v.fail("%s: want a valid TOK-4 token", describeFetch(start, f))
			}
		}
		seen = len(fs)
	}
	a := env.notifyValid(ctx, "conformance-mesh3-1")
	if a.OK() {
		if _, ok := waitFetch(ctx, env.Site, start, a.Took()+env.fetchWait(), false); !ok {
			v.note("notification 1 answered %s; no fetch within %s (MESH-2's)", a, env.fetchWait())
		}
		judge(env.Site.FetchesSince(start))
	}
	// A retry must carry a valid token too: the first fetch after notification 2 fails with 503.
	env.quiet(ctx)
	env.Site.FailNext(1, Fail503)
	t2 := time.Now()
	b := env.notifyValid(ctx, "conformance-mesh3-2")
	if b.OK() {
		if _, ok := waitFetch(ctx, env.Site, t2, b.Took()+env.fetchWait(), false); ok {
			deadline := time.Now().Add(min(env.fetchWait(), 10*time.Second))
			for len(env.Site.FetchesSince(t2)) < 2 && time.Now().Before(deadline) && sleep(ctx, 20*time.Millisecond) {
			}
			if len(env.Site.FetchesSince(t2)) < 2 {
				v.note("no retry within 10 s of the site's 503 (MESH-4's)")
			}
		}
	}
	env.Site.Heal()
	judge(env.Site.FetchesSince(start))
	if !a.OK() && !b.OK() {
		v.inconclusive("no notification accepted (%s; %s)", a, b)
	} else if v.checked == 0 {
		v.inconclusive("no fetch reached the site within %s of a notification: no token to judge", env.fetchWait())
	}
	return v.done()
}

// MESH-4: the site fails every fetch for the observed window (503, reset connection, 404 in turn);
// the mesh must keep retrying, with at least 100 ms between attempts.
func mesh4(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-4"))
	if !needMesh(env, v) {
		return v.done()
	}
	window := env.observe()
	env.quiet(ctx)
	env.Site.FailFor(window+time.Minute, Fail503, FailReset, Fail404)
	defer env.Site.Heal()
	start := time.Now()
	a := env.notifyValid(ctx, "conformance-mesh4")
	if !a.OK() {
		v.inconclusive("notification not accepted (%s)", a)
		return v.done()
	}
	env.logf("MESH-4: the site fails every fetch; watching %s", window)
	sleep(ctx, time.Until(start.Add(window)))
	end := time.Now()
	if ctx.Err() != nil {
		v.inconclusive("interrupted after %s of the %s window", round(end.Sub(start)), window)
	}
	var attempts []Fetch
	for _, f := range env.Site.FetchesSince(start) {
		if !f.Start.After(end) {
			attempts = append(attempts, f)
		}
	}
	judgeRetries(v, env, start, end, attempts)
	return v.done()
}

// judgeRetries is MESH-4's judgement of the attempts seen in [start, end].
func judgeRetries(v *verdict, env *Env, start, end time.Time, attempts []Fetch) {
	window := end.Sub(start)
	if len(attempts) == 0 {
		v.inconclusive("no fetch within the observed %s after the notification: nothing to retry (MESH-2's)", round(window))
		return
	}
	var maxGap time.Duration
	minGap := time.Duration(-1)
	for i, f := range attempts {
		line := fmt.Sprintf("attempt %d at %s: site played %s", i+1, since(start, f.Start), f.Played)
		if i > 0 {
			gap := f.Start.Sub(attempts[i-1].Start)
			maxGap = max(maxGap, gap)
			if minGap < 0 || gap < minGap {
				minGap = gap
			}
			line += " (" + round(gap).String() + " after the previous)"
		}
		v.note("%s", line)
	}
	last := attempts[len(attempts)-1]
	v.checked = len(attempts) - 1
	if len(attempts) == 1 {
		v.fail("no retry within the observed %s after attempt 1 (%s) at %s", round(window), last.Played, since(start, last.Start))
		return
	}
	if minGap < 100*time.Millisecond {
		if env.Strict {
			v.fail("attempts only %s apart: SHOULD wait at least 100 ms (--strict)", round(minGap))
		} else {
			v.note("SHOULD not met: attempts only %s apart (at least 100 ms expected; gates with --strict)", round(minGap))
		}
	}
	// A mesh that gave up: no attempt for far longer than its own backoff could explain (three times
	// the longest gap seen covers doubling with ±20% jitter), plus a second of slack.
	if quietFor := end.Sub(last.Start); quietFor > 3*maxGap+time.Second {
		v.fail("gave up: no retry after attempt %d (%s) at %s for the remaining %s of the window (longest gap before: %s)",
			len(attempts), last.Played, since(start, last.Start), round(quietFor), round(maxGap))
		return
	}
	retried := map[Failure]bool{}
	for _, f := range attempts[:len(attempts)-1] {
		retried[f.Played] = true
	}
	var kinds []string
	for _, k := range []Failure{Fail503, FailReset, Fail404} {
		if retried[k] {
			kinds = append(kinds, k.String())
		}
	}
	if env.Full {
		first := attempts[0].Start
		if last.Start.Add(maxGap).Before(first.Add(env.retryFor())) {
			v.fail("retries stopped: last attempt %s after the first failure, short of %s", round(last.Start.Sub(first)), env.retryFor())
			return
		}
		v.see("retried %d times over %s after the first failure (after %s), covering the required %s",
			len(attempts)-1, round(last.Start.Sub(first)), strings.Join(kinds, ", "), env.retryFor())
		return
	}
	if len(attempts) == 2 {
		v.inconclusive("one retry (after %s) within the observed %s; the window ended before a second would be due", attempts[0].Played, round(window))
		return
	}
	v.see("retried %d times within the observed %s (after %s); the rule's %s were not watched (--full watches them)",
		len(attempts)-1, round(window), strings.Join(kinds, ", "), env.retryFor())
}

// MESH-5: notification 2 arrives while the fetch for notification 1 is held by the site; another
// fetch must start after notification 2.
func mesh5(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-5"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	start := time.Now()
	env.Site.Hold()
	defer env.Site.Release()
	a := env.notifyValid(ctx, "conformance-mesh5-1")
	if !a.OK() {
		v.inconclusive("notification 1 not accepted (%s)", a)
		return v.done()
	}
	f1, ok := waitFetch(ctx, env.Site, start, a.Took()+env.fetchWait(), true)
	if !ok {
		v.inconclusive("notification 1 answered %s; no fetch within %s to hold (MESH-2's)", a, env.fetchWait())
		return v.done()
	}
	v.note("notification 1 answered %s; %s, held by the site", a, describeFetch(start, f1))
	b := env.notifyValid(ctx, "conformance-mesh5-2")
	sleep(ctx, 100*time.Millisecond)
	env.Site.Release()
	if !b.OK() {
		v.inconclusive("notification 2 (during the held fetch) not accepted (%s)", b)
		return v.done()
	}
	v.note("notification 2 sent %s during the held fetch, answered %s; fetch released %s", since(start, b.Sent), b, since(start, time.Now()))
	f2, ok := waitFetch(ctx, env.Site, b.Sent, b.Took()+env.fetchWait(), true)
	if !ok {
		v.fail("no fetch started after notification 2 (sent %s while a fetch was in flight) within %s: the update was lost", since(start, b.Sent), env.fetchWait())
		return v.done()
	}
	v.see("another %s", describeFetch(start, f2))
	return v.done()
}

// MESH-6: a burst of 10 notifications 50 ms apart (0.45 s) causes at most 2 fetches.
func mesh6(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-6"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	start := time.Now()
	const burst = 10
	answers := make([]Answer, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = env.notify(ctx, "operation=update-triggers", formType, "conformance-mesh6-"+strconv.Itoa(i+1), 15*time.Second)
		}()
		if i < burst-1 {
			sleep(ctx, 50*time.Millisecond)
		}
	}
	wg.Wait()
	accepted := 0
	last := start
	for _, a := range answers {
		if a.OK() {
			accepted++
		}
		if a.Answered.After(last) {
			last = a.Answered
		}
	}
	v.note("%d notifications sent 50 ms apart from %s; %d answered 2xx, the last answer %s", burst, since(start, start), accepted, since(start, last))
	if accepted == 0 {
		v.inconclusive("no notification of the burst was accepted")
		return v.done()
	}
	// The reference mesh fetches at most 1 s after the first pending notification; 2 s of slack
	// lets a slower but coalescing mesh finish too.
	sleep(ctx, time.Until(last.Add(2*time.Second)))
	fs := env.Site.FetchesSince(start)
	var times []string
	for _, f := range fs {
		times = append(times, since(start, f.Start))
	}
	switch {
	case len(fs) == 0:
		v.inconclusive("no fetch within 2 s of the burst (MESH-2's)")
	case len(fs) <= 2:
		v.see("the burst caused %d fetch(es), at %s", len(fs), strings.Join(times, ", "))
	default:
		v.fail("the burst of %d notifications in 0.45 s caused %d fetches (at most 2), at %s", burst, len(fs), strings.Join(times, ", "))
	}
	return v.done()
}

// malformed is one of MESH-7's bad notifications.
type malformed struct {
	what, body, contentType string
}

var malformedNotifications = []malformed{
	{"an empty body", "", formType},
	{"a JSON body", `{"operation":"update-triggers"}`, "application/json"},
	{"a text/plain body", "operation=update-triggers", "text/plain"},
	{"invalid percent-encoding", "operation=update-trigger%G1", formType},
	{"percent-encoded invalid UTF-8", "operation=update-triggers&note=%FF%FE", formType},
	{"raw invalid UTF-8", "operation=update-triggers&note=\xff\xfe", formType},
	{"a missing operation", "note=update-triggers", formType},
	{"an empty operation", "operation=", formType},
}

// MESH-7: every malformed notification answered 400, no fetch; an unknown operation answered 4xx;
// never 5xx.
func mesh7(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-7"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	start := time.Now()
	// Four at a time: a slow mesh does not make the rule slow, and four is well within what a mesh
	// must take at once (MESH-8).
	answers := make([]Answer, len(malformedNotifications))
	for lo := 0; lo < len(malformedNotifications); lo += 4 {
		var wg sync.WaitGroup
		for i := lo; i < min(lo+4, len(malformedNotifications)); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := malformedNotifications[i]
				answers[i] = env.notify(ctx, m.body, m.contentType, "conformance-mesh7-"+strconv.Itoa(i+1), 10*time.Second)
			}()
		}
		wg.Wait()
	}
	for i, m := range malformedNotifications {
		a := answers[i]
		switch {
		case a.Err == "" && a.Status == 400:
			v.see("%s: %s", m.what, a)
		case a.Err == "" && a.Status >= 500:
			v.fail("%s: %s: 5xx for a client's mistake, want 400", m.what, a)
		default:
			v.fail("%s: %s, want 400", m.what, a)
		}
	}
	// Long enough for the reference mesh's debounce (1 s at most) to have fired on any of them.
	sleep(ctx, 1500*time.Millisecond)
	if fs := env.Site.FetchesSince(start); len(fs) > 0 {
		v.fail("%d fetch(es) after malformed notifications only, the first %s", len(fs), describeFetch(start, fs[0]))
	} else {
		v.see("no fetch within 1.5 s of the last malformed notification")
	}
	a := env.notify(ctx, "operation=delete-everything", formType, "conformance-mesh7-unknown", 10*time.Second)
	switch {
	case a.Err == "" && a.Status >= 400 && a.Status < 500:
		v.see("an unknown operation: %s", a)
	default:
		v.fail("an unknown operation: %s, want 4xx", a)
	}
	return v.done()
}

// MESH-8: 100 notifications at once, each from its own instance, each answered 2xx.
func mesh8(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-8"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	const n = 100
	answers := make([]Answer, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			answers[i] = env.notify(ctx, "operation=update-triggers", formType, fmt.Sprintf("conformance-mesh8-%03d", i+1), 15*time.Second)
		}()
	}
	close(gate)
	wg.Wait()
	ok := 0
	var slowest time.Duration
	var bad []string
	for i, a := range answers {
		v.checked++
		slowest = max(slowest, a.Took())
		if a.OK() {
			ok++
			continue
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("conformance-mesh8-%03d: %s", i+1, a))
		}
	}
	if ok == n {
		v.note("all %d concurrent notifications answered 2xx (slowest in %s)", n, round(slowest))
		return v.done()
	}
	v.status = check.Fail
	v.note("FAIL %d of %d concurrent notifications not answered 2xx (slowest exchange %s); first ones: %s", n-ok, n, round(slowest), strings.Join(bad, "; "))
	return v.done()
}

// MESH-9: notifications with unknown fields (hash, and one of our own, in either order) are
// answered as plain ones, and lead to a fetch when a plain one does.
func mesh9(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-9"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.quiet(ctx)
	start := time.Now()
	hash := env.Site.ExpectedHash()
	bodies := []string{
		"operation=update-triggers&hash=" + hash,
		"hash=" + hash + "&x-conformance-probe=1&operation=update-triggers",
	}
	answers := make([]Answer, len(bodies))
	var wg sync.WaitGroup
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = env.notify(ctx, b, formType, "conformance-mesh9-"+strconv.Itoa(i+1), 10*time.Second)
		}()
	}
	wg.Wait()
	accepted := false
	for i, b := range bodies {
		a := answers[i]
		shown := strings.ReplaceAll(b, hash, hash[:12]+"...")
		if a.OK() {
			accepted = true
			v.see("POST %s: %s", shown, a)
		} else {
			v.fail("POST %s: %s, want 2xx as without the unknown fields", shown, a)
		}
	}
	if !accepted {
		return v.done()
	}
	if f, ok := waitFetch(ctx, env.Site, start, env.fetchWait(), true); ok {
		v.see("acted on: %s", describeFetch(start, f))
		return v.done()
	}
	// No fetch: does a plain notification get one? If not, fetching is MESH-2's matter.
	env.quiet(ctx)
	t := time.Now()
	a := env.notifyValid(ctx, "conformance-mesh9-plain")
	if _, ok := waitFetch(ctx, env.Site, t, a.Took()+env.fetchWait(), true); ok && a.OK() {
		v.fail("no fetch within %s of the notifications with unknown fields, but one after a plain notification", env.fetchWait())
	} else {
		v.note("no fetch after either form of notification within %s (MESH-2's)", env.fetchWait())
	}
	return v.done()
}
