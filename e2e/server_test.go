package e2e

import (
	"encoding/json"
	"io"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("irdrill sandbox serve", labelSandboxServer, func() {
	It("prints the endpoint and bootstrap key id but no secret", func() {
		out := server.output.String()
		Expect(out).To(ContainSubstring(server.Endpoint))
		Expect(out).To(ContainSubstring("AKIAIRDRILLBOOTSTRAP"))
		Expect(out).NotTo(ContainSubstring("irdrill-bootstrap-secret"))
	})

	It("answers health with the account, services and version", func() {
		resp, err := http.Get(server.Endpoint + "/_irdrill/health")
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var health struct {
			Status   string   `json:"status"`
			Account  string   `json:"account"`
			Services []string `json:"services"`
			Version  string   `json:"version"`
		}
		Expect(json.Unmarshal(body, &health)).To(Succeed())
		Expect(health.Status).To(Equal("ok"))
		Expect(health.Account).To(Equal("999999999999"))
		Expect(health.Services).To(ContainElements("cloudtrail", "ec2", "iam", "logs", "sts"))
		Expect(health.Version).NotTo(BeEmpty())
	})

	It("identifies the bootstrap admin", func() {
		var id struct{ UserId, Account, Arn string }
		admin().MustJSON(&id, "sts", "get-caller-identity")
		Expect(id.Account).To(Equal("999999999999"))
		Expect(id.Arn).To(Equal("arn:aws:iam::999999999999:user/admin"))
	})

	It("rejects an unknown key and a bad secret as AWS does", func() {
		unknown := CLI{Target: server, Creds: Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}}
		unknown.MustFail("InvalidClientTokenId", "iam", "list-users")
		unknown.MustFail("AuthFailure", "ec2", "describe-regions")
		badSecret := CLI{Target: server, Creds: Credentials{AccessKeyID: server.Admin.AccessKeyID, SecretAccessKey: "wrong"}}
		badSecret.MustFail("SignatureDoesNotMatch", "iam", "list-users")
	})
})
