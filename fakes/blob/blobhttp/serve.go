package blobhttp

import (
	"context"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/internal/httpbound"
	"github.com/syncsim/syncsim/live/realtime"
)

// Account and AccountKey are Azurite's well-known development account; ConnectionString names
// them so that azblob signs its requests the way it does against Azurite.
const (
	Account    = "devstoreaccount1"
	AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// ConnectionString is the azblob connection string for a server listening on addr (host:port).
func ConnectionString(addr string) string {
	return "DefaultEndpointsProtocol=http;AccountName=" + Account + ";AccountKey=" + AccountKey +
		";BlobEndpoint=http://" + addr + "/" + Account + ";"
}

// shutdownGrace bounds how long stop waits for requests in flight.
const shutdownGrace = 5 * time.Second

// Serve listens on addr ("127.0.0.1:0" picks a free port) and serves a fresh, empty blob.Store on
// the wall clock. It returns the address it listens on and stop, which shuts the server down
// (waiting up to 5 s for requests in flight) and reports how serving ended; stop is idempotent.
// Cancelling ctx stops the server too. Timeouts and connections take httpbound's defaults.
func Serve(ctx context.Context, addr string) (string, func() error, error) {
	return ServeWith(ctx, addr, httpbound.Limits{})
}

// ServeWith is Serve within limits (read, write and idle timeouts, at most MaxConns connections at
// once; zero fields take httpbound's defaults). Every Blob REST operation answers at once, so the
// default write timeout fits.
func ServeWith(ctx context.Context, addr string, limits httpbound.Limits) (string, func() error, error) {
	srv, err := realtime.Listen(addr, New(blob.New(), time.Now), limits)
	if err != nil {
		return "", nil, err
	}
	srv.Start()
	stop := func() error { return srv.Shutdown(shutdownGrace) }
	context.AfterFunc(ctx, func() { _ = stop() })
	return srv.Addr(), stop, nil
}
