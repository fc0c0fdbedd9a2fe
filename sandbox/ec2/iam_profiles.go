package ec2

import (
	"context"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// ec2ServicePrincipal is what an instance profile's role is passed to:
// iam:PassedToService of every PassRole check EC2 makes for a profile.
const ec2ServicePrincipal = "ec2.amazonaws.com"

// InstanceProfile is what EC2 needs of an IAM instance profile.
type InstanceProfile struct {
	ARN, ID string
	// RoleARN is the profile's role; empty when it holds none, which AWS
	// accepts (the instance then gets no credentials).
	RoleARN string
}

// InstanceProfileResolver finds an instance profile by ARN or by name, the
// two ways IamInstanceProfile names one. The sandbox's IAM implements it.
type InstanceProfileResolver interface {
	InstanceProfile(arnOrName string) (InstanceProfile, bool)
}

// iamAssociation is an instance's IAM instance profile association.
type iamAssociation struct {
	id                    string
	profileARN, profileID string
	state                 string // associating, associated, disassociating
	since                 time.Time
}

// stateAt settles associating → associated, after the service's transition
// delay, as instance states settle.
func (a *iamAssociation) stateAt(now time.Time, delay time.Duration) string {
	if a.state == "associating" && !now.Before(a.since.Add(delay)) {
		a.state = "associated"
	}
	return a.state
}

// resolveProfile finds the profile an IamInstanceProfile names, with EC2's
// errors for one that does not exist. Without a resolver (EC2 tested on its
// own) a name is taken as given and no PassRole check is possible.
func (s *Service) resolveProfile(arn, name string) (InstanceProfile, error) {
	ref, param := arn, "iamInstanceProfile.arn"
	if ref == "" {
		ref, param = name, "iamInstanceProfile.name"
	}
	if arn != "" && !strings.HasPrefix(arn, "arn:aws:iam::") {
		return InstanceProfile{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN", arn)
	}
	if s.profiles == nil {
		p := InstanceProfile{ARN: arn}
		if p.ARN == "" {
			p.ARN = "arn:aws:iam::" + s.accountID + ":instance-profile/" + name
		}
		p.ID = "AIPA" + strings.ToUpper(hashHex("profile/"+p.ARN, 17))
		return p, nil
	}
	p, ok := s.profiles.InstanceProfile(ref)
	if !ok {
		what := "name"
		if param == "iamInstanceProfile.arn" {
			what = "ARN"
		}
		return InstanceProfile{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Invalid IAM Instance Profile %s", ref, param, what)
	}
	return p, nil
}

// passProfileRole checks iam:PassRole on the profile's role for the
// instances it will serve.
func passProfileRole(ctx context.Context, call *api.Call, p InstanceProfile, instanceARN string) error {
	if p.RoleARN == "" {
		return nil
	}
	return call.AuthorizePassRole(ctx, p.RoleARN, ec2ServicePrincipal, instanceARN)
}

// profileSpec reads IamInstanceProfile.Arn/Name, one of which is required.
func profileSpec(p *api.Params) (arn, name string, err error) {
	arn, name = p.Get("IamInstanceProfile.Arn"), p.Get("IamInstanceProfile.Name")
	if arn == "" && name == "" {
		return "", "", api.MissingParameter(api.ProtocolEC2, "IamInstanceProfile")
	}
	return arn, name, nil
}

type iamInstanceProfileAssociationXML struct {
	AssociationID      string        `xml:"associationId"`
	InstanceID         string        `xml:"instanceId"`
	IamInstanceProfile iamProfileXML `xml:"iamInstanceProfile"`
	State              string        `xml:"state"`
	Timestamp          string        `xml:"timestamp"`
}

type iamInstanceProfileAssociationResult struct {
	Association iamInstanceProfileAssociationXML `xml:"iamInstanceProfileAssociation"`
}

type describeIamInstanceProfileAssociationsResult struct {
	Associations []iamInstanceProfileAssociationXML `xml:"iamInstanceProfileAssociationSet>item"`
	NextToken    string                             `xml:"nextToken,omitempty"`
}

func associationXML(inst *instance, a *iamAssociation, state string) iamInstanceProfileAssociationXML {
	return iamInstanceProfileAssociationXML{
		AssociationID: a.id, InstanceID: inst.id, State: state, Timestamp: ec2Time(a.since),
		IamInstanceProfile: iamProfileXML{Arn: a.profileARN, ID: a.profileID},
	}
}

// associate gives inst the profile, as RunInstances and
// AssociateIamInstanceProfile do. The caller holds r.mu.
func (r *region) associate(inst *instance, p InstanceProfile, state string, now time.Time) *iamAssociation {
	inst.iamProfileARN, inst.iamProfileID = p.ARN, p.ID
	inst.iamAssoc = &iamAssociation{id: r.svc.newID("iip-assoc-"), profileARN: p.ARN, profileID: p.ID, state: state, since: now}
	return inst.iamAssoc
}

// associationByID finds an association of a live instance. The caller
// holds r.mu.
func (r *region) associationByID(id string) (*instance, *iamAssociation) {
	for _, inst := range r.instances.items {
		if inst.iamAssoc != nil && inst.iamAssoc.id == id && inst.state != stateTerminated {
			return inst, inst.iamAssoc
		}
	}
	return nil, nil
}

func associateIamInstanceProfile(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	p := call.Params
	instanceID := p.Get("InstanceId")
	if err := call.Authorize(ctx, "ec2:AssociateIamInstanceProfile", []string{s.arn(r, "instance/"+instanceID)}, nil); err != nil {
		return nil, err
	}
	arn, name, err := profileSpec(p)
	if err != nil {
		return nil, err
	}
	if instanceID == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "InstanceId")
	}
	if !validID("i-", instanceID) {
		return nil, malformed("InvalidInstanceID.Malformed", instanceID, "i-")
	}
	profile, err := s.resolveProfile(arn, name)
	if err != nil {
		return nil, err
	}
	if err := passProfileRole(ctx, call, profile, s.arn(r, "instance/"+instanceID)); err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	inst, ok := r.instances.get(instanceID)
	if !ok || inst.state == stateTerminated {
		return nil, notFound(instanceID)
	}
	if inst.state == stateShuttingDown {
		return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in a state from which an IAM instance profile can be associated.", instanceID)
	}
	if a := inst.iamAssoc; a != nil {
		return nil, api.Errorf("IncorrectState", "There is an existing association for instance %s", instanceID)
	}
	a := r.associate(inst, profile, "associating", now)
	return iamInstanceProfileAssociationResult{Association: associationXML(inst, a, a.state)}, nil
}

func replaceIamInstanceProfileAssociation(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	p := call.Params
	id := p.Get("AssociationId")
	inst, _, resource := r.lockedAssociationResource(s, id)
	if err := call.Authorize(ctx, "ec2:ReplaceIamInstanceProfileAssociation", []string{resource}, nil); err != nil {
		return nil, err
	}
	arn, name, err := profileSpec(p)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "AssociationId")
	}
	if inst == nil {
		return nil, associationNotFound(id)
	}
	profile, err := s.resolveProfile(arn, name)
	if err != nil {
		return nil, err
	}
	if err := passProfileRole(ctx, call, profile, resource); err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	inst, a := r.associationByID(id)
	if inst == nil {
		return nil, associationNotFound(id)
	}
	if state := a.stateAt(now, s.delay()); state != "associated" {
		return nil, api.Errorf("IncorrectState", "The association %s is not in the associated state (%s)", id, state)
	}
	next := r.associate(inst, profile, "associating", now)
	return iamInstanceProfileAssociationResult{Association: associationXML(inst, next, next.state)}, nil
}

func disassociateIamInstanceProfile(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id := call.Params.Get("AssociationId")
	inst, _, resource := r.lockedAssociationResource(s, id)
	if err := call.Authorize(ctx, "ec2:DisassociateIamInstanceProfile", []string{resource}, nil); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "AssociationId")
	}
	if inst == nil {
		return nil, associationNotFound(id)
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	inst, a := r.associationByID(id)
	if inst == nil || a.state == "disassociating" {
		return nil, associationNotFound(id)
	}
	// The instance loses its credentials now; the association shows as
	// disassociating until the transition delay has passed.
	inst.iamProfileARN, inst.iamProfileID = "", ""
	a.state, a.since = "disassociating", now
	return iamInstanceProfileAssociationResult{Association: associationXML(inst, a, a.state)}, nil
}

func describeIamInstanceProfileAssociations(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeIamInstanceProfileAssociations", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("instance-id", "state"))
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("AssociationId")
	wanted := setOf(ids...)
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	var out describeIamInstanceProfileAssociationsResult
	found := map[string]bool{}
	for _, instID := range r.instances.order {
		inst := r.instances.byID[instID]
		a := inst.iamAssoc
		if a == nil || inst.state == stateTerminated {
			continue
		}
		state := a.stateAt(now, s.delay())
		if state == "disassociating" && !now.Before(a.since.Add(s.delay())) {
			inst.iamAssoc = nil // disassociated: gone from the listing
			continue
		}
		if len(wanted) > 0 && !wanted[a.id] {
			continue
		}
		found[a.id] = true
		if !fs.match(func(name string) []string {
			if name == "instance-id" {
				return []string{inst.id}
			}
			return []string{state}
		}) {
			continue
		}
		out.Associations = append(out.Associations, associationXML(inst, a, state))
	}
	for _, id := range ids {
		if !found[id] {
			return nil, associationNotFound(id)
		}
	}
	out.Associations, out.NextToken = paginate(pg, out.Associations)
	return out, nil
}

// lockedAssociationResource finds the instance an association belongs to,
// for the resource-level permission of Replace/Disassociate; an unknown
// association is authorised on any instance and reported after.
func (r *region) lockedAssociationResource(s *Service, id string) (*instance, *iamAssociation, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	inst, a := r.associationByID(id)
	if inst == nil {
		return nil, nil, s.arn(r, "instance/*")
	}
	return inst, a, s.arn(r, "instance/"+inst.id)
}

func associationNotFound(id string) *api.Error {
	return api.Errorf("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}
