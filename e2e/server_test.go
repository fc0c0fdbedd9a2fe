package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("irdrill sandbox serve", labelSandboxServer, func() {
	It("prints the endpoint and the lines to paste, with the bootstrap secret only because it is the documented default", func() {
		out := server.output.String()
		Expect(out).To(ContainSubstring("irdrill sandbox serving " + server.Endpoint + "\n"))
		Expect(out).To(ContainSubstring("export AWS_ENDPOINT_URL=" + server.Endpoint + "\n"))
		Expect(out).To(ContainSubstring("export AWS_ACCESS_KEY_ID=AKIAIRDRILLBOOTSTRAP\n"))
		Expect(out).To(ContainSubstring("export AWS_SECRET_ACCESS_KEY=irdrill-bootstrap-secret\n"))
		Expect(out).To(ContainSubstring("export AWS_DEFAULT_REGION=us-east-1\n"))
	})

	It("never prints a secret the user chose", func() {
		port, err := freePort()
		Expect(err).NotTo(HaveOccurred())
		cmd := exec.Command(server.Bin, "sandbox", "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--admin-secret-access-key", "my-own-secret-0123456789")
		out := &syncBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		Expect(cmd.Start()).To(Succeed())
		Eventually(out.String).WithTimeout(30 * time.Second).Should(ContainSubstring("export AWS_DEFAULT_REGION="))
		Expect(cmd.Process.Signal(syscall.SIGTERM)).To(Succeed())
		Expect(cmd.Wait()).To(Succeed())
		Expect(out.String()).NotTo(ContainSubstring("my-own-secret"))
		Expect(out.String()).To(ContainSubstring("export AWS_SECRET_ACCESS_KEY=…"))
	})

	It("answers health GET and HEAD only, and irdrill sandbox health says so", func() {
		req, _ := http.NewRequest(http.MethodDelete, server.Endpoint+"/_irdrill/health", nil)
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusMethodNotAllowed))
		Expect(resp.Header.Get("Allow")).To(Equal("GET, HEAD"))
		ok := irdrill(nil, "sandbox", "health", "--endpoint", server.Endpoint)
		Expect(ok.ExitCode).To(Equal(0), ok.Stderr)
		Expect(ok.Stdout).To(HavePrefix("ok: irdrill sandbox "))
		port, err := freePort()
		Expect(err).NotTo(HaveOccurred())
		down := irdrill(nil, "sandbox", "health", "--endpoint", fmt.Sprintf("http://127.0.0.1:%d", port))
		Expect(down.ExitCode).To(Equal(1))
	})

	It("prints the checkout's revision as its version", func() {
		rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			Skip("no git checkout to compare with: " + err.Error())
		}
		res := irdrill(nil, "version")
		Expect(res.ExitCode).To(Equal(0))
		if strings.HasPrefix(res.Stdout, "irdrill dev\n") {
			Skip("go recorded no VCS information in this build (a git worktree, whose .git is a file, or -buildvcs=false): " + strings.TrimSpace(res.Stdout))
		}
		status, err := exec.Command("git", "status", "--porcelain").Output()
		Expect(err).NotTo(HaveOccurred())
		want := "irdrill " + string(rev[:12])
		if len(strings.TrimSpace(string(status))) > 0 {
			want += "-dirty"
		}
		Expect(res.Stdout).To(HavePrefix(want + "\n"))
		Expect(res.Stdout).To(ContainSubstring("  revision " + strings.TrimSpace(string(rev))))
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
