package sandbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestBootstrapAdminIdentity(t *testing.T) {
	sb := sandboxtest.Start(t)
	client := sts.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials))
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != "arn:aws:iam::999999999999:user/admin" || aws.ToString(out.Account) != "999999999999" {
		t.Fatalf("identity = %s %s", aws.ToString(out.Arn), aws.ToString(out.Account))
	}
}
