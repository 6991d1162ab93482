package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/internal/azurite"
	"github.com/syncsim/syncsim/internal/check"
	"github.com/syncsim/syncsim/internal/runner"
	"github.com/syncsim/syncsim/reports/html"
	"github.com/syncsim/syncsim/reports/output"
	"github.com/syncsim/syncsim/reports/progress"
)

// conformanceFlags are `simrun conformance`'s options.
type conformanceFlags struct {
	target           conformance.Target
	observe          time.Duration
	full, strict     bool
	jsonOut, junit   string
	report           string
	rules            []string
	azuriteProvider  string
	storage          string
	hostExpectedHash string
}

func conformanceCommand(stderr io.Writer) *cobra.Command {
	var f conformanceFlags
	cmd := &cobra.Command{
		Use:   "conformance system|mesh|frontend|host [flags]",
		Short: "Check a mesh, front end or host endpoint against the contract (PROTOCOL.md section 8)",
		Long: `Runs the contract rules against an endpoint and prints one verdict per rule: ID, level, pass,
fail (with evidence: requests, answers, times) or inconclusive (no evidence either way).

  mesh      MESH-1..9. The harness plays the site: it serves GET /admin/host/triggers at the URL it
            prints (--site-listen) and records every fetch. The mesh under test is --mesh-url (already
            running, configured with that site URL and --key), or started from --mesh-cmd, whose
            placeholders {port} {site_url} {site} {key} {simrun} are filled in (the key is also in
            WEBSITE_AUTH_ENCRYPTION_KEY); the harness waits for {port}, and stops the process group
            at the end. MESH-4 watches --observe (20s) of retries and says so; --full watches 10 min.
  frontend  FE-1..5 against --frontend-url; FE-5 needs --frontend-readback, else it is inconclusive.
  host      HOST-1..2 against --host-url.
  system    live runs of scenarios/smoke.yaml and the worker-deleted incident in both modes of
            record with Azurite, judged P1..P11 and P13 against the scenarios' expectations.

Without an endpoint, our reference part is started in-process on a free port (--defect plants
one of its defects). Without --key a key is generated (an endpoint given by URL needs --key).

Exit codes: 0 every gating rule passed; 1 a MUST rule failed (a SHOULD rule too with --strict);
2 only inconclusive verdicts stand in the way; 3 usage or environment error.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"system", "mesh", "frontend", "host"},
		RunE: func(cmd *cobra.Command, args []string) error {
			// README option B: a running mesh configured with a site name of its own.
			f.target.LearnSite = f.target.MeshURL != "" && !cmd.Flags().Changed("site")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			code := runConformance(ctx, args[0], f, cmd.OutOrStdout(), stderr)
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	t := &f.target
	fl.StringVar(&t.MeshURL, "mesh-url", "", "mesh under test (MESH_INIT_URI), already running and configured with the printed site URL")
	fl.StringVar(&t.MeshCmd, "mesh-cmd", "", "command that starts the mesh under test; placeholders {port} {site_url} {site} {key} {simrun}")
	fl.StringVar(&t.SiteListen, "site-listen", "127.0.0.1:0", "address where the harness serves the site's admin API for the mesh")
	fl.StringVar(&t.SiteName, "site", conformance.DefaultSiteName, "site name (WEBSITE_SITE_NAME) tokens are issued for")
	fl.StringVar(&t.FrontEndURL, "frontend-url", "", "front end under test (base URL; MSG-1 goes to /operations/settriggers)")
	fl.StringVar(&t.FrontEndReadback, "frontend-readback", "", "optional read-back URL of the front end (GET; FE-5)")
	fl.StringVar(&t.HostURL, "host-url", "", "host under test (base URL of its admin API)")
	fl.StringVar(&f.hostExpectedHash, "host-expected-hash", "", "PAY-3 hash the host's sync would publish now (HOST-1)")
	fl.StringVar(&t.Key, "key", "", "WEBSITE_AUTH_ENCRYPTION_KEY shared with the endpoint (64 hex chars or base64); generated when absent")
	fl.StringArrayVar(&t.Defects, "defect", nil, "plant a defect in our reference part (repeatable; see simrun serve)")
	fl.DurationVar(&f.observe, "observe", conformance.DefaultObserve, "MESH-4: how long to watch a mesh retry failed fetches")
	fl.BoolVar(&f.full, "full", false, "MESH-4: watch the whole 10 minutes of retries")
	fl.BoolVar(&f.strict, "strict", false, "SHOULD rules (and MESH-4's 100 ms spacing) gate too")
	fl.StringVar(&f.jsonOut, "json", "", "write the report as a JSON object with `verdicts` to this file")
	fl.StringVar(&f.junit, "junit", "", "write the report as JUnit XML (one testcase per rule) to this file")
	fl.StringVar(&f.report, "report", "", "write a self-contained HTML report to DIR/index.html")
	fl.StringArrayVar(&f.rules, "rule", nil, "run only this rule (repeatable), e.g. --rule MESH-4")
	fl.StringVar(&f.azuriteProvider, "azurite", "", "system: how to start Azurite: npm or container (default: auto)")
	fl.StringVar(&f.storage, "storage", "", "system: connection string of an existing storage account instead of Azurite")
	return cmd
}

// runConformance is the command's body; it returns the exit code.
func runConformance(ctx context.Context, kind string, f conformanceFlags, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "simrun conformance:", err)
		return runner.ExitUsage
	}
	if f.observe <= 0 {
		return fail(errors.New("--observe must be positive (e.g. 20s)"))
	}
	if kind == "system" {
		return runSystem(ctx, f, stdout, stderr)
	}
	var rules []conformance.Rule
	switch kind {
	case "mesh":
		rules = conformance.MeshRules()
	case "frontend":
		rules = conformance.FrontEndRules()
	case "host":
		rules = conformance.HostRules()
	default:
		return fail(fmt.Errorf("unknown suite %q (system, mesh, frontend, host)", kind))
	}
	rules, err := conformance.Select(rules, f.rules)
	if err != nil {
		return fail(err)
	}
	t := f.target
	t.Kind = kind
	t.HostExpectedHash = f.hostExpectedHash
	if exe, err := os.Executable(); err == nil {
		t.Simrun = exe
	}
	p, err := conformance.Prepare(ctx, t)
	if err != nil {
		return fail(err)
	}
	defer p.Close()
	env := p.Env
	env.Observe, env.Full, env.Strict = f.observe, f.full, f.strict
	secrets := []string{env.Key, env.HostMasterKey}
	declareSecrets(secrets, stdout, stderr)
	for _, n := range p.Notes {
		fmt.Fprintln(stdout, n)
	}
	if kind == "mesh" {
		window := f.observe.String()
		if f.full {
			window = "the whole 10m0s (--full)"
		}
		fmt.Fprintf(stdout, "MESH-4 watches %s of retries\n", window)
	}
	fmt.Fprintln(stdout)
	// On a terminal, the rules' progress (done, rate, failures, time left) on stderr; quiet otherwise.
	bar := progress.New(stderr, len(rules))
	// Each rule's wall time, for the JUnit report: rules run one after the other, so a rule took the
	// time since the previous one ended.
	took, since := map[string]time.Duration{}, time.Now()
	vs := conformance.Run(ctx, env, rules, func(r conformance.Rule, v check.Verdict) {
		took[r.ID], since = time.Since(since), time.Now()
		title := ""
		if v.Status != check.Pass {
			title = r.Title
		}
		conformance.FormatVerdict(stdout, reproducible(v, t, env), title, f.strict)
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
	if env.Site != nil {
		if name, ok := env.Site.Learned(); ok {
			fmt.Fprintf(stdout, "site name %s taken from the mesh's first fetch (--site %s checks it instead)\n", name, name)
		}
	}
	target := "reference " + kind
	if len(p.Notes) > 0 {
		target = p.Notes[len(p.Notes)-1]
	}
	rep := conformance.NewReport(kind, target, env, rules, vs)
	rep.Took = took
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "simrun conformance: interrupted; the endpoint was stopped")
		rep.Interrupted(context.Cause(ctx))
	}
	if err := writeReports(rep, f, secrets); err != nil {
		return fail(err)
	}
	if f.report != "" {
		rules := make([]html.ConformanceRule, len(rep.Verdicts))
		for i, v := range rep.Verdicts {
			rules[i] = html.ConformanceRule{Verdict: v.Verdict, Statement: v.Title}
		}
		if err := html.WriteConformance(f.report, rules, html.ConformanceMeta{Suite: kind, Targets: []string{target}},
			rep.Outcome, html.Options{Command: commandLine(), Strict: f.strict, Secrets: secrets}); err != nil {
			return fail(fmt.Errorf("--report: %w", err))
		}
		fmt.Fprintf(stdout, "report written: %s\n", filepath.Join(f.report, html.FileName))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, rep.Summary())
	return rep.Exit
}

// reproducible adds to a failed verdict the command that runs its rule alone, with the same
// endpoint flags (conformance.Reproduce).
func reproducible(v check.Verdict, t conformance.Target, env *conformance.Env) check.Verdict {
	if v.Status == check.Fail {
		v.Evidence = append(slices.Clip(v.Evidence), check.Note("reproduce alone: "+conformance.Reproduce("simrun", t, env, v.ID)))
	}
	return v
}

// writeReports writes --json and --junit, masked with the suite's secrets (P11).
func writeReports(rep *conformance.Report, f conformanceFlags, secrets []string) error {
	for _, out := range []struct {
		path  string
		flag  string
		write func(io.Writer) error
	}{{f.jsonOut, "--json", rep.WriteJSON}, {f.junit, "--junit", rep.WriteJUnit}} {
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
	return nil
}

// runSystem makes the system suite's live runs and judges them against the scenarios' expectations.
func runSystem(ctx context.Context, f conformanceFlags, stdout, stderr io.Writer) int {
	uninstall := azurite.StopOnSignal()
	defer uninstall()
	results, err := conformance.RunSystem(ctx, conformance.SystemOptions{AzuriteProvider: f.azuriteProvider, Storage: f.storage,
		Log: stderr, Progress: func(r *runner.Result) { runner.PrintResult(stdout, r, f.strict) }})
	if err != nil {
		fmt.Fprintln(stderr, "simrun conformance system:", err)
		if errors.Is(err, conformance.ErrNoAzurite) {
			fmt.Fprintln(stderr, "fix: npm install --prefix tools/azurite (or --azurite container, or --storage)")
		}
		return runner.ExitUsage
	}
	o := runner.Judge(results, f.strict)
	if err := (outputs{report: f.report, junit: f.junit}).runDone(f.strict, stdout)(results, o); err != nil {
		fmt.Fprintln(stderr, "simrun conformance system:", err)
		return runner.ExitUsage
	}
	if f.jsonOut != "" {
		if err := runner.WriteJSON(f.jsonOut, results, o); err != nil {
			fmt.Fprintln(stderr, "simrun conformance system:", err)
			return runner.ExitUsage
		}
	}
	runner.PrintSummary(stdout, results, o)
	return o.Exit
}
