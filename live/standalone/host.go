// Package standalone assembles the standalone reference host: hosthttp's server (which knows none of the
// fakes) with the in-memory blob model as its storage and, for a mode that needs them and was given
// no URL, a reference front end or mesh (package meshhttp) in process, fetching from the host. It
// is what `simrun serve host`, the conformance host suite and the bad-input tests run.
//
//	srv := standalone.NewHost(hosthttp.HostConfig{Site: site})
//	url, stop, err := srv.Serve("127.0.0.1:0")
package standalone

import (
	"errors"
	"io"
	"time"

	"github.com/syncsim/syncsim/fakes/blob"
	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/site"
)

// NewHost is hosthttp.NewHost with what the host talks to filled in where cfg leaves it out: the
// in-memory blob model as its Storage, and a StartPeer that starts a reference front end or mesh
// in process, with the host's site, seed, log and limits.
func NewHost(cfg hosthttp.HostConfig) *hosthttp.HostServer {
	if cfg.Storage == nil {
		cfg.Storage = NewBlobStorage()
	}
	if cfg.StartPeer == nil {
		cfg.StartPeer = referencePeers(cfg)
	}
	return hosthttp.NewHost(cfg)
}

// referencePeers starts meshhttp's front end or mesh for a host configured by cfg.
func referencePeers(cfg hosthttp.HostConfig) hosthttp.StartPeer {
	log := cfg.Log
	if log == nil {
		log = io.Discard
	}
	return func(p hosthttp.Peer, siteURL string) (string, func() error, error) {
		switch p {
		case hosthttp.PeerFrontEnd:
			fe := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: cfg.Site, Log: log, Limits: cfg.Limits})
			return fe.Serve("127.0.0.1:0")
		case hosthttp.PeerMesh:
			m := meshhttp.NewMesh(meshhttp.MeshConfig{Site: cfg.Site, SiteURL: siteURL, Seed: cfg.Seed, Log: log,
				Limits: cfg.Limits})
			u, stop, err := m.Serve("127.0.0.1:0")
			// The mesh takes MSG-2 at its root.
			return u + "/", stop, err
		}
		return "", nil, errors.New("serve: unknown peer")
	}
}

// BlobStorage is the in-memory blob model (package blob) as a host's storage, with the primary
// lease's container in place.
type BlobStorage struct{ store *blob.Store }

var _ hosthttp.Storage = (*BlobStorage)(nil)

// NewBlobStorage is an empty blob model holding the container host.HostsContainer.
func NewBlobStorage() *BlobStorage {
	s := blob.New()
	_ = s.CreateContainer(time.Now(), host.HostsContainer)
	return &BlobStorage{store: s}
}

// Do performs a host's storage call on the blob model at now, as the simulator's world does.
func (b *BlobStorage) Do(c host.BlobCall, now time.Time) host.BlobResult {
	return site.BlobOn(b.store, now, c)
}
