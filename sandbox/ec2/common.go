package ec2

import (
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

// validID reports whether id is prefix followed by 8 or 17 lower-case hex
// digits, the two ID lengths EC2 has issued.
func validID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || (len(rest) != 8 && len(rest) != 17) {
		return false
	}
	for _, c := range rest {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// resourceTypeOf maps an ID prefix to the resource type DescribeTags and
// TagSpecifications use.
func resourceTypeOf(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "i":
		return "instance"
	case "vol":
		return "volume"
	case "snap":
		return "snapshot"
	case "eni":
		return "network-interface"
	case "vpc":
		return "vpc"
	case "subnet":
		return "subnet"
	case "sg":
		return "security-group"
	case "sgr":
		return "security-group-rule"
	case "fl":
		return "vpc-flow-log"
	case "ami":
		return "image"
	case "r":
		return "reservation"
	}
	return ""
}

// exists reports whether a taggable resource exists in the region.
func (r *region) exists(id string) bool {
	switch resourceTypeOf(id) {
	case "instance":
		return r.instances.has(id)
	case "volume":
		return r.volumes.has(id)
	case "snapshot":
		return r.snapshots.has(id)
	case "network-interface":
		return r.enis.has(id)
	case "vpc":
		return r.vpcs.has(id)
	case "subnet":
		return r.subnets.has(id)
	case "security-group":
		return r.groups.has(id)
	case "security-group-rule":
		return r.findRule(id) != nil
	case "vpc-flow-log":
		return r.flowLogs.has(id)
	case "image":
		return findImage(id) != nil
	}
	return false
}

func (r *region) findRule(id string) *sgRule {
	for _, g := range r.groups.all() {
		for _, rule := range g.rules {
			if rule.id == id {
				return rule
			}
		}
	}
	return nil
}

// notFound builds the "does not exist" error EC2 returns for each resource
// kind, in the wording the CLI shows.
func notFound(id string) *api.Error {
	switch resourceTypeOf(id) {
	case "instance":
		return api.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	case "volume":
		return api.Errorf("InvalidVolume.NotFound", "The volume '%s' does not exist.", id)
	case "snapshot":
		return api.Errorf("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
	case "network-interface":
		return api.Errorf("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
	case "vpc":
		return api.Errorf("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
	case "subnet":
		return api.Errorf("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	case "security-group":
		return api.Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	case "security-group-rule":
		return api.Errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
	case "vpc-flow-log":
		return api.Errorf("InvalidFlowLogId.NotFound", "Flow Log ID '%s' does not exist", id)
	case "image":
		return api.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	return api.Errorf("InvalidID", "The ID '%s' is not valid", id)
}

// malformed builds the "Invalid id" error for an ID of the wrong shape.
func malformed(code, id, prefix string) *api.Error {
	return api.Errorf(code, "Invalid id: \"%s\" (expecting \"%s...\")", id, prefix)
}

// tagSpec is the parsed TagSpecification list of a create action.
type tagSpec map[string][]tagXML

// parseTagSpecs reads TagSpecification.N. allowed lists the resource types
// the action can tag.
func parseTagSpecs(p *api.Params, allowed ...string) (tagSpec, error) {
	specs := tagSpec{}
	ok := setOf(allowed...)
	for _, spec := range p.Structs("TagSpecification") {
		rt := spec.Get("ResourceType")
		if rt == "" {
			return nil, api.MissingParameter(api.ProtocolEC2, "TagSpecification.ResourceType")
		}
		if !ok[rt] {
			return nil, api.Errorf("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt)
		}
		tags, err := parseTags(spec, "Tag", true)
		if err != nil {
			return nil, err
		}
		specs[rt] = append(specs[rt], tags...)
	}
	return specs, nil
}

// parseTags reads name.N.Key/Value. requireKey rejects entries without a
// key; DeleteTags allows a key without a value.
func parseTags(p *api.Params, name string, requireKey bool) ([]tagXML, error) {
	var out []tagXML
	for _, t := range p.Structs(name) {
		key, hasKey := t.Lookup("Key")
		if requireKey && (!hasKey || key == "") {
			return nil, api.Errorf("InvalidParameterValue", "Tag key must not be empty")
		}
		if err := validateTag(key, t.Get("Value")); err != nil {
			return nil, err
		}
		out = append(out, tagXML{Key: key, Value: t.Get("Value")})
	}
	return out, nil
}

// validateTag applies EC2's tag limits: keys up to 128 characters, values
// up to 256, and the reserved aws: prefix.
func validateTag(key, value string) error {
	if len([]rune(key)) > 128 {
		return api.Errorf("InvalidParameterValue", "Tag key exceeds the maximum length of 128 characters")
	}
	if len([]rune(value)) > 256 {
		return api.Errorf("InvalidParameterValue", "Tag value exceeds the maximum length of 256 characters")
	}
	if strings.HasPrefix(strings.ToLower(key), "aws:") {
		return api.Errorf("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
	}
	return nil
}

// dryRun answers DryRun=true after authorisation, as EC2 does: success is
// reported as the DryRunOperation error.
func dryRun(call *api.Call) (bool, error) {
	dry, _, err := call.Params.Bool("DryRun")
	return dry, err
}

var errDryRunOperation = &api.Error{Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set.", HTTPStatus: 412}
