package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The lab's own commands, as the seed writes them (§1.2, §2.1 and §2.3).
var seedLabCommands = []string{
	`aws logs describe-log-groups --output table --query 'logGroups[*].logGroupName' --region ap-southeast-1`,
	`aws logs filter-log-events --region ap-southeast-1 --start-time 1551402000000 --log-group-name <your_log_group_name> --filter-pattern AccessDenied --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'`,
	`aws logs filter-log-events --region ap-southeast-1 --start-time 1551402000000 --log-group-name <your_log_group_name>  --filter-pattern AKIAIOSFODNN7EXAMPLE --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'`,
	`aws logs filter-log-events --region ap-southeast-1 --start-time 1551402000000 --log-group-name <your_log_group_name>  --filter-pattern 192.0.2.1 --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'`,
	`aws logs filter-log-events --region ap-southeast-1 --start-time 1551402000000 --log-group-name <your_log_group_name>  --filter-pattern ListBuckets --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'`,
	`aws iam list-users --output table --query 'Users[*].UserName'`,
}

// labAccount is what the README changes in them: the lab account's log
// group and region, and the suspect address its attacker uses.
var labAccount = strings.NewReplacer("<your_log_group_name>", "irdrill-lab/cloudtrail", "--region ap-southeast-1", "--region us-east-1", "192.0.2.1", "203.0.113.99")

// readmeLabCommands is the README's block of the lab's commands for a
// served lab.
func readmeLabCommands() []string {
	data, err := os.ReadFile("../README.md")
	Expect(err).NotTo(HaveOccurred())
	readme := string(data)
	start := strings.Index(readme, "## The lab in a served sandbox")
	Expect(start).To(BeNumerically(">=", 0), "the README has no section on the served lab")
	m := regexp.MustCompile("(?s)```sh\n(aws logs describe-log-groups.*?)```").FindStringSubmatch(readme[start:])
	Expect(m).NotTo(BeNil(), "the section has no block of the lab's commands")
	return strings.Split(strings.TrimSuffix(m[1], "\n"), "\n")
}

// serveLab runs `irdrill sandbox serve --lab --attack` and waits for its
// endpoint line, which comes once the lab and the attack are in place.
func serveLab(bin string) (*Target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	t := &Target{Name: "sandbox-served-lab", Endpoint: "http://" + addr, AccountID: "999999999999",
		Admin: Credentials{AccessKeyID: "AKIAIRDRILLBOOTSTRAP", SecretAccessKey: "irdrill-bootstrap-secret"}, Bin: bin,
		output: &syncBuffer{}, exited: make(chan error, 1)}
	t.process = exec.Command(bin, "sandbox", "serve", "--addr", addr, "--lab", "--attack", "--log-level", "warn")
	t.process.Stdout, t.process.Stderr = t.output, t.output
	if err := t.process.Start(); err != nil {
		return nil, err
	}
	go func() { t.exited <- t.process.Wait() }()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		if strings.Contains(t.output.String(), "irdrill sandbox serving "+t.Endpoint+"\n") && strings.Contains(t.output.String(), "aws logs describe-log-groups") {
			return t, nil
		}
		select {
		case err := <-t.exited:
			return nil, fmt.Errorf("serve --lab --attack exited: %v\n%s", err, t.output.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	_ = t.process.Process.Kill()
	return nil, fmt.Errorf("serve --lab --attack printed no endpoint within 2 minutes:\n%s", t.output.String())
}

// cliHonoursEndpointEnv sends one call with AWS_ENDPOINT_URL naming a
// loopback listener and reports whether it arrived there. A CLI that
// ignores the variable is sent to a dead loopback proxy instead of AWS.
func cliHonoursEndpointEnv() bool {
	var arrived atomic.Bool
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Store(true)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer listener.Close()
	deadProxy, err := freePort()
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", "sts", "get-caller-identity")
	env := []string{"AWS_ENDPOINT_URL=" + listener.URL, fmt.Sprintf("HTTPS_PROXY=http://127.0.0.1:%d", deadProxy), fmt.Sprintf("HTTP_PROXY=http://127.0.0.1:%d", deadProxy),
		"NO_PROXY=127.0.0.1,localhost"}
	for _, kv := range admin().env() {
		if !strings.HasPrefix(kv, "NO_PROXY=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	_ = cmd.Run()
	return arrived.Load()
}

// The lab "Incident Response with AWS Console and CLI" on a sandbox served
// with the lab account and its incident: the lab's own commands, run as
// the README shows them, with AWS_ENDPOINT_URL set (or --endpoint-url for
// a CLI that ignores it) and bash's pipefail, find the attacker.
var _ = Describe("irdrill sandbox serve --lab --attack and the lab's own commands", Ordered, Label("target:sandbox-served-lab"), func() {
	var (
		lab      *Target
		useEnv   bool
		commands []string
	)
	BeforeAll(func() {
		var err error
		lab, err = serveLab(server.Bin)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(lab.Stop()).To(Succeed()) })
		commands = readmeLabCommands()
	})

	// shell runs a command line as a trainee would after pasting the
	// banner's exports.
	shell := func(line string) Result {
		script := line
		env := CLI{Target: lab, Creds: lab.Admin}.env()
		if useEnv {
			env = append(env, "AWS_ENDPOINT_URL="+lab.Endpoint)
		} else {
			script = fmt.Sprintf("aws() { command aws --endpoint-url %q \"$@\"; }\n%s", lab.Endpoint, line)
		}
		cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
		cmd.Env = env
		res := run(cmd)
		GinkgoWriter.Printf("$ %s\n→ %d\n%s%s\n", line, res.ExitCode, res.Stdout, res.Stderr)
		return res
	}
	lines := func(s, want string) int {
		n := 0
		for _, l := range strings.Split(s, "\n") {
			if l == want {
				n++
			}
		}
		return n
	}

	It("prints the lines to paste", func() {
		out := lab.output.String()
		Expect(out).To(ContainSubstring("export AWS_ENDPOINT_URL=" + lab.Endpoint + "\n"))
		Expect(out).To(ContainSubstring("export AWS_ACCESS_KEY_ID=AKIAIRDRILLBOOTSTRAP\n"))
		Expect(out).To(ContainSubstring("export AWS_DEFAULT_REGION=us-east-1\n"))
		Expect(out).To(ContainSubstring("CloudTrail log group   irdrill-lab/cloudtrail"))
	})

	It("shows the lab's commands in the README changed only in log group, region and suspect address", func() {
		want := make([]string, len(seedLabCommands))
		for i, c := range seedLabCommands {
			want[i] = labAccount.Replace(c)
		}
		Expect(commands).To(Equal(want))
	})

	It("checks first that the installed AWS CLI honours AWS_ENDPOINT_URL", func() {
		useEnv = cliHonoursEndpointEnv()
		msg := "the installed AWS CLI honours AWS_ENDPOINT_URL: the lab's commands run as written, with AWS_ENDPOINT_URL=" + lab.Endpoint
		if !useEnv {
			msg = "the installed AWS CLI ignores AWS_ENDPOINT_URL (it predates v1.29/v2.13, as Debian's awscli 2.9 does): the lab's commands run with --endpoint-url " + lab.Endpoint + " instead"
		}
		AddReportEntry("AWS CLI endpoint", msg)
		fmt.Fprintln(GinkgoWriter, msg)
	})

	It("lists the lab's log groups with describe-log-groups --output table", func() {
		res := shell(commands[0])
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(res.Stdout).To(ContainSubstring("DescribeLogGroups"))
		Expect(res.Stdout).To(MatchRegexp(`\|\s+irdrill-lab/cloudtrail\s+\|`))
		Expect(res.Stdout).To(MatchRegexp(`\|\s+irdrill-lab/vpc-flow-logs\s+\|`))
	})

	It("finds the attacker's calls from 203.0.113.99 with the leaked key's filter-log-events | jq", func() {
		Eventually(func(g Gomega) {
			res := shell(commands[2])
			g.Expect(res.ExitCode).To(Equal(0), res.Stderr)
			// The actor's 10 calls, and the key's import by the admin.
			g.Expect(lines(res.Stdout, "203.0.113.99")).To(Equal(10), res.Stdout)
			g.Expect(lines(res.Stdout, "127.0.0.1")).To(Equal(1), res.Stdout)
			g.Expect(res.Stdout).To(ContainSubstring(`"arn": "arn:aws:iam::999999999999:user/pipeline"`))
			g.Expect(res.Stdout).To(ContainSubstring(`"accessKeyId": "AKIAIOSFODNN7EXAMPLE"`))
		}).WithTimeout(30 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
	})

	It("finds them by the suspect address too", func() {
		res := shell(commands[3])
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(lines(res.Stdout, "203.0.113.99")).To(Equal(10), res.Stdout)
		Expect(strings.Count(res.Stdout, `"userName": "pipeline"`)).To(Equal(10))
		Expect(res.Stdout).NotTo(ContainSubstring("user/admin"))
	})

	It("finds no denied call and no ListBuckets yet, and pipefail shows a failure the pipe would hide", func() {
		for _, c := range []string{commands[1], commands[4]} {
			res := shell(c)
			Expect(res.ExitCode).To(Equal(0), res.Stderr)
			Expect(strings.TrimSpace(res.Stdout)).To(BeEmpty())
		}
		missing := shell(strings.Replace(commands[3], "irdrill-lab/cloudtrail", "irdrill-lab/missing", 1))
		Expect(missing.ExitCode).NotTo(Equal(0))
		Expect(missing.Stderr).To(ContainSubstring("ResourceNotFoundException"))
	})

	It("lists pipeline with list-users --output table", func() {
		res := shell(commands[5])
		Expect(res.ExitCode).To(Equal(0), res.Stderr)
		Expect(res.Stdout).To(MatchRegexp(`\|\s+pipeline\s+\|`))
		Expect(res.Stdout).To(MatchRegexp(`\|\s+admin\s+\|`))
	})

	It("runs irdrill lab --endpoint there, whose denied calls from 203.0.113.99 AccessDenied then finds", func() {
		res := irdrill(nil, "lab", "--endpoint", lab.Endpoint)
		Expect(res.ExitCode).To(Equal(0), res.Stdout+res.Stderr)
		Expect(res.Stdout).To(ContainSubstring("PASS: every detection fired and containment holds"))
		Expect(res.Stdout).To(ContainSubstring("exists access key AKIAIOSFODNN7EXAMPLE of pipeline"))
		Eventually(func(g Gomega) {
			denied := shell(commands[1])
			g.Expect(denied.ExitCode).To(Equal(0), denied.Stderr)
			// The probes ListUsers, ListRoles and CreateUser, and the
			// verification's ListUsers with the key reactivated behind the
			// containment policy: each denied.
			g.Expect(lines(denied.Stdout, "203.0.113.99")).To(Equal(4), denied.Stdout)
		}).WithTimeout(30 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
	})

	It("refuses a second irdrill lab --endpoint: the incident is contained", func() {
		res := irdrill(nil, "lab", "--endpoint", lab.Endpoint)
		Expect(res.ExitCode).To(Equal(1))
		Expect(res.Stderr).To(ContainSubstring("this account's incident is already contained"))
		Expect(res.Stdout).To(BeEmpty())
	})
})
