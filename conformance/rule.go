package conformance

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/syncsim/syncsim/check"
)

// Rule is one contract rule of PROTOCOL.md section 8 as a runnable check.
type Rule struct {
	// ID is the contract's rule ID (MESH-4, FE-2, HOST-1).
	ID    string
	Level check.Level
	// Name is a short slug for reports ("retry-failed-fetch").
	Name string
	// Title cites the contract's text.
	Title string
	// Disruptive rules leave the endpoint busy for a while (MESH-4's retries); Run runs them last.
	Disruptive bool
	// Run drives env's endpoint and judges it. It never returns an error: a rule that cannot
	// judge says inconclusive, with why.
	Run func(ctx context.Context, env *Env) check.Verdict
}

// verdict collects a rule's judgement: evidence lines, the count of situations examined, and the
// worst outcome seen.
type verdict struct {
	rule     Rule
	status   check.Status
	checked  int
	evidence []string
}

func newVerdict(r Rule) *verdict { return &verdict{rule: r, status: check.Pass} }

// see records an examined situation that held.
func (v *verdict) see(format string, args ...any) {
	v.checked++
	v.evidence = append(v.evidence, fmt.Sprintf(format, args...))
}

// fail records an examined situation that broke the rule.
func (v *verdict) fail(format string, args ...any) {
	v.checked++
	v.status = check.Fail
	v.evidence = append(v.evidence, "FAIL "+fmt.Sprintf(format, args...))
}

// note adds evidence without counting a situation.
func (v *verdict) note(format string, args ...any) {
	v.evidence = append(v.evidence, fmt.Sprintf(format, args...))
}

// inconclusive marks the verdict inconclusive unless it already failed (a fail beats an
// inconclusive).
func (v *verdict) inconclusive(format string, args ...any) {
	if v.status != check.Fail {
		v.status = check.Inconclusive
	}
	v.evidence = append(v.evidence, "INCONCLUSIVE "+fmt.Sprintf(format, args...))
}

func (v *verdict) done() check.Verdict {
	return check.Verdict{ID: v.rule.ID, Name: v.rule.Name, Level: v.rule.Level, Status: v.status,
		Checked: v.checked, Evidence: check.Notes(v.evidence...)}
}

// Find returns the rule with an ID from the rules.
func Find(rules []Rule, id string) (Rule, bool) {
	for _, r := range rules {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return Rule{}, false
}

// Select keeps the rules whose IDs are listed; an empty list keeps all. An unknown ID is an error
// naming the known ones.
func Select(rules []Rule, ids []string) ([]Rule, error) {
	if len(ids) == 0 {
		return rules, nil
	}
	var out []Rule
	for _, id := range ids {
		r, ok := Find(rules, id)
		if !ok {
			known := make([]string, len(rules))
			for i, r := range rules {
				known[i] = r.ID
			}
			return nil, fmt.Errorf("conformance: unknown rule %q (known: %s)", id, strings.Join(known, ", "))
		}
		out = append(out, r)
	}
	return out, nil
}

// Run runs the rules against env: the others first, the disruptive ones last, each once. It
// returns the verdicts in the rules' order and calls progress (when set) after each rule. A
// canceled ctx makes the remaining rules inconclusive.
func Run(ctx context.Context, env *Env, rules []Rule, progress func(Rule, check.Verdict)) []check.Verdict {
	order := make([]int, len(rules))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return !rules[order[a]].Disruptive && rules[order[b]].Disruptive })
	out := make([]check.Verdict, len(rules))
	for _, i := range order {
		r := rules[i]
		if ctx.Err() != nil {
			v := newVerdict(r)
			v.inconclusive("not run: %v", context.Cause(ctx))
			out[i] = v.done()
		} else {
			env.logf("%s %s", r.ID, r.Name)
			out[i] = r.Run(ctx, env)
			if ctx.Err() != nil && out[i].Status == check.Pass {
				// Cut short: what it saw may not be the whole story.
				out[i].Status = check.Inconclusive
				out[i].Evidence = append(out[i].Evidence, check.Note("INCONCLUSIVE interrupted: "+context.Cause(ctx).Error()))
			}
		}
		if progress != nil {
			progress(r, out[i])
		}
	}
	return out
}

// Exit codes (DESIGN.md): the same as simrun run's.
const (
	ExitOK           = 0
	ExitFailed       = 1
	ExitInconclusive = 2
	ExitUsage        = 3
)

// Gates reports whether a rule of this level decides the exit code: MUST always, SHOULD with
// strict, MAY never (informational).
func Gates(l check.Level, strict bool) bool { return l == check.Must || (l == check.Should && strict) }

// ExitCode is 1 when a gating rule failed, else 2 when a gating rule was inconclusive, else 0.
func ExitCode(vs []check.Verdict, strict bool) int {
	code := ExitOK
	for _, v := range vs {
		if !Gates(v.Level, strict) {
			continue
		}
		switch v.Status {
		case check.Fail:
			return ExitFailed
		case check.Inconclusive:
			code = ExitInconclusive
		}
	}
	return code
}
