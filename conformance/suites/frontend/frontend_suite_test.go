package frontend_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/conformance/suites"
)

// TestFrontEnd runs FE-1..5 against the reference front end (or SYNCSIM_FRONTEND_URL).
func TestFrontEnd(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "conformance: frontend")
}

var _ = suites.DescribeRules("frontend", conformance.FrontEndRules())
