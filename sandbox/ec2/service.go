// Package ec2 serves Amazon EC2 over the ec2query protocol for the sandbox:
// the region and image catalogue, default and custom VPC networking,
// security groups, instances with their state machine, tags, EBS volumes and
// snapshots, and VPC flow log configuration.
//
// State is kept per region and created lazily with the region's default VPC
// the first time a region is touched. The service takes any region name it is
// given; the front end only passes regions of the aws partition.
// Every action authorises with call.Authorize before it reads or changes
// state, and sets CloudTrail's EC2 requestParameters/responseElements shapes
// where CloudTrail records more than the raw parameters.
//
// Instance state transitions are driven by the configured clock: an
// instance that enters a transitional state (pending, stopping,
// shutting-down) settles into its target state (running, stopped,
// terminated) the first time it is read at or after TransitionDelay has
// passed on that clock. Tests with a fake clock therefore decide exactly
// when instances become running.
package ec2

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// Namespace is the xmlns of every EC2 response.
const Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// DefaultTransitionDelay is how long, on the service's clock, an instance
// stays in a transitional state. Real EC2 takes tens of seconds; drills want
// responders to see the transitional state without waiting long.
const DefaultTransitionDelay = 2 * time.Second

// terminatedRetention is how long terminated instances stay visible, as AWS
// keeps them in DescribeInstances for about an hour.
const terminatedRetention = time.Hour

// Config configures the EC2 service.
type Config struct {
	AccountID string
	Clock     func() time.Time
	// InstanceProfiles resolves IamInstanceProfile (RunInstances,
	// AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation)
	// and the role whose iam:PassRole they check. Nil takes any profile
	// name as given, with no PassRole check: EC2 on its own, in its tests.
	InstanceProfiles InstanceProfileResolver
}

// Service is the sandbox's EC2. It is safe for concurrent use.
type Service struct {
	accountID string
	clock     func() time.Time
	profiles  InstanceProfileResolver

	mu      sync.Mutex // guards regions only
	regions map[string]*region

	// Atomics, so that code holding a region's lock never needs mu.
	transitionDelay atomic.Int64 // nanoseconds
	idCounter       atomic.Uint64
	publicIPCounter atomic.Uint32
}

// New builds an EC2 service for one account.
func New(cfg Config) *Service {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	account := cfg.AccountID
	if account == "" {
		account = "999999999999"
	}
	s := &Service{accountID: account, clock: clock, profiles: cfg.InstanceProfiles, regions: map[string]*region{}}
	s.transitionDelay.Store(int64(DefaultTransitionDelay))
	return s
}

// SetTransitionDelay changes how long instances stay pending, stopping or
// shutting-down on the service's clock; 0 makes transitions complete on the
// next read.
func (s *Service) SetTransitionDelay(d time.Duration) {
	s.transitionDelay.Store(int64(max(d, 0)))
}

func (s *Service) SigningName() string    { return "ec2" }
func (s *Service) EventSource() string    { return "ec2.amazonaws.com" }
func (s *Service) Protocol() api.Protocol { return api.ProtocolEC2 }
func (s *Service) XMLNamespace() string   { return Namespace }
func (s *Service) TargetPrefix() string   { return "" }
func (s *Service) now() time.Time         { return s.clock().UTC() }
func (s *Service) delay() time.Duration   { return time.Duration(s.transitionDelay.Load()) }
func (s *Service) AccountID() string      { return s.accountID }
func (s *Service) regionFor(name string) *region {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.regions[name]
	if !ok {
		r = newRegion(s, name)
		s.regions[name] = r
	}
	return r
}

// newID returns prefix + 17 lower-case hex characters. IDs are derived from
// the account, the prefix and a per-service counter, so a fresh sandbox
// replays the same IDs for the same sequence of calls (golden files and
// reproducible drills) while IDs never repeat within a service.
func (s *Service) newID(prefix string) string {
	n := s.idCounter.Add(1)
	return prefix + hashHex(s.accountID+"/"+prefix+"/"+strconv.FormatUint(n, 10), 17)
}

func hashHex(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])[:n]
}

func hashUint(seed string) uint64 {
	sum := sha256.Sum256([]byte(seed))
	return binary.BigEndian.Uint64(sum[:8])
}

type handlerFunc func(ctx context.Context, s *Service, r *region, call *api.Call) (any, error)

// handlers maps each action to its implementation. It is filled once at
// package initialisation and only read afterwards.
var handlers = map[string]handlerFunc{
	"DescribeRegions":           describeRegions,
	"DescribeAvailabilityZones": describeAvailabilityZones,
	"DescribeAccountAttributes": describeAccountAttributes,
	"DescribeImages":            describeImages,
	"DescribeInstanceTypes":     describeInstanceTypes,

	"CreateVpc":    createVpc,
	"DescribeVpcs": describeVpcs,
	"DeleteVpc":    deleteVpc,

	"CreateSubnet":    createSubnet,
	"DescribeSubnets": describeSubnets,
	"DeleteSubnet":    deleteSubnet,

	"CreateSecurityGroup":           createSecurityGroup,
	"DescribeSecurityGroups":        describeSecurityGroups,
	"DeleteSecurityGroup":           deleteSecurityGroup,
	"AuthorizeSecurityGroupIngress": authorizeIngress,
	"AuthorizeSecurityGroupEgress":  authorizeEgress,
	"RevokeSecurityGroupIngress":    revokeIngress,
	"RevokeSecurityGroupEgress":     revokeEgress,
	"DescribeSecurityGroupRules":    describeSecurityGroupRules,

	"DescribeNetworkInterfaces":       describeNetworkInterfaces,
	"ModifyNetworkInterfaceAttribute": modifyNetworkInterfaceAttribute,

	"RunInstances":              runInstances,
	"DescribeInstances":         describeInstances,
	"DescribeInstanceStatus":    describeInstanceStatus,
	"DescribeInstanceAttribute": describeInstanceAttribute,
	"ModifyInstanceAttribute":   modifyInstanceAttribute,
	"StartInstances":            startInstances,
	"StopInstances":             stopInstances,
	"TerminateInstances":        terminateInstances,

	"AssociateIamInstanceProfile":            associateIamInstanceProfile,
	"DescribeIamInstanceProfileAssociations": describeIamInstanceProfileAssociations,
	"DisassociateIamInstanceProfile":         disassociateIamInstanceProfile,
	"ReplaceIamInstanceProfileAssociation":   replaceIamInstanceProfileAssociation,

	"CreateTags":   createTags,
	"DeleteTags":   deleteTags,
	"DescribeTags": describeTags,

	"DescribeVolumes":   describeVolumes,
	"CreateSnapshot":    createSnapshot,
	"DescribeSnapshots": describeSnapshots,
	"DeleteSnapshot":    deleteSnapshot,

	"CreateFlowLogs":   createFlowLogs,
	"DescribeFlowLogs": describeFlowLogs,
	"DeleteFlowLogs":   deleteFlowLogs,
}

// Handle runs one EC2 action.
func (s *Service) Handle(ctx context.Context, call *api.Call) (any, error) {
	h, ok := handlers[call.Action]
	if !ok {
		return nil, api.InvalidAction(s, call.Action)
	}
	if call.Params == nil {
		call.Params = api.ParamsFromValues(nil)
	}
	regionName := call.Region
	if regionName == "" {
		regionName = "us-east-1"
	}
	return h(ctx, s, s.regionFor(regionName), call)
}

// returnTrue is the body of EC2 actions that only acknowledge success.
type returnTrue struct {
	Return bool `xml:"return"`
}

var acknowledged = returnTrue{Return: true}

// arn builds an EC2 resource ARN in the region.
func (s *Service) arn(r *region, resource string) string {
	return "arn:aws:ec2:" + r.name + ":" + s.accountID + ":" + resource
}
