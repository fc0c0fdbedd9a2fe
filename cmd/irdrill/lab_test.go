package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/irdrill/irdrill/internal/seedlab"
)

// mainArgsEnv makes the test binary run main with these arguments, so that
// tests can check the real exit status and signal handling.
const mainArgsEnv = "IRDRILL_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(mainArgsEnv); ok {
		os.Args = append([]string{"irdrill"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// execute runs the root command in-process, as main does.
func execute(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestLabCommand(t *testing.T) {
	t.Parallel()
	out, stderr, err := execute(t, "lab")
	if err != nil {
		t.Fatalf("irdrill lab: %v\n%s\n%s", err, out, stderr)
	}
	for _, s := range []string{"\nSetup\n", "\nAttack (", "\nDetect (", "\nContain (", "\nVerify (", "\nSummary\n",
		"7/7 detections fired", "containment checks passed  9/9", "PASS",
		// The embedded sandbox hands the pipeline user the playbook's own key.
		`filter userIdentity.accessKeyId ="AKIAIOSFODNN7EXAMPLE"`, "UpdateAccessKey AKIAIOSFODNN7EXAMPLE Inactive"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

func TestLabCommandJSON(t *testing.T) {
	t.Parallel()
	out, stderr, err := execute(t, "lab", "--json", "--region", "eu-west-1", "--attacker-ip", "198.51.100.77")
	if err != nil {
		t.Fatalf("irdrill lab --json: %v\n%s\n%s", err, out, stderr)
	}
	var res seedlab.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not a Result: %v\n%s", err, out)
	}
	if !res.Passed() || res.Region != "eu-west-1" || res.AttackerIP != "198.51.100.77" || res.LeakedUser != "pipeline" {
		t.Errorf("result: passed %t, region %s, attacker %s, user %s", res.Passed(), res.Region, res.AttackerIP, res.LeakedUser)
	}
	// eu-west-1 has three zones, so three default subnets.
	if len(res.Instances) != 3 {
		t.Errorf("%d instances, want 3", len(res.Instances))
	}
	for _, d := range res.Detections {
		if d.Name == "IAM source ip address" && (!d.Fired || !strings.Contains(d.Query, "198.51.100.77")) {
			t.Errorf("%s/%s: fired %t, query %s", d.Source, d.Name, d.Fired, d.Query)
		}
	}
	if res.TimeToDetect <= 0 || res.TimeToContain <= 0 {
		t.Errorf("time to detect %v, to contain %v", res.TimeToDetect, res.TimeToContain)
	}
	if strings.Contains(out, "Summary") {
		t.Error("--json printed the report too")
	}
}

func TestLabCommandMissedDetection(t *testing.T) {
	t.Parallel()
	out, _, err := execute(t, "lab", "--stop-logging-before-attack", "--detect-timeout", "1s")
	if err == nil {
		t.Fatalf("irdrill lab with a blind trail succeeded:\n%s", out)
	}
	if want := "lab failed: 0/7 detections fired, 9/9 containment checks passed"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if !strings.Contains(out, "did not fire") || !strings.Contains(out, "FAIL") {
		t.Errorf("report does not show the miss:\n%s", out)
	}
}

// TestLabExitStatus runs the binary's main: a missed detection exits 1.
func TestLabExitStatus(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"=lab --stop-logging-before-attack --detect-timeout 1s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "irdrill: lab failed: 0/7 detections fired") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestLabInterrupt sends Ctrl-C while the detections wait for a delivery
// delay: the command stops promptly, with the sandbox shut down, and fails.
func TestLabInterrupt(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"=lab --cloudtrail-delivery-delay 1h")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	attacked := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(stdout)
		signalled := false
		for scanner.Scan() {
			if !signalled && strings.HasPrefix(scanner.Text(), "Attack (") {
				signalled = true
				close(attacked)
			}
		}
	}()
	select {
	case <-attacked:
	case <-time.After(time.Minute):
		t.Fatal("the attack did not start")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("exit: %v, want status 1", err)
		}
		if !strings.Contains(stderr.String(), "context canceled") {
			t.Errorf("stderr: %s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("irdrill lab did not stop on SIGINT")
	}
}
