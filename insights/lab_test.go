package insights_test

import "testing"

// The Well-Architected lab's queries (seed 002), verbatim, over the fixtures.
// Expected rows come from the tables in testdata/conformance/README.md.

const (
	arnPipeline    = "arn:aws:iam::999999999999:user/pipeline"
	arnIntegration = "arn:aws:iam::999999999999:user/integration"
	uaPipeline     = "aws-cli/2.2.5 Python/3.8.8 Linux/4.14.232-177.418.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off"
	uaIntegration  = "Boto3/1.17.112 Python/3.8.10 Linux/5.4.0-1045-aws Botocore/1.20.112"
	uaConsole      = "console.amazonaws.com"
	ipPipeline     = "203.0.113.99"
	ipIntegration  = "192.0.2.1"
	ipAlice        = "203.0.113.10"
)

// ctRow is the lab's usual projection: awsRegion, eventSource, eventName,
// sourceIPAddress, userAgent (plus userIdentity.arn when arn != "").
func ctRow(region, source, name, ip, agent, arn string) row {
	r := row{"awsRegion": region, "eventSource": source + ".amazonaws.com", "eventName": name,
		"sourceIPAddress": ip, "userAgent": agent}
	if arn != "" {
		r["userIdentity.arn"] = arn
	}
	return r
}

func TestLabCloudTrailAccessDenied(t *testing.T) {
	const q = `filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`
	// c29 c28 c27 c26 c13 c08 c07 (newest first); c25's EntityAlreadyExists
	// does not match the regex.
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		ctRow("us-east-1", "cloudtrail", "UpdateTrail", ipIntegration, uaIntegration, arnIntegration),
		ctRow("us-east-1", "cloudtrail", "UpdateTrail", ipIntegration, uaIntegration, arnIntegration),
		ctRow("us-east-1", "s3", "ListBuckets", ipIntegration, uaIntegration, arnIntegration),
		ctRow("us-east-1", "ec2", "DescribeInstances", ipIntegration, uaIntegration, arnIntegration),
		ctRow("us-west-2", "ec2", "RunInstances", ipPipeline, uaPipeline, arnPipeline),
		ctRow("us-east-1", "s3", "ListBuckets", ipPipeline, uaPipeline, arnPipeline),
		ctRow("us-east-1", "iam", "ListUsers", ipPipeline, uaPipeline, arnPipeline),
	})
}

func TestLabCloudTrailAccessKey(t *testing.T) {
	const q = `filter userIdentity.accessKeyId ="AKIAIOSFODNN7EXAMPLE" | fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`
	// Every pipeline call, c13 back to c02. c01 (integration creating the
	// key) is signed with another key and must not appear.
	p := func(region, source, name string) row { return ctRow(region, source, name, ipPipeline, uaPipeline, "") }
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		p("us-west-2", "ec2", "RunInstances"),
		p("us-east-1", "ec2", "RunInstances"),
		p("us-east-1", "ec2", "RunInstances"),
		p("us-east-1", "ec2", "RunInstances"),
		p("us-east-1", "sts", "GetSessionToken"),
		p("us-east-1", "s3", "ListBuckets"),
		p("us-east-1", "iam", "ListUsers"),
		p("us-east-1", "ec2", "DescribeSubnets"),
		p("us-east-1", "ec2", "DescribeSubnets"),
		p("us-east-1", "ec2", "DescribeVpcs"),
		p("us-east-1", "ec2", "DescribeImages"),
		p("us-east-1", "sts", "GetCallerIdentity"),
	})
}

func TestLabCloudTrailSourceIP(t *testing.T) {
	const q = `filter sourceIPAddress = "192.0.2.1" | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`
	i := func(source, name string) row {
		return ctRow("us-east-1", source, name, ipIntegration, uaIntegration, arnIntegration)
	}
	// c29 … c21, then c01 from the day before.
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		i("cloudtrail", "UpdateTrail"),
		i("cloudtrail", "UpdateTrail"),
		i("s3", "ListBuckets"),
		i("ec2", "DescribeInstances"),
		i("iam", "CreateRole"),
		i("iam", "CreateRole"),
		i("iam", "CreateAccessKey"),
		i("iam", "AttachUserPolicy"),
		i("iam", "CreateUser"),
		i("iam", "CreateAccessKey"),
	})
}

func TestLabCloudTrailAccessKeyCreated(t *testing.T) {
	const q = `filter responseElements.credentials.accessKeyId ="AKIAIOSFODNN7EXAMPLE" | fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`
	// Only c09 (GetSessionToken). c01 is the real CreateAccessKey for this
	// key, but its response is responseElements.accessKey.accessKeyId, so
	// the lab's query does not find it; c30's credentials are ASIA….
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		ctRow("us-east-1", "sts", "GetSessionToken", ipPipeline, uaPipeline, ""),
	})
}

func TestLabCloudTrailUsersAndRolesCreated(t *testing.T) {
	const q = `filter eventName="CreateUser" or eventName = "CreateRole" | fields requestParameters.userName, requestParameters.roleName, responseElements.user.arn, responseElements.role.arn, sourceIPAddress, eventTime, errorCode`
	// c31, c25, c24, c21. Fields an event lacks are absent from its row
	// (trap 22); c25 failed, so it has errorCode and no responseElements.
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		{"requestParameters.userName": "carol", "responseElements.user.arn": "arn:aws:iam::999999999999:user/carol",
			"sourceIPAddress": ipAlice, "eventTime": "2021-07-29T01:51:00Z"},
		{"requestParameters.roleName": "DevOps", "sourceIPAddress": ipIntegration,
			"eventTime": "2021-07-29T01:45:40Z", "errorCode": "EntityAlreadyExists"},
		{"requestParameters.roleName": "backdoor-admin", "responseElements.role.arn": "arn:aws:iam::999999999999:role/backdoor-admin",
			"sourceIPAddress": ipIntegration, "eventTime": "2021-07-29T01:45:30Z"},
		{"requestParameters.userName": "helpdesk-7e1c2b", "responseElements.user.arn": "arn:aws:iam::999999999999:user/helpdesk-7e1c2b",
			"sourceIPAddress": ipIntegration, "eventTime": "2021-07-29T01:45:00Z"},
	})
}

func TestLabCloudTrailListBuckets(t *testing.T) {
	const q = `filter eventName ="ListBuckets"| fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`
	// c32 (alice), c27 (integration), c17 (MaryMajor), c08 (pipeline).
	wantRows(t, run(t, q, load(t, fixtureCloudTrail)), []row{
		ctRow("us-east-1", "s3", "ListBuckets", ipAlice, uaConsole, ""),
		ctRow("us-east-1", "s3", "ListBuckets", ipIntegration, uaIntegration, ""),
		ctRow("us-east-1", "s3", "ListBuckets", ipPipeline, "aws-cli/2.2.20 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off", ""),
		ctRow("us-east-1", "s3", "ListBuckets", ipPipeline, uaPipeline, ""),
	})
}

// The four VPC Flow Logs queries run over both flow-log groups at once
// (default v2 format and the workshop's extended format).

func TestLabFlowRejectedBySource(t *testing.T) {
	const q = "filter action=\"REJECT\"\n| stats count(*) as numRejections by srcAddr\n| sort numRejections desc"
	// 192.0.2.1: d10 d11 x04 x05 x09; 10.0.1.5: d07 d08 d09;
	// 203.0.113.99: d15 x06; 10.1.1.1: d04.
	wantRows(t, run(t, q, load(t, fixtureFlowV2, fixtureWorkshop)), []row{
		{"srcAddr": "192.0.2.1", "numRejections": "5"},
		{"srcAddr": "10.0.1.5", "numRejections": "3"},
		{"srcAddr": "203.0.113.99", "numRejections": "2"},
		{"srcAddr": "10.1.1.1", "numRejections": "1"},
	})
}

func TestLabFlowRejectedFromInsideVPC(t *testing.T) {
	const q = "filter action=\"REJECT\" and srcAddr like /^10\\./\n| stats count(*) as numRejections by srcAddr\n| sort numRejections desc"
	wantRows(t, run(t, q, load(t, fixtureFlowV2, fixtureWorkshop)), []row{
		{"srcAddr": "10.0.1.5", "numRejections": "3"},
		{"srcAddr": "10.1.1.1", "numRejections": "1"},
	})
}

func TestLabFlowRequestsFromIP(t *testing.T) {
	const q = "filter srcAddr = \"192.0.2.1\"\n| fields @timestamp, interfaceId, dstAddr, dstPort, action"
	// d12 d11 d10 (01:40:55/50/45), x09 x05 x04 (01:40:42/22/17).
	wantRows(t, run(t, q, load(t, fixtureFlowV2, fixtureWorkshop)), []row{
		{"@timestamp": tsAt("01:40:55"), "interfaceId": "eni-0a1b2c3d4e5f60001", "dstAddr": "10.1.1.1", "dstPort": "443", "action": "ACCEPT"},
		{"@timestamp": tsAt("01:40:50"), "interfaceId": "eni-0a1b2c3d4e5f60001", "dstAddr": "10.1.1.1", "dstPort": "3389", "action": "REJECT"},
		{"@timestamp": tsAt("01:40:45"), "interfaceId": "eni-0a1b2c3d4e5f60001", "dstAddr": "10.1.1.1", "dstPort": "22", "action": "REJECT"},
		{"@timestamp": tsAt("01:40:42"), "interfaceId": "eni-09d94916985ca3555", "dstAddr": "192.168.1.234", "dstPort": "3389", "action": "REJECT"},
		{"@timestamp": tsAt("01:40:22"), "interfaceId": "eni-03c7dcfa1a1e46810", "dstAddr": "172.31.29.22", "dstPort": "22", "action": "REJECT"},
		{"@timestamp": tsAt("01:40:17"), "interfaceId": "eni-09d94916985ca3555", "dstAddr": "192.168.1.234", "dstPort": "22", "action": "REJECT"},
	})
}

func TestLabFlowConnectionsFromPrivateIP(t *testing.T) {
	const q = "filter srcAddr = \"10.1.1.1\"\n| stats count(*) as numConnections by dstAddr\n| sort numConnections desc"
	// d01 d02 d05 d06 → 10.1.2.20; d04 d16 → 198.51.100.10; d03 → 52.94.133.131.
	wantRows(t, run(t, q, load(t, fixtureFlowV2, fixtureWorkshop)), []row{
		{"dstAddr": "10.1.2.20", "numConnections": "4"},
		{"dstAddr": "198.51.100.10", "numConnections": "2"},
		{"dstAddr": "52.94.133.131", "numConnections": "1"},
	})
}
