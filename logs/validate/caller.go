package validate

import (
	"strconv"
	"strings"

	"github.com/syncsim/syncsim/logs"
)

// msg4Answers are the answers MSG-4 gives (PROTOCOL.md section 5): 200 when the foreground sync
// succeeded, 500 with SYNC-7's text when it failed, 503 after 30 s without a running host, and
// 401/403 for a caller TOK-5/TOK-6 refuse.
var msg4Answers = map[int]string{
	200: "the sync succeeded", 500: "the sync failed (SYNC-7)", 503: "no running host for 30 s",
	401: "the caller's key or token is refused (TOK-5)", 403: "the caller's token lacks the claim (TOK-5, TOK-6)",
}

// callerState is what the caller's lines said so far: the call under way and its attempts.
type callerState struct {
	inCall   bool
	attempt  int  // the attempt under way (from 1)
	of       int  // the attempts the caller says it makes (0: not said)
	answered bool // the attempt under way has an answer
	ok       bool // that answer was a success
}

// callerStep judges a caller's line against MSG-4: a retry follows an answer other than 200 (a
// deploy tool retries only a failed call, core-tools #630), attempts count up by one within their
// stated number, and every answer is one MSG-4 gives. An answer MSG-4 never gives (a 400, a 429)
// comes from another endpoint the caller called (ARM's syncfunctiontriggers passes on the front
// end's answer): it is skipped, not judged.
func (c *checker) callerStep(l line) outcome {
	s := &c.caller
	switch l.Kind() {
	case logs.KindCallerSyncing:
		n, _ := strconv.Atoi(l.Arg("attempt"))
		if strings.HasPrefix(strings.TrimSpace(l.Message), "Retry:") {
			n++ // RetryHelper's `Retry: n of m` is the n-th retry, so attempt n+1
		}
		of, _ := strconv.Atoi(l.Arg("of"))
		return c.attempt(l, n, of)
	case logs.KindCallerRequest:
		if l.Arg("status") == "" {
			if s.inCall && !s.answered {
				return outcome{sync: true}
			}
			return c.attempt(l, 0, 0)
		}
		if !s.inCall || s.answered {
			if o := c.attempt(l, 0, 0); o.failure != nil {
				return o
			}
		}
		return c.answer(l, l.Arg("status"))
	case logs.KindCallerFailed:
		if !s.inCall || s.answered && s.ok {
			c.attempt(l, 0, 0)
		}
		return c.answer(l, l.Arg("status"))
	case logs.KindCallerSucceeded:
		if !s.inCall {
			c.attempt(l, 0, 0)
		}
		s.answered, s.ok = true, true
		return outcome{sync: true}
	}
	return outcome{skip: SkipNotAStep}
}

// attempt judges the start of an attempt numbered n of of (0: not numbered).
func (c *checker) attempt(l line, n, of int) outcome {
	s := &c.caller
	retry := s.inCall && !s.ok && (n == 0 && s.answered || n > 1)
	switch {
	case n > 1 && !s.inCall:
		// The excerpt starts in the middle of a call.
		s.inCall, s.attempt, s.of, s.answered, s.ok = true, n, of, false, false
		return outcome{sync: true}
	case n > 1 && s.ok:
		return outcome{failure: c.fail(l, "a retry after a successful answer: MSG-4's 200 means the sync succeeded, and a caller retries only a failed call")}
	case n > 1 && n != s.attempt+1:
		return outcome{failure: c.fail(l, "attempt "+strconv.Itoa(n)+" follows attempt "+strconv.Itoa(s.attempt))}
	case n > 0 && of > 0 && n > of:
		return outcome{failure: c.fail(l, "attempt "+strconv.Itoa(n)+" of "+strconv.Itoa(of))}
	}
	if retry {
		s.attempt++
	} else {
		s.inCall, s.attempt, s.of = true, 1, of
	}
	if n > 0 {
		s.attempt = n
	}
	if of > 0 {
		s.of = of
	}
	s.answered, s.ok = false, false
	return outcome{sync: true}
}

// answer judges an attempt's answer.
func (c *checker) answer(l line, status string) outcome {
	s := &c.caller
	code, known := logs.StatusCode(status)
	s.answered, s.ok = true, known && code >= 200 && code < 300
	if !known {
		// The caller says the call failed without the status: any failure MSG-4 gives.
		return outcome{sync: true}
	}
	if s.ok {
		return outcome{sync: true}
	}
	if _, ok := msg4Answers[code]; !ok {
		return outcome{skip: SkipCallerAnswer}
	}
	return outcome{sync: true}
}
