// Package iam is the sandbox's AWS Identity and Access Management service:
// users, groups, roles, instance profiles, access keys, managed and inline
// policies, spoken over the IAM query protocol so that the AWS SDKs, the CLI
// and Terraform work against it unchanged.
//
// The same state backs the sandbox's security: *Service is the credential
// store for long-term AKIA keys and the authorizer that evaluates every
// sandbox request against the caller's identity policies, so a containment
// step taken through the IAM API (deactivating a key, attaching a deny-all
// policy) takes effect on the very next request.
package iam

import (
	"context"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// Namespace is the xmlns of IAM query-protocol responses.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// Config configures the IAM service.
type Config struct {
	AccountID string
	// Clock returns now; nil means time.Now. Tests pass a controllable
	// clock so that create dates and key expiry are deterministic.
	Clock func() time.Time
}

// Service is the IAM state of one sandbox account. It is safe for
// concurrent use: mutations take the write lock, while authorisation and
// credential lookups, which run on every sandbox request, share a read lock.
type Service struct {
	accountID string
	clock     func() time.Time

	// awsManaged holds the AWS managed policies of iampolicy/awsmanaged;
	// the set is fixed at New, their attachment counts change under mu.
	awsManaged     map[string]*managedPolicy
	awsManagedList []*managedPolicy

	mu         sync.RWMutex
	users      map[string]*user // by lower-case name: IAM names are case-insensitive
	usersByID  map[string]*user
	groups     map[string]*group
	roles      map[string]*role
	rolesByID  map[string]*role
	policies   map[string]*managedPolicy // customer managed, by ARN
	policyName map[string]*managedPolicy // customer managed, by lower-case name
	keys       map[string]*accessKey
	profiles   map[string]*instanceProfile // by lower-case name
	// tombstones keep deleted keys resolvable, inactive, so that a request
	// signed with one is still attributed to its former owner in CloudTrail.
	tombstones map[string]*api.Credential
}

// New builds an empty IAM service for the account.
func New(cfg Config) *Service {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	s := &Service{
		accountID:  cfg.AccountID,
		clock:      clock,
		users:      map[string]*user{},
		usersByID:  map[string]*user{},
		groups:     map[string]*group{},
		roles:      map[string]*role{},
		rolesByID:  map[string]*role{},
		policies:   map[string]*managedPolicy{},
		policyName: map[string]*managedPolicy{},
		keys:       map[string]*accessKey{},
		profiles:   map[string]*instanceProfile{},
		tombstones: map[string]*api.Credential{},
	}
	s.awsManaged, s.awsManagedList = loadAWSManaged()
	return s
}

// SigningName implements api.Service.
func (s *Service) SigningName() string { return "iam" }

// EventSource implements api.Service.
func (s *Service) EventSource() string { return "iam.amazonaws.com" }

// Protocol implements api.Service.
func (s *Service) Protocol() api.Protocol { return api.ProtocolQuery }

// XMLNamespace implements api.Service.
func (s *Service) XMLNamespace() string { return Namespace }

// TargetPrefix implements api.Service; IAM is a query service.
func (s *Service) TargetPrefix() string { return "" }

// now returns the service clock's time in UTC, truncated to seconds as IAM
// reports dates.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Second) }

type handlerFunc func(s *Service, ctx context.Context, call *api.Call) (any, error)

// handlers is the registry of IAM actions the sandbox serves.
var handlers = map[string]handlerFunc{
	"CreateUser":          (*Service).createUser,
	"GetUser":             (*Service).getUser,
	"ListUsers":           (*Service).listUsers,
	"UpdateUser":          (*Service).updateUser,
	"DeleteUser":          (*Service).deleteUser,
	"TagUser":             (*Service).tagUser,
	"UntagUser":           (*Service).untagUser,
	"ListUserTags":        (*Service).listUserTags,
	"CreateGroup":         (*Service).createGroup,
	"GetGroup":            (*Service).getGroup,
	"ListGroups":          (*Service).listGroups,
	"DeleteGroup":         (*Service).deleteGroup,
	"AddUserToGroup":      (*Service).addUserToGroup,
	"RemoveUserFromGroup": (*Service).removeUserFromGroup,
	"ListGroupsForUser":   (*Service).listGroupsForUser,

	"CreateRole":             (*Service).createRole,
	"GetRole":                (*Service).getRole,
	"ListRoles":              (*Service).listRoles,
	"DeleteRole":             (*Service).deleteRole,
	"UpdateAssumeRolePolicy": (*Service).updateAssumeRolePolicy,

	"CreateInstanceProfile":         (*Service).createInstanceProfile,
	"GetInstanceProfile":            (*Service).getInstanceProfile,
	"ListInstanceProfiles":          (*Service).listInstanceProfiles,
	"ListInstanceProfilesForRole":   (*Service).listInstanceProfilesForRole,
	"AddRoleToInstanceProfile":      (*Service).addRoleToInstanceProfile,
	"RemoveRoleFromInstanceProfile": (*Service).removeRoleFromInstanceProfile,
	"DeleteInstanceProfile":         (*Service).deleteInstanceProfile,
	"TagInstanceProfile":            (*Service).tagInstanceProfile,
	"UntagInstanceProfile":          (*Service).untagInstanceProfile,
	"ListInstanceProfileTags":       (*Service).listInstanceProfileTags,

	"CreateAccessKey":      (*Service).createAccessKey,
	"ListAccessKeys":       (*Service).listAccessKeys,
	"UpdateAccessKey":      (*Service).updateAccessKey,
	"DeleteAccessKey":      (*Service).deleteAccessKey,
	"GetAccessKeyLastUsed": (*Service).getAccessKeyLastUsed,

	"CreatePolicy":            (*Service).createPolicy,
	"GetPolicy":               (*Service).getPolicy,
	"GetPolicyVersion":        (*Service).getPolicyVersion,
	"ListPolicies":            (*Service).listPolicies,
	"DeletePolicy":            (*Service).deletePolicy,
	"CreatePolicyVersion":     (*Service).createPolicyVersion,
	"ListPolicyVersions":      (*Service).listPolicyVersions,
	"DeletePolicyVersion":     (*Service).deletePolicyVersion,
	"SetDefaultPolicyVersion": (*Service).setDefaultPolicyVersion,

	"AttachUserPolicy":          attachHandler(kindUser),
	"AttachGroupPolicy":         attachHandler(kindGroup),
	"AttachRolePolicy":          attachHandler(kindRole),
	"DetachUserPolicy":          detachHandler(kindUser),
	"DetachGroupPolicy":         detachHandler(kindGroup),
	"DetachRolePolicy":          detachHandler(kindRole),
	"ListAttachedUserPolicies":  listAttachedHandler(kindUser),
	"ListAttachedGroupPolicies": listAttachedHandler(kindGroup),
	"ListAttachedRolePolicies":  listAttachedHandler(kindRole),

	"PutUserPolicy":     putInlineHandler(kindUser),
	"PutGroupPolicy":    putInlineHandler(kindGroup),
	"PutRolePolicy":     putInlineHandler(kindRole),
	"GetUserPolicy":     getInlineHandler(kindUser),
	"GetGroupPolicy":    getInlineHandler(kindGroup),
	"GetRolePolicy":     getInlineHandler(kindRole),
	"ListUserPolicies":  listInlineHandler(kindUser),
	"ListGroupPolicies": listInlineHandler(kindGroup),
	"ListRolePolicies":  listInlineHandler(kindRole),
	"DeleteUserPolicy":  deleteInlineHandler(kindUser),
	"DeleteGroupPolicy": deleteInlineHandler(kindGroup),
	"DeleteRolePolicy":  deleteInlineHandler(kindRole),
}

// Handle implements api.Service.
func (s *Service) Handle(ctx context.Context, call *api.Call) (any, error) {
	h, ok := handlers[call.Action]
	if !ok {
		return nil, api.InvalidAction(s, call.Action)
	}
	if call.Params == nil {
		call.Params = api.ParamsFromValues(nil)
	}
	if c := call.Caller; c != nil && c.Type == api.PrincipalIAMUser && c.IsTemporary() {
		// AWS refuses IAM calls made with GetSessionToken credentials that
		// carry no MFA context, and the sandbox has no MFA. AWS answers
		// with InvalidClientTokenId (observed behaviour; not documented
		// as an error code).
		return nil, api.InvalidClientTokenID(api.ProtocolQuery)
	}
	return h(s, ctx, call)
}

// authorize asks for permission on one resource.
func authorize(ctx context.Context, call *api.Call, action, resource string) error {
	return call.Authorize(ctx, "iam:"+action, []string{resource}, nil)
}
