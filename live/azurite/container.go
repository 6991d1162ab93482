package azurite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Image is the Azurite image the container provider runs; it matches tools/azurite.
const Image = "mcr.microsoft.com/azure-storage/azurite:3.35.0"

const (
	containerPort        = "10000/tcp"
	containerStopTimeout = 30 * time.Second
)

// pingDocker reports whether a Docker engine (as testcontainers finds it: DOCKER_HOST, docker
// context, ~/.testcontainers.properties, the usual sockets) answers a ping within
// dockerPingTimeout.
func pingDocker(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, dockerPingTimeout)
	defer cancel()
	c, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Ping(ctx, client.PingOptions{})
	return err
}

// startContainer runs the Azurite image through testcontainers and waits for its listening
// line. testcontainers' reaper (Ryuk) also removes the container if this process dies.
func startContainer(ctx context.Context) (*Instance, string, error) {
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        Image,
			Cmd:          []string{"azurite-blob", "--blobHost", "0.0.0.0", "--skipApiVersionCheck", "--disableTelemetry"},
			ExposedPorts: []string{containerPort},
			WaitingFor:   wait.ForLog("successfully listens on").WithStartupTimeout(listenTimeout),
		},
		Started: true,
	}
	ctr, err := testcontainers.GenericContainer(ctx, req)
	terminate := func() error {
		if err := testcontainers.TerminateContainer(ctr, testcontainers.StopTimeout(termGrace)); err != nil {
			return fmt.Errorf("azurite: terminating container: %w", err)
		}
		return nil
	}
	if err != nil {
		return nil, "", errors.Join(fmt.Errorf("%w: container %s: %v", ErrStartup, Image, err), terminate())
	}
	endpoint, err := ctr.PortEndpoint(ctx, containerPort, "http")
	if err != nil {
		return nil, "", errors.Join(fmt.Errorf("%w: container %s: mapped port: %v", ErrStartup, Image, err), terminate())
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, "", errors.Join(fmt.Errorf("%w: container endpoint %q: %v", ErrStartup, endpoint, err), terminate())
	}
	blob := endpoint + "/" + DevAccount
	inst := &Instance{
		Provider:         ProviderContainer,
		BlobEndpoint:     blob,
		ConnectionString: devConnectionString(blob),
		stop: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), containerStopTimeout)
			defer cancel()
			if err := ctr.Terminate(ctx, testcontainers.StopTimeout(termGrace)); err != nil {
				return fmt.Errorf("azurite: terminating container %s: %w", ctr.GetContainerID(), err)
			}
			return waitPortClosed(u.Host, portCloseTimeout)
		},
	}
	desc := fmt.Sprintf("container %s (%.12s), %s", Image, ctr.GetContainerID(), blob)
	return inst, desc, nil
}
