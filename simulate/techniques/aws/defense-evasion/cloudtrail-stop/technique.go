// Package cloudtrailstop is aws.defense-evasion.cloudtrail-stop: an actor
// stops a trail's logging (and, as a parameter, deletes it) to blind the
// responders.
package cloudtrailstop

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.defense-evasion.cloudtrail-stop"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Stop CloudTrail logging",
		Description: "StopLogging on a trail, and DeleteTrail with delete=true. By default the trail is the run's own " +
			"(irdrill-<run-id>-trail, made by the warm-up), so the lab's trail keeps recording the StopLogging; trail=NAME stops an " +
			"existing trail instead (the lab's irdrill-lab-trail rehearses a blind spot), whose logging cleanup starts again. " +
			"Revert starts logging again.",
		Tactics:   []simulate.Tactic{simulate.DefenseEvasion},
		MITRE:     []string{"T1562.008"},
		Telemetry: []string{"cloudtrail"},
		Parameters: []simulate.Param{
			{Name: "trail", Type: simulate.TypeString, Default: "", Description: "an existing trail to stop; empty: the run's own trail"},
			{Name: "delete", Type: simulate.TypeBool, Default: "false", Description: "also delete the trail (the run's own trail only)"},
			{Name: "bucket", Type: simulate.TypeString, Default: target.DefaultLab.TrailBucket, Description: "the S3 bucket of the run's own trail"},
			{Name: "attacker-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the address the actor's calls come from (on targets that simulate it)"},
		},
		Warmup:   warmup,
		Detonate: detonate,
		Revert:   revert,
		Cleanup:  simulate.RemoveCreated,
	})
}

func trailName(r *simulate.Run) string {
	if t := r.Params.String("trail"); t != "" {
		return t
	}
	return r.NamePrefix() + "-trail"
}

func warmup(ctx context.Context, r *simulate.Run) error {
	if r.Params.String("trail") != "" {
		if r.Params.Bool("delete") {
			return fmt.Errorf("delete=true deletes only the run's own trail, not %s", r.Params.String("trail"))
		}
		return nil
	}
	if own, err := r.Live(simulate.KindTrail); err != nil || len(own) > 0 {
		return err
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	c := cloudtrail.NewFromConfig(cfg)
	name := trailName(r)
	res := simulate.Resource{Kind: simulate.KindTrail, ID: name, Region: r.Target.Region()}
	if err := r.Intend(res); err != nil {
		return err
	}
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String(name), S3BucketName: aws.String(r.Params.String("bucket")),
		TagsList: []cttypes.Tag{{Key: aws.String(simulate.TagKey), Value: aws.String(r.ID)}},
	}); err != nil {
		return fmt.Errorf("create trail %s: %w", name, err)
	}
	if err := r.Created(res); err != nil {
		return err
	}
	if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("start logging %s: %w", name, err)
	}
	return nil
}

func actor(ctx context.Context, r *simulate.Run) (*cloudtrail.Client, error) {
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: target.Responder, SourceIP: r.Params.String("attacker-ip")})
	if err != nil {
		return nil, err
	}
	return cloudtrail.NewFromConfig(cfg), nil
}

func detonate(ctx context.Context, r *simulate.Run) error {
	c, err := actor(ctx, r)
	if err != nil {
		return err
	}
	name := trailName(r)
	own := r.Params.String("trail") == ""
	if !own {
		st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(name)})
		if err != nil {
			return fmt.Errorf("get trail status %s: %w", name, err)
		}
		if aws.ToBool(st.IsLogging) {
			// Journaled before the call: a crash in between still starts
			// the trail again at cleanup.
			if err := r.Intend(simulate.Resource{Kind: simulate.KindTrailStopped, ID: name, Region: r.Target.Region()}); err != nil {
				return err
			}
		}
	}
	if _, err := c.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("stop logging %s: %w", name, err)
	}
	r.Logf("stopped logging on %s", name)
	if r.Params.Bool("delete") {
		if _, err := c.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(name)}); err != nil {
			return fmt.Errorf("delete trail %s: %w", name, err)
		}
		r.Logf("deleted %s", name)
		return r.Deleted(simulate.Resource{Kind: simulate.KindTrail, ID: name, Region: r.Target.Region()})
	}
	return nil
}

// revert starts logging again; a deleted own trail is made again first.
func revert(ctx context.Context, r *simulate.Run) error {
	if r.Params.String("trail") != "" {
		return simulate.RemoveKinds(ctx, r, simulate.KindTrailStopped)
	}
	if err := warmup(ctx, r); err != nil {
		return err
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	if _, err := cloudtrail.NewFromConfig(cfg).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trailName(r))}); err != nil {
		return fmt.Errorf("start logging %s: %w", trailName(r), err)
	}
	return nil
}
