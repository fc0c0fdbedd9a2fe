package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// labelHarness marks the specs of the harness: techniques, detections on a
// target, cleanup.
var labelHarness = Label("harness")

// irdrillRun is one irdrill invocation's outcome.
type irdrillRun struct {
	Stdout, Stderr string
	ExitCode       int
}

// irdrill runs the suite's irdrill binary with nothing from the user's
// AWS configuration, and the given extra environment.
func irdrill(env []string, args ...string) irdrillRun {
	cmd := exec.Command(server.Bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}, env...)
	res := run(cmd)
	GinkgoWriter.Printf("irdrill %s → %d\n%s\n", strings.Join(args, " "), res.ExitCode, res.Stderr)
	return irdrillRun(res)
}

// detonation is what `simulate detonate --output json` prints.
type detonation struct {
	Run       string    `json:"run"`
	State     string    `json:"state"`
	FirstCall time.Time `json:"firstCall"`
	Calls     []struct {
		Service, Operation, SourceIP, UserAgent, ErrorCode string
	} `json:"calls"`
	Resources []struct {
		Kind, ID string
	} `json:"resources"`
	Parameters map[string]string `json:"detectionParameters"`
}

func (d detonation) instances() []string {
	var ids []string
	for _, r := range d.Resources {
		if r.Kind == "ec2:instance" {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

type waitResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"reason"`
	Rows   int    `json:"rows"`
}

// statesOfRun lists the states of the instances tagged with the run.
func statesOfRun(cli CLI, runID string) []string {
	var out struct {
		Reservations []struct {
			Instances []struct {
				InstanceId string
				State      struct{ Name string }
			}
		}
	}
	cli.MustJSON(&out, "ec2", "describe-instances", "--filters", "Name=tag:irdrill:run-id,Values="+runID)
	var states []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			states = append(states, i.State.Name)
		}
	}
	return states
}

// The harness against a served sandbox: the seed's actor detonated with
// `irdrill simulate`, the library's detections waited for with `irdrill
// detect run`, and everything cleaned up. The sandbox is a served one of
// its own: the lab account the harness applies (the pipeline user, the
// integration policy) would collide with the playbook spec's own setup in
// the suite's shared server.
var _ = Describe("irdrill simulate and detect run on a served sandbox", Ordered, labelSandboxServer, labelHarness, func() {
	var (
		sb     *Target
		state  string
		tgt    string
		result detonation
	)
	BeforeAll(func() {
		var err error
		sb, err = serveSandbox(server.Bin)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(sb.Stop()).To(Succeed()) })
		state = GinkgoT().TempDir()
		tgt = "endpoint:" + sb.Endpoint
	})

	It("detonates aws.impact.ec2-crypto-mining: the leaked key from 203.0.113.99 with the playbook's user agent, one decoy per subnet", func() {
		res := irdrill(nil, "simulate", "detonate", "aws.impact.ec2-crypto-mining", "--target", tgt, "--state-dir", state, "--output", "json")
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(json.Unmarshal([]byte(res.Stdout), &result)).To(Succeed(), res.Stdout)
		Expect(result.State).To(Equal("detonated"))
		Expect(res.Stderr).To(ContainSubstring("served irdrill sandbox"))
		Expect(res.Stderr).To(ContainSubstring("capabilities: source-ip, key-import, cloudtrail"))
		// The served sandbox imports the playbook's key through its signed extension.
		Expect(res.Stderr).To(ContainSubstring("created access key AKIAIOSFODNN7EXAMPLE of pipeline: the seed's leaked key, imported"))
		Expect(result.Parameters["access_key_id"]).To(Equal("AKIAIOSFODNN7EXAMPLE"))
		ops := []string{}
		for _, c := range result.Calls {
			ops = append(ops, c.Operation)
			Expect(c.SourceIP).To(Equal("203.0.113.99"))
			Expect(c.UserAgent).To(HavePrefix("aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/"))
		}
		Expect(ops[:4]).To(Equal([]string{"GetCallerIdentity", "DescribeImages", "DescribeVpcs", "DescribeSubnets"}))
		Expect(ops).To(ContainElement("RunInstances"))

		cli := CLI{Target: sb, Creds: sb.Admin}
		var subnets struct{ Subnets []struct{ SubnetId string } }
		cli.MustJSON(&subnets, "ec2", "describe-subnets")
		Expect(result.instances()).To(HaveLen(len(subnets.Subnets)))
		Expect(statesOfRun(cli, result.Run)).To(And(HaveLen(len(subnets.Subnets)), HaveEach(BeElementOf("pending", "running"))))

		// CloudTrail saw the actor as the playbook did.
		var events struct {
			Events []struct{ CloudTrailEvent string }
		}
		cli.MustJSON(&events, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=RunInstances")
		Expect(events.Events).To(HaveLen(len(subnets.Subnets)))
		for _, e := range events.Events {
			var rec struct {
				SourceIPAddress, UserAgent string
				UserIdentity               struct{ AccessKeyId, Arn string }
				RequestParameters          struct{ InstanceType string }
			}
			Expect(json.Unmarshal([]byte(e.CloudTrailEvent), &rec)).To(Succeed())
			Expect(rec.SourceIPAddress).To(Equal("203.0.113.99"))
			Expect(rec.UserAgent).To(HaveSuffix("command/ec2.run-instances"))
			Expect(rec.UserIdentity.Arn).To(Equal("arn:aws:iam::999999999999:user/pipeline"))
			Expect(rec.UserIdentity.AccessKeyId).To(Equal(result.Parameters["access_key_id"]))
		}
		// The harness tagged the decoys under its own identity, with the run in its user agent.
		cli.MustJSON(&events, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateTags")
		Expect(events.Events).NotTo(BeEmpty())
		Expect(events.Events[0].CloudTrailEvent).To(ContainSubstring("irdrill-run/" + result.Run))
		Expect(events.Events[0].CloudTrailEvent).To(ContainSubstring(`"arn":"arn:aws:iam::999999999999:user/admin"`))
	})

	It("fires the library's CloudTrail detections with irdrill detect run, and reports the telemetry the sandbox lacks", func() {
		res := irdrill(nil, "detect", "run", "--target", tgt, "--since", result.FirstCall.Format(time.RFC3339),
			"--param", "attacker_ip="+result.Parameters["attacker_ip"], "--param", "access_key_id="+result.Parameters["access_key_id"],
			"--timeout", "10s", "--poll-interval", "250ms", "--output", "json")
		// Detections of telemetry the sandbox lacks, and those of other
		// techniques, do not fire: the exit status says so.
		Expect(res.ExitCode).NotTo(Equal(0))
		var results []waitResult
		Expect(json.Unmarshal([]byte(res.Stdout), &results)).To(Succeed(), res.Stdout)
		status := map[string]waitResult{}
		for _, r := range results {
			status[r.ID] = r
		}
		for _, id := range []string{"cloudtrail.run-instances-burst", "lab.cloudtrail.access-key", "lab.cloudtrail.source-ip", "lab.filter.access-key", "lab.filter.source-ip"} {
			Expect(status[id].Status).To(Equal("fired"), "%s: %+v", id, status[id])
		}
		Expect(status["cloudtrail.trail-stopped"].Status).To(Equal("quiet"))
		Expect(status["lab.vpc.rejected-by-source"]).To(And(HaveField("Status", "no-telemetry"), HaveField("Reason", "target has no VPC flow logs")))
		Expect(status["dns.mining-pool-query"]).To(And(HaveField("Status", "no-telemetry"), HaveField("Reason", "target has no DNS query logs")))
		Expect(status["playbook.guardduty.bitcointool-dns"]).To(And(HaveField("Status", "no-telemetry"), HaveField("Reason", "target has no GuardDuty")))
	})

	It("cleans up with irdrill simulate cleanup: every decoy terminated, the journal closed, and a second cleanup changes nothing", func() {
		res := irdrill(nil, "simulate", "cleanup", "--run", result.Run, "--state-dir", state)
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(res.Stdout).To(ContainSubstring("cleaned up; nothing tagged irdrill:run-id=" + result.Run + " is left on " + tgt))
		cli := CLI{Target: sb, Creds: sb.Admin}
		Expect(statesOfRun(cli, result.Run)).To(HaveEach(BeElementOf("shutting-down", "terminated")))
		status := irdrill(nil, "simulate", "status", "--run", result.Run, "--state-dir", state)
		Expect(status.ExitCode).To(Equal(0))
		Expect(status.Stdout).To(ContainSubstring("cleaned (closed)"))
		again := irdrill(nil, "simulate", "cleanup", "--run", result.Run, "--state-dir", state)
		Expect(again.ExitCode).To(Equal(0), again.Stderr)
	})
})

// moto is a moto_server the suite starts.
type moto struct {
	*Target
	cmd *exec.Cmd
}

func startMoto() (*moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &moto{Target: &Target{Name: "moto", Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), AccountID: "123456789012",
		Admin: Credentials{AccessKeyID: "test", SecretAccessKey: "test"}}}
	m.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	out := &syncBuffer{}
	m.cmd.Stdout, m.cmd.Stderr = out, out
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(m.Endpoint + "/moto-api/data.json"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
	}
	m.stop()
	return nil, fmt.Errorf("moto_server did not answer within 60s:\n%s", out.String())
}

func (m *moto) stop() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
	}
}

// The same technique against moto_server: it works and cleans up there,
// and the detections say at once that moto delivers no telemetry.
var _ = Describe("irdrill simulate and detect run on moto_server", Ordered, Label("target:moto"), labelHarness, func() {
	var (
		m      *moto
		state  string
		tgt    string
		result detonation
		env    = []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"}
	)
	BeforeAll(func() {
		if _, err := exec.LookPath("moto_server"); err != nil {
			Skip("moto_server is not installed (pip install 'moto[server]'): the moto target is not checked")
		}
		var err error
		m, err = startMoto()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(m.stop)
		state = GinkgoT().TempDir()
		tgt = "endpoint:" + m.Endpoint
	})

	It("detonates aws.impact.ec2-crypto-mining there", func() {
		// moto's image catalogue has Amazon Linux 2 gp2 images, but none
		// whose name matches the workshop's filter (a ".N" suffix).
		res := irdrill(env, "simulate", "detonate", "aws.impact.ec2-crypto-mining", "--target", tgt, "--state-dir", state,
			"--param", "image-name=amzn2-ami-hvm-2.0.*-x86_64-gp2", "--output", "json")
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(res.Stderr).To(ContainSubstring("moto_server " + m.Endpoint))
		Expect(res.Stderr).To(ContainSubstring("capabilities: none"))
		Expect(res.Stderr).To(ContainSubstring("skipped trail and flow logs: moto delivers no CloudTrail or flow-log records"))
		Expect(json.Unmarshal([]byte(res.Stdout), &result)).To(Succeed(), res.Stdout)
		Expect(result.State).To(Equal("detonated"))
		Expect(result.instances()).NotTo(BeEmpty())
		cli := CLI{Target: m.Target, Creds: m.Admin}
		Expect(statesOfRun(cli, result.Run)).To(And(HaveLen(len(result.instances())), HaveEach(BeElementOf("pending", "running"))))
	})

	It("reports at once that the target has no CloudTrail delivery, without waiting", func() {
		res := irdrill(env, "detect", "run", "--target", tgt, "--since", "5m", "--timeout", "20m", "--output", "json")
		Expect(res.ExitCode).NotTo(Equal(0))
		var results []waitResult
		Expect(json.Unmarshal([]byte(res.Stdout), &results)).To(Succeed(), res.Stdout)
		Expect(results).NotTo(BeEmpty())
		for _, r := range results {
			Expect(r.Status).To(Equal("no-telemetry"), "%+v", r)
			Expect(r.Reason).To(HavePrefix("target has no "))
		}
		Expect(results).To(ContainElement(And(HaveField("ID", "lab.cloudtrail.access-key"), HaveField("Reason", "target has no CloudTrail delivery"))))
		// Nothing was polled: the only progress line is round 0.
		Expect(res.Stderr).To(ContainSubstring("round 0 at"))
		Expect(res.Stderr).NotTo(ContainSubstring("round 1 at"))
	})

	It("cleans up there", func() {
		res := irdrill(env, "simulate", "cleanup", "--run", result.Run, "--state-dir", state)
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		cli := CLI{Target: m.Target, Creds: m.Admin}
		Expect(statesOfRun(cli, result.Run)).To(HaveEach(BeElementOf("shutting-down", "terminated")))
	})
})
