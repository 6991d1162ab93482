package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/syncsim/syncsim/host"
	"github.com/syncsim/syncsim/live"
	"github.com/syncsim/syncsim/live/azurite"
	"github.com/syncsim/syncsim/runner"
	"github.com/syncsim/syncsim/scenarios"
)

// SystemCase is one live run of the system suite: a scenario in one mode of record.
type SystemCase struct {
	// Scenario is the scenario file, relative to the repository root.
	Scenario string
	Mode     host.Mode
	// TimeScale is the live run's time scale (0: live.DefaultTimeScale).
	TimeScale float64
}

// SystemCases are the system suite's runs: smoke and the worker-deleted incident, in every mode of
// record (host.ModesOfRecord: frontend, platform and additive, the shipped design). The incident's site stays at zero instances past the mesh's 10-minute retry budget, so it
// runs at scale 0.003 (about 12 s).
func SystemCases() []SystemCase {
	var out []SystemCase
	for _, sc := range []struct {
		path  string
		scale float64
	}{
		{"scenarios/smoke.yaml", 0},
		{"scenarios/incidents/worker-deleted-before-fetch.yaml", 0.003},
	} {
		for _, m := range host.ModesOfRecord() {
			out = append(out, SystemCase{Scenario: sc.path, Mode: m, TimeScale: sc.scale})
		}
	}
	return out
}

// SystemOptions configure RunSystem.
type SystemOptions struct {
	// RepoRoot holds scenarios/ and tools/azurite; "" means the nearest go.mod at or above the
	// working directory.
	RepoRoot string
	// AzuriteProvider is azurite.Options.Provider ("" = auto); Storage an existing account's
	// connection string instead.
	AzuriteProvider, Storage string
	// Log gets Azurite's and the runs' notes.
	Log io.Writer
	// Progress, when set, gets each result as it is judged.
	Progress func(*runner.Result)
}

// ErrNoAzurite: Azurite cannot be found (not installed). Suites skip on it, except under CI=true.
var ErrNoAzurite = errors.New("conformance: Azurite is not available")

// RunSystem makes the system suite's live runs (runner.RunOne with Options.Live, storage in Azurite)
// and judges P1..P11 and P13 on each, with the scenarios' expectations applied: smoke passes
// everything, the incident fails P1 and P4 (as xfail) in platform mode only.
func RunSystem(ctx context.Context, opts SystemOptions) ([]*runner.Result, error) {
	root := opts.RepoRoot
	if root == "" {
		r, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		root = r
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	inst, err := azurite.Start(ctx, azurite.Options{Provider: opts.AzuriteProvider, ConnectionString: opts.Storage, RepoRoot: root, Log: log})
	if err != nil {
		if errors.Is(err, azurite.ErrBinaryMissing) {
			return nil, fmt.Errorf("%w: %w", ErrNoAzurite, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrSetup, err)
	}
	defer inst.Stop()
	var results []*runner.Result
	for _, c := range SystemCases() {
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		sc, err := scenarios.Load(filepath.Join(root, c.Scenario))
		if err != nil {
			return results, fmt.Errorf("%w: %w", ErrSetup, err)
		}
		sc.Path = c.Scenario
		scale := c.TimeScale
		if scale == 0 {
			scale = live.DefaultTimeScale
		}
		res, err := runner.RunOne(sc, c.Mode, 1, runner.Options{Live: &live.Options{ConnectionString: inst.ConnectionString, TimeScale: scale, Log: log}})
		if err != nil {
			return results, fmt.Errorf("conformance: live run of %s (%s): %w", c.Scenario, c.Mode, err)
		}
		results = append(results, res)
		if opts.Progress != nil {
			opts.Progress(res)
		}
	}
	return results, nil
}

// RepoRoot is the nearest directory at or above the working directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrSetup, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod at or above the working directory (fix: run in the syncsim repository)", ErrSetup)
		}
		dir = parent
	}
}
