// Package output is the one way a file leaves the process: its text goes through the one redaction
// (output/redact) with the run's secrets, then P11 judges what is left with its own detector
// (check.JudgeOutput), and only a clean text is written. A text that still holds a secret, a JWT or
// a credential is not written; the error is a *check.LeakError naming the file and what it holds
// (never the value), which the CLI turns into exit 1.
//
//	err := output.WriteFile("out/run.json", data, secrets)
package output

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/syncsim/syncsim/check"
	"github.com/syncsim/syncsim/output/redact"
)

// Redact returns data masked by the one redaction with secrets, or a *check.LeakError when P11 still
// finds a credential in the masked text; name is how the error names the output.
func Redact(name string, data []byte, secrets []string) ([]byte, error) {
	return judged(name, redactText(secrets, data), secrets)
}

// WriteFile writes data to path (creating its directory), as Redact masks and judges it.
func WriteFile(path string, data []byte, secrets []string) error {
	masked, err := Redact(path, data, secrets)
	if err != nil {
		return err
	}
	return write(path, masked)
}

// WriteMasked writes a text its producer has already put through the one redaction with what it
// learnt (the importer's scenarios, whose `key: host.default` lines a second pass would mask), so it
// is only judged, as WriteFile judges.
func WriteMasked(path string, data []byte, secrets []string) error {
	if _, err := judged(path, data, secrets); err != nil {
		return err
	}
	return write(path, data)
}

func write(path string, data []byte) error {
	masked := data
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := os.WriteFile(path, masked, 0o644); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// redactText is the one redaction; a test replaces it with one that misses, to show that P11's own
// judgement still refuses the output.
var redactText = func(secrets []string, data []byte) []byte { return redact.New(secrets).Bytes(data) }

func judged(name string, data []byte, secrets []string) ([]byte, error) {
	if err := check.JudgeOutput(name, data, secrets); err != nil {
		return nil, err
	}
	return data, nil
}
