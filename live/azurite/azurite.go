package azurite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// Provider names how an Instance came to be. It is an alias of string so that a flag's value
// can be put into Options.Provider as it is.
type Provider = string

// The providers Start knows.
const (
	ProviderNPM       Provider = "npm"
	ProviderContainer Provider = "container"
	ProviderAccount   Provider = "account"
)

// The well-known development account every Azurite serves.
const (
	DevAccount = "devstoreaccount1"
	DevKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Sentinel errors; Start wraps them with the details.
var (
	// ErrBinaryMissing: the azurite-blob binary is not installed; the error names the path and
	// the command that installs it. Tests skip on it (and fail under CI=true).
	ErrBinaryMissing = errors.New("azurite: azurite-blob binary not found")
	// ErrNoDocker: Provider "container" was asked for but no Docker engine answered.
	ErrNoDocker = errors.New("azurite: no Docker engine answered a ping")
	// ErrStartup: the server did not come up (exited, timed out, or never printed its port).
	ErrStartup = errors.New("azurite: server did not start")
	// ErrUnhealthy: the endpoint did not answer the create/delete-container round trip.
	ErrUnhealthy = errors.New("azurite: endpoint failed the health check")
	// ErrBadConnectionString: Provider "account" was given a missing or malformed string.
	ErrBadConnectionString = errors.New("azurite: bad connection string")
)

// Timeouts of the lifecycle; named so that errors and docs can cite them.
const (
	dockerPingTimeout = 2 * time.Second
	listenTimeout     = 30 * time.Second
	healthTimeout     = 10 * time.Second
	termGrace         = 3 * time.Second
	portCloseTimeout  = 5 * time.Second
)

// installCommand is what a person runs, in the repository root, to install the npm server.
const installCommand = "npm install --prefix tools/azurite"

// Options says which Azurite to start or reach.
type Options struct {
	// Provider is "npm", "container", "account", or "" for auto: the container when a Docker
	// engine answers a ping within 2 s, else npm.
	Provider Provider
	// ConnectionString names an existing account (the CLI's --storage); Provider "account".
	// A non-empty ConnectionString with Provider "" means "account" too.
	ConnectionString string
	// RepoRoot is where tools/azurite lives; "" means the nearest directory at or above the
	// working directory that holds go.mod.
	RepoRoot string
	// Log, when set, gets one line saying which provider ran and where.
	Log io.Writer
}

// Instance is one reachable Azurite blob endpoint. Stop it when done; StopAll stops every
// Instance not yet stopped.
type Instance struct {
	// Provider is the provider that ran: "npm", "container" or "account".
	Provider Provider
	// BlobEndpoint is the account's blob URL, e.g. http://127.0.0.1:PORT/devstoreaccount1.
	BlobEndpoint string
	// ConnectionString reaches BlobEndpoint; it holds a key, so never log it.
	ConnectionString string
	// PID is the server's process id (npm only; 0 otherwise). It is also its process group.
	PID int

	stop     func() error // provider-specific; nil for "account"
	stopOnce sync.Once
	stopErr  error
}

// Start starts (or reaches) an Azurite blob endpoint, proves it with a create/delete-container
// round trip, and registers it for StopAll. ctx bounds the start only, not the Instance's life.
// On any error nothing that Start started is left running.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	provider, note, err := chooseProvider(ctx, opts)
	if err != nil {
		return nil, err
	}
	var inst *Instance
	var desc string
	switch provider {
	case ProviderNPM:
		inst, desc, err = startNPM(ctx, opts)
	case ProviderContainer:
		inst, desc, err = startContainer(ctx)
	case ProviderAccount:
		inst, desc, err = reachAccount(opts.ConnectionString)
	}
	if err != nil {
		return nil, err
	}
	register(inst)
	if err := inst.checkHealth(ctx); err != nil {
		return nil, errors.Join(err, inst.Stop())
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "azurite: %s%s\n", desc, note)
	}
	return inst, nil
}

// chooseProvider resolves auto mode; note says why auto chose what it chose.
func chooseProvider(ctx context.Context, opts Options) (Provider, string, error) {
	switch opts.Provider {
	case ProviderNPM, ProviderAccount:
		return opts.Provider, "", nil
	case ProviderContainer:
		if err := pingDocker(ctx); err != nil {
			return "", "", fmt.Errorf("%w within %v: %v", ErrNoDocker, dockerPingTimeout, err)
		}
		return ProviderContainer, "", nil
	case "":
		if opts.ConnectionString != "" {
			return ProviderAccount, "", nil
		}
		if err := pingDocker(ctx); err != nil {
			return ProviderNPM, fmt.Sprintf(" (auto: no Docker engine answered a ping within %v)", dockerPingTimeout), nil
		}
		return ProviderContainer, " (auto: a Docker engine answered)", nil
	default:
		return "", "", fmt.Errorf("azurite: unknown provider %q (want npm, container, account or empty for auto)", opts.Provider)
	}
}

// Stop stops what Start started and waits until it has exited and its port is closed. It is
// idempotent and safe to call from several goroutines; every call returns the first result.
func (i *Instance) Stop() error {
	i.stopOnce.Do(func() {
		if i.stop != nil {
			i.stopErr = i.stop()
		}
		unregister(i)
	})
	return i.stopErr
}

// Client returns an azblob client for the Instance's account.
func (i *Instance) Client() (*azblob.Client, error) {
	return azblob.NewClientFromConnectionString(i.ConnectionString, nil)
}

// devConnectionString is the connection string of the development account at endpoint.
func devConnectionString(blobEndpoint string) string {
	return "DefaultEndpointsProtocol=http;AccountName=" + DevAccount + ";AccountKey=" + DevKey +
		";BlobEndpoint=" + blobEndpoint + ";"
}

// findRepoRoot walks up from the working directory to the nearest go.mod.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("azurite: finding the repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("azurite: no go.mod at or above the working directory; set Options.RepoRoot")
		}
		dir = parent
	}
}
