// Package sandboxtest starts in-process sandboxes for tests and builds
// aws-sdk-go-v2 configurations that talk to them.
package sandboxtest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/irdrill/irdrill/sandbox"
)

// Start runs a sandbox on a loopback port for the duration of the test.
// Simulation (the source-IP header) is on, as in the embedded sandbox.
func Start(t testing.TB, configure ...func(*sandbox.Options)) *sandbox.Sandbox {
	t.Helper()
	opts := sandbox.Options{TrustSourceIPHeader: true}
	for _, c := range configure {
		c(&opts)
	}
	sb, err := sandbox.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// AWSConfig returns an SDK configuration for the sandbox with the given
// credentials, in us-east-1, without retries so that errors surface as
// they are.
func AWSConfig(t testing.TB, sb *sandbox.Sandbox, creds aws.Credentials) aws.Config {
	t.Helper()
	return Config(sb.URL, "us-east-1", creds)
}

// Config builds an SDK configuration for any sandbox endpoint.
func Config(endpoint, region string, creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   HTTPClient(),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}
