package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/live/standalone"
	"github.com/syncsim/syncsim/plant"
)

// servePlatformKinds are the reference parts `simrun serve` runs as subcommands.
var servePlatformKinds = []string{"mesh", "frontend", "host"}

// partFlags are the flags every reference part takes.
type partFlags struct {
	listen, site, hostID, key string
	defects                   []string
}

func (p *partFlags) register(cmd *cobra.Command, defects map[string]plant.Defect) {
	f := cmd.Flags()
	f.StringVar(&p.listen, "listen", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	f.StringVar(&p.site, "site", "", "the site's name (WEBSITE_SITE_NAME)")
	f.StringVar(&p.hostID, "host-id", "", "the site's hostId (default: derived from --site)")
	f.StringVar(&p.key, "key", "", "WEBSITE_AUTH_ENCRYPTION_KEY (default: that environment variable)")
	f.StringArrayVar(&p.defects, "defect", nil, "plant a defect (repeatable): "+joinNames(plant.Names(defects)))
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// resolve checks the common flags against a defect table and returns the site.
func (p *partFlags) resolve(kind string, defects map[string]plant.Defect) (host.Site, error) {
	if p.key == "" {
		p.key = os.Getenv("WEBSITE_AUTH_ENCRYPTION_KEY")
	}
	switch {
	case p.site == "":
		return host.Site{}, fmt.Errorf("serve %s: --site is required", kind)
	case p.key == "":
		return host.Site{}, fmt.Errorf("serve %s: --key (or WEBSITE_AUTH_ENCRYPTION_KEY) is required", kind)
	}
	if _, err := host.ParseKey(p.key); err != nil {
		return host.Site{}, fmt.Errorf("serve %s: --key: %w (fix: 64 hex characters or base64)", kind, err)
	}
	if _, err := plant.Resolve(defects, host.Site{}, p.defects); err != nil {
		return host.Site{}, fmt.Errorf("serve %s: --defect: %w", kind, err)
	}
	if p.hostID == "" {
		p.hostID = host.DefaultHostID(p.site)
	}
	return host.Site{Name: p.site, HostID: p.hostID, EncryptionKey: p.key}, nil
}

// registerLimits adds the flags that bound a server's time and connections (httpbound.Limits; 0
// keeps a default).
func registerLimits(cmd *cobra.Command, l *httpbound.Limits) {
	f := cmd.Flags()
	f.DurationVar(&l.ReadHeader, "read-header-timeout", 0, "cut a connection whose request header takes longer (default 10s)")
	f.DurationVar(&l.Read, "read-timeout", 0, "cut a connection whose whole request, header and body, takes longer (default 30s)")
	f.DurationVar(&l.Write, "write-timeout", 0, "bound a request from its header to the end of its answer (default 60s; host: at least 60s)")
	f.DurationVar(&l.Idle, "idle-timeout", 0, "close a keep-alive connection idle this long (default 60s)")
	f.IntVar(&l.MaxConns, "max-conns", 0, "connections served at once; at the bound the longest-idle one is closed for a new one (default a quarter of the open-file limit, 16-512)")
}

// checkLimits reports a negative limit flag as a usage error.
func checkLimits(kind string, l httpbound.Limits) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("serve %s: %w", kind, err)
	}
	return nil
}

// checkDataMax reports a negative --data-max-bytes as a usage error.
func checkDataMax(kind string, n int64) error {
	if n < 0 {
		return fmt.Errorf("serve %s: --data-max-bytes %d is negative (fix: a size in bytes, or 0 for the default %d)",
			kind, n, int64(meshhttp.DefaultDataFileMaxBytes))
	}
	return nil
}

// servePlatformCommands are `simrun serve mesh|frontend|host`.
func servePlatformCommands(stderr io.Writer) []*cobra.Command {
	return []*cobra.Command{serveMeshCommand(stderr), serveFrontEndCommand(stderr), serveHostCommand(stderr)}
}

func serveMeshCommand(stderr io.Writer) *cobra.Command {
	var p partFlags
	var siteURL, data string
	var budget, debounce time.Duration
	var dataMax int64
	var limits httpbound.Limits
	cmd := &cobra.Command{
		Use:   "mesh --site-url URL --site NAME --key KEY [--data FILE] [--retry-budget D] [--debounce D] [--defect NAME]... [--max-conns N] [--*-timeout D]",
		Short: "Serve the reference mesh (MSG-2 in, MSG-3 fetches out) until Ctrl-C",
		Long: `Serves the reference mesh for one site: POST / takes operation=update-triggers (MSG-2) and
fetches GET {site-url}/admin/host/triggers with a TOK-4 token (debounce, retries for
--retry-budget, latest wins); GET /status answers its counters as JSON. With --data, the
store and the pending notifications live in that bbolt file, committed before each 2xx, and a
restart on it fetches for the notifications left pending. Only a --data path that does not
exist starts an empty store: an empty, truncated, corrupt or foreign file, or one another server
holds, is refused with exit 3 and what to do. Prints "listening on URL" and stops cleanly on
SIGINT or SIGTERM. Exit 3 for bad flags.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			site, err := p.resolve("mesh", plant.MeshServer)
			if err != nil {
				return err
			}
			if siteURL == "" {
				return errors.New("serve mesh: --site-url is required (the site's admin API base URL)")
			}
			if err := errors.Join(checkLimits("mesh", limits), checkDataMax("mesh", dataMax)); err != nil {
				return err
			}
			srv := meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: siteURL, RetryBudget: budget,
				Debounce: debounce, Defects: p.defects, Log: stderr, DataFile: data, DataFileMaxBytes: dataMax, Limits: limits})
			return runServer(cmd.Context(), "mesh", p.listen, srv.Serve, cmd.OutOrStdout(), stderr)
		},
	}
	p.register(cmd, plant.MeshServer)
	f := cmd.Flags()
	f.StringVar(&siteURL, "site-url", "", "the site's base URL: fetches GET it + /admin/host/triggers")
	f.DurationVar(&budget, "retry-budget", 0, "how long a failed fetch is retried (default 10m; MESH-4)")
	f.DurationVar(&debounce, "debounce", 0, "quiet time before a fetch (default 250ms; MESH-6)")
	f.StringVar(&data, "data", "", "bbolt file for the store and pending notifications (default: in memory)")
	f.Int64Var(&dataMax, "data-max-bytes", 0, "refuse a --data file larger than this, and writes that would grow it past (default 1 GiB)")
	registerLimits(cmd, &limits)
	return cmd
}

func serveFrontEndCommand(stderr io.Writer) *cobra.Command {
	var p partFlags
	var data string
	var dataMax int64
	var limits httpbound.Limits
	cmd := &cobra.Command{
		Use:   "frontend --site NAME --key KEY [--data FILE] [--defect NAME]... [--max-conns N] [--*-timeout D]",
		Short: "Serve the reference front end (POST/GET /operations/settriggers) until Ctrl-C",
		Long: `Serves the reference front end for one site: POST /operations/settriggers (MSG-1: TOK-3
token, JSON body, stored) and the read-back GET (FE-5); GET /status answers the store's write
count. With --data, the store lives in that bbolt file, committed before each 2xx; only a path
that does not exist starts an empty store (a damaged, foreign or held file: exit 3). Prints
"listening on URL" and stops cleanly on SIGINT or SIGTERM. Exit 3 for bad flags.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			site, err := p.resolve("frontend", plant.FrontEndServer)
			if err != nil {
				return err
			}
			if err := errors.Join(checkLimits("frontend", limits), checkDataMax("frontend", dataMax)); err != nil {
				return err
			}
			srv := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: site, Defects: p.defects, Log: stderr, DataFile: data,
				DataFileMaxBytes: dataMax, Limits: limits})
			return runServer(cmd.Context(), "frontend", p.listen, srv.Serve, cmd.OutOrStdout(), stderr)
		},
	}
	p.register(cmd, plant.FrontEndServer)
	cmd.Flags().StringVar(&data, "data", "", "bbolt file for the store (default: in memory)")
	cmd.Flags().Int64Var(&dataMax, "data-max-bytes", 0, "refuse a --data file larger than this, and writes that would grow it past (default 1 GiB)")
	registerLimits(cmd, &limits)
	return cmd
}

func serveHostCommand(stderr io.Writer) *cobra.Command {
	var p partFlags
	var mode, feURL, meshURL string
	var seed uint64
	var limits httpbound.Limits
	cmd := &cobra.Command{
		Use:   "host --site NAME --key KEY [--mode M] [--frontend-url U] [--mesh-url U] [--defect NAME]... [--max-conns N] [--*-timeout D]",
		Short: "Serve one reference host's admin API until Ctrl-C",
		Long: `Serves one reference host: GET /admin/host/triggers (MSG-3) and POST
/admin/host/synctriggers (MSG-4), with a small function set and keys drawn from --seed (never
printed). Its publish goes to --frontend-url / --mesh-url, or to a reference front end or mesh it
starts itself. Prints "listening on URL" and stops cleanly on SIGINT or SIGTERM. Exit 3 for bad
flags.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			site, err := p.resolve("host", plant.HostServer)
			if err != nil {
				return err
			}
			m, err := host.ParseMode(mode)
			if err != nil {
				return fmt.Errorf("serve host: --mode: %w", err)
			}
			if err := checkLimits("host", limits); err != nil {
				return err
			}
			srv := standalone.NewHost(hosthttp.HostConfig{Site: site, Mode: m, FrontEndURL: feURL, MeshURL: meshURL,
				Seed: seed, Defects: p.defects, Log: stderr, Limits: limits})
			return runServer(cmd.Context(), "host", p.listen, srv.Serve, cmd.OutOrStdout(), stderr)
		},
	}
	p.register(cmd, plant.HostServer)
	f := cmd.Flags()
	f.StringVar(&mode, "mode", "frontend", "sync mode: frontend, platform, additive, signal-all, platform-ack")
	f.StringVar(&feURL, "frontend-url", "", "front end base URL for MSG-1 (default: an in-process reference front end)")
	f.StringVar(&meshURL, "mesh-url", "", "MESH_INIT_URI for MSG-2 (default: an in-process reference mesh)")
	f.Uint64Var(&seed, "seed", 1, "seed of the generated keys and request ids")
	registerLimits(cmd, &limits)
	return cmd
}

// runServer serves until SIGINT, SIGTERM or the end of ctx, then stops the server.
func runServer(ctx context.Context, kind, listen string, serve func(string) (string, func() error, error), stdout, stderr io.Writer) error {
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	url, stop, err := serve(listen)
	if err != nil {
		return fmt.Errorf("serve %s: %w", kind, err)
	}
	fmt.Fprintf(stdout, "listening on %s\n", url)
	<-ctx.Done()
	if err := stop(); err != nil {
		return fmt.Errorf("serve %s: stop: %w", kind, err)
	}
	fmt.Fprintf(stderr, "serve %s: stopped\n", kind)
	return nil
}
