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
			Status     string   `json:"status"`
			Account    string   `json:"account"`
			Services   []string `json:"services"`
			Version    string   `json:"version"`
			CloudTrail struct {
				RetentionSeconds int64 `json:"retentionSeconds"`
				MaxBytes         int64 `json:"maxBytes"`
			} `json:"cloudtrailEventStore"`
			Insights struct {
				MaxConcurrent  int   `json:"maxConcurrent"`
				ResultMaxBytes int64 `json:"resultMaxBytes"`
			} `json:"logsInsights"`
			Server struct {
				MaxConnections         int     `json:"maxConnections"`
				ShutdownTimeoutSeconds float64 `json:"shutdownTimeoutSeconds"`
			} `json:"server"`
		}
		Expect(json.Unmarshal(body, &health)).To(Succeed())
		Expect(health.Status).To(Equal("ok"))
		Expect(health.Account).To(Equal("999999999999"))
		Expect(health.Services).To(ContainElements("cloudtrail", "ec2", "iam", "logs", "sts"))
		Expect(health.Version).NotTo(BeEmpty())
		// What the sandbox keeps, and its limits.
		Expect(health.CloudTrail.RetentionSeconds).To(Equal(int64(90 * 24 * 3600)))
		Expect(health.CloudTrail.MaxBytes).To(BeNumerically(">", 0))
		Expect(health.Insights.MaxConcurrent).To(Equal(100))
		Expect(health.Insights.ResultMaxBytes).To(BeNumerically(">", 0))
		Expect(health.Server.MaxConnections).To(BeNumerically(">", 1))
		Expect(health.Server.ShutdownTimeoutSeconds).To(Equal(10.0))
	})

	It("refuses a credential scope outside the aws partition before making state", func() {
		cli := admin()
		cli.MustFail("SignatureDoesNotMatch", "ec2", "describe-vpcs", "--region", "xx-fake-9")
		cli.MustFail("InvalidSignatureException", "logs", "describe-log-groups", "--region", "xx-fake-9")
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
