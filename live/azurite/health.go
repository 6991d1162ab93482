package azurite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// checkHealth proves the endpoint works with a create/delete-container round trip, bounded
// by healthTimeout. The error never shows the connection string's key or SAS token.
func (i *Instance) checkHealth(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	// Few, short retries: a fresh local server answers at once, and a wrong endpoint should
	// fail well inside healthTimeout with its real cause rather than a deadline.
	client, err := azblob.NewClientFromConnectionString(i.ConnectionString, &azblob.ClientOptions{
		ClientOptions: policy.ClientOptions{Retry: policy.RetryOptions{
			MaxRetries: 2, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second,
		}},
	})
	if err != nil {
		return i.healthError("client", err)
	}
	name := "syncsim-health-" + randomHex(6)
	if _, err := client.CreateContainer(ctx, name, nil); err != nil {
		return i.healthError("create container "+name, err)
	}
	if _, err := client.DeleteContainer(ctx, name, nil); err != nil {
		return i.healthError("delete container "+name, err)
	}
	return nil
}

func (i *Instance) healthError(op string, err error) error {
	msg := redact(err.Error(), i.ConnectionString)
	return fmt.Errorf("%w: %s at %s (within %v): %s", ErrUnhealthy, op, i.BlobEndpoint, healthTimeout, msg)
}

// redact removes the secret parts (AccountKey, SharedAccessSignature and its sig) of
// connectionString from msg (P11: no secret appears in errors).
func redact(msg, connectionString string) string {
	for _, part := range strings.Split(connectionString, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			continue
		}
		switch key {
		case "AccountKey", "SharedAccessSignature":
			msg = strings.ReplaceAll(msg, value, "REDACTED")
			if q, err := url.ParseQuery(value); err == nil {
				if sig := q.Get("sig"); sig != "" {
					msg = strings.ReplaceAll(msg, sig, "REDACTED")
					msg = strings.ReplaceAll(msg, url.QueryEscape(sig), "REDACTED")
				}
			}
		}
	}
	return msg
}

// reachAccount is Provider "account": nothing to start, only a connection string to check.
func reachAccount(connectionString string) (*Instance, string, error) {
	if strings.TrimSpace(connectionString) == "" {
		return nil, "", fmt.Errorf("%w: Provider %q needs Options.ConnectionString (--storage)", ErrBadConnectionString, ProviderAccount)
	}
	client, err := azblob.NewClientFromConnectionString(connectionString, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s", ErrBadConnectionString, redact(err.Error(), connectionString))
	}
	endpoint := client.URL()
	if u, err := url.Parse(endpoint); err == nil {
		u.RawQuery = "" // a SAS token is a secret
		endpoint = strings.TrimSuffix(u.String(), "/")
	}
	inst := &Instance{Provider: ProviderAccount, BlobEndpoint: endpoint, ConnectionString: connectionString}
	return inst, "account " + endpoint + " (given connection string; nothing started)", nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// waitPortClosed waits until nothing accepts connections at hostport.
func waitPortClosed(hostport string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", hostport, 200*time.Millisecond)
		if err != nil {
			return nil
		}
		conn.Close()
		if time.Now().After(deadline) {
			return errors.New("azurite: " + hostport + " still accepts connections " + timeout.String() + " after stop")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
