package techniques_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
	"github.com/irdrill/irdrill/simulate"
	ec2cryptomining "github.com/irdrill/irdrill/simulate/techniques/aws/impact/ec2-crypto-mining"
	"github.com/irdrill/irdrill/target"
)

// The subprocess test's child: IRDRILL_TEST_CHILD=detonate|cleanup, with
// the served sandbox's URL, the state folder and (for cleanup) the run ID.
const (
	childEnv = "IRDRILL_TEST_CHILD"
	urlEnv   = "IRDRILL_TEST_URL"
	stateEnv = "IRDRILL_TEST_STATE"
	runEnv   = "IRDRILL_TEST_RUN"
)

func runChild(mode string) int {
	ctx := context.Background()
	tg, err := target.Open(ctx, target.Options{Spec: target.Spec{Kind: target.KindEndpoint, URL: os.Getenv(urlEnv)}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer tg.Close()
	rn := &simulate.Runner{Target: tg, StateDir: os.Getenv(stateEnv), Progress: func(s string) { fmt.Fprintln(os.Stderr, s) }}
	switch mode {
	case "detonate":
		tech, err := simulate.Lookup(ec2cryptomining.ID)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		run, err := rn.New(tech, map[string]string{"instances-per-subnet": "20"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Printf("run %s\n", run.ID)
		if err := run.Detonate(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	case "cleanup":
		run, err := rn.Open(os.Getenv(runEnv))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := run.Cleanup(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	return 2
}

func liveInstances(t *testing.T, cfg aws.Config, runID string) []string {
	t.Helper()
	out, err := ec2.NewFromConfig(cfg).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, res := range out.Reservations {
		for _, i := range res.Instances {
			if strings.HasPrefix(aws.ToString(i.ClientToken), "irdrill-"+runID) && i.State.Name != ec2types.InstanceStateNameTerminated && i.State.Name != ec2types.InstanceStateNameShuttingDown {
				ids = append(ids, aws.ToString(i.InstanceId))
			}
		}
	}
	return ids
}

// TestKilledDetonation kills (SIGKILL) a process in the middle of a
// crypto-mining detonation against a sandbox this test serves: its decoys
// are there after the kill, and a second process cleans them all up from
// the journal.
func TestKilledDetonation(t *testing.T) {
	sb := sandboxtest.Start(t)
	state := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), urlEnv+"="+sb.URL, stateEnv+"="+state, "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=")
	child := exec.Command(self, "-test.run=^$")
	child.Env = append(env, childEnv+"=detonate")
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	runID, ok := strings.CutPrefix(strings.TrimSpace(line), "run ")
	if err != nil || !ok {
		_ = child.Process.Kill()
		t.Fatalf("child: %q %v\n%s", line, err, stderr.String())
	}
	journal := filepath.Join(simulate.RunDir(state, runID), simulate.SimulateJournal)
	deadline := time.Now().Add(2 * time.Minute)
	created := 0
	for created < 5 {
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatalf("the child made %d decoys in 2 minutes\n%s", created, stderr.String())
		}
		entries, _ := simulate.ReadJournal(journal)
		created = 0
		for _, e := range entries {
			if e.Type == simulate.EntryCreated && e.Resource.Kind == simulate.KindInstance {
				created++
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = child.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed mid-detonation (it made %d decoys): %v\n%s", created, err, stderr.String())
	}
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	left := liveInstances(t, admin, runID)
	if len(left) < created {
		t.Fatalf("%d decoys live after the kill, the journal shows %d", len(left), created)
	}
	rec, err := simulate.LoadRun(state, runID)
	if err != nil || rec.Summary.Closed || rec.Summary.State != simulate.StateDetonating {
		t.Fatalf("journal after the kill: %+v %v", rec.Summary, err)
	}

	cleanup := exec.Command(self, "-test.run=^$")
	cleanup.Env = append(env, childEnv+"=cleanup", runEnv+"="+runID)
	if out, err := cleanup.CombinedOutput(); err != nil {
		t.Fatalf("cleanup process: %v\n%s", err, out)
	}
	if left := liveInstances(t, admin, runID); len(left) != 0 {
		t.Errorf("after cleanup: %v", left)
	}
	rec, err = simulate.LoadRun(state, runID)
	if err != nil || !rec.Summary.Closed || len(rec.Summary.Live) != 0 {
		t.Errorf("journal after cleanup: %+v %v", rec.Summary, err)
	}
	t.Logf("killed after %d decoys, %d live after the kill, all terminated by the second process", created, len(left))
}

// TestInterruptedDetonation cancels a detonation's context (what Ctrl+C
// and SIGTERM do in the CLI) after two decoys: Detonate stops, cleans up
// everything and returns the interruption.
func TestInterruptedDetonation(t *testing.T) {
	t.Parallel()
	tg := labTarget(t)
	before := inventory(t, tg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	decoys := 0
	var log logLines
	rn := &simulate.Runner{Target: tg, StateDir: t.TempDir(), Progress: func(s string) {
		log.add(s)
		if strings.HasPrefix(s, "decoy ") {
			if decoys++; decoys == 2 {
				cancel()
			}
		}
	}}
	tech, _ := simulate.Lookup(ec2cryptomining.ID)
	run, err := rn.New(tech, map[string]string{"instances-per-subnet": "3"})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	err = run.Detonate(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("Detonate: %v", err)
	}
	if after := inventory(t, tg); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("after the interrupted detonation:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	s, _ := run.Summary()
	if !s.Closed {
		t.Errorf("journal not closed: %+v\n%s", s, &log)
	}
}
