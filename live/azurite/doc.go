// Package azurite starts or reaches an Azurite blob endpoint for syncsim's live runs and
// differential tests, and makes sure whatever it started is stopped again (DESIGN.md, "Live
// mode" and principle 5: real parts where users have them).
//
// Three providers:
//   - "npm" (the default here): the azurite-blob server from the npm package pinned in
//     tools/azurite/package.json, run as a child process in its own process group on a free
//     port of 127.0.0.1 with in-memory persistence. SYNCSIM_AZURITE may name another binary.
//   - "container": mcr.microsoft.com/azure-storage/azurite through testcontainers-go, used
//     only where a Docker engine answers a ping within 2 s.
//   - "account": an existing storage account given by its connection string; nothing is
//     started and Stop does nothing.
//
// With Provider "" Start picks the container when a Docker engine answers, else npm.
// Every Instance is proved by a create/delete-container round trip before Start returns, and
// is kept in a package registry until it is stopped, so a CLI can stop everything on Ctrl-C:
//
//	azurite.StopOnSignal()
//	inst, err := azurite.Start(ctx, azurite.Options{Log: os.Stderr})
//	if errors.Is(err, azurite.ErrBinaryMissing) {
//		// err names the path and the command that installs it
//	}
//	if err != nil {
//		return err
//	}
//	defer inst.Stop()
//	client, err := inst.Client()
//
// Start never installs anything: when the npm binary is missing it returns ErrBinaryMissing
// with the install command (npm install --prefix tools/azurite), and tests turn that into a
// skip (a failure under CI=true).
package azurite
