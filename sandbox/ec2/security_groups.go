package ec2

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

func (r *region) groupXML(g *securityGroup) securityGroupXML {
	x := securityGroupXML{
		OwnerID: r.svc.accountID, GroupID: g.id, GroupName: g.name, GroupDescription: g.description, VpcID: g.vpcID,
		SecurityGroupArn: r.svc.arn(r, "security-group/"+g.id), Tags: r.sortedTags(g.id),
	}
	x.IPPermissions = r.permissions(g, false)
	x.IPPermissionsEgress = r.permissions(g, true)
	return x
}

// permissions folds a group's rules into IpPermissions the way AWS shows
// them: one entry per protocol and port range, peers grouped inside.
func (r *region) permissions(g *securityGroup, egress bool) []ipPermissionXML {
	out := []ipPermissionXML{}
	index := map[string]int{}
	for _, rule := range g.rules {
		if rule.egress != egress {
			continue
		}
		key := rule.protocol + "/" + strconv.Itoa(rule.fromPort) + "/" + strconv.Itoa(rule.toPort) + "/" + strconv.FormatBool(rule.hasPorts)
		i, ok := index[key]
		if !ok {
			p := ipPermissionXML{IPProtocol: rule.protocol, Groups: []userIDGroupPairXML{}, IPRanges: []ipRangeXML{}, Ipv6Ranges: []ipv6RangeXML{}, PrefixListIDs: []prefixListIDXML{}}
			if rule.hasPorts {
				from, to := rule.fromPort, rule.toPort
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
			i = len(out) - 1
			index[key] = i
		}
		p := &out[i]
		switch {
		case rule.cidrIPv4 != "":
			p.IPRanges = append(p.IPRanges, ipRangeXML{CidrIP: rule.cidrIPv4, Description: rule.description})
		case rule.cidrIPv6 != "":
			p.Ipv6Ranges = append(p.Ipv6Ranges, ipv6RangeXML{CidrIpv6: rule.cidrIPv6, Description: rule.description})
		case rule.prefixListID != "":
			p.PrefixListIDs = append(p.PrefixListIDs, prefixListIDXML{PrefixListID: rule.prefixListID, Description: rule.description})
		case rule.refGroupID != "":
			p.Groups = append(p.Groups, userIDGroupPairXML{Description: rule.description, UserID: rule.refUserID, GroupID: rule.refGroupID})
		}
	}
	return out
}

func (r *region) ruleXML(g *securityGroup, rule *sgRule) securityGroupRuleXML {
	x := securityGroupRuleXML{
		SecurityGroupRuleID: rule.id, GroupID: g.id, GroupOwnerID: r.svc.accountID, IsEgress: rule.egress,
		IPProtocol: rule.protocol, FromPort: -1, ToPort: -1, CidrIpv4: rule.cidrIPv4, CidrIpv6: rule.cidrIPv6,
		PrefixListID: rule.prefixListID, Description: rule.description,
		SecurityGroupRuleArn: r.svc.arn(r, "security-group-rule/"+rule.id), Tags: r.sortedTags(rule.id),
	}
	if rule.hasPorts {
		x.FromPort, x.ToPort = rule.fromPort, rule.toPort
	}
	if rule.refGroupID != "" {
		x.ReferencedGroupInfo = &referencedGroupXML{GroupID: rule.refGroupID, UserID: rule.refUserID}
	}
	return x
}

func createSecurityGroup(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	vpcID := call.Params.Get("VpcId")
	resources := []string{s.arn(r, "security-group/*")}
	if vpcID != "" {
		resources = append(resources, s.arn(r, "vpc/"+vpcID))
	}
	if err := call.Authorize(ctx, "ec2:CreateSecurityGroup", resources, nil); err != nil {
		return nil, err
	}
	name, ok := call.Params.Lookup("GroupName")
	if !ok || name == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "GroupName")
	}
	desc, ok := call.Params.Lookup("GroupDescription")
	if !ok || desc == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "GroupDescription")
	}
	if strings.HasPrefix(name, "sg-") {
		return nil, api.Errorf("InvalidParameterValue", "Group names may not be in the format sg-*")
	}
	if len(name) > 255 || len(desc) > 255 {
		return nil, api.Errorf("InvalidParameterValue", "Value for parameter groupName or groupDescription is too long; the maximum is 255 characters.")
	}
	specs, err := parseTagSpecs(call.Params, "security-group")
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if vpcID == "" {
		v := r.defaultVPC()
		if v == nil {
			return nil, api.Errorf("VPCIdNotSpecified", "No default VPC for this user")
		}
		vpcID = v.id
	} else if !r.vpcs.has(vpcID) {
		return nil, notFound(vpcID)
	}
	for _, g := range r.groups.all() {
		if g.vpcID == vpcID && g.name == name {
			return nil, api.Errorf("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", name, vpcID)
		}
	}
	g := &securityGroup{id: s.newID("sg-"), name: name, description: desc, vpcID: vpcID}
	// New VPC security groups allow all outbound traffic.
	g.rules = []*sgRule{{id: s.newID("sgr-"), egress: true, protocol: "-1", cidrIPv4: "0.0.0.0/0"}}
	r.groups.add(g.id, g)
	r.setTags(g.id, specs["security-group"])
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true, "groupId": g.id}
	return createSecurityGroupResult{Return: true, GroupID: g.id, SecurityGroupArn: s.arn(r, "security-group/"+g.id), Tags: r.sortedTags(g.id)}, nil
}

var groupFilterNames = setOf("group-id", "group-name", "vpc-id", "description", "owner-id",
	"ip-permission.cidr", "ip-permission.ipv6-cidr", "ip-permission.from-port", "ip-permission.to-port", "ip-permission.protocol", "ip-permission.group-id", "ip-permission.prefix-list-id",
	"egress.ip-permission.cidr", "egress.ip-permission.ipv6-cidr", "egress.ip-permission.from-port", "egress.ip-permission.to-port", "egress.ip-permission.protocol", "egress.ip-permission.group-id", "egress.ip-permission.prefix-list-id", "tag")

func describeSecurityGroups(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeSecurityGroups", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, groupFilterNames)
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	ids, names := call.Params.List("GroupId"), call.Params.List("GroupName")
	for _, id := range ids {
		if !validID("sg-", id) {
			return nil, malformed("InvalidGroupId.Malformed", id, "sg-")
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var list []*securityGroup
	if len(ids) > 0 || len(names) > 0 {
		for _, id := range ids {
			g, ok := r.groups.get(id)
			if !ok {
				return nil, notFound(id)
			}
			list = append(list, g)
		}
		for _, name := range names {
			g, err := r.groupByName(name)
			if err != nil {
				return nil, err
			}
			list = append(list, g)
		}
	} else {
		list = r.groups.all()
	}
	var out describeSecurityGroupsResult
	for _, g := range list {
		if !fs.match(func(name string) []string { return r.groupFilterValues(g, name) }) {
			continue
		}
		out.Groups = append(out.Groups, r.groupXML(g))
	}
	out.Groups, out.NextToken = paginate(pg, out.Groups)
	return out, nil
}

// groupByName resolves a group name in the default VPC, the only place EC2
// accepts names.
func (r *region) groupByName(name string) (*securityGroup, error) {
	v := r.defaultVPC()
	if v == nil {
		return nil, api.Errorf("VPCIdNotSpecified", "No default VPC for this user")
	}
	for _, g := range r.groups.all() {
		if g.vpcID == v.id && g.name == name {
			return g, nil
		}
	}
	return nil, api.Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, v.id)
}

func (r *region) groupFilterValues(g *securityGroup, name string) []string {
	egress := strings.HasPrefix(name, "egress.")
	field := strings.TrimPrefix(name, "egress.")
	if strings.HasPrefix(field, "ip-permission.") {
		var out []string
		for _, rule := range g.rules {
			if rule.egress != egress {
				continue
			}
			switch field {
			case "ip-permission.cidr":
				out = appendNonEmpty(out, rule.cidrIPv4)
			case "ip-permission.ipv6-cidr":
				out = appendNonEmpty(out, rule.cidrIPv6)
			case "ip-permission.group-id":
				out = appendNonEmpty(out, rule.refGroupID)
			case "ip-permission.prefix-list-id":
				out = appendNonEmpty(out, rule.prefixListID)
			case "ip-permission.protocol":
				out = append(out, rule.protocol)
			case "ip-permission.from-port":
				if rule.hasPorts {
					out = append(out, itoa(rule.fromPort))
				}
			case "ip-permission.to-port":
				if rule.hasPorts {
					out = append(out, itoa(rule.toPort))
				}
			}
		}
		return out
	}
	switch name {
	case "group-id":
		return []string{g.id}
	case "group-name":
		return []string{g.name}
	case "vpc-id":
		return []string{g.vpcID}
	case "description":
		return []string{g.description}
	case "owner-id":
		return []string{r.svc.accountID}
	}
	vals, _ := tagValues(name, r.tags[g.id])
	return vals
}

func appendNonEmpty(out []string, v string) []string {
	if v == "" {
		return out
	}
	return append(out, v)
}

func deleteSecurityGroup(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id, name := call.Params.Get("GroupId"), call.Params.Get("GroupName")
	resource := s.arn(r, "security-group/*")
	if id != "" {
		resource = s.arn(r, "security-group/"+id)
	}
	if err := call.Authorize(ctx, "ec2:DeleteSecurityGroup", []string{resource}, nil); err != nil {
		return nil, err
	}
	if id == "" && name == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "GroupId")
	}
	if id != "" && !validID("sg-", id) {
		return nil, malformed("InvalidGroupId.Malformed", id, "sg-")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var g *securityGroup
	if id != "" {
		var ok bool
		if g, ok = r.groups.get(id); !ok {
			return nil, notFound(id)
		}
	} else {
		var err error
		if g, err = r.groupByName(name); err != nil {
			return nil, err
		}
	}
	if g.name == "default" {
		return nil, api.Errorf("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.id)
	}
	r.settleAll(s.now())
	for _, e := range r.enis.all() {
		for _, gid := range e.groups {
			if gid == g.id {
				return nil, api.Errorf("DependencyViolation", "resource %s has a dependent object", g.id)
			}
		}
	}
	for _, other := range r.groups.all() {
		if other.id == g.id {
			continue
		}
		for _, rule := range other.rules {
			if rule.refGroupID == g.id {
				return nil, api.Errorf("DependencyViolation", "resource %s has a dependent object", g.id)
			}
		}
	}
	r.groups.remove(g.id)
	delete(r.tags, g.id)
	return deleteSecurityGroupResult{Return: true, GroupID: g.id}, nil
}

// protocolName normalises an IpProtocol as AWS stores it: names for
// tcp/udp/icmp/icmpv6, "-1" for all, numbers otherwise.
func protocolName(p string) (string, bool) {
	switch strings.ToLower(p) {
	case "tcp", "6":
		return "tcp", true
	case "udp", "17":
		return "udp", true
	case "icmp", "1":
		return "icmp", true
	case "icmpv6", "58":
		return "icmpv6", true
	case "-1", "all":
		return "-1", true
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 255 {
		return "", false
	}
	return p, true
}

// parsePermissions expands IpPermissions.N (or the legacy top-level
// parameters) into one candidate rule per peer.
func (r *region) parsePermissions(p *api.Params, egress bool) ([]*sgRule, error) {
	perms := p.Structs("IpPermissions")
	var out []*sgRule
	if len(perms) == 0 && p.Has("IpProtocol") {
		// Legacy form: IpProtocol/FromPort/ToPort with CidrIp or a source group.
		base, err := ruleBase(p, egress)
		if err != nil {
			return nil, err
		}
		if cidr := p.Get("CidrIp"); cidr != "" {
			rule := *base
			if err := setCIDR(&rule, cidr, false); err != nil {
				return nil, err
			}
			out = append(out, &rule)
		}
		if name := p.Get("SourceSecurityGroupName"); name != "" {
			g, err := r.groupByName(name)
			if err != nil {
				return nil, err
			}
			rule := *base
			rule.refGroupID, rule.refUserID = g.id, r.svc.accountID
			out = append(out, &rule)
		}
		return out, nil
	}
	for _, perm := range perms {
		base, err := ruleBase(perm, egress)
		if err != nil {
			return nil, err
		}
		for _, family := range cidrFamilies {
			for _, rng := range perm.Structs(family.list) {
				rule := *base
				rule.description = rng.Get("Description")
				if err := setCIDR(&rule, rng.Get(family.member), family.v6); err != nil {
					return nil, err
				}
				out = append(out, &rule)
			}
		}
		for _, pl := range perm.Structs("PrefixListIds") {
			rule := *base
			rule.description = pl.Get("Description")
			rule.prefixListID = pl.Get("PrefixListId")
			if !validID("pl-", rule.prefixListID) {
				return nil, api.Errorf("InvalidPrefixListId.Malformed", "The prefix list ID '%s' is malformed", rule.prefixListID)
			}
			out = append(out, &rule)
		}
		for _, pair := range perm.Structs("Groups") {
			rule := *base
			rule.description = pair.Get("Description")
			gid, gname := pair.Get("GroupId"), pair.Get("GroupName")
			switch {
			case gid != "":
				if !validID("sg-", gid) {
					return nil, malformed("InvalidGroupId.Malformed", gid, "sg-")
				}
				if !r.groups.has(gid) {
					return nil, notFound(gid)
				}
			case gname != "":
				g, err := r.groupByName(gname)
				if err != nil {
					return nil, err
				}
				gid = g.id
			default:
				return nil, api.Errorf("InvalidParameterValue", "Either groupId or groupName must be specified for a user/group pair")
			}
			rule.refGroupID = gid
			rule.refUserID = pair.Get("UserId")
			if rule.refUserID == "" {
				rule.refUserID = r.svc.accountID
			}
			out = append(out, &rule)
		}
	}
	return out, nil
}

// cidrFamilies are the IpPermissions lists that carry CIDR peers, in the
// order their rules are created (and so numbered and listed).
var cidrFamilies = []struct {
	list, member string
	v6           bool
}{{"IpRanges", "CidrIp", false}, {"Ipv6Ranges", "CidrIpv6", true}}

func ruleBase(p *api.Params, egress bool) (*sgRule, error) {
	raw := p.Get("IpProtocol")
	if raw == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "IpPermissions.IpProtocol")
	}
	proto, ok := protocolName(raw)
	if !ok {
		return nil, api.Errorf("InvalidParameterValue", "Invalid value '%s' for IP protocol. Unknown protocol.", raw)
	}
	rule := &sgRule{egress: egress, protocol: proto}
	from, hasFrom, err := p.Int("FromPort")
	if err != nil {
		return nil, err
	}
	to, hasTo, err := p.Int("ToPort")
	if err != nil {
		return nil, err
	}
	switch proto {
	case "-1":
		// All traffic has no ports; AWS ignores any that were sent.
	case "tcp", "udp":
		if !hasFrom || !hasTo {
			return nil, api.Errorf("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.")
		}
		if from < 0 || to > 65535 || from > to {
			return nil, api.Errorf("InvalidParameterValue", "Invalid TCP/UDP port range %d-%d", from, to)
		}
		rule.fromPort, rule.toPort, rule.hasPorts = int(from), int(to), true
	case "icmp", "icmpv6":
		// For ICMP the "ports" are type and code; -1 means any.
		if !hasFrom {
			from = -1
		}
		if !hasTo {
			to = -1
		}
		if from < -1 || from > 255 || to < -1 || to > 255 {
			return nil, api.Errorf("InvalidParameterValue", "Invalid ICMP type/code %d/%d", from, to)
		}
		rule.fromPort, rule.toPort, rule.hasPorts = int(from), int(to), true
	default:
		if hasFrom || hasTo {
			rule.fromPort, rule.toPort, rule.hasPorts = int(from), int(to), true
		}
	}
	return rule, nil
}

func setCIDR(rule *sgRule, cidr string, v6 bool) error {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || p.Addr().Is6() != v6 {
		return api.Errorf("InvalidParameterValue", "CIDR block %s is malformed", cidr)
	}
	if v6 {
		rule.cidrIPv6 = p.String()
	} else {
		rule.cidrIPv4 = p.String()
	}
	return nil
}

// sameRule compares what makes a rule unique (not its ID or description).
func sameRule(a, b *sgRule) bool {
	return a.egress == b.egress && a.protocol == b.protocol && a.hasPorts == b.hasPorts &&
		a.fromPort == b.fromPort && a.toPort == b.toPort && a.cidrIPv4 == b.cidrIPv4 && a.cidrIPv6 == b.cidrIPv6 &&
		a.prefixListID == b.prefixListID && a.refGroupID == b.refGroupID
}

// describeRule renders a rule as AWS's InvalidPermission.Duplicate message
// does.
func describeRule(rule *sgRule) string {
	peer := rule.cidrIPv4 + rule.cidrIPv6 + rule.prefixListID + rule.refGroupID
	proto := strings.ToUpper(rule.protocol)
	if rule.protocol == "-1" {
		return fmt.Sprintf("peer: %s, ALL, ALLOW", peer)
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, proto, rule.fromPort, rule.toPort)
}

func authorizeIngress(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	return authorizeRules(ctx, s, r, call, "ec2:AuthorizeSecurityGroupIngress", false)
}

func authorizeEgress(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	return authorizeRules(ctx, s, r, call, "ec2:AuthorizeSecurityGroupEgress", true)
}

// ruleChangeResource is the ARN a rule change is authorised on: the group
// when the request names it by ID, any group when only by name.
func ruleChangeResource(s *Service, r *region, call *api.Call) string {
	if id := call.Params.Get("GroupId"); id != "" {
		return s.arn(r, "security-group/"+id)
	}
	return s.arn(r, "security-group/*")
}

func (r *region) resolveGroupParam(call *api.Call, egress bool) (*securityGroup, error) {
	id, name := call.Params.Get("GroupId"), call.Params.Get("GroupName")
	if id == "" && (egress || name == "") {
		return nil, api.MissingParameter(api.ProtocolEC2, "GroupId")
	}
	if id != "" {
		if !validID("sg-", id) {
			return nil, malformed("InvalidGroupId.Malformed", id, "sg-")
		}
		g, ok := r.groups.get(id)
		if !ok {
			return nil, notFound(id)
		}
		return g, nil
	}
	return r.groupByName(name)
}

func authorizeRules(ctx context.Context, s *Service, r *region, call *api.Call, action string, egress bool) (any, error) {
	if err := call.Authorize(ctx, action, []string{ruleChangeResource(s, r, call)}, nil); err != nil {
		return nil, err
	}
	specs, err := parseTagSpecs(call.Params, "security-group-rule")
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g, err := r.resolveGroupParam(call, egress)
	if err != nil {
		return nil, err
	}
	rules, err := r.parsePermissions(call.Params, egress)
	if err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "IpPermissions")
	}
	// A rule may duplicate one the group has or one earlier in the request.
	for i, rule := range rules {
		same := func(other *sgRule) bool { return sameRule(other, rule) }
		if slices.ContainsFunc(g.rules, same) || slices.ContainsFunc(rules[:i], same) {
			return nil, api.Errorf("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", describeRule(rule))
		}
	}
	out := authorizeResult{Return: true}
	for _, rule := range rules {
		rule.id = s.newID("sgr-")
		g.rules = append(g.rules, rule)
		r.setTags(rule.id, specs["security-group-rule"])
		out.Rules = append(out.Rules, r.ruleXML(g, rule))
	}
	call.RequestParameters = securityGroupTrailParameters(call, g.id)
	call.ResponseElements = ruleTrailElements(call, out.Rules)
	return out, nil
}

func revokeIngress(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	return revokeRules(ctx, s, r, call, "ec2:RevokeSecurityGroupIngress", false)
}

func revokeEgress(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	return revokeRules(ctx, s, r, call, "ec2:RevokeSecurityGroupEgress", true)
}

func revokeRules(ctx context.Context, s *Service, r *region, call *api.Call, action string, egress bool) (any, error) {
	if err := call.Authorize(ctx, action, []string{ruleChangeResource(s, r, call)}, nil); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g, err := r.resolveGroupParam(call, egress)
	if err != nil {
		return nil, err
	}
	ruleIDs := call.Params.List("SecurityGroupRuleId")
	candidates, err := r.parsePermissions(call.Params, egress)
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 && len(ruleIDs) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "IpPermissions")
	}
	remove := map[*sgRule]bool{}
	for _, id := range ruleIDs {
		found := false
		for _, rule := range g.rules {
			if rule.id == id && rule.egress == egress {
				remove[rule], found = true, true
			}
		}
		if !found {
			return nil, api.Errorf("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}
	}
	var unknown []*sgRule
	for _, c := range candidates {
		found := false
		for _, rule := range g.rules {
			if sameRule(rule, c) {
				remove[rule], found = true, true
			}
		}
		if !found {
			unknown = append(unknown, c)
		}
	}
	// For VPC groups AWS succeeds when some rules matched and lists the
	// others as unknown; when none matched it is an error.
	if len(remove) == 0 {
		return nil, api.Errorf("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
	}
	out := revokeResult{Return: true}
	kept := g.rules[:0:0]
	for _, rule := range g.rules {
		if !remove[rule] {
			kept = append(kept, rule)
			continue
		}
		x := r.ruleXML(g, rule)
		out.Revoked = append(out.Revoked, revokedRuleXML{
			SecurityGroupRuleID: x.SecurityGroupRuleID, GroupID: g.id, IsEgress: rule.egress, IPProtocol: x.IPProtocol,
			FromPort: x.FromPort, ToPort: x.ToPort, CidrIpv4: x.CidrIpv4, CidrIpv6: x.CidrIpv6, PrefixListID: x.PrefixListID,
			ReferencedGroupID: rule.refGroupID, Description: rule.description,
		})
		delete(r.tags, rule.id)
	}
	g.rules = kept
	if len(unknown) > 0 {
		tmp := &securityGroup{rules: unknown}
		out.UnknownPerms = r.permissions(tmp, egress)
	}
	call.RequestParameters = securityGroupTrailParameters(call, g.id)
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true}
	return out, nil
}

// securityGroupTrailParameters renders the request as CloudTrail's EC2
// shape for security group rule changes.
func securityGroupTrailParameters(call *api.Call, groupID string) map[string]any {
	var items []any
	for _, perm := range call.Params.Structs("IpPermissions") {
		item := map[string]any{"ipProtocol": perm.Get("IpProtocol")}
		if v, ok, _ := perm.Int("FromPort"); ok {
			item["fromPort"] = v
		}
		if v, ok, _ := perm.Int("ToPort"); ok {
			item["toPort"] = v
		}
		item["groups"] = trailItems(perm.Structs("Groups"), map[string]string{"GroupId": "groupId", "UserId": "userId", "Description": "description"})
		item["ipRanges"] = trailItems(perm.Structs("IpRanges"), map[string]string{"CidrIp": "cidrIp", "Description": "description"})
		item["ipv6Ranges"] = trailItems(perm.Structs("Ipv6Ranges"), map[string]string{"CidrIpv6": "cidrIpv6", "Description": "description"})
		item["prefixListIds"] = trailItems(perm.Structs("PrefixListIds"), map[string]string{"PrefixListId": "prefixListId", "Description": "description"})
		items = append(items, item)
	}
	out := map[string]any{"groupId": groupID, "ipPermissions": map[string]any{"items": items}}
	if ids := call.Params.List("SecurityGroupRuleId"); len(ids) > 0 {
		var ruleItems []any
		for _, id := range ids {
			ruleItems = append(ruleItems, map[string]string{"securityGroupRuleId": id})
		}
		out["securityGroupRuleIds"] = map[string]any{"items": ruleItems}
	}
	return out
}

func trailItems(structs []*api.Params, names map[string]string) map[string]any {
	if len(structs) == 0 {
		return map[string]any{}
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var items []any
	for _, st := range structs {
		item := map[string]string{}
		for _, k := range keys {
			if v, ok := st.Lookup(k); ok {
				item[names[k]] = v
			}
		}
		items = append(items, item)
	}
	return map[string]any{"items": items}
}

func ruleTrailElements(call *api.Call, rules []securityGroupRuleXML) map[string]any {
	var items []any
	for _, rule := range rules {
		item := map[string]any{
			"groupOwnerId": rule.GroupOwnerID, "groupId": rule.GroupID, "securityGroupRuleId": rule.SecurityGroupRuleID,
			"isEgress": rule.IsEgress, "ipProtocol": rule.IPProtocol, "fromPort": rule.FromPort, "toPort": rule.ToPort,
		}
		if rule.CidrIpv4 != "" {
			item["cidrIpv4"] = rule.CidrIpv4
		}
		if rule.CidrIpv6 != "" {
			item["cidrIpv6"] = rule.CidrIpv6
		}
		if rule.ReferencedGroupInfo != nil {
			item["referencedGroupInfo"] = map[string]string{"groupId": rule.ReferencedGroupInfo.GroupID, "userId": rule.ReferencedGroupInfo.UserID}
		}
		items = append(items, item)
	}
	return map[string]any{"requestId": call.RequestID, "_return": true, "securityGroupRuleSet": map[string]any{"items": items}}
}

func describeSecurityGroupRules(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeSecurityGroupRules", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("group-id", "security-group-rule-id", "tag"))
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	wanted := setOf(call.Params.List("SecurityGroupRuleId")...)
	r.mu.Lock()
	defer r.mu.Unlock()
	var out describeSecurityGroupRulesResult
	for _, g := range r.groups.all() {
		for _, rule := range g.rules {
			if len(wanted) > 0 && !wanted[rule.id] {
				continue
			}
			if !fs.match(func(name string) []string {
				switch name {
				case "group-id":
					return []string{g.id}
				case "security-group-rule-id":
					return []string{rule.id}
				}
				vals, _ := tagValues(name, r.tags[rule.id])
				return vals
			}) {
				continue
			}
			out.Rules = append(out.Rules, r.ruleXML(g, rule))
		}
	}
	out.Rules, out.NextToken = paginate(pg, out.Rules)
	return out, nil
}
