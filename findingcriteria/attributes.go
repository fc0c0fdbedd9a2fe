package findingcriteria

import (
	"sort"
	"strings"
)

// Kind is how an attribute's values compare.
type Kind int

const (
	// KindString compares as text, exactly and case-sensitively.
	KindString Kind = iota
	// KindNumber compares as a number (severity, confidence, ports).
	KindNumber
	// KindTime holds an ISO 8601 timestamp in a finding and compares as Unix
	// epoch milliseconds.
	KindTime
	// KindBool holds true or false.
	KindBool
)

func (k Kind) String() string {
	switch k {
	case KindNumber:
		return "number"
	case KindTime:
		return "timestamp"
	case KindBool:
		return "boolean"
	}
	return "string"
}

// attributes are the finding attributes GuardDuty lets criteria filter on:
// the union of the ListFindings model documentation (botocore 1.43), the
// user guide's "Filter criteria" table (console name → JSON field name) and
// the CloudFormation AWS::GuardDuty::Filter FindingCriteria list, which is
// the newest and longest. The value is how the attribute compares.
var attributes = map[string]Kind{
	"accountId":  KindString,
	"region":     KindString,
	"confidence": KindNumber,
	"id":         KindString,
	"severity":   KindNumber,
	"type":       KindString,
	"updatedAt":  KindTime,

	"resource.accessKeyDetails.accessKeyId": KindString,
	"resource.accessKeyDetails.principalId": KindString,
	"resource.accessKeyDetails.userName":    KindString,
	"resource.accessKeyDetails.userType":    KindString,

	"resource.instanceDetails.iamInstanceProfile.id":                                 KindString,
	"resource.instanceDetails.imageId":                                               KindString,
	"resource.instanceDetails.instanceId":                                            KindString,
	"resource.instanceDetails.instanceType":                                          KindString,
	"resource.instanceDetails.launchTime":                                            KindTime,
	"resource.instanceDetails.outpostArn":                                            KindString,
	"resource.instanceDetails.networkInterfaces.ipv6Addresses":                       KindString,
	"resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress": KindString,
	"resource.instanceDetails.networkInterfaces.publicDnsName":                       KindString,
	"resource.instanceDetails.networkInterfaces.publicIp":                            KindString,
	"resource.instanceDetails.networkInterfaces.securityGroups.groupId":              KindString,
	"resource.instanceDetails.networkInterfaces.securityGroups.groupName":            KindString,
	"resource.instanceDetails.networkInterfaces.subnetId":                            KindString,
	"resource.instanceDetails.networkInterfaces.vpcId":                               KindString,
	"resource.instanceDetails.tags.key":                                              KindString,
	"resource.instanceDetails.tags.value":                                            KindString,
	"resource.resourceType":                                                          KindString,

	"resource.s3BucketDetails.publicAccess.effectivePermissions": KindString,
	"resource.s3BucketDetails.name":                              KindString,
	"resource.s3BucketDetails.tags.key":                          KindString,
	"resource.s3BucketDetails.tags.value":                        KindString,
	"resource.s3BucketDetails.type":                              KindString,

	"resource.eksClusterDetails.name":                                             KindString,
	"resource.kubernetesDetails.kubernetesWorkloadDetails.name":                   KindString,
	"resource.kubernetesDetails.kubernetesWorkloadDetails.namespace":              KindString,
	"resource.kubernetesDetails.kubernetesUserDetails.username":                   KindString,
	"resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image":       KindString,
	"resource.kubernetesDetails.kubernetesWorkloadDetails.containers.imagePrefix": KindString,
	"resource.ecsClusterDetails.name":                                             KindString,
	"resource.ecsClusterDetails.taskDetails.containers.image":                     KindString,
	"resource.ecsClusterDetails.taskDetails.definitionArn":                        KindString,
	"resource.containerDetails.image":                                             KindString,
	"resource.rdsDbInstanceDetails.dbInstanceIdentifier":                          KindString,
	"resource.rdsDbInstanceDetails.dbClusterIdentifier":                           KindString,
	"resource.rdsDbInstanceDetails.engine":                                        KindString,
	"resource.rdsDbUserDetails.user":                                              KindString,
	"resource.rdsDbInstanceDetails.tags.key":                                      KindString,
	"resource.rdsDbInstanceDetails.tags.value":                                    KindString,
	"resource.lambdaDetails.functionName":                                         KindString,
	"resource.lambdaDetails.functionArn":                                          KindString,
	"resource.lambdaDetails.tags.key":                                             KindString,
	"resource.lambdaDetails.tags.value":                                           KindString,

	"service.action.actionType": KindString,

	"service.action.awsApiCallAction.api":                                        KindString,
	"service.action.awsApiCallAction.callerType":                                 KindString,
	"service.action.awsApiCallAction.errorCode":                                  KindString,
	"service.action.awsApiCallAction.serviceName":                                KindString,
	"service.action.awsApiCallAction.remoteIpDetails.city.cityName":              KindString,
	"service.action.awsApiCallAction.remoteIpDetails.country.countryName":        KindString,
	"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4":                KindString,
	"service.action.awsApiCallAction.remoteIpDetails.ipAddressV6":                KindString,
	"service.action.awsApiCallAction.remoteIpDetails.organization.asn":           KindString,
	"service.action.awsApiCallAction.remoteIpDetails.organization.asnOrg":        KindString,
	"service.action.awsApiCallAction.remoteAccountDetails.accountId":             KindString,
	"service.action.awsApiCallAction.remoteAccountDetails.affiliated":            KindBool,
	"service.action.dnsRequestAction.domain":                                     KindString,
	"service.action.dnsRequestAction.domainWithSuffix":                           KindString,
	"service.action.dnsRequestAction.vpcOwnerAccountId":                          KindString,
	"service.action.kubernetesApiCallAction.namespace":                           KindString,
	"service.action.kubernetesApiCallAction.requestUri":                          KindString,
	"service.action.kubernetesApiCallAction.statusCode":                          KindNumber,
	"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV4":         KindString,
	"service.action.kubernetesApiCallAction.remoteIpDetails.ipAddressV6":         KindString,
	"service.action.kubernetesApiCallAction.remoteIpDetails.organization.asn":    KindString,
	"service.action.networkConnectionAction.blocked":                             KindBool,
	"service.action.networkConnectionAction.connectionDirection":                 KindString,
	"service.action.networkConnectionAction.localPortDetails.port":               KindNumber,
	"service.action.networkConnectionAction.localIpDetails.ipAddressV4":          KindString,
	"service.action.networkConnectionAction.localIpDetails.ipAddressV6":          KindString,
	"service.action.networkConnectionAction.protocol":                            KindString,
	"service.action.networkConnectionAction.remotePortDetails.port":              KindNumber,
	"service.action.networkConnectionAction.remoteIpDetails.city.cityName":       KindString,
	"service.action.networkConnectionAction.remoteIpDetails.country.countryName": KindString,
	"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4":         KindString,
	"service.action.networkConnectionAction.remoteIpDetails.ipAddressV6":         KindString,
	"service.action.networkConnectionAction.remoteIpDetails.organization.asn":    KindString,
	"service.action.networkConnectionAction.remoteIpDetails.organization.asnOrg": KindString,

	"service.additionalInfo.threatListName": KindString,
	"service.archived":                      KindBool,
	"service.localIpDetails.ipAddressV4":    KindString,
	"service.resourceRole":                  KindString,

	"service.ebsVolumeScanDetails.scanId":                                                         KindString,
	"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.name":           KindString,
	"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.severity":       KindString,
	"service.ebsVolumeScanDetails.scanDetections.threatDetectedByName.threatNames.filePaths.hash": KindString,
	"service.malwareScanDetails.threats.name":                                                     KindString,
	"service.runtimeDetails.process.executableSha256":                                             KindString,
	"service.runtimeDetails.process.name":                                                         KindString,
	"service.runtimeDetails.process.executablePath":                                               KindString,
}

// aliases are spellings AWS documents for an attribute whose finding field
// is spelled otherwise: the user guide's table writes outpostARN, the
// finding (and CloudFormation) outpostArn.
var aliases = map[string]string{
	"resource.instanceDetails.outpostARN": "resource.instanceDetails.outpostArn",
}

// additionalInfoPrefix starts the paths of service.additionalInfo's fields,
// which the user guide says are "specified using their full JSON path, the
// same as any other field": any name under it is filterable.
const additionalInfoPrefix = "service.additionalInfo."

// Attribute reports whether GuardDuty filters on the attribute path and how
// its values compare. The path is returned in the spelling of the finding's
// field (an alias resolved).
func Attribute(path string) (canonical string, kind Kind, ok bool) {
	if a, found := aliases[path]; found {
		path = a
	}
	if k, found := attributes[path]; found {
		return path, k, true
	}
	if rest, found := strings.CutPrefix(path, additionalInfoPrefix); found && validPath(rest) {
		return path, KindString, true
	}
	return "", KindString, false
}

// Attributes lists the filterable attribute paths, sorted.
func Attributes() []string {
	out := make([]string, 0, len(attributes))
	for a := range attributes {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func validPath(p string) bool {
	if p == "" {
		return false
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return false
		}
	}
	return true
}

// suggest finds the filterable attribute the caller probably meant: the
// same path in another case (Resource.InstanceDetails.InstanceId, as the CLI
// prints it), or the attribute whose last segment matches.
func suggest(path string) string {
	lower := strings.ToLower(path)
	var byLast []string
	last := lower[strings.LastIndex(lower, ".")+1:]
	for a := range attributes {
		la := strings.ToLower(a)
		if la == lower {
			return a
		}
		if la[strings.LastIndex(la, ".")+1:] == last {
			byLast = append(byLast, a)
		}
	}
	if len(byLast) == 1 {
		return byLast[0]
	}
	return ""
}
