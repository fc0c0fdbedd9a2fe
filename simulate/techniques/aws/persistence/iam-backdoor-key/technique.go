// Package iambackdoorkey is aws.persistence.iam-backdoor-key: an actor
// with IAM rights gives another user a second access key, to keep access
// after the first is revoked.
package iambackdoorkey

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.persistence.iam-backdoor-key"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Create a backdoor access key for another user",
		Description: "CreateAccessKey for another user, from the attacker's address. By default the user is the run's own " +
			"(irdrill-<run-id>-victim, made by the warm-up); user=NAME picks an existing one. Revert deletes the key.",
		Tactics:   []simulate.Tactic{simulate.Persistence, simulate.PrivilegeEscal},
		MITRE:     []string{"T1098.001"},
		Telemetry: []string{"cloudtrail"},
		Parameters: []simulate.Param{
			{Name: "user", Type: simulate.TypeString, Default: "", Description: "the user to give a key; empty: the run's own victim user"},
			{Name: "attacker-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the address the actor's calls come from (on targets that simulate it)"},
		},
		Warmup:   warmup,
		Detonate: detonate,
		Revert: func(ctx context.Context, r *simulate.Run) error {
			return simulate.RemoveKinds(ctx, r, simulate.KindAccessKey)
		},
		Cleanup: simulate.RemoveCreated,
	})
}

func victim(r *simulate.Run) string {
	if u := r.Params.String("user"); u != "" {
		return u
	}
	return r.NamePrefix() + "-victim"
}

func warmup(ctx context.Context, r *simulate.Run) error {
	if r.Params.String("user") != "" {
		return nil
	}
	if users, err := r.Live(simulate.KindUser); err != nil || len(users) > 0 {
		return err
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	user := victim(r)
	res := simulate.Resource{Kind: simulate.KindUser, ID: user}
	if err := r.Intend(res); err != nil {
		return err
	}
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user), Tags: r.IAMTags()}); err != nil && simulate.ErrorCode(err) != "EntityAlreadyExists" {
		return fmt.Errorf("create user %s: %w", user, err)
	}
	return r.Created(res)
}

func detonate(ctx context.Context, r *simulate.Run) error {
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: target.Responder, SourceIP: r.Params.String("attacker-ip")})
	if err != nil {
		return err
	}
	user := victim(r)
	out, err := iam.NewFromConfig(cfg).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		return fmt.Errorf("create access key for %s: %w", user, err)
	}
	// Access keys carry no tags: the journal is how cleanup finds it.
	return r.Created(simulate.Resource{Kind: simulate.KindAccessKey, ID: aws.ToString(out.AccessKey.AccessKeyId), Attrs: map[string]string{"user": user}})
}
