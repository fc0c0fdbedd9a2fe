package iam_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/irdrill/irdrill/sandbox/api"
)

// TestConcurrentAuthorizeAndMutate runs the authorisation read path against
// policy changes; under -race it proves the locking, and the final state
// checks that no update was lost.
func TestConcurrentAuthorizeAndMutate(t *testing.T) {
	h := newHarness(t)
	key := h.newUserWithKey("pipeline")
	h.admin("CreatePolicy", "PolicyName", "ec2", "PolicyDocument", allowEC2)
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/ec2")
	p := h.principal(key)

	ctx, cancel := context.WithCancel(context.Background())
	var readers sync.WaitGroup
	for i := 0; i < 4; i++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for ctx.Err() == nil {
				d := h.svc.Authorize(ctx, api.AuthzRequest{Principal: p, Action: "ec2:RunInstances", Resource: "*", Context: map[string][]string{}})
				if d == api.ImplicitDeny {
					t.Error("ec2 access lost while unrelated policies changed")
					return
				}
				h.svc.LookupCredential(key)
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func(w int) {
			defer writers.Done()
			for i := 0; i < 25; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				h.admin("PutUserPolicy", "UserName", "pipeline", "PolicyName", name, "PolicyDocument", denyAll)
				h.admin("DeleteUserPolicy", "UserName", "pipeline", "PolicyName", name)
				h.admin("CreateUser", "UserName", name)
			}
		}(w)
	}
	writers.Wait()
	cancel()
	readers.Wait()
	var users struct {
		Users []userOut `xml:"Users>member"`
	}
	decode(t, h.admin("ListUsers", "MaxItems", "1000"), &users)
	if len(users.Users) != 2+4*25 {
		t.Errorf("%d users after concurrent creation, want %d", len(users.Users), 2+4*25)
	}
	if d := h.authorize(p, "ec2:RunInstances", "*"); d != api.Allow {
		t.Errorf("final decision %v", d)
	}
}

// BenchmarkAuthorize measures the per-request cost for a user with a
// handful of policies: two inline, two attached, and a group with one of
// each.
func BenchmarkAuthorize(b *testing.B) {
	h := newHarness(b)
	key := h.newUserWithKey("pipeline")
	h.admin("PutUserPolicy", "UserName", "pipeline", "PolicyName", "describe", "PolicyDocument", describeOnly)
	h.admin("PutUserPolicy", "UserName", "pipeline", "PolicyName", "s3", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"arn:aws:s3:::bucket/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess")
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	h.admin("CreateGroup", "GroupName", "ops")
	h.admin("AddUserToGroup", "GroupName", "ops", "UserName", "pipeline")
	h.admin("PutGroupPolicy", "GroupName", "ops", "PolicyName", "ec2", "PolicyDocument", allowEC2)
	h.admin("AttachGroupPolicy", "GroupName", "ops", "PolicyArn", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")
	p := h.principal(key)
	req := api.AuthzRequest{Principal: p, Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:999999999999:instance/*", Context: map[string][]string{
		"aws:sourceip": {"203.0.113.99"}, "aws:requestedregion": {"us-east-1"}, "aws:securetransport": {"true"},
	}}
	ctx := context.Background()
	if d := h.svc.Authorize(ctx, req); d != api.Allow {
		b.Fatalf("decision %v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.svc.Authorize(ctx, req)
		}
	})
}
