package host_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/conformance/suites"
)

// TestHost runs HOST-1..2 against the reference host (or SYNCSIM_HOST_URL).
func TestHost(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "conformance: host")
}

var _ = suites.DescribeRules("host", conformance.HostRules())
