package ec2_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// fakeClock is the sandbox clock in tests: it moves only when told to, so
// instance state transitions happen exactly when a test decides.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	client *sdk.Client
	clock  *fakeClock
}

// The playbook's first RunInstances happened at 2021-07-29T01:39:30Z.
var playbookTime = time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := &fakeClock{now: playbookTime}
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Clock = clock.Now })
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	client := sdk.NewFromConfig(cfg)
	return &env{t: t, sb: sb, client: client, clock: clock}
}

// settle moves the clock past every pending transition.
func (e *env) settle() { e.clock.Advance(time.Minute) }

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got success", code)
	}
	if got := errorCode(err); got != code {
		t.Fatalf("want error %s, got %s (%v)", code, got, err)
	}
}

func playbookUserData(t testing.TB) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/userdata.txt")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func (e *env) run(input *sdk.RunInstancesInput) *sdk.RunInstancesOutput {
	e.t.Helper()
	if input.ImageId == nil {
		input.ImageId = aws.String("ami-0c2b8ca1dad447f8a")
	}
	if input.MinCount == nil {
		input.MinCount, input.MaxCount = aws.Int32(1), aws.Int32(1)
	}
	if input.InstanceType == "" {
		input.InstanceType = types.InstanceTypeT2Nano
	}
	out, err := e.client.RunInstances(context.Background(), input)
	if err != nil {
		e.t.Fatalf("RunInstances: %v", err)
	}
	return out
}

func (e *env) instance(id string) types.Instance {
	e.t.Helper()
	out, err := e.client.DescribeInstances(context.Background(), &sdk.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		e.t.Fatalf("DescribeInstances %s: %v", id, err)
	}
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		e.t.Fatalf("DescribeInstances %s: %d reservations", id, len(out.Reservations))
	}
	return out.Reservations[0].Instances[0]
}
