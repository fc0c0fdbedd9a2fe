// Package awsmanaged holds the AWS-managed IAM policies the sandbox offers,
// with the ARNs, names, policy ids, version ids, dates and documents AWS uses,
// so that AttachUserPolicy with arn:aws:iam::aws:policy/ReadOnlyAccess grants
// exactly what it grants in a real account.
//
// Documents are the default versions as mirrored from AWS (ListPolicies /
// GetPolicyVersion output published by public mirrors of AWS-managed
// policies); they live in policies/ as pretty-printed JSON and are embedded.
// AWS revises some of them (ReadOnlyAccess often); refresh the JSON and the
// DefaultVersionID/UpdateDate together.
package awsmanaged

import (
	"embed"
	"fmt"
	"strings"
	"time"
)

// Policy is an AWS-managed policy as GetPolicy and GetPolicyVersion describe it.
type Policy struct {
	Name             string
	ARN              string
	PolicyID         string
	Path             string
	DefaultVersionID string
	Description      string
	CreateDate       time.Time
	UpdateDate       time.Time
	// Document is the JSON text of the default version.
	Document string
}

//go:embed policies/*.json
var documents embed.FS

type metadata struct {
	name, policyID, version, description, created, updated string
}

// catalog is the metadata of each embedded policy. Descriptions are AWS's
// texts as best known; ids and dates come from AWS's ListPolicies output.
var catalog = []metadata{
	{"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", "Provides full access to AWS services and resources.", "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z"},
	{"ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v178", "Provides read-only access to AWS services and resources.", "2015-02-06T18:39:48Z", "2026-02-12T18:01:33Z"},
	{"AWSDenyAll", "ANPAZKAPJZG4P43IUQ5E5", "v2", "Denies all access.", "2019-05-01T22:36:14Z", "2023-12-18T16:42:05Z"},
	{"AmazonEC2FullAccess", "ANPAI3VAJF5ZCRZ7MCQE6", "v5", "Provides full access to Amazon EC2 via the AWS Management Console.", "2015-02-06T18:40:15Z", "2018-11-27T02:16:56Z"},
	{"AmazonEC2ReadOnlyAccess", "ANPAIGDT4SV4GSETWTBZK", "v2", "Provides read only access to Amazon EC2 via the AWS Management Console.", "2015-02-06T18:40:17Z", "2024-02-14T15:17:04Z"},
	{"IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "v2", "Provides full access to IAM via the AWS Management Console.", "2015-02-06T18:40:38Z", "2019-06-21T19:40:00Z"},
	{"IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4", "Provides read only access to IAM via the AWS Management Console.", "2015-02-06T18:40:39Z", "2018-01-25T19:11:27Z"},
	{"AmazonGuardDutyReadOnlyAccess", "ANPAIVMCEDV336RWUSNHG", "v4", "Provides read only access to Amazon GuardDuty resources", "2017-11-28T22:29:40Z", "2023-11-16T23:07:06Z"},
	{"CloudWatchLogsReadOnlyAccess", "ANPAJ2YIYDYSNNEHK3VKW", "v6", "Provides read only access to CloudWatch Logs", "2015-02-06T18:40:03Z", "2023-11-26T18:11:33Z"},
	{"AWSCloudTrail_ReadOnlyAccess", "ANPAZKAPJZG4OGLRVUGKM", "v1", "Provides read only access to AWS CloudTrail.", "2022-06-14T17:19:05Z", "2022-06-14T17:19:05Z"},
}

// policies is built once; a broken embedded file is a build defect, so it
// panics at init rather than surfacing later as a missing policy.
var policies, byARN = load()

func load() ([]Policy, map[string]int) {
	out := make([]Policy, 0, len(catalog))
	index := make(map[string]int, len(catalog))
	for _, m := range catalog {
		doc, err := documents.ReadFile("policies/" + m.name + ".json")
		if err != nil {
			panic(fmt.Sprintf("awsmanaged: %s: %v", m.name, err))
		}
		p := Policy{
			Name:             m.name,
			ARN:              "arn:aws:iam::aws:policy/" + m.name,
			PolicyID:         m.policyID,
			Path:             "/",
			DefaultVersionID: m.version,
			Description:      m.description,
			CreateDate:       mustTime(m.created),
			UpdateDate:       mustTime(m.updated),
			Document:         strings.TrimSpace(string(doc)),
		}
		index[p.ARN] = len(out)
		out = append(out, p)
	}
	return out, index
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprintf("awsmanaged: bad date %q: %v", s, err))
	}
	return t
}

// All returns every AWS-managed policy the sandbox knows, in a stable order.
// The slice is a copy; callers may modify it.
func All() []Policy {
	return append([]Policy(nil), policies...)
}

// Lookup finds a policy by ARN (e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess").
// ARNs are case-sensitive, as in IAM.
func Lookup(arn string) (Policy, bool) {
	i, ok := byARN[arn]
	if !ok {
		return Policy{}, false
	}
	return policies[i], true
}
