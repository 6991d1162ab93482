// Package html writes the self-contained HTML report of a run, a sweep or a conformance suite: one
// index.html with inline CSS and inline SVG only (no scripts, fonts, styles or images from elsewhere;
// it opens offline from the file system). A report shows, from the top:
//
//   - the summary: the invocation's outcome (outcome.Outcome, the one the exit code is), its word and
//     exit code, then what failed: every reason for the exit code, gating ones first, each linked
//     to its diagram where one is drawn;
//   - per failure, a sequence diagram drawn from the (shrunk) trace: one lane per party, messages as
//     arrows, injected faults marked, the event where each property breaks highlighted, repeated
//     retry steps folded as `simrun explain` folds them;
//   - the property x mode matrix per scenario: pass/fail counts, the smallest failing seed and the
//     command that replays it, failing cells highlighted (conformance: each rule with its level,
//     statement, verdict and what was observed, in the contract's words only);
//   - a fault x protocol-step coverage table: how often each fault fired at each fault point of
//     PROTOCOL.md section 6, next to how often the runs reached that point;
//   - the P13 convergence latency distribution as a histogram.
//
// Every text goes through html/template's escaping, and through a redact.Redactor twice (the data,
// then the rendered file), so no secret of Options.Secrets and nothing shaped like a JWT reaches the
// file (P11).
//
//	rep, _ := sweep.Sweep(cfg, os.Stderr)
//	traces, _ := sweep.FailingTraces(rep, cfg.Scenarios)
//	err := html.WriteSweep("out", rep, traces, sweep.OutcomeOf(rep), html.Options{Secrets: scenarios.Secrets(cfg.Scenarios...)})
package html
