package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/runner"
)

func conformanceCommand(stderr io.Writer) *cobra.Command {
	var cfg conformance.Config
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
			cfg.Target.LearnSite = cfg.Target.MeshURL != "" && !cmd.Flags().Changed("site")
			if exe, err := os.Executable(); err == nil {
				cfg.Target.Simrun = exe
			}
			cfg.Suite, cfg.Command = args[0], commandLine()
			// The system suite's runs get the reports `simrun run` writes.
			cfg.RunsDone = outputs{report: cfg.Report, junit: cfg.JUnit}.runDone(cfg.Strict, cmd.OutOrStdout())
			cfg.Out, cfg.Log = cmd.OutOrStdout(), stderr
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := conformance.RunSuite(ctx, cfg)
			if err != nil {
				fmt.Fprintln(stderr, "simrun", err)
				if errors.Is(err, conformance.ErrNoAzurite) {
					fmt.Fprintln(stderr, "fix: npm install --prefix tools/azurite (or --azurite container, or --storage)")
				}
				return exitError{runner.ExitUsage}
			}
			if rep.Exit != 0 {
				return exitError{rep.Exit}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	t := &cfg.Target
	fl.StringVar(&t.MeshURL, "mesh-url", "", "mesh under test (MESH_INIT_URI), already running and configured with the printed site URL")
	fl.StringVar(&t.MeshCmd, "mesh-cmd", "", "command that starts the mesh under test; placeholders {port} {site_url} {site} {key} {simrun}")
	fl.StringVar(&t.SiteListen, "site-listen", "127.0.0.1:0", "address where the harness serves the site's admin API for the mesh")
	fl.StringVar(&t.SiteName, "site", conformance.DefaultSiteName, "site name (WEBSITE_SITE_NAME) tokens are issued for")
	fl.StringVar(&t.FrontEndURL, "frontend-url", "", "front end under test (base URL; MSG-1 goes to /operations/settriggers)")
	fl.StringVar(&t.FrontEndReadback, "frontend-readback", "", "optional read-back URL of the front end (GET; FE-5)")
	fl.StringVar(&t.HostURL, "host-url", "", "host under test (base URL of its admin API)")
	fl.StringVar(&t.HostExpectedHash, "host-expected-hash", "", "PAY-3 hash the host's sync would publish now (HOST-1)")
	fl.StringVar(&t.Key, "key", "", "WEBSITE_AUTH_ENCRYPTION_KEY shared with the endpoint (64 hex chars or base64); generated when absent")
	fl.StringArrayVar(&t.Defects, "defect", nil, "plant a defect in our reference part (repeatable; see simrun serve)")
	fl.DurationVar(&cfg.Observe, "observe", conformance.DefaultObserve, "MESH-4: how long to watch a mesh retry failed fetches")
	fl.BoolVar(&cfg.Full, "full", false, "MESH-4: watch the whole 10 minutes of retries")
	fl.BoolVar(&cfg.Strict, "strict", false, "SHOULD rules (and MESH-4's 100 ms spacing) gate too")
	fl.StringVar(&cfg.JSON, "json", "", "write the report as a JSON object with `verdicts` to this file")
	fl.StringVar(&cfg.JUnit, "junit", "", "write the report as JUnit XML (one testcase per rule) to this file")
	fl.StringVar(&cfg.Report, "report", "", "write a self-contained HTML report to DIR/index.html")
	fl.StringArrayVar(&cfg.Rules, "rule", nil, "run only this rule (repeatable), e.g. --rule MESH-4")
	fl.StringVar(&cfg.AzuriteProvider, "azurite", "", "system: how to start Azurite: npm or container (default: auto)")
	fl.StringVar(&cfg.Storage, "storage", "", "system: connection string of an existing storage account instead of Azurite")
	return cmd
}
