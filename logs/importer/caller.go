package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/logs"
)

// maxRetries is SCHEMA.md's admin_sync.retry.count bound.
const maxRetries = 10

// deployBeforeCall is how long before a caller's first call the deploy it follows is placed: the
// deploy restarts the host, which runs again after instances.startup, before the call.
const deployBeforeCall = 5 * time.Second

// newCallAfter is how long after a caller's last line a new attempt starts a new call rather than
// retrying the last one.
const newCallAfter = 10 * time.Minute

// attempt is one of a caller's tries of MSG-4.
type attempt struct {
	at     time.Duration
	line   int
	status string // the answer the log shows ("" when it shows none)
	ok     bool
	n      int    // the attempt's number as the caller counts it (0 when it does not)
	uri    string // the URI its line names ("" for a line that names none)
}

// call is a caller's call of POST /admin/host/synctriggers (MSG-4) with its retries: Core Tools'
// `Syncing triggers (Attempt n/m)...` lines, a pipeline's, VS Code's, Kudu steps.
type call struct {
	attempts  []attempt
	succeeded bool
	// waiting: the last attempt has no answer yet, so a request line continues it.
	waiting bool
	// lastTry is when the scenario's admin_sync makes its last retry (its retries are delay apart).
	lastTry time.Duration
}

func (c *call) last() *attempt { return &c.attempts[len(c.attempts)-1] }

// caller plays a caller's line: the attempts of one call become one admin_sync with retry.
func (s *story) caller(stamp string, at time.Duration, e Entry) {
	cur := s.currentCall(at)
	switch e.Kind() {
	case logs.KindCallerSyncing:
		n, _ := strconv.Atoi(e.Arg("attempt"))
		if strings.HasPrefix(strings.TrimSpace(e.Message), "Retry:") {
			n++ // RetryHelper's `Retry: n of m` is the n-th retry, so attempt n+1
		}
		if cur == nil || cur.succeeded || n == 1 && len(cur.attempts) > 0 {
			cur = s.newCall()
		}
		cur.attempts = append(cur.attempts, attempt{at: at, line: e.Line, n: n})
		cur.waiting = true
		s.comment(at, stamp+" the caller calls POST /admin/host/synctriggers (MSG-4)"+attemptOf(e))
	case logs.KindCallerRequest:
		if cur == nil || cur.succeeded {
			cur = s.newCall()
		}
		uri := e.Arg("uri")
		switch {
		case len(cur.attempts) > 0 && cur.waiting && !strings.HasPrefix(cur.last().uri, "http"):
			a := cur.last()
			// The HTTP request of an attempt a line without a URI announced (`Syncing triggers...`,
			// Kudu's trace step around its HttpPost step): the attempt is when the call is made.
			a.at, a.line, a.uri = at, e.Line, uri
		default:
			cur.attempts = append(cur.attempts, attempt{at: at, line: e.Line, uri: uri})
		}
		cur.waiting = e.Arg("status") == ""
		s.answer(cur, at, e, e.Arg("status"))
		s.comment(at, stamp+" the caller's request to "+orURI(e.Arg("uri"))+answered(e.Arg("status")))
	case logs.KindCallerFailed:
		if cur == nil || cur.succeeded {
			cur = s.newCall()
			cur.attempts = append(cur.attempts, attempt{at: at, line: e.Line})
		}
		cur.waiting = false
		status := e.Arg("status")
		if status == "" {
			status = "failed"
		}
		cur.last().status = status
		s.comment(at, stamp+" the caller's call fails ("+status+")")
	case logs.KindCallerSucceeded:
		if cur == nil || cur.succeeded {
			cur = s.newCall()
			cur.attempts = append(cur.attempts, attempt{at: at, line: e.Line})
		}
		cur.waiting, cur.succeeded = false, true
		cur.last().ok = true
		s.success(at)
		s.comment(at, stamp+" the caller's call succeeds")
	}
}

// answer records a Kudu or pipeline step's status on the call's last attempt.
func (s *story) answer(c *call, at time.Duration, e Entry, status string) {
	if status == "" {
		return
	}
	code, _ := logs.StatusCode(status)
	if code >= 200 && code < 300 {
		c.last().ok, c.succeeded = true, true
		s.success(at)
		return
	}
	c.last().status = status
}

func attemptOf(e Entry) string {
	if n := e.Arg("attempt"); n != "" && e.Arg("of") != "" {
		return " (attempt " + n + " of " + e.Arg("of") + ")"
	}
	return ""
}

func orURI(u string) string {
	if u == "" {
		return "admin/host/synctriggers"
	}
	return u
}

func answered(status string) string {
	if status == "" {
		return ""
	}
	return ", answered " + status
}

func (s *story) currentCall(at time.Duration) *call {
	if len(s.calls) == 0 {
		return nil
	}
	c := s.calls[len(s.calls)-1]
	if at-c.last().at > newCallAfter {
		return nil
	}
	return c
}

func (s *story) newCall() *call {
	c := &call{}
	s.calls = append(s.calls, c)
	return c
}

// playCalls turns each call into an admin_sync with the log's count and spacing, and its failed
// answers into the front end's.
func (s *story) playCalls() {
	for _, c := range s.calls {
		s.playCall(c)
	}
}

func (s *story) playCall(c *call) {
	first := c.attempts[0]
	shown := len(c.attempts)
	// The caller's numbers count attempts the excerpt may not show (it starts at attempt 2).
	n := max(shown, c.last().n)
	action := "admin_sync: {count: 1}"
	spacing := ""
	if n > 1 {
		retries := min(n-1, maxRetries)
		delay := DefaultSpacing
		how := fmt.Sprintf("the log's attempts carry no spacing, so %s, the spacing the import chooses", duration(delay))
		if shown > 1 {
			if d := ((c.last().at - first.at) / time.Duration(shown-1)).Round(time.Millisecond); d > 0 {
				delay, how = d, fmt.Sprintf("the log's attempts are %s apart on average", duration(d))
			}
		}
		if missed := n - shown; missed > 0 && first.n > 1 {
			at := max(first.at-time.Duration(missed)*delay, startup)
			s.notes = append(s.notes, fmt.Sprintf("the caller's call of line %d is attempt %d: the log does not show the %d before it, placed %s apart before it (from %s)",
				first.line, first.n, missed, duration(delay), duration(at)))
			first.at = at
		}
		action = fmt.Sprintf("admin_sync: {count: 1, retry: {count: %d, delay: %s}}", retries, duration(delay))
		c.lastTry = first.at + time.Duration(retries)*delay
		spacing = fmt.Sprintf(": %d attempts (%s)", n, how)
		if n-1 > maxRetries {
			s.notes = append(s.notes, fmt.Sprintf("the caller's call of line %d tries %d times; admin_sync retries at most %d times, so the scenario's call tries %d times", first.line, n, maxRetries, maxRetries+1))
		}
	}
	if !s.callerDeployed {
		// A deploy tool calls sync triggers after a deployment (Core Tools publish, VS Code's
		// deploy, Kudu's zip deploy): the call is there to publish a content change.
		s.callerDeployed = true
		at := max(first.at-deployBeforeCall, 0)
		s.deployAt(fmt.Sprintf("%s (line %d) the caller syncs after a deployment the log does not show:", duration(at), first.line), at)
		s.notes = append(s.notes, fmt.Sprintf("a deploy tool calls sync triggers after a deployment: a deploy at %s, %s before the caller's first call (line %d), stands for it", duration(at), duration(first.at-at), first.line))
	}
	s.act(fmt.Sprintf("%s (line %d) the caller's call of POST /admin/host/synctriggers%s", duration(first.at), first.line, spacing), first.at, action)
	s.syncCauses = append(s.syncCauses, first.at)
	var failed []attempt
	for _, a := range c.attempts {
		if !a.ok && a.status != "" {
			failed = append(failed, a)
		}
	}
	retriedBlind := n > 1 && len(failed) == 0
	if len(failed) == 0 && !retriedBlind {
		if c.succeeded {
			s.tell("the caller's sync call succeeds")
		}
		return
	}
	var status string
	var code int
	if retriedBlind {
		// A call is retried only after an answer other than 200 (core-tools RetryHelper).
		status, code = "other than 200 (the log does not show the answers)", 503
		s.notes = append(s.notes, fmt.Sprintf("the caller retries the call of line %d without the log showing its answers: 503 (retriable, as core-tools #630's front end answered) is assumed", first.line))
		failed = c.attempts
		if c.succeeded {
			failed = c.attempts[:n-1]
		}
	} else {
		status, code = callerStatus(failed)
	}
	last := failed[len(failed)-1]
	s.tell(fmt.Sprintf("the caller tries %d time(s), answered %s", n, status))
	if !c.succeeded {
		s.tell("the caller gives up")
	}
	end := " and the caller gives up"
	if c.succeeded {
		end = "; the last attempt succeeds"
	}
	s.failure(last.at, first.line, fmt.Sprintf("the caller's sync call is tried %d time(s), answered %s%s", n, status, end))
	s.callerFault(c, first, last, status, code)
}

// callerStatus is the answer the failed attempts show most often, as a status code.
func callerStatus(failed []attempt) (string, int) {
	counts := map[string]int{}
	var names []string
	for _, a := range failed {
		if counts[a.status] == 0 {
			names = append(names, a.status)
		}
		counts[a.status]++
	}
	slices.SortStableFunc(names, func(a, b string) int { return counts[b] - counts[a] })
	code, ok := logs.StatusCode(names[0])
	if !ok {
		code = 500
	}
	return names[0], code
}

// callerFault makes the front end answer what the caller was answered, over the attempts: the
// host answers MSG-4 with 500 when its sync fails (SYNC-7), and a deploy tool passes on the front
// end's answer (core-tools #630: 503 as 429, 400 as BadRequest). A 500 the caller sees is the
// host's answer to a failed publish, so the front end's 500 stands for it.
func (s *story) callerFault(c *call, first, last attempt, status string, code int) {
	what := fmt.Sprintf("the caller's %s (lines %d-%d)", status, first.line, last.line)
	e := Entry{}
	e.Line = first.line
	stamp := fmt.Sprintf("%s (line %d) caller:", duration(first.at), first.line)
	before := len(s.profile)
	s.feFault(stamp, first.at, e, what, code)
	if len(s.profile) == before {
		return
	}
	f := &s.profile[len(s.profile)-1]
	// Cover every failed attempt, and stop before the attempt that succeeded.
	f.until = max(f.until, (last.at + time.Second).Truncate(time.Second))
	if !c.succeeded {
		// The scenario's retries come delay after each failed answer: every one falls in the window.
		f.until = max(f.until, (c.lastTry + 2*time.Second).Truncate(time.Second))
	}
	if c.succeeded {
		ok := c.last().at
		f.until = min(f.until, max(last.at+time.Millisecond, (last.at+ok)/2))
		f.holdable = false
		f.comment += fmt.Sprintf("; it ends before the caller's last attempt at %s, which succeeds", duration(ok))
	}
	s.faultsEnd = max(s.faultsEnd, f.until)
}
