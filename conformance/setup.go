package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live/hosthttp"
	"github.com/syncsim/syncsim/live/meshhttp"
	"github.com/syncsim/syncsim/live/standalone"
)

// Target says what to test and where it is. With no URL or command, Prepare starts our reference
// part (with Defects planted) on a free port.
type Target struct {
	// Kind is "mesh", "frontend" or "host".
	Kind string
	// SiteName is WEBSITE_SITE_NAME (default DefaultSiteName); Key is WEBSITE_AUTH_ENCRYPTION_KEY
	// (generated when empty, which an endpoint given by URL cannot know: Prepare refuses that).
	SiteName, Key string
	// SiteListen is where the harness's site listens (mesh; default 127.0.0.1:0).
	SiteListen string
	// LearnSite, with MeshURL, takes the site's name from the mesh's first fetch (Site.LearnName):
	// a mesh already running was configured with a site name the harness was not told.
	LearnSite bool
	// MeshURL is a running mesh; MeshCmd a command that starts one (placeholders: CommandVars).
	MeshURL, MeshCmd string
	// Simrun is the {simrun} placeholder's value.
	Simrun string
	// FrontEndURL and FrontEndReadback are a running front end and its optional read-back URL.
	FrontEndURL, FrontEndReadback string
	// HostURL is a running host; HostExpectedHash and HostMasterKey help judge it.
	HostURL, HostExpectedHash, HostMasterKey string
	// Defects are planted in the reference part (by name, from package plant's
	// MeshServer, FrontEndServer and HostServer tables).
	Defects []string
	// RetryBudget shortens the reference mesh's retry budget (0: the 10-minute default).
	RetryBudget time.Duration
	// Log gets the reference parts' and the endpoint process's notes; nil discards.
	Log io.Writer
}

// DefaultSiteName is the site the harness plays when none is given.
const DefaultSiteName = "conformance-site"

// Prepared is a ready Env and what Prepare started, with how to describe it.
type Prepared struct {
	Env *Env
	// Notes are lines for a person: where the site listens, what was started.
	Notes []string
	// Process is the endpoint process started from MeshCmd (nil otherwise).
	Process *Process
	stops   []func()
}

// Close stops everything Prepare started, in reverse order.
func (p *Prepared) Close() {
	for i := len(p.stops) - 1; i >= 0; i-- {
		p.stops[i]()
	}
	p.stops = nil
}

// NewKey makes a 64-hex-character key (TOK-1) from crypto/rand.
func NewKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("conformance: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func setupErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSetup, fmt.Sprintf(format, args...))
}

// Prepare starts what the target needs (the harness's site, the sink, a reference part or the
// endpoint's process) and returns the Env to run the rules with. Every error is an environment or
// usage error (errors.Is(err, ErrSetup)); nothing is left running after one.
func Prepare(ctx context.Context, t Target) (*Prepared, error) {
	p := &Prepared{Env: &Env{}}
	if err := p.prepare(ctx, t); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Prepared) prepare(ctx context.Context, t Target) error {
	if t.SiteName == "" {
		t.SiteName = DefaultSiteName
	}
	if err := validSiteName(t.SiteName); err != nil {
		return err
	}
	external := map[string]bool{"mesh": t.MeshURL != "", "frontend": t.FrontEndURL != "", "host": t.HostURL != ""}[t.Kind]
	if t.Key == "" {
		if external {
			return setupErr("--key is required with an endpoint given by URL: it must sign and check tokens with the same WEBSITE_AUTH_ENCRYPTION_KEY")
		}
		t.Key = NewKey()
	}
	keyBytes, err := host.ParseKey(t.Key)
	if err != nil {
		return setupErr("--key: %v (fix: 64 hex characters, or base64)", err)
	}
	env := p.Env
	env.Key, env.SiteName = t.Key, t.SiteName
	site := host.Site{Name: t.SiteName, HostID: host.DefaultHostID(t.SiteName), EncryptionKey: t.Key}
	switch t.Kind {
	case "mesh":
		return p.prepareMesh(ctx, t, site, keyBytes)
	case "frontend":
		return p.prepareFrontEnd(t, site)
	case "host":
		return p.prepareHost(t, site)
	}
	return setupErr("unknown kind %q (mesh, frontend, host)", t.Kind)
}

func (p *Prepared) prepareMesh(ctx context.Context, t Target, site host.Site, key []byte) error {
	if t.MeshURL != "" && t.MeshCmd != "" {
		return setupErr("--mesh-url and --mesh-cmd exclude each other")
	}
	listen := t.SiteListen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	s := NewSite(t.SiteName, key)
	siteURL, err := s.Listen(listen)
	if err != nil {
		return setupErr("--site-listen %s: %v", listen, err)
	}
	p.stops = append(p.stops, func() { s.Close() })
	p.Env.Site = s
	p.Notes = append(p.Notes, "site: the harness serves "+site.Name+"'s admin API at "+siteURL+" (the mesh must fetch "+siteURL+host.PathTriggers+")")
	switch {
	case t.MeshURL != "":
		p.Env.MeshURL, p.Env.SiteSource = t.MeshURL, SiteNotTold
		if t.LearnSite {
			s.LearnName()
			p.Notes = append(p.Notes, "site: no --site given: the site takes its name from the audience of the mesh's first fetch, when that token is signed with --key by the platform's issuer")
		}
		p.Notes = append(p.Notes, "mesh under test: "+t.MeshURL)
	case t.MeshCmd != "":
		port, err := FreePort()
		if err != nil {
			return setupErr("no free port: %v", err)
		}
		vars := CommandVars{Port: port, SiteURL: siteURL, Site: site.Name, Key: t.Key, Simrun: t.Simrun}
		proc, err := StartProcess(ctx, vars.Expand(t.MeshCmd), port, t.Key)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSetup, err)
		}
		p.Process = proc
		p.stops = append(p.stops, proc.Stop)
		p.Env.SiteSource = SiteNotInCommand
		if strings.Contains(t.MeshCmd, "{site}") {
			p.Env.SiteSource = SiteInCommand
		}
		p.Env.MeshURL = "http://127.0.0.1:" + strconv.Itoa(port) + "/"
		p.Notes = append(p.Notes, "mesh under test: started from --mesh-cmd, listening on "+p.Env.MeshURL)
	default:
		m := meshhttp.NewMesh(meshhttp.MeshConfig{Site: site, SiteURL: siteURL, Defects: t.Defects, RetryBudget: t.RetryBudget, Log: t.Log})
		u, stop, err := m.Serve("127.0.0.1:0")
		if err != nil {
			return setupErr("reference mesh: %v", err)
		}
		p.stops = append(p.stops, func() { stop() })
		p.Env.MeshURL = u + "/"
		p.Notes = append(p.Notes, "mesh under test: the reference mesh at "+p.Env.MeshURL+defectNote(t.Defects))
	}
	return nil
}

func (p *Prepared) prepareFrontEnd(t Target, site host.Site) error {
	if t.FrontEndURL != "" {
		p.Env.FrontEndURL, p.Env.FrontEndReadback = t.FrontEndURL, t.FrontEndReadback
		p.Notes = append(p.Notes, "front end under test: "+t.FrontEndURL)
		return nil
	}
	fe := meshhttp.NewFrontEnd(meshhttp.FrontEndConfig{Site: site, Defects: t.Defects, Log: t.Log})
	u, stop, err := fe.Serve("127.0.0.1:0")
	if err != nil {
		return setupErr("reference front end: %v", err)
	}
	p.stops = append(p.stops, func() { stop() })
	p.Env.FrontEndURL, p.Env.FrontEndReadback = u, u+PathSetTriggers
	p.Notes = append(p.Notes, "front end under test: the reference front end at "+u+" (read-back GET "+PathSetTriggers+")"+defectNote(t.Defects))
	return nil
}

func (p *Prepared) prepareHost(t Target, site host.Site) error {
	if t.HostURL != "" {
		p.Env.HostURL, p.Env.HostExpectedHash, p.Env.HostMasterKey = t.HostURL, t.HostExpectedHash, t.HostMasterKey
		p.Notes = append(p.Notes, "host under test: "+t.HostURL)
		return nil
	}
	sink := &Sink{}
	sinkURL, err := sink.Listen("127.0.0.1:0")
	if err != nil {
		return setupErr("publish sink: %v", err)
	}
	p.stops = append(p.stops, func() { sink.Close() })
	h := standalone.NewHost(hosthttp.HostConfig{Site: site, FrontEndURL: sinkURL, Defects: t.Defects, Log: t.Log})
	u, stop, err := h.Serve("127.0.0.1:0")
	if err != nil {
		return setupErr("reference host: %v", err)
	}
	p.stops = append(p.stops, func() { stop() })
	c := h.Content()
	p.Env.HostURL, p.Env.Sink, p.Env.HostMasterKey = u, sink, c.Keys.Master
	p.Env.HostExpectedHash = host.BuildPayload(site, c.Functions, c.Keys).Hash
	p.Notes = append(p.Notes, "host under test: the reference host at "+u+", publishing to the harness at "+sinkURL+defectNote(t.Defects))
	return nil
}

func defectNote(defects []string) string {
	if len(defects) == 0 {
		return ""
	}
	return " with planted defect(s) " + strings.Join(defects, ", ")
}

// validSiteName keeps the site name to what App Service allows, which also keeps it safe in a
// shell command's placeholder.
func validSiteName(s string) error {
	if len(s) > 60 || strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') }) >= 0 {
		return setupErr("--site %q: lowercase letters, digits and '-', at most 60 characters", s)
	}
	return nil
}

// IsSetup reports an environment or usage error (exit code 3).
func IsSetup(err error) bool { return errors.Is(err, ErrSetup) }
