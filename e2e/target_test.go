package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/gomega"
)

// Target is one AWS-compatible endpoint the suite drives. Specs are labelled
// with the target's name so that `ginkgo --label-filter` picks targets.
type Target struct {
	Name      string
	Endpoint  string
	AccountID string
	Admin     Credentials
	// Bin is the irdrill binary the suite built.
	Bin string

	process *exec.Cmd
	output  *syncBuffer
	exited  chan error
}

// syncBuffer collects the server's output while specs read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Credentials are a signing key for the CLI.
type Credentials struct{ AccessKeyID, SecretAccessKey, SessionToken string }

// startSandboxServer builds irdrill and runs `irdrill sandbox serve` as a
// separate process on a free loopback port.
func startSandboxServer(ctx context.Context, workDir string) (*Target, error) {
	bin := filepath.Join(workDir, "irdrill")
	// With the checkout's revision (irdrill version shows it), whatever
	// GOFLAGS says; a checkout whose VCS state go cannot read builds
	// without it.
	build := exec.CommandContext(ctx, "go", "build", "-buildvcs=true", "-o", bin, "../cmd/irdrill")
	if out, err := build.CombinedOutput(); err != nil {
		plain := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-o", bin, "../cmd/irdrill")
		if out2, err2 := plain.CombinedOutput(); err2 != nil {
			return nil, fmt.Errorf("build irdrill: %v\n%s\n%s", err2, out, out2)
		}
	}
	return serveSandbox(bin)
}

// serveSandbox runs `irdrill sandbox serve` from bin on a free loopback
// port, trusting the source-IP header, and waits until it is healthy.
func serveSandbox(bin string) (*Target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	t := &Target{
		Name:      "sandbox-server",
		Endpoint:  "http://" + addr,
		AccountID: "999999999999",
		Admin:     Credentials{AccessKeyID: "AKIAIRDRILLBOOTSTRAP", SecretAccessKey: "irdrill-bootstrap-secret"},
		Bin:       bin,
		output:    &syncBuffer{},
		exited:    make(chan error, 1),
	}
	t.process = exec.Command(bin, "sandbox", "serve", "--addr", addr, "--trust-source-ip-header", "--log-level", "warn")
	t.process.Stdout = t.output
	t.process.Stderr = t.output
	if err := t.process.Start(); err != nil {
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	go func() { t.exited <- t.process.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(t.Endpoint + "/_irdrill/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return t, nil
			}
		}
		select {
		case err := <-t.exited:
			return nil, fmt.Errorf("sandbox exited before serving: %v\n%s", err, t.output.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	_ = t.process.Process.Kill()
	return nil, fmt.Errorf("sandbox did not become healthy within 30s:\n%s", t.output.String())
}

// Stop sends SIGTERM and waits for a graceful exit.
func (t *Target) Stop() error {
	if t.process == nil {
		return nil
	}
	_ = t.process.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-t.exited:
		return err
	case <-time.After(15 * time.Second):
		_ = t.process.Process.Kill()
		return fmt.Errorf("sandbox did not stop within 15s after SIGTERM")
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// CLI runs the AWS CLI against a target with one set of credentials and
// nothing from the user's own AWS configuration.
type CLI struct {
	Target *Target
	Creds  Credentials
	// SourceIP, when set, plays a remote caller through the sandbox's
	// simulation header.
	SourceIP string
}

func (c CLI) env() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"AWS_ACCESS_KEY_ID=" + c.Creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + c.Creds.SecretAccessKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_RETRY_MODE=standard",
		"NO_PROXY=*",
	}
	if c.Creds.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+c.Creds.SessionToken)
	}
	return env
}

// Result is one CLI invocation's outcome.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// Run runs `aws --endpoint-url … <args>` and returns its output.
func (c CLI) Run(args ...string) Result {
	full := append([]string{"--endpoint-url", c.Target.Endpoint, "--output", "json"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = c.env()
	return run(cmd)
}

// Shell runs a pipeline (e.g. `aws … | jq …`) with `aws` bound to the
// target, as the seed documents write their commands.
func (c CLI) Shell(script string) Result {
	prelude := fmt.Sprintf("aws() { command aws --endpoint-url %q \"$@\"; }\nset -o pipefail\n", c.Target.Endpoint)
	cmd := exec.Command("bash", "-c", prelude+script)
	cmd.Env = c.env()
	return run(cmd)
}

func run(cmd *exec.Cmd) Result {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		code = -1
		stderr.WriteString(err.Error())
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code}
}

// MustJSON runs the CLI, expects success, and decodes its JSON output.
func (c CLI) MustJSON(v any, args ...string) {
	res := c.Run(args...)
	ExpectWithOffset(1, res.ExitCode).To(Equal(0), "aws %s failed:\n%s", strings.Join(args, " "), res.Stderr)
	if v == nil {
		return
	}
	ExpectWithOffset(1, json.Unmarshal([]byte(res.Stdout), v)).To(Succeed(), "aws %s printed non-JSON:\n%s", strings.Join(args, " "), res.Stdout)
}

// MustSucceed runs the CLI and expects exit code 0, returning stdout.
func (c CLI) MustSucceed(args ...string) string {
	res := c.Run(args...)
	ExpectWithOffset(1, res.ExitCode).To(Equal(0), "aws %s failed:\n%s", strings.Join(args, " "), res.Stderr)
	return res.Stdout
}

// MustFail runs the CLI and expects the AWS error code in its message
// ("An error occurred (Code) when calling the X operation: …").
func (c CLI) MustFail(code string, args ...string) string {
	res := c.Run(args...)
	ExpectWithOffset(1, res.ExitCode).NotTo(Equal(0), "aws %s unexpectedly succeeded:\n%s", strings.Join(args, " "), res.Stdout)
	ExpectWithOffset(1, res.Stderr).To(ContainSubstring("An error occurred ("+code+")"), "aws %s", strings.Join(args, " "))
	return res.Stderr
}
