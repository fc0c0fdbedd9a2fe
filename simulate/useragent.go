package simulate

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// UserAgentKey is the user-agent key the run ID is appended under:
// every call the harness makes carries "irdrill-run/<run-id>".
const UserAgentKey = "irdrill-run"

// SeedCLIUserAgent is the AWS CLI user agent the playbook's actor used,
// without the command/<service>.<command> that the CLI appends per call.
const SeedCLIUserAgent = "aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off"

// withRunUserAgent appends the run ID to the SDK's user agent.
func withRunUserAgent(runID string) func(*middleware.Stack) error {
	return awsmiddleware.AddUserAgentKeyValue(UserAgentKey, runID)
}

// withCLIUserAgent replaces the SDK's user agent with an AWS CLI one for
// the operation being called, e.g. "<prefix> command/ec2.run-instances".
// It runs in the build step after the SDK's own user-agent middleware, so
// the SDK's value does not come back; SigV4 does not sign User-Agent.
func withCLIUserAgent(prefix string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("IrdrillCLIUserAgent",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("user agent: unexpected transport request %T", in.Request)
				}
				req.Header.Set("User-Agent", CLIUserAgent(prefix, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)))
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// CLIUserAgent is the AWS CLI's user agent for one call: the prefix, then
// command/<service>.<command>, e.g. command/ec2.describe-images.
func CLIUserAgent(prefix, serviceID, operation string) string {
	return prefix + " command/" + CLIService(serviceID) + "." + CLICommand(operation)
}

// CLIService is the CLI's name for an SDK service ID ("EC2" → "ec2",
// "Secrets Manager" → "secretsmanager", "S3" → "s3api").
func CLIService(serviceID string) string {
	s := strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	if s == "s3" {
		return "s3api"
	}
	return s
}

// CLICommand is the CLI's name for an operation ("DescribeVpcs" →
// "describe-vpcs").
func CLICommand(operation string) string {
	var b strings.Builder
	rs := []rune(operation)
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
			(i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
