package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/conformance/load"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/output"
	"github.com/syncsim/syncsim/runner"
)

// loadCommand is `simrun load mesh|frontend`: flags and wiring around load.Run.
func loadCommand(stderr io.Writer) *cobra.Command {
	cfg := load.Config{}
	var jsonOut, site, key string
	cmd := &cobra.Command{
		Use:       "load mesh|frontend --instances N --requests M [--target URL] [--concurrency C] [--duration-limit D] [--json F]",
		Short:     "Load a mesh or front end with N instances x M requests, on 127.0.0.1 only",
		ValidArgs: []string{string(load.Mesh), string(load.FrontEnd)},
		Long: `Sends N simulated instances' M notifications each (mesh: operation=update-triggers form posts
with fx-current-instance) or M publishes each (frontend: MSG-1 with TOK-3 tokens and revisions
increasing per instance) to --target, or to the reference server started in process. A --target
must be on 127.0.0.1, localhost or [::1]. For the mesh, a test site answers the fetches (a mesh
under test must use its URL, --site-listen) and the run checks coalescing and that the last
notification gets a fetch. Reports answers by status, p50/p90/p99/max latency, throughput and
goroutine and file-descriptor counts before and after.

Exit codes: 0 every check passed; 1 a check failed (a request not answered 2xx, the duration
limit hit, a fetch lost, a leak); 3 usage or a non-loopback target.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.Kind = load.Kind(args[0])
			cfg.Log = stderr
			if site != "" || key != "" {
				if key == "" {
					key = os.Getenv("WEBSITE_AUTH_ENCRYPTION_KEY")
				}
				cfg.Site = host.Site{Name: site, HostID: host.DefaultHostID(site), EncryptionKey: key}
			}
			rep, err := load.Run(cmd.Context(), cfg)
			if err != nil {
				fmt.Fprintln(stderr, "simrun", err) // err reads "load: ..."
				return exitError{runner.ExitUsage}
			}
			rep.WriteText(cmd.OutOrStdout())
			if jsonOut != "" {
				if err := writeLoadJSON(jsonOut, rep); err != nil {
					fmt.Fprintln(stderr, "simrun load:", err)
					return exitError{runner.ExitUsage}
				}
			}
			if !rep.Passed {
				return exitError{runner.ExitFailed}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Instances, "instances", 10, "simulated instances")
	f.IntVar(&cfg.Requests, "requests", 10, "requests per instance")
	f.StringVar(&cfg.Target, "target", "", "endpoint under test (loopback only; default: the reference server in process)")
	f.IntVar(&cfg.Concurrency, "concurrency", 0, "instances sending at once (default min(instances, 100))")
	f.DurationVar(&cfg.DurationLimit, "duration-limit", load.DefaultDurationLimit, "stop and fail when the run takes longer")
	f.DurationVar(&cfg.FetchWait, "fetch-wait", load.DefaultFetchWait, "mesh: how long to wait for the fetch after the last notification")
	f.StringVar(&cfg.SiteListen, "site-listen", "127.0.0.1:0", "mesh: address of the test site that answers the fetches")
	f.StringVar(&site, "site", "", "site name for tokens (with --target; default: a built-in test site)")
	f.StringVar(&key, "key", "", "WEBSITE_AUTH_ENCRYPTION_KEY for tokens (default: that environment variable)")
	f.StringVar(&jsonOut, "json", "", "write the report as JSON to this file")
	return cmd
}

func writeLoadJSON(path string, rep load.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return output.WriteFile(path, append(b, '\n'), nil)
}
