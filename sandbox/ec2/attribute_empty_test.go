package ec2_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// An instance launched without user data reports the attribute with no
// value, as AWS does; clients such as Terraform distinguish that from "".
func TestDescribeInstanceAttributeWithoutUserData(t *testing.T) {
	e := newEnv(t)
	id := aws.ToString(e.run(&sdk.RunInstancesInput{}).Instances[0].InstanceId)
	out, err := e.client.DescribeInstanceAttribute(context.Background(), &sdk.DescribeInstanceAttributeInput{
		InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameUserData,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserData == nil {
		t.Fatal("UserData element missing")
	}
	if out.UserData.Value != nil {
		t.Errorf("UserData.Value = %q, want no value", *out.UserData.Value)
	}
}
