package iam

import (
	"fmt"
	"sort"
	"strings"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/iampolicy/awsmanaged"
)

const administratorAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// loadAWSManaged builds this account's view of the AWS managed policies:
// their documents and metadata are AWS's, their attachment counts are the
// account's. Only the default version of each is known, so it is the only
// version listed.
func loadAWSManaged() (map[string]*managedPolicy, []*managedPolicy) {
	all := awsmanaged.All()
	byARN := make(map[string]*managedPolicy, len(all))
	list := make([]*managedPolicy, 0, len(all))
	for _, m := range all {
		parsed, err := iampolicy.Parse(m.Document, iampolicy.IdentityPolicy)
		if err != nil {
			// The documents are embedded at build time; one that does not
			// parse is a defect of the build, not of the drill.
			panic(fmt.Sprintf("iam: AWS managed policy %s does not parse: %v", m.ARN, err))
		}
		p := &managedPolicy{
			name: m.Name, path: m.Path, id: m.PolicyID, arn: m.ARN, description: m.Description,
			created: m.CreateDate, updated: m.UpdateDate, awsManaged: true, defaultID: m.DefaultVersionID,
			versions: []*policyVersion{{id: m.DefaultVersionID, document: m.Document, parsed: parsed, created: m.UpdateDate}},
		}
		byARN[p.arn] = p
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].name) < strings.ToLower(list[j].name) })
	return byARN, list
}
