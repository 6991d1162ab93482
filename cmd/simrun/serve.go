package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/syncsim/syncsim/fakes/blob/blobhttp"
	"github.com/syncsim/syncsim/internal/httpbound"
)

// serveKinds are the parts `simrun serve` can run as live servers, in help order.
var serveKinds = append([]string{"blob"}, servePlatformKinds...)

func serveCommand(stderr io.Writer) *cobra.Command {
	var listen string
	var limits httpbound.Limits
	cmd := &cobra.Command{
		Use:   "serve blob|mesh|frontend|host [--listen ADDR] ...",
		Short: "Serve a syncsim part over HTTP until Ctrl-C (blob: the blob model as Blob Storage)",
		Long: `"serve blob" serves a fresh, empty blob model (fakes/blob) over the Azure Blob REST API on
--listen, prints the address and an azblob connection string, and stops cleanly on SIGINT or
SIGTERM. It is a test double: SharedKey signatures are not verified (fakes/blob/DEVIATIONS.md).
Exit 3 for an unknown kind or an address it cannot listen on.`,
		ValidArgs: serveKinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := serveKind(args); err != nil {
				return err
			}
			if err := checkLimits("blob", limits); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serveBlob(ctx, listen, limits, cmd.OutOrStdout(), stderr)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	registerLimits(cmd, &limits)
	cmd.AddCommand(servePlatformCommands(stderr)...)
	return cmd
}

// serveKind checks the arguments of `simrun serve`: exactly one known kind.
func serveKind(args []string) error {
	known := "kinds: " + strings.Join(serveKinds, ", ")
	switch {
	case len(args) == 0:
		return fmt.Errorf("serve: name what to serve (%s)", known)
	case len(args) > 1:
		return fmt.Errorf("serve: one kind at a time (got %d: %s)", len(args), strings.Join(args, " "))
	case args[0] != "blob":
		return fmt.Errorf("serve: unknown kind %q (%s)", args[0], known)
	}
	return nil
}

// serveBlob serves the blob model on addr until ctx is done, then stops it.
func serveBlob(ctx context.Context, addr string, limits httpbound.Limits, stdout, stderr io.Writer) error {
	got, stop, err := blobhttp.ServeWith(ctx, addr, limits)
	if err != nil {
		return fmt.Errorf("serve blob: %w", err)
	}
	fmt.Fprintf(stdout, "blob listening on http://%s/%s\n", got, blobhttp.Account)
	fmt.Fprintf(stdout, "connection string: %s\n", blobhttp.ConnectionString(got))
	<-ctx.Done()
	if err := stop(); err != nil {
		return fmt.Errorf("serve blob: stop: %w", err)
	}
	fmt.Fprintln(stderr, "serve blob: stopped")
	return nil
}
