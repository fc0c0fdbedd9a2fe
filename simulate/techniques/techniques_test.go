package techniques_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/simulate"
	_ "github.com/irdrill/irdrill/simulate/techniques"
	"github.com/irdrill/irdrill/target"
)

// inventory lists every resource of the types the techniques touch, tagged
// or not: live instances, users with their keys, policies and groups,
// roles with their policies, trails with their logging state, log groups.
func inventory(t *testing.T, tg *target.Target) []string {
	t.Helper()
	ctx := context.Background()
	cfg, err := tg.Config(ctx, target.Responder)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	e := ec2.NewFromConfig(cfg)
	insts, err := e.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range insts.Reservations {
		for _, i := range res.Instances {
			if i.State.Name != ec2types.InstanceStateNameTerminated && i.State.Name != ec2types.InstanceStateNameShuttingDown {
				out = append(out, "instance "+aws.ToString(i.InstanceId))
			}
		}
	}
	ic := iam.NewFromConfig(cfg)
	users, err := ic.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		name := aws.ToString(u.UserName)
		out = append(out, "user "+name)
		keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys.AccessKeyMetadata {
			out = append(out, fmt.Sprintf("key %s of %s %s", aws.ToString(k.AccessKeyId), name, k.Status))
		}
		att, err := ic.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: u.UserName})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range att.AttachedPolicies {
			out = append(out, "policy "+aws.ToString(p.PolicyArn)+" on "+name)
		}
	}
	roles, err := ic.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles.Roles {
		out = append(out, "role "+aws.ToString(r.RoleName))
	}
	pols, err := ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols.Policies {
		out = append(out, fmt.Sprintf("managed policy %s attached %d", aws.ToString(p.PolicyName), aws.ToInt32(p.AttachmentCount)))
	}
	ct := cloudtrail.NewFromConfig(cfg)
	trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trails.TrailList {
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: tr.Name})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("trail %s logging %v", aws.ToString(tr.Name), aws.ToBool(st.IsLogging)))
	}
	groups, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.LogGroups {
		out = append(out, "log group "+aws.ToString(g.LogGroupName))
	}
	sort.Strings(out)
	return out
}

func labTarget(t *testing.T) *target.Target {
	t.Helper()
	tg, err := target.Open(context.Background(), target.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	if _, err := tg.SetUpLab(context.Background(), target.LabOptions{StateDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return tg
}

// logLines collects a runner's progress lines.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestEveryTechniqueLeavesNothing runs each technique on the embedded
// sandbox: the listing of every resource of the types they touch, taken
// before the warm-up, equals the one after detonate and cleanup; a second
// cleanup changes nothing and the journal is closed.
func TestEveryTechniqueLeavesNothing(t *testing.T) {
	all := simulate.All()
	if len(all) < 6 {
		t.Fatalf("%d techniques registered", len(all))
	}
	for _, tech := range all {
		t.Run(tech.ID, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tg := labTarget(t)
			before := inventory(t, tg)
			var log logLines
			rn := &simulate.Runner{Target: tg, StateDir: t.TempDir(), Progress: log.add}
			run, err := rn.New(tech, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer run.Close()
			if err := run.Warmup(ctx); err != nil {
				t.Fatalf("warm up: %v\n%s", err, &log)
			}
			if err := run.Warmup(ctx); err != nil {
				t.Fatalf("second warm-up: %v", err)
			}
			if err := run.Detonate(ctx); err != nil {
				t.Fatalf("detonate: %v\n%s", err, &log)
			}
			during := inventory(t, tg)
			if tech.ID != "aws.discovery.ec2-enumerate" && slices.Equal(before, during) {
				t.Errorf("the detonation changed nothing the listing shows")
			}
			if tech.Revert != nil {
				if err := run.Revert(ctx); err != nil {
					t.Fatalf("revert: %v\n%s", err, &log)
				}
			}
			s, err := run.Summary()
			if err != nil || s.State != simulate.StateDetonated && s.State != simulate.StateReverted {
				t.Errorf("state %s %v", s.State, err)
			}
			if err := run.Cleanup(ctx); err != nil {
				t.Fatalf("cleanup: %v\n%s", err, &log)
			}
			after := inventory(t, tg)
			if !slices.Equal(before, after) {
				t.Errorf("after cleanup the listing differs:\nbefore: %s\nafter:  %s", strings.Join(before, "\n        "), strings.Join(after, "\n        "))
			}
			if err := run.Cleanup(ctx); err != nil {
				t.Errorf("second cleanup: %v", err)
			}
			s, _ = run.Summary()
			if !s.Closed || s.State != simulate.StateCleaned || len(s.Live) != 0 {
				t.Errorf("journal after cleanup: closed %v state %s live %v", s.Closed, s.State, s.Live)
			}
			if err := run.Detonate(ctx); err == nil {
				t.Errorf("a closed run detonated again")
			}
		})
	}
}

func TestMain(m *testing.M) {
	if child := os.Getenv(childEnv); child != "" {
		os.Exit(runChild(child))
	}
	os.Exit(m.Run())
}
