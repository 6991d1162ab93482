package azurite

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// EnvBinary, when set, names the azurite-blob binary to run instead of the one under
// tools/azurite.
const EnvBinary = "SYNCSIM_AZURITE"

// binaryRel is where `npm install --prefix tools/azurite` puts the server, from the repo root.
var binaryRel = filepath.Join("tools", "azurite", "node_modules", ".bin", "azurite-blob")

// serverArgs: a free port on loopback, nothing on disk, any API version the SDK sends, no
// telemetry. --silent turns off only the access log; the listening line is still printed.
var serverArgs = []string{
	"--blobHost", "127.0.0.1", "--blobPort", "0",
	"--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
}

// listening matches the line Azurite prints once its socket is bound.
var listening = regexp.MustCompile(`successfully listens on (http://\S+)`)

// keptLines is how much output a startup error quotes.
const keptLines = 20

// server is a running azurite-blob process and the reader of its output.
type server struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait has returned
	err    error         // cmd.Wait's result, set before exited is closed

	mu    sync.Mutex
	lines []string // the last keptLines lines of output
}

// startNPM runs the npm package's server and waits for its listening line.
func startNPM(ctx context.Context, opts Options) (*Instance, string, error) {
	bin, err := npmBinary(opts.RepoRoot)
	if err != nil {
		return nil, "", err
	}
	srv, found, err := launch(bin)
	if err != nil {
		return nil, "", err
	}
	endpoint, err := srv.awaitListening(ctx, found)
	if err != nil {
		return nil, "", errors.Join(err, srv.stop(""))
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Port() == "" {
		return nil, "", errors.Join(fmt.Errorf("%w: cannot parse the listening address %q", ErrStartup, endpoint), srv.stop(""))
	}
	hostport := net.JoinHostPort("127.0.0.1", u.Port())
	blob := "http://" + hostport + "/" + DevAccount
	pid := srv.cmd.Process.Pid
	inst := &Instance{
		Provider:         ProviderNPM,
		BlobEndpoint:     blob,
		ConnectionString: devConnectionString(blob),
		PID:              pid,
		stop:             func() error { return srv.stop(hostport) },
	}
	desc := fmt.Sprintf("npm package %s, pid %d, %s", packageVersion(bin), pid, blob)
	return inst, desc, nil
}

// npmBinary finds the server binary, or says how to install it.
func npmBinary(repoRoot string) (string, error) {
	if bin := os.Getenv(EnvBinary); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%w: %s=%s does not exist; unset it to use %s, installed by `%s` in the repository root",
				ErrBinaryMissing, EnvBinary, bin, binaryRel, installCommand)
		}
		return bin, nil
	}
	if repoRoot == "" {
		root, err := findRepoRoot()
		if err != nil {
			return "", err
		}
		repoRoot = root
	}
	bin := filepath.Join(repoRoot, binaryRel)
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%w: %s is missing; install it with `%s` in %s (or ./scripts/test does it)",
			ErrBinaryMissing, bin, installCommand, repoRoot)
	}
	return bin, nil
}

// launch starts bin in its own process group with stdout and stderr on one pipe, and returns
// a channel that gets the listening URL once it is printed.
func launch(bin string) (*server, <-chan string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrStartup, err)
	}
	cmd := exec.Command(bin, serverArgs...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = ownProcessGroup()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrStartup, bin, err)
	}
	w.Close() // the child holds its own copy; EOF comes when the whole group has exited
	srv := &server{cmd: cmd, exited: make(chan struct{})}
	found := make(chan string, 1)
	go srv.read(r, found)
	go func() {
		srv.err = cmd.Wait()
		close(srv.exited)
	}()
	return srv, found, nil
}

// read keeps the last lines of output and reports the listening URL once. It drains the pipe
// until EOF so that the server never blocks on a full pipe.
func (s *server) read(r io.ReadCloser, found chan<- string) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	reported := false
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.lines = append(s.lines, line)
		if len(s.lines) > keptLines {
			s.lines = s.lines[1:]
		}
		s.mu.Unlock()
		if m := listening.FindStringSubmatch(line); m != nil && !reported {
			found <- m[1]
			reported = true
		}
	}
}

// output is the kept output, for errors.
func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lines) == 0 {
		return "(no output)"
	}
	return strings.Join(s.lines, " | ")
}

func (s *server) awaitListening(ctx context.Context, found <-chan string) (string, error) {
	timer := time.NewTimer(listenTimeout)
	defer timer.Stop()
	select {
	case endpoint := <-found:
		return endpoint, nil
	case <-s.exited:
		// Let the reader catch up with what the process printed before it died.
		select {
		case endpoint := <-found:
			return endpoint, nil
		case <-time.After(100 * time.Millisecond):
		}
		return "", fmt.Errorf("%w: %s exited (%v) before printing its listening line; output: %s",
			ErrStartup, s.cmd.Path, s.err, s.output())
	case <-timer.C:
		return "", fmt.Errorf("%w: no listening line from %s within %v; output: %s",
			ErrStartup, s.cmd.Path, listenTimeout, s.output())
	case <-ctx.Done():
		return "", fmt.Errorf("%w: %v before %s printed its listening line; output: %s",
			ErrStartup, ctx.Err(), s.cmd.Path, s.output())
	}
}

// stop ends the whole process group: SIGTERM, SIGKILL after termGrace, then waits for the
// server to exit, for the group to be empty and, when hostport is set, for the port to close.
func (s *server) stop(hostport string) error {
	pgid := s.cmd.Process.Pid
	signalGroup(s.cmd.Process, pgid, false)
	select {
	case <-s.exited:
	case <-time.After(termGrace):
		signalGroup(s.cmd.Process, pgid, true)
		<-s.exited
	}
	// The leader is gone; a child it left in the group gets no grace.
	if err := waitGroupGone(pgid, termGrace); err != nil {
		return err
	}
	if hostport != "" {
		return waitPortClosed(hostport, portCloseTimeout)
	}
	return nil
}

// packageVersion names the azurite npm package that bin belongs to, e.g. "azurite@3.35.0".
func packageVersion(bin string) string {
	dir, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return "azurite (version unknown)"
	}
	for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "package.json"))
		if err != nil {
			continue
		}
		var pkg struct{ Name, Version string }
		if json.Unmarshal(data, &pkg) == nil && pkg.Name == "azurite" {
			return pkg.Name + "@" + pkg.Version
		}
	}
	return filepath.Base(bin) + " (version unknown)"
}
