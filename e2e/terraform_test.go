package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// terraformMirror is where the machine keeps the AWS provider, so that
// `terraform init` works without a registry.
const terraformMirror = "/opt/tf-plugins"

// Terraform's AWS provider, unchanged, against the served sandbox: apply,
// a second plan that finds no drift, destroy.
var _ = Describe("Terraform's AWS provider", Ordered, labelSandboxServer, Label("client:terraform"), func() {
	var dir string
	terraform := func(ctx context.Context, args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, "terraform", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
			"TF_VAR_endpoint="+server.Endpoint)
		out, err := cmd.CombinedOutput()
		code := 0
		if exitErr, ok := err.(*exec.ExitError); ok {
			code = exitErr.ExitCode()
		} else if err != nil {
			Fail(err.Error())
		}
		return string(out), code
	}

	BeforeAll(func() {
		if _, err := exec.LookPath("terraform"); err != nil {
			Skip("terraform is not installed")
		}
		if _, err := os.Stat(terraformMirror); err != nil {
			Skip("no provider mirror at " + terraformMirror)
		}
		dir = GinkgoT().TempDir()
		main, err := os.ReadFile("testdata/terraform/main.tf")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "main.tf"), main, 0o600)).To(Succeed())
		rc := `provider_installation {
  filesystem_mirror {
    path    = "` + terraformMirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
		Expect(os.WriteFile(filepath.Join(dir, "cli.tfrc"), []byte(rc), 0o600)).To(Succeed())
	})

	It("initialises offline from the mirror", func(ctx SpecContext) {
		out, code := terraform(ctx, "init", "-input=false", "-no-color")
		Expect(code).To(Equal(0), out)
	}, SpecTimeout(3*60e9))

	It("applies the lab slice", func(ctx SpecContext) {
		out, code := terraform(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
		Expect(code).To(Equal(0), out)
		Expect(out).To(ContainSubstring("Apply complete! Resources: 6 added"))
		Expect(out).To(ContainSubstring(`ami = "ami-0c2b8ca1dad447f8a"`))
		var user struct{ User struct{ Arn string } }
		admin().MustJSON(&user, "iam", "get-user", "--user-name", "tf-integration")
		Expect(user.User.Arn).To(Equal("arn:aws:iam::999999999999:user/tf-integration"))
	}, SpecTimeout(5*60e9))

	It("reads everything back without drift", func(ctx SpecContext) {
		out, code := terraform(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color")
		Expect(code).To(Equal(0), "a second plan must find no changes:\n"+out)
		Expect(out).To(ContainSubstring("No changes."))
	}, SpecTimeout(5*60e9))

	It("destroys it", func(ctx SpecContext) {
		out, code := terraform(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
		Expect(code).To(Equal(0), out)
		Expect(out).To(ContainSubstring("Destroy complete! Resources: 6 destroyed."))
		res := admin().Run("iam", "get-user", "--user-name", "tf-integration")
		Expect(strings.Contains(res.Stderr, "NoSuchEntity")).To(BeTrue(), res.Stderr)
	}, SpecTimeout(5*60e9))
})
