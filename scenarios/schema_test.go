package scenarios

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/syncsim/syncsim/host"
)

// TestSchemaExample keeps SCHEMA.md's example loadable and its stated results true.
func TestSchemaExample(t *testing.T) {
	doc, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "## Example\n\n```yaml\n")
	if start < 0 {
		t.Fatal("SCHEMA.md has no example block")
	}
	body := text[start+len("## Example\n\n```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	s, err := Parse("SCHEMA.md#example", []byte(body))
	if err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	if s.SettleStart() != 15*time.Minute || s.End() != 20*time.Minute || s.Budget.MaxTime != 80*time.Minute ||
		s.Site.HostID != "myapp" || len(s.Site.EncryptionKey) != 64 {
		t.Errorf("example loads as %+v", *s)
	}
	if got := s.Expected(host.ModePlatform); strings.Join(got, ",") != "P1,P4" {
		t.Errorf("Expected(platform) = %v", got)
	}
	if fns := s.Timeline[0].Deploy.Functions; len(fns) != 2 || fns[1].Name != "Timer1" {
		t.Errorf("deploy functions = %+v", fns)
	}
}

// TestSchemaDocumentsEveryField fails when a field the loader accepts is missing from SCHEMA.md.
func TestSchemaDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	fields := append(append([]string{}, topFields...), "host_id", "encryption_key", "master", "hook_syncs", "hook_interval",
		"remove", "add", "interval", "auth", "which", "background", "params", "drop", "duplicate", "reorder",
		"retry_budget", "debounce", "max_events", "max_time", "startup", "language", "disabled", "bindings",
		"limits.timeline", "instance_starts", "names", "name", "instance", "drain")
	for _, k := range ActionKinds {
		fields = append(fields, string(k))
	}
	for _, f := range fields {
		if !strings.Contains(string(doc), "`"+f) && !strings.Contains(string(doc), "."+f+"`") {
			t.Errorf("SCHEMA.md does not document %q", f)
		}
	}
}
