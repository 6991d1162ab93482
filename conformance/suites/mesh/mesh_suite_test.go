package mesh_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/syncsim/syncsim/conformance"
	"github.com/syncsim/syncsim/conformance/suites"
)

// TestMesh runs MESH-1..9 against the reference mesh (or SYNCSIM_MESH_URL).
func TestMesh(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "conformance: mesh")
}

var _ = suites.DescribeRules("mesh", conformance.MeshRules())
