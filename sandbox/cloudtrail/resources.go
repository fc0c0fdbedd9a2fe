package cloudtrail

import (
	"encoding/json"
	"sort"
	"strings"
)

// LookupEvents' Resources list is not the record's resources element: AWS
// derives it per event from the request and response. The sandbox
// approximates that derivation with the identifier fields AWS's own event
// history reports for the services the sandbox serves: a field name in
// requestParameters or responseElements (at any depth) names a resource of
// a type. Types follow the CloudFormation names AWS uses there.
var resourceFields = map[string]map[string]string{
	"ec2.amazonaws.com": {
		"instanceId":         "AWS::EC2::Instance",
		"groupId":            "AWS::EC2::SecurityGroup",
		"subnetId":           "AWS::EC2::Subnet",
		"vpcId":              "AWS::EC2::VPC",
		"imageId":            "AWS::EC2::Ami",
		"volumeId":           "AWS::EC2::Volume",
		"snapshotId":         "AWS::EC2::Snapshot",
		"keyName":            "AWS::EC2::KeyPair",
		"networkInterfaceId": "AWS::EC2::NetworkInterface",
	},
	"iam.amazonaws.com": {
		"userName":        "AWS::IAM::User",
		"roleName":        "AWS::IAM::Role",
		"groupName":       "AWS::IAM::Group",
		"policyArn":       "AWS::IAM::Policy",
		"accessKeyId":     "AWS::IAM::AccessKey",
		"instanceProfile": "AWS::IAM::InstanceProfile",
	},
	"sts.amazonaws.com": {
		"roleArn": "AWS::IAM::Role",
	},
	"logs.amazonaws.com": {
		"logGroupName": "AWS::Logs::LogGroup",
	},
	// CloudTrail's own calls name a trail by name or ARN; event history
	// shows the ARN, which the trail calls' responseElements carry.
	"cloudtrail.amazonaws.com": {
		"trailARN": "AWS::CloudTrail::Trail",
	},
}

// shortNameTypes are record resource types whose event-history name is the
// identifier at the end of the ARN rather than the ARN itself.
var shortNameTypes = map[string]bool{
	"AWS::EC2::Instance": true, "AWS::EC2::SecurityGroup": true, "AWS::EC2::Subnet": true,
	"AWS::EC2::VPC": true, "AWS::EC2::Ami": true, "AWS::EC2::Volume": true, "AWS::EC2::Snapshot": true,
	"AWS::EC2::NetworkInterface": true, "AWS::EC2::KeyPair": true,
	"AWS::IAM::User": true, "AWS::IAM::Role": true, "AWS::IAM::Group": true, "AWS::IAM::AccessKey": true,
}

func deriveResources(e *Event) []lookupResource {
	var out []lookupResource
	seen := map[lookupResource]bool{}
	add := func(typ, name string) {
		r := lookupResource{ResourceType: typ, ResourceName: name}
		if name == "" || typ == "" || seen[r] {
			return
		}
		seen[r] = true
		out = append(out, r)
	}
	for _, r := range e.Resources {
		name := r.ARN
		if shortNameTypes[r.Type] {
			name = lastSegment("/"+strings.ReplaceAll(r.ARN, ":", "/"), '/')
		}
		add(r.Type, name)
	}
	fields := resourceFields[e.EventSource]
	if fields == nil {
		return out
	}
	for _, raw := range []json.RawMessage{e.RequestParameters, e.ResponseElements} {
		if len(raw) == 0 {
			continue
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			continue
		}
		walkFields(v, func(key, value string) {
			if typ, ok := fields[key]; ok {
				if typ == "AWS::IAM::Role" && strings.HasPrefix(value, "arn:") {
					value = lastSegment(value, '/')
				}
				add(typ, value)
			}
		})
	}
	return out
}

// walkFields calls fn for every string member of v, depth first, in
// document order (maps are walked in sorted key order for determinism).
func walkFields(v any, fn func(key, value string)) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := x[k].(string); ok {
				fn(k, s)
				continue
			}
			walkFields(x[k], fn)
		}
	case []any:
		for _, item := range x {
			walkFields(item, fn)
		}
	}
}
