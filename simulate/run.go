package simulate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/irdrill/irdrill/target"
)

// TagKey is the tag every resource a run creates carries, with the run ID
// as its value.
const TagKey = "irdrill:run-id"

// Run is one run of a technique: what its phases see.
type Run struct {
	ID        string
	Technique *Technique
	Params    Params
	Target    *target.Target
	Info      RunInfo

	journal  *Journal
	stateDir string
	progress func(string)
	now      func() time.Time

	cleanupTimeout time.Duration

	mu   sync.Mutex
	lab  *target.LabState
	ttls []*time.Timer
}

// Logf reports progress on the run.
func (r *Run) Logf(format string, args ...any) {
	if r.progress != nil {
		r.progress(fmt.Sprintf(format, args...))
	}
}

// NamePrefix starts the names of what the run creates: irdrill-<run-id>.
func (r *Run) NamePrefix() string { return "irdrill-" + r.ID }

// EC2Tags are the run's tags for EC2.
func (r *Run) EC2Tags() []ec2types.Tag {
	return []ec2types.Tag{{Key: aws.String(TagKey), Value: aws.String(r.ID)}}
}

// IAMTags are the run's tags for IAM.
func (r *Run) IAMTags() []iamtypes.Tag {
	return []iamtypes.Tag{{Key: aws.String(TagKey), Value: aws.String(r.ID)}}
}

// Config is the harness's own configuration for an identity: every call
// carries the run ID in its user agent.
func (r *Run) Config(ctx context.Context, id target.Identity, opts ...target.ConfigOption) (aws.Config, error) {
	cfg, err := r.Target.Config(ctx, id, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.APIOptions = append(cfg.APIOptions, withRunUserAgent(r.ID))
	return cfg, nil
}

// Actor describes who an attacker's calls come from.
type Actor struct {
	Identity target.Identity
	// SourceIP is the address the calls claim (on targets that can).
	SourceIP string
	// CLIUserAgent, when set, replaces the user agent with the AWS CLI's
	// for each operation (SeedCLIUserAgent plays the playbook's actor);
	// otherwise the calls carry the run's user agent.
	CLIUserAgent string
}

// ActorConfig is a configuration for an attacker's calls: from the actor's
// address and with its user agent, each call journaled with its outcome.
func (r *Run) ActorConfig(ctx context.Context, a Actor) (aws.Config, error) {
	cfg, err := r.Target.Config(ctx, a.Identity, target.FromSourceIP(a.SourceIP))
	if err != nil {
		return aws.Config{}, err
	}
	ua := ""
	if a.CLIUserAgent != "" {
		cfg.APIOptions = append(cfg.APIOptions, withCLIUserAgent(a.CLIUserAgent))
		ua = a.CLIUserAgent
	} else {
		cfg.APIOptions = append(cfg.APIOptions, withRunUserAgent(r.ID))
	}
	ip := a.SourceIP
	if !r.Target.Capabilities().SourceIP {
		ip = ""
	}
	cfg.APIOptions = append(cfg.APIOptions, r.recordCalls(string(a.Identity), ip, ua))
	return cfg, nil
}

// recordCalls journals every call of a configuration with its outcome.
func (r *Run) recordCalls(identity, ip, ua string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("IrdrillRecordCall",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				c := Call{Service: awsmiddleware.GetServiceID(ctx), Operation: awsmiddleware.GetOperationName(ctx), Identity: identity, SourceIP: ip, ErrorCode: ErrorCode(err)}
				if ua != "" {
					c.UserAgent = CLIUserAgent(ua, c.Service, c.Operation)
				}
				if err != nil && c.ErrorCode == "" {
					c.ErrorCode = "(no API error: " + err.Error() + ")"
				}
				if jerr := r.journal.Append(Entry{Type: EntryCall, Call: &c}); jerr != nil && err == nil {
					err = jerr
				}
				return out, md, err
			}), middleware.Before)
	}
}

// Intend journals a resource about to be created, before the call that
// creates it, so that cleanup finds it even if the process dies before the
// answer.
func (r *Run) Intend(res Resource) error {
	return r.journal.Append(Entry{Type: EntryIntent, Resource: &res})
}

// Created journals a resource that now exists.
func (r *Run) Created(res Resource) error {
	r.Logf("created %s", res)
	return r.journal.Append(Entry{Type: EntryCreated, Resource: &res})
}

// Deleted journals a resource that is gone.
func (r *Run) Deleted(res Resource) error {
	return r.journal.Append(Entry{Type: EntryDeleted, Resource: &res})
}

// Summary reads the run's journal back.
func (r *Run) Summary() (Summary, error) {
	entries, err := ReadJournal(r.journal.Path())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Summary{}, err
	}
	return Summarize(entries), nil
}

// Live lists the resources of a kind that the run made and has not removed
// ("" for every kind).
func (r *Run) Live(kind string) ([]Resource, error) {
	s, err := r.Summary()
	if err != nil {
		return nil, err
	}
	var out []Resource
	for _, res := range s.Live {
		if kind == "" || res.Kind == kind {
			out = append(out, res)
		}
	}
	return out, nil
}

// Lab is the target's lab account, set up on first use.
func (r *Run) Lab(ctx context.Context) (*target.LabState, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lab != nil {
		return r.lab, nil
	}
	if st := r.Target.Lab(); st != nil {
		r.lab = st
		return st, nil
	}
	r.Logf("setting up the lab account on %s", r.Target.Spec())
	st, err := r.Target.SetUpLab(ctx, target.LabOptions{StateDir: r.stateDir, Progress: func(s target.LabStep) {
		if s.Outcome != "exists" {
			r.Logf("lab: %s", s)
		}
	}})
	if err != nil {
		return nil, err
	}
	r.lab = st
	return st, nil
}

// ErrorCode is err's AWS error code, or "".
func ErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// IsNotFound reports whether err says that the thing is already gone.
func IsNotFound(err error) bool {
	switch ErrorCode(err) {
	case "NoSuchEntity", "InvalidInstanceID.NotFound", "TrailNotFoundException", "ResourceNotFoundException",
		"InvalidGroup.NotFound", "InvalidVolume.NotFound", "InvalidSnapshot.NotFound", "InvalidFlowLogId.NotFound":
		return true
	}
	return false
}
