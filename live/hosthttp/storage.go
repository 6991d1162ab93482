package hosthttp

import (
	"time"

	"github.com/syncsim/syncsim/host"
)

// Storage performs a host's storage calls (BLOB-2, the primary lease) at now, as the simulator's
// world does on its blob model. The standalone host (package serve) gives the in-memory blob model.
type Storage interface {
	Do(c host.BlobCall, now time.Time) host.BlobResult
}

// Peer is a part a host publishes to that Serve can have started for it (HostConfig.StartPeer).
type Peer int

const (
	// PeerFrontEnd is the front end of MSG-1.
	PeerFrontEnd Peer = iota + 1
	// PeerMesh is the mesh of MSG-2.
	PeerMesh
)

// StartPeer starts a front end or mesh for the host whose admin API is at siteURL, and returns the
// URL the host publishes to (HostConfig's FrontEndURL or MeshURL) and its stop.
type StartPeer func(p Peer, siteURL string) (url string, stop func() error, err error)
