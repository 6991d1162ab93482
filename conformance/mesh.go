package conformance

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncsim/syncsim/check"
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

// strayNote names requests the site saw since start that were not fetches (MSG-3 is a GET of
// /admin/host/triggers), for a rule that found no fetch.
func strayNote(env *Env, start time.Time) string {
	rs := env.Site.StraysSince(start)
	if len(rs) == 0 {
		return ""
	}
	r := rs[0]
	return fmt.Sprintf("; the site saw %d request(s) that are not fetches, the first %s %s answered %d %s (MSG-3 is a GET of %s)",
		len(rs), r.Method, r.Path, r.Status, since(start, r.At), "/admin/host/triggers")
}

// MESH-1: three well-formed notifications, each answered 2xx within 5 s.
func mesh1(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-1"))
	if !needMesh(env, v) {
		return v.done()
	}
	for i := 1; i <= 3; i++ {
		what := fmt.Sprintf("POST operation=update-triggers (fx-current-instance conformance-mesh1-%d)", i)
		a := env.notifyValid(ctx, "conformance-mesh1-"+strconv.Itoa(i))
		switch {
		case a.OK() && a.Took() <= env.answerWait():
			v.see("%s: %s", what, a)
		case a.OK():
			v.fail("%s: %s, over %s", what, a, env.answerWait())
			return v.done()
		default:
			v.fail("%s: %s, want 2xx within %s", what, a, env.answerWait())
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
		env.drain(ctx)
		start := time.Now()
		a := env.notifyValid(ctx, "conformance-mesh2-"+strconv.Itoa(i))
		if !env.accepted(v, fmt.Sprintf("notification %d", i), a) {
			continue
		}
		f, ok := waitFetch(ctx, env.Site, a.Sent, a.Took()+env.fetchWait(), false)
		switch {
		case !ok:
			v.fail("notification %d sent +0s, answered %s; no fetch started after it and completed within %s%s", i, a, env.fetchWait(), strayNote(env, start))
		case f.End.Sub(a.Answered) > env.fetchWait():
			v.fail("notification %d answered %s; %s: later than %s", i, a, describeFetch(start, f), env.fetchWait())
		default:
			v.see("notification %d answered %s; %s", i, a, describeFetch(start, f))
		}
	}
	return v.done()
}

// MESH-3: the tokens of a first fetch and of a retry after a failed one, each held to TOK-2 and
// TOK-4 (checkPlatformToken).
func mesh3(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-3"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
	start := time.Now()
	judge := func(fs []Fetch) {
		for _, f := range fs {
			if f.TokenValid {
				v.see("%s", describeFetch(start, f))
			} else if hint := tokenHint(env.Site.Name(), env.SiteSource, f); hint != "" {
				v.fail("%s: want a valid TOK-4 token; %s", describeFetch(start, f), hint)
			} else {
				v.fail("%s: want a valid TOK-4 token", describeFetch(start, f))
			}
		}
	}
	a := env.notifyValid(ctx, "conformance-mesh3-1")
	if env.accepted(v, "notification 1", a) {
		if _, ok := waitFetch(ctx, env.Site, start, a.Took()+env.fetchWait(), false); !ok {
			v.note("notification 1 answered %s; no fetch within %s (MESH-2's)%s", a, env.fetchWait(), strayNote(env, start))
		}
	}
	judge(env.Site.FetchesSince(start))
	// A retry must carry a valid token too: the first fetch after notification 2 fails with 503.
	env.drain(ctx)
	env.Site.FailNext(1, Fail503)
	t2 := time.Now()
	b := env.notifyValid(ctx, "conformance-mesh3-2")
	if env.accepted(v, "notification 2", b) {
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
	judge(env.Site.FetchesSince(t2))
	if name, ok := env.Site.Learned(); ok {
		v.note("site name %s taken from the audience of the mesh's first fetch (no --site given)", name)
	}
	if !a.OK() && !b.OK() {
		v.inconclusive("no notification accepted (%s; %s)", a, b)
	} else if v.checked == 0 {
		v.inconclusive("no fetch reached the site within %s of a notification: no token to judge%s", env.fetchWait(), strayNote(env, start))
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
	env.drain(ctx)
	env.Site.FailFor(window+time.Minute, Fail503, FailReset, Fail404)
	defer env.Site.Heal()
	start := time.Now()
	a := env.notifyValid(ctx, "conformance-mesh4")
	if !env.accepted(v, "notification", a) {
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
	if len(attempts) == 0 {
		if n := strayNote(env, start); n != "" {
			v.note("%s", strings.TrimPrefix(n, "; "))
		}
	}
	judgeRetries(v, env, start, end, attempts)
	return v.done()
}

// nextDue is how long after the last attempt a backoff of the shape seen owes the next one: the last
// gap grown by the largest growth between consecutive gaps seen (at least doubling, as the reference
// mesh's), with room for 50% jitter, plus a second. MESH-4 sets no growth factor, so the factor is
// learnt from the mesh itself, and a backoff that grows 4x is judged by its own shape.
func nextDue(gaps []time.Duration) time.Duration {
	growth := 2.0
	for i := 1; i < len(gaps); i++ {
		if gaps[i-1] > 0 {
			growth = max(growth, float64(gaps[i])/float64(gaps[i-1]))
		}
	}
	last := gaps[len(gaps)-1]
	return time.Duration(float64(last)*growth*1.5) + time.Second
}

// judgeRetries is MESH-4's judgement of the attempts seen in [start, end]. Silence after the last
// attempt is a give-up only when it is longer than the mesh's own backoff shape explains (nextDue);
// with Full, silence after the requirement is allowed (MESH-4: MAY give up after 10 minutes), and
// the retries must reach it: the last attempt, plus the gap before it, at or after the first
// failure plus RetryFor.
func judgeRetries(v *verdict, env *Env, start, end time.Time, attempts []Fetch) {
	window := end.Sub(start)
	if len(attempts) == 0 {
		v.inconclusive("no fetch within the observed %s after the notification: nothing to retry (MESH-2's)", round(window))
		return
	}
	var gaps []time.Duration
	minGap := time.Duration(-1)
	for i, f := range attempts {
		line := fmt.Sprintf("attempt %d at %s: site played %s", i+1, since(start, f.Start), f.Played)
		if i > 0 {
			gap := f.Start.Sub(attempts[i-1].Start)
			gaps = append(gaps, gap)
			if minGap < 0 || gap < minGap {
				minGap = gap
			}
			line += " (" + round(gap).String() + " after the previous)"
		}
		v.note("%s", line)
	}
	first, last := attempts[0], attempts[len(attempts)-1]
	v.checked = len(attempts) - 1
	if len(attempts) == 1 {
		v.fail("no retry within the observed %s after attempt 1 (%s) at %s (a first retry later than that needs a longer --observe)",
			round(window), last.Played, since(start, last.Start))
		return
	}
	if minGap < 100*time.Millisecond {
		if env.Strict {
			v.fail("attempts only %s apart: SHOULD wait at least 100 ms (--strict)", round(minGap))
		} else {
			v.note("SHOULD not met: attempts only %s apart (at least 100 ms expected; gates with --strict)", round(minGap))
		}
	}
	kinds := retriedKinds(attempts)
	lastGap, due, quietFor := gaps[len(gaps)-1], nextDue(gaps), end.Sub(last.Start)
	if env.Full {
		reached := last.Start.Add(lastGap).Sub(first.Start)
		switch {
		case reached >= env.retryFor():
			v.see("retried %d times over %s after the first failure (after %s); with the gap before the last attempt (%s) that covers the required %s",
				len(attempts)-1, round(last.Start.Sub(first.Start)), kinds, round(lastGap), env.retryFor())
		case quietFor > due:
			v.fail("retries stopped: last attempt %s after the first failure, short of %s; no attempt for the remaining %s of the window, where its backoff owed one within %s",
				round(last.Start.Sub(first.Start)), env.retryFor(), round(quietFor), round(due))
		default:
			v.inconclusive("last attempt %s after the first failure, short of %s, and none since; the window ended before its backoff (next within %s) owed another",
				round(last.Start.Sub(first.Start)), env.retryFor(), round(due))
		}
		return
	}
	if quietFor > due {
		v.fail("gave up: no retry after attempt %d (%s) at %s for the remaining %s of the window; its backoff (gaps up to %s) owed one within %s",
			len(attempts), last.Played, since(start, last.Start), round(quietFor), round(slices.Max(gaps)), round(due))
		return
	}
	if len(attempts) == 2 {
		v.inconclusive("one retry (after %s) within the observed %s; the window ended before a second would be due", first.Played, round(window))
		return
	}
	v.see("retried %d times within the observed %s (after %s); the rule's %s were not watched (--full watches them)",
		len(attempts)-1, round(window), kinds, env.retryFor())
}

// retriedKinds lists the failures the mesh retried after, in the order the site plays them.
func retriedKinds(attempts []Fetch) string {
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
	return strings.Join(kinds, ", ")
}

// MESH-5: notification 2 arrives while the fetch for notification 1 is held by the site; another
// fetch must start after notification 2.
func mesh5(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-5"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
	start := time.Now()
	env.Site.Hold()
	defer env.Site.Release()
	a := env.notifyValid(ctx, "conformance-mesh5-1")
	if !env.accepted(v, "notification 1", a) {
		return v.done()
	}
	f1, ok := waitFetch(ctx, env.Site, start, a.Took()+env.fetchWait(), true)
	if !ok {
		v.inconclusive("notification 1 answered %s; no fetch within %s to hold (MESH-2's)%s", a, env.fetchWait(), strayNote(env, start))
		return v.done()
	}
	v.note("notification 1 answered %s; %s, held by the site", a, describeFetch(start, f1))
	// Notification 2 comes well into the fetch (MESH-5: while a fetch is in flight, not as it starts).
	sleep(ctx, time.Until(f1.Start.Add(time.Second)))
	b := env.notifyValid(ctx, "conformance-mesh5-2")
	sleep(ctx, 100*time.Millisecond)
	env.Site.Release()
	if !env.accepted(v, "notification 2 (during the held fetch)", b) {
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

// judgeBurst holds every answer of a burst of well-formed notifications to MESH-1, wherever it is
// sent (Env.accepted), in one line for all, and returns how many the mesh accepted.
func judgeBurst(v *verdict, env *Env, id func(i int) string, answers []Answer) int {
	accepted := 0
	var breaches []string
	for i, a := range answers {
		if a.OK() {
			accepted++
		}
		if !a.OK() || a.Took() > env.answerWait() {
			breaches = append(breaches, id(i)+": "+a.String())
		}
	}
	if len(breaches) > 0 {
		v.fail("%d of %d notifications not answered 2xx within %s: breaks MESH-1 (a well-formed notification is answered 2xx within %s); first ones: %s",
			len(breaches), len(answers), env.answerWait(), env.answerWait(), strings.Join(breaches[:min(5, len(breaches))], "; "))
	}
	return accepted
}

// retriesNote says which fetches a rule did not count as its own (Env.ownFetches).
func retriesNote(v *verdict, start time.Time, retries []Fetch) {
	if len(retries) > 0 {
		v.note("%d fetch(es) not counted: retries of a failed fetch with no notification accepted since, the first %s",
			len(retries), describeFetch(start, retries[0]))
	}
}

// MESH-6: a burst of 10 notifications 50 ms apart (0.45 s) causes at most 2 fetches. Retries of a
// failed fetch are not new fetches (Env.ownFetches).
func mesh6(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-6"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
	start := time.Now()
	const burst = 10
	answers := make([]Answer, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = env.notify(ctx, "operation=update-triggers", formType, "conformance-mesh6-"+strconv.Itoa(i+1), max(15*time.Second, 2*env.answerWait()))
		}()
		if i < burst-1 {
			sleep(ctx, 50*time.Millisecond)
		}
	}
	wg.Wait()
	last := start
	for _, a := range answers {
		if a.Answered.After(last) {
			last = a.Answered
		}
	}
	accepted := judgeBurst(v, env, func(i int) string { return "conformance-mesh6-" + strconv.Itoa(i+1) }, answers)
	v.note("%d notifications sent 50 ms apart from %s; %d answered 2xx, the last answer %s", burst, since(start, start), accepted, since(start, last))
	if accepted == 0 {
		v.inconclusive("no notification of the burst was accepted")
		return v.done()
	}
	// The reference mesh fetches at most 1 s after the first pending notification; 2 s of slack
	// lets a slower but coalescing mesh finish too.
	sleep(ctx, time.Until(last.Add(2*time.Second)))
	fs, retries := env.ownFetches(env.Site.FetchesSince(start))
	retriesNote(v, start, retries)
	var times []string
	for _, f := range fs {
		times = append(times, since(start, f.Start))
	}
	switch {
	case len(fs) == 0:
		v.inconclusive("no fetch within 2 s of the burst (MESH-2's)%s", strayNote(env, start))
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
// never 5xx. Retries of a failed fetch before the rule are not fetches the malformed notifications
// caused (Env.ownFetches).
func mesh7(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-7"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
	start := time.Now()
	timeout := max(10*time.Second, 2*env.answerWait())
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
				answers[i] = env.notify(ctx, m.body, m.contentType, "conformance-mesh7-"+strconv.Itoa(i+1), timeout)
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
	fs, retries := env.ownFetches(env.Site.FetchesSince(start))
	retriesNote(v, start, retries)
	if len(fs) > 0 {
		v.fail("%d fetch(es) after malformed notifications only, the first %s", len(fs), describeFetch(start, fs[0]))
	} else {
		v.see("no fetch within 1.5 s of the last malformed notification")
	}
	a := env.notify(ctx, "operation=delete-everything", formType, "conformance-mesh7-unknown", timeout)
	switch {
	case a.Err == "" && a.Status >= 400 && a.Status < 500:
		v.see("an unknown operation: %s", a)
	default:
		v.fail("an unknown operation: %s, want 4xx", a)
	}
	return v.done()
}

// MESH-8: 100 notifications at once, each from its own instance, each answered 2xx (within MESH-1's
// bound: a late answer breaks MESH-1 wherever it is seen).
func mesh8(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-8"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
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
	if ok < n {
		v.status = check.Fail
		v.note("FAIL %d of %d concurrent notifications not answered 2xx (slowest exchange %s); first ones: %s", n-ok, n, round(slowest), strings.Join(bad, "; "))
		return v.done()
	}
	if slowest > env.answerWait() {
		judgeBurst(v, env, func(i int) string { return fmt.Sprintf("conformance-mesh8-%03d", i+1) }, answers)
		return v.done()
	}
	v.note("all %d concurrent notifications answered 2xx (slowest in %s)", n, round(slowest))
	return v.done()
}

// MESH-9: notifications with unknown fields (hash, and one of our own, in either order) are
// answered as plain ones, and lead to a fetch when a plain one does.
func mesh9(ctx context.Context, env *Env) check.Verdict {
	v := newVerdict(meshRule("MESH-9"))
	if !needMesh(env, v) {
		return v.done()
	}
	env.drain(ctx)
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
			answers[i] = env.notify(ctx, b, formType, "conformance-mesh9-"+strconv.Itoa(i+1), max(10*time.Second, 2*env.answerWait()))
		}()
	}
	wg.Wait()
	accepted := false
	for i, b := range bodies {
		a := answers[i]
		shown := strings.ReplaceAll(b, hash, hash[:12]+"...")
		switch {
		case a.OK() && a.Took() > env.answerWait():
			accepted = true
			v.fail("POST %s: %s: breaks MESH-1 (a well-formed notification is answered 2xx within %s)", shown, a, env.answerWait())
		case a.OK():
			accepted = true
			v.see("POST %s: %s", shown, a)
		default:
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
	env.drain(ctx)
	t := time.Now()
	a := env.notifyValid(ctx, "conformance-mesh9-plain")
	if _, ok := waitFetch(ctx, env.Site, t, a.Took()+env.fetchWait(), true); ok && a.OK() {
		v.fail("no fetch within %s of the notifications with unknown fields, but one after a plain notification", env.fetchWait())
	} else {
		v.note("no fetch after either form of notification within %s (MESH-2's)%s", env.fetchWait(), strayNote(env, start))
	}
	return v.done()
}
