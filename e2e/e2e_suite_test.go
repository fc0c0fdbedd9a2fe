// Package e2e drives irdrill targets end to end with clients nobody on the
// project wrote (the AWS CLI, jq), using the seed documents' own commands.
package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "irdrill end-to-end")
}

// server is the `irdrill sandbox serve` target shared by the suite.
var server *Target

var _ = BeforeSuite(func(ctx context.Context) {
	for _, tool := range []string{"aws", "jq"} {
		_, err := exec.LookPath(tool)
		Expect(err).NotTo(HaveOccurred(), "%s is needed by the end-to-end suite (.ci/run installs it)", tool)
	}
	var err error
	// The first build on a fresh machine compiles the whole SDK: allow for it.
	server, err = startSandboxServer(ctx, GinkgoT().TempDir())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		Expect(server.Stop()).To(Succeed(), "graceful shutdown on SIGTERM; output:\n%s", server.output.String())
		Expect(server.output.String()).To(ContainSubstring("shutting down"))
		Expect(server.output.String()).To(ContainSubstring("stopped: every request in flight finished"))
	})
}, NodeTimeout(10*time.Minute))

// admin is the CLI with the bootstrap admin key.
func admin() CLI { return CLI{Target: server, Creds: server.Admin} }

// labelSandboxServer marks specs that run against the served sandbox.
var labelSandboxServer = Label("target:sandbox-server")
