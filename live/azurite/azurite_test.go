package azurite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// start starts an Instance for a test and stops it when the test ends. It skips when the
// npm binary is not installed, except under CI=true, where that is a failure.
func start(t *testing.T, opts Options) *Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	inst, err := Start(ctx, opts)
	if errors.Is(err, ErrBinaryMissing) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true, so Azurite must be installed: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("Start(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := inst.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return inst
}

func hostport(t *testing.T, inst *Instance) string {
	t.Helper()
	u, err := url.Parse(inst.BlobEndpoint)
	if err != nil {
		t.Fatalf("BlobEndpoint %q: %v", inst.BlobEndpoint, err)
	}
	return u.Host
}

// assertGone checks that nothing is left of a stopped npm Instance: the pid is gone (kill -0
// fails), no live process is in its group, and, when addr is set, the port refuses connections.
func assertGone(t *testing.T, pid int, addr string) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill -0 %d after Stop: %v, want ESRCH", pid, err)
	}
	if alive, err := groupAlive(pid); alive || err != nil {
		t.Errorf("process group %d after Stop: alive=%v, %v; want no live process", pid, alive, err)
	}
	if addr == "" {
		return
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Stop", addr)
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s after Stop: %v, want connection refused", addr, err)
	}
}

func TestNPMRoundTripAndStop(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	began := time.Now()
	inst := start(t, Options{Provider: ProviderNPM, Log: &log})
	t.Logf("Start (spawn, listening line, health round trip): %v", time.Since(began).Round(time.Millisecond))
	if inst.Provider != ProviderNPM || inst.PID <= 0 {
		t.Fatalf("Instance = %+v, want provider npm with a pid", inst)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/devstoreaccount1$`).MatchString(inst.BlobEndpoint) {
		t.Errorf("BlobEndpoint = %q", inst.BlobEndpoint)
	}
	wantLog := fmt.Sprintf("azurite: npm package azurite@3.35.0, pid %d, %s\n", inst.PID, inst.BlobEndpoint)
	if log.String() != wantLog {
		t.Errorf("Log = %q, want %q", log.String(), wantLog)
	}

	client, err := inst.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const container, blob, body = "roundtrip", "hash", "sha256:abc"
	if _, err := client.CreateContainer(ctx, container, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadBuffer(ctx, container, blob, []byte(body), nil); err != nil {
		t.Fatal(err)
	}
	got, err := client.DownloadStream(ctx, container, blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(got.Body)
	got.Body.Close()
	if err != nil || string(data) != body {
		t.Fatalf("downloaded %q, %v; want %q", data, err, body)
	}

	addr := hostport(t, inst)
	began = time.Now()
	if err := inst.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("Stop (SIGTERM to exit, port closed): %v", time.Since(began).Round(time.Millisecond))
	assertGone(t, inst.PID, addr)
	if err := inst.Stop(); err != nil {
		t.Errorf("second Stop: %v, want the first result (nil)", err)
	}
}

func TestConcurrentStartsGetDifferentPorts(t *testing.T) {
	t.Parallel()
	var insts [2]*Instance
	var errs [2]error
	var wg sync.WaitGroup
	for n := range insts {
		wg.Go(func() {
			insts[n], errs[n] = Start(context.Background(), Options{Provider: ProviderNPM})
		})
	}
	wg.Wait()
	for n := range insts {
		if insts[n] != nil {
			t.Cleanup(func() { insts[n].Stop() })
		}
	}
	for _, err := range errs {
		if errors.Is(err, ErrBinaryMissing) {
			start(t, Options{Provider: ProviderNPM}) // skips, or fails under CI
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if a, b := hostport(t, insts[0]), hostport(t, insts[1]); a == b {
		t.Errorf("both instances listen on %s", a)
	}
	if insts[0].PID == insts[1].PID {
		t.Errorf("both instances have pid %d", insts[0].PID)
	}
}

// TestAutoPicksNPMWithoutDocker: with no Docker engine (as on this project's machines and CI),
// auto mode gives up on the container after one bounded ping and says so.
func TestAutoPicksNPMWithoutDocker(t *testing.T) {
	t.Parallel()
	began := time.Now()
	if err := pingDocker(context.Background()); err == nil {
		t.Skip("a Docker engine answers here, so auto mode picks the container")
	}
	t.Logf("the Docker ping gave up after %v", time.Since(began).Round(time.Millisecond))
	var log bytes.Buffer
	inst := start(t, Options{Log: &log})
	t.Logf("auto mode: started in %v in all", time.Since(began).Round(time.Millisecond))
	if inst.Provider != ProviderNPM {
		t.Errorf("auto picked %q, want npm", inst.Provider)
	}
	line := log.String()
	if !strings.HasPrefix(line, "azurite: npm package azurite@") ||
		!strings.Contains(line, "no Docker engine answered") || strings.Count(line, "\n") != 1 {
		t.Errorf("Log = %q, want one line naming npm and the missing Docker engine", line)
	}
}

func TestContainerWithoutDockerIsAClearError(t *testing.T) {
	t.Parallel()
	if err := pingDocker(context.Background()); err == nil {
		t.Skip("a Docker engine answers here")
	}
	_, err := Start(context.Background(), Options{Provider: ProviderContainer})
	if !errors.Is(err, ErrNoDocker) {
		t.Errorf("Start(container) = %v, want ErrNoDocker", err)
	}
}

func TestAccountConnectionStrings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, cs string
		want     error
	}{
		{"empty", "", ErrBadConnectionString},
		{"malformed", "not a connection string", ErrBadConnectionString},
		{"no key", "AccountName=a;BlobEndpoint=http://127.0.0.1:1/a", ErrBadConnectionString},
		{"bad key", "AccountName=a;AccountKey=!!!secret!!!;BlobEndpoint=http://127.0.0.1:1/a", ErrBadConnectionString},
		// Port 1 on loopback refuses at once, so this fails the health check quickly.
		{"unreachable", devConnectionString("http://127.0.0.1:1/" + DevAccount), ErrUnhealthy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := Start(context.Background(), Options{Provider: ProviderAccount, ConnectionString: tc.cs})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Start = %v, %v; want %v", inst, err, tc.want)
			}
			if strings.Contains(err.Error(), DevKey) || strings.Contains(err.Error(), "!!!secret!!!") {
				t.Errorf("error shows the key: %v", err)
			}
			t.Logf("%v", err)
		})
	}
}

func TestAccountReachesAnExistingEndpoint(t *testing.T) {
	t.Parallel()
	server := start(t, Options{Provider: ProviderNPM})
	var log bytes.Buffer
	inst, err := Start(context.Background(), Options{ConnectionString: server.ConnectionString, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if inst.Provider != ProviderAccount || inst.BlobEndpoint != server.BlobEndpoint || inst.PID != 0 {
		t.Errorf("Instance = %+v, want account at %s", inst, server.BlobEndpoint)
	}
	if strings.Contains(log.String(), DevKey) {
		t.Errorf("Log shows the key: %q", log.String())
	}
	if err := inst.Stop(); err != nil {
		t.Errorf("Stop of an account: %v", err)
	}
	if err := server.checkHealth(context.Background()); err != nil {
		t.Errorf("stopping the account stopped the server: %v", err)
	}
}

func TestUnknownProvider(t *testing.T) {
	t.Parallel()
	if _, err := Start(context.Background(), Options{Provider: "kubernetes"}); err == nil ||
		!strings.Contains(err.Error(), `unknown provider "kubernetes"`) {
		t.Errorf("Start = %v, want an unknown-provider error", err)
	}
}

func TestMissingBinaryGivesInstallHint(t *testing.T) {
	t.Setenv(EnvBinary, "/nonexistent")
	_, err := Start(context.Background(), Options{Provider: ProviderNPM})
	if !errors.Is(err, ErrBinaryMissing) || !strings.Contains(err.Error(), "npm install --prefix tools/azurite") ||
		!strings.Contains(err.Error(), "/nonexistent") {
		t.Errorf("Start = %v, want ErrBinaryMissing naming /nonexistent and the install command", err)
	}
}

func TestMissingBinaryInRepoGivesInstallHint(t *testing.T) {
	t.Setenv(EnvBinary, "") // empty means unset
	root := t.TempDir()
	_, err := Start(context.Background(), Options{Provider: ProviderNPM, RepoRoot: root})
	if !errors.Is(err, ErrBinaryMissing) || !strings.Contains(err.Error(), filepath.Join(root, binaryRel)) ||
		!strings.Contains(err.Error(), "npm install --prefix tools/azurite") {
		t.Errorf("Start = %v, want ErrBinaryMissing naming the path and the install command", err)
	}
}

// fakeServer writes a shell script standing in for azurite-blob.
func fakeServer(t *testing.T, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "azurite-blob")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFailedStartLeavesNothingRunning(t *testing.T) {
	t.Run("exits", func(t *testing.T) {
		t.Setenv(EnvBinary, fakeServer(t, "echo 'port is taken' >&2; exit 3"))
		_, err := Start(context.Background(), Options{Provider: ProviderNPM})
		if !errors.Is(err, ErrStartup) || !strings.Contains(err.Error(), "port is taken") ||
			!strings.Contains(err.Error(), "exit status 3") {
			t.Errorf("Start = %v, want ErrStartup quoting the output and the exit status", err)
		}
	})
	t.Run("never listens", func(t *testing.T) {
		// The script and a child of it stay up; both must be gone after the failed Start.
		t.Setenv(EnvBinary, fakeServer(t, "echo \"fake pid $$\"; sleep 60 & wait"))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		_, err := Start(ctx, Options{Provider: ProviderNPM})
		if !errors.Is(err, ErrStartup) || !strings.Contains(err.Error(), "fake pid") {
			t.Fatalf("Start = %v, want ErrStartup quoting the output", err)
		}
		m := regexp.MustCompile(`fake pid (\d+)`).FindStringSubmatch(err.Error())
		pid, _ := strconv.Atoi(m[1])
		assertGone(t, pid, "")
	})
	if n := Live(); n != 0 {
		t.Errorf("%d instances registered after failed starts", n)
	}
}

func TestStopAllStopsEverything(t *testing.T) {
	// Not parallel: StopAll stops every live Instance, also other tests'.
	a := start(t, Options{Provider: ProviderNPM})
	b := start(t, Options{Provider: ProviderNPM})
	if n := Live(); n < 2 {
		t.Fatalf("Live() = %d, want at least 2", n)
	}
	if err := StopAll(); err != nil {
		t.Fatalf("StopAll: %v", err)
	}
	if n := Live(); n != 0 {
		t.Errorf("Live() = %d after StopAll", n)
	}
	assertGone(t, a.PID, hostport(t, a))
	assertGone(t, b.PID, hostport(t, b))
}

// TestStopOnSignal runs this test binary as a child that starts Azurite and waits; SIGINT must
// make it stop Azurite and exit 130.
func TestStopOnSignal(t *testing.T) {
	if os.Getenv("AZURITE_SIGNAL_CHILD") == "1" {
		signalChild()
		return
	}
	t.Parallel()
	start(t, Options{Provider: ProviderNPM}) // skips (or fails under CI) when not installed
	cmd := exec.Command(os.Args[0], "-test.run=^TestStopOnSignal$")
	cmd.Env = append(os.Environ(), "AZURITE_SIGNAL_CHILD=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pid int
	var addr string
	if _, err := fmt.Fscanf(stdout, "%d %s\n", &pid, &addr); err != nil {
		t.Fatalf("reading the child's pid and address: %v", err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("child exited with %v, want status 130", err)
	}
	assertGone(t, pid, addr)
}

func signalChild() {
	StopOnSignal()
	inst, err := Start(context.Background(), Options{Provider: ProviderNPM})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	u, _ := url.Parse(inst.BlobEndpoint)
	fmt.Printf("%d %s\n", inst.PID, u.Host)
	time.Sleep(time.Minute)
	os.Exit(3)
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cs := "BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=abc%2Bdef"
	msg := `Put "https://a.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef": dial failed; sig abc+def`
	got := redact(msg, cs)
	if strings.Contains(got, "abc") {
		t.Errorf("redact left the signature: %q", got)
	}
}
