package sandbox

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WithSourceIP returns an aws-sdk-go-v2 API option that makes every request
// claim to come from ip, through SourceIPHeader. A sandbox with simulation
// on records that address in CloudTrail and evaluates aws:SourceIp against
// it, so a simulation can play a remote attacker from the same machine.
// Real AWS ignores the header.
func WithSourceIP(ip string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("IrdrillSourceIP",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if !ok {
					return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("source ip: unexpected transport request %T", in.Request)
				}
				req.Header.Set(SourceIPHeader, ip)
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
