package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/live/azurite"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/output/progress"
	"github.com/syncsim/syncsim/output/redact"
	"github.com/syncsim/syncsim/reports/html"
	"github.com/syncsim/syncsim/runner"
)

// Config is one run of a suite, as `simrun conformance` makes it: the suite, the endpoint, how to
// judge it and the files to write.
type Config struct {
	// Suite is "mesh", "frontend", "host" (the rules of PROTOCOL.md section 8 against Target) or
	// "system" (RunSystem's live runs).
	Suite string
	// Target is the endpoint under test; RunSuite sets its Kind to Suite. The system suite has none.
	Target Target
	// Observe is how long MESH-4 watches retries (Env.Observe; must be positive), Full makes it watch
	// the whole 10 minutes, and Strict makes SHOULD rules gate too.
	Observe      time.Duration
	Full, Strict bool
	// Rules, when set, runs only the rules with these IDs (Select).
	Rules []string
	// JSON, JUnit and Report name the files to write ("" for none): the report as JSON, as JUnit XML,
	// and as a self-contained HTML report in the directory Report. Every file goes through the one
	// redaction with the suite's secrets, then P11's judge.
	JSON, JUnit, Report string
	// Command is the command line the HTML report shows.
	Command string
	// AzuriteProvider and Storage say where the system suite's hash blob lives (SystemOptions).
	AzuriteProvider, Storage string
	// RunsDone, when set, gets the system suite's runs and outcome once they are judged, to write
	// their reports (JSON is written here either way).
	RunsDone func([]*runner.Result, runner.Outcome) error
	// Out gets one verdict (or, for the system suite, one run) at a time, then the summary; Log the
	// progress, the interruption and the system suite's notes. The suite's keys are declared to
	// both (redact.Declare), so that they are masked by value.
	Out, Log io.Writer
}

// program names the CLI in the commands a failed verdict says run its rule alone.
const program = "simrun"

// RunSuite runs cfg's suite: it starts what the target needs (Prepare), runs the rules (Run) while
// writing each verdict to Out, writes the files asked for, and writes the summary. The report's Exit
// is the suite's exit code; an error is a usage or environment error (exit 3), and may come after
// some verdicts were written. A canceled ctx stops the endpoint and leaves the remaining rules
// inconclusive (exit 2 at least).
func RunSuite(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Observe <= 0 {
		return nil, errors.New("conformance: --observe must be positive (e.g. 20s)")
	}
	if cfg.Suite == "system" {
		rep, err := runSystemSuite(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("conformance system: %w", err)
		}
		return rep, nil
	}
	rep, err := runRuleSuite(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	return rep, nil
}

// runRuleSuite runs the rules of a mesh, front end or host suite.
func runRuleSuite(ctx context.Context, cfg Config) (*Report, error) {
	var rules []Rule
	switch cfg.Suite {
	case "mesh":
		rules = MeshRules()
	case "frontend":
		rules = FrontEndRules()
	case "host":
		rules = HostRules()
	default:
		return nil, fmt.Errorf("unknown suite %q (system, mesh, frontend, host)", cfg.Suite)
	}
	rules, err := Select(rules, cfg.Rules)
	if err != nil {
		return nil, err
	}
	t := cfg.Target
	t.Kind = cfg.Suite
	p, err := Prepare(ctx, t)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	env := p.Env
	env.Observe, env.Full, env.Strict = cfg.Observe, cfg.Full, cfg.Strict
	secrets := []string{env.Key, env.HostMasterKey}
	redact.Declare(cfg.Out, secrets...)
	redact.Declare(cfg.Log, secrets...)
	writePreamble(cfg, p.Notes)
	vs, took := runRules(ctx, cfg, env, t, rules)
	if env.Site != nil {
		if name, ok := env.Site.Learned(); ok {
			fmt.Fprintf(cfg.Out, "site name %s taken from the mesh's first fetch (--site %s checks it instead)\n", name, name)
		}
	}
	target := "reference " + cfg.Suite
	if len(p.Notes) > 0 {
		target = p.Notes[len(p.Notes)-1]
	}
	rep := NewReport(cfg.Suite, target, env, rules, vs)
	rep.Took = took
	if ctx.Err() != nil {
		fmt.Fprintln(cfg.Log, "simrun conformance: interrupted; the endpoint was stopped")
		rep.Interrupted(context.Cause(ctx))
	}
	if err := writeFiles(rep, cfg, target, secrets); err != nil {
		return nil, err
	}
	fmt.Fprintln(cfg.Out)
	fmt.Fprintln(cfg.Out, rep.Summary())
	return rep, nil
}

// writePreamble writes what was started and where (Prepared.Notes) and how long MESH-4 watches.
func writePreamble(cfg Config, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(cfg.Out, n)
	}
	if cfg.Suite == "mesh" {
		window := cfg.Observe.String()
		if cfg.Full {
			window = "the whole 10m0s (--full)"
		}
		fmt.Fprintf(cfg.Out, "MESH-4 watches %s of retries\n", window)
	}
	fmt.Fprintln(cfg.Out)
}

// runRules runs the rules, writing each verdict as it comes (a failed one with the command that
// reproduces it) and, on a terminal, the progress to Log. It returns the verdicts and each rule's
// wall time, for the JUnit report: rules run one after the other, so a rule took the time since the
// previous one ended.
func runRules(ctx context.Context, cfg Config, env *Env, t Target, rules []Rule) ([]check.Verdict, map[string]time.Duration) {
	bar := progress.New(cfg.Log, len(rules))
	took, since := map[string]time.Duration{}, time.Now()
	vs := Run(ctx, env, rules, func(r Rule, v check.Verdict) {
		took[r.ID], since = time.Since(since), time.Now()
		title := ""
		if v.Status != check.Pass {
			title = r.Title
		}
		FormatVerdict(cfg.Out, reproducible(v, t, env), title, cfg.Strict)
		failed := 0
		if v.Status == check.Fail {
			failed = 1
		}
		bar.Add(failed)
	})
	bar.Done()
	for i := range vs {
		vs[i] = reproducible(vs[i], t, env)
	}
	return vs, took
}

// reproducible adds to a failed verdict the command that runs its rule alone, with the same
// endpoint flags (Reproduce).
func reproducible(v check.Verdict, t Target, env *Env) check.Verdict {
	if v.Status == check.Fail {
		v.Evidence = append(slices.Clip(v.Evidence), check.Note("reproduce alone: "+Reproduce(program, t, env, v.ID)))
	}
	return v
}

// writeFiles writes the JSON, JUnit and HTML files cfg asks for, masked with the suite's secrets
// (P11).
func writeFiles(rep *Report, cfg Config, target string, secrets []string) error {
	for _, out := range []struct {
		path  string
		flag  string
		write func(io.Writer) error
	}{{cfg.JSON, "--json", rep.WriteJSON}, {cfg.JUnit, "--junit", rep.WriteJUnit}} {
		if out.path == "" {
			continue
		}
		var b bytes.Buffer
		err := out.write(&b)
		if err == nil {
			// The one redaction with the suite's secrets, and P11's judgement, as the file is written.
			err = output.WriteFile(out.path, b.Bytes(), secrets)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", out.flag, out.path, err)
		}
	}
	if cfg.Report == "" {
		return nil
	}
	rules := make([]html.ConformanceRule, len(rep.Verdicts))
	for i, v := range rep.Verdicts {
		rules[i] = html.ConformanceRule{Verdict: v.Verdict, Statement: v.Title}
	}
	if err := html.WriteConformance(cfg.Report, rules, html.ConformanceMeta{Suite: cfg.Suite, Targets: []string{target}},
		rep.Outcome, html.Options{Command: cfg.Command, Strict: cfg.Strict, Secrets: secrets}); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	fmt.Fprintf(cfg.Out, "report written: %s\n", filepath.Join(cfg.Report, html.FileName))
	return nil
}

// runSystemSuite makes the system suite's live runs (RunSystem), judges them against the scenarios'
// expectations and writes their reports. The report holds the runs and their outcome, no rules.
func runSystemSuite(ctx context.Context, cfg Config) (*Report, error) {
	uninstall := azurite.StopOnSignal()
	defer uninstall()
	results, err := RunSystem(ctx, SystemOptions{AzuriteProvider: cfg.AzuriteProvider, Storage: cfg.Storage,
		Log: cfg.Log, Progress: func(r *runner.Result) { runner.PrintResult(cfg.Out, r, cfg.Strict) }})
	if err != nil {
		return nil, err
	}
	o := runner.Judge(results, cfg.Strict)
	if cfg.RunsDone != nil {
		if err := cfg.RunsDone(results, o); err != nil {
			return nil, err
		}
	}
	if cfg.JSON != "" {
		if err := runner.WriteJSON(cfg.JSON, results, o); err != nil {
			return nil, err
		}
	}
	runner.PrintSummary(cfg.Out, results, o)
	return &Report{Suite: cfg.Suite, Strict: cfg.Strict, Exit: o.Exit, Outcome: o, Runs: results}, nil
}

// SuiteOf names the suite that runs a rule of PROTOCOL.md section 8, by its ID's family: "mesh"
// for MESH-n, "frontend" for FE-n, "host" otherwise.
func SuiteOf(ruleID string) string {
	switch family, _, _ := strings.Cut(ruleID, "-"); family {
	case "MESH":
		return "mesh"
	case "FE":
		return "frontend"
	default:
		return "host"
	}
}
