package seedlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
	"github.com/irdrill/irdrill/target"
)

// clients are one principal's SDK clients.
type clients struct {
	iam   *iam.Client
	sts   *sts.Client
	ec2   *ec2.Client
	trail *cloudtrail.Client
	logs  *cloudwatchlogs.Client
}

func newClients(cfg aws.Config) clients {
	return clients{
		iam:   iam.NewFromConfig(cfg),
		sts:   sts.NewFromConfig(cfg),
		ec2:   ec2.NewFromConfig(cfg),
		trail: cloudtrail.NewFromConfig(cfg),
		logs:  cloudwatchlogs.NewFromConfig(cfg),
	}
}

// lab is one run: its configuration, clients and the Result it fills.
type lab struct {
	cfg      Config
	out      io.Writer
	log      *slog.Logger
	res      *Result
	admin    clients
	attacker clients

	integrationPolicyARN string
	containmentPolicyARN string
}

func newLab(cfg Config, out io.Writer) *lab {
	if out == nil {
		out = io.Discard
	}
	return &lab{
		cfg:   cfg,
		out:   out,
		log:   cfg.Logger,
		admin: newClients(sandboxtest.Config(cfg.Endpoint, cfg.Region, cfg.AdminCredentials)),
		res: &Result{
			Region:        cfg.Region,
			AttackerIP:    cfg.AttackerIP,
			LeakedUser:    cfg.LeakedUser,
			TrailLogGroup: trailLogGroup(cfg),
			FlowLogGroup:  FlowLogGroup,
		},
	}
}

// trailLogGroup is the log group the trail delivers to: the lab's own, or
// the one a prepared lab names.
func trailLogGroup(cfg Config) string {
	if cfg.Lab != nil && cfg.Lab.LogGroups[target.RoleCloudTrail] != "" {
		return cfg.Lab.LogGroups[target.RoleCloudTrail]
	}
	return TrailLogGroup
}

// useLeakedKey builds the attacker's clients: the leaked key, calling from
// the attacker's address. On the embedded sandbox the source-IP header does
// that; real AWS ignores it.
func (l *lab) useLeakedKey(keyID, secret string) {
	cfg := sandboxtest.Config(l.cfg.Endpoint, l.cfg.Region, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret})
	cfg.APIOptions = append(cfg.APIOptions, sandbox.WithSourceIP(l.cfg.AttackerIP))
	l.attacker = newClients(cfg)
}

// userAgent is the playbook's AWS CLI user agent for one CLI command,
// e.g. "ec2.run-instances".
func userAgent(command string) string {
	return DefaultUserAgent + " command/" + command
}

// withUserAgent replaces the SDK's User-Agent with ua. It runs in the build
// step after the SDK's own user-agent middleware, so the SDK's value does
// not come back; SigV4 does not sign User-Agent, so replacing it is safe.
func withUserAgent(ua string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("IrdrillUserAgent",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("user agent: unexpected transport request %T", in.Request)
				}
				req.Header.Set("User-Agent", ua)
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// Per-service call options that set the CLI user agent for one command.
func ec2CLI(command string) func(*ec2.Options) {
	return func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, withUserAgent(userAgent(command))) }
}

func iamCLI(command string) func(*iam.Options) {
	return func(o *iam.Options) { o.APIOptions = append(o.APIOptions, withUserAgent(userAgent(command))) }
}

func stsCLI(command string) func(*sts.Options) {
	return func(o *sts.Options) { o.APIOptions = append(o.APIOptions, withUserAgent(userAgent(command))) }
}

// errorCode is the AWS error code of err, or "" when err is not an API
// error.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// since is the time from the first attacker call to now, on the lab's
// clock.
func (l *lab) since(t time.Time) time.Duration {
	return l.cfg.Clock().Sub(t)
}

// sleep waits d, or returns the context's error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (l *lab) setupStep(ok bool, format string, args ...any) {
	l.res.Setup = append(l.res.Setup, Step{OK: ok, Text: fmt.Sprintf(format, args...)})
}

func (l *lab) attackStep(ok bool, format string, args ...any) {
	l.res.Attack = append(l.res.Attack, Step{OK: ok, Text: fmt.Sprintf(format, args...)})
}
