package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

type queryResults struct {
	Status     string
	Results    [][]struct{ Field, Value string }
	Statistics struct {
		RecordsMatched, RecordsScanned, BytesScanned float64
	}
}

// runQuery starts a Logs Insights query with the CLI and polls
// get-query-results until it completes, as a lab participant would.
func runQuery(cli CLI, region, group, query string, start, end time.Time) queryResults {
	var started struct{ QueryId string }
	cli.MustJSON(&started, "logs", "start-query", "--region", region, "--log-group-name", group,
		"--start-time", fmt.Sprint(start.Unix()), "--end-time", fmt.Sprint(end.Unix()), "--query-string", query)
	ExpectWithOffset(1, started.QueryId).NotTo(BeEmpty())
	var res queryResults
	EventuallyWithOffset(1, func() string {
		cli.MustJSON(&res, "logs", "get-query-results", "--region", region, "--query-id", started.QueryId)
		return res.Status
	}).WithTimeout(time.Minute).WithPolling(200 * time.Millisecond).Should(Equal("Complete"))
	return res
}

func field(row []struct{ Field, Value string }, name string) (string, bool) {
	for _, f := range row {
		if f.Field == name {
			return f.Value, true
		}
	}
	return "", false
}

// The lab's CloudWatch Logs investigation (§1.2, §2.1, §3.1), end to end:
// CloudTrail delivers the sandbox's own records to a log group, and the
// lab's CLI commands and Insights queries find the attacker in them.
var _ = Describe("the lab's CloudWatch Logs investigation", Ordered, labelSandboxServer, func() {
	const (
		trailGroup = "Detective-Controls-CloudTrailCWLogsGroup-E2E"
		flowGroup  = "irdrill-e2e-vpc-flow-logs"
	)
	var (
		intruder   CLI
		sessionKey string
		start      time.Time
	)

	BeforeAll(func() {
		start = time.Now().Add(-time.Minute)
	})

	It("describes regions and log groups as the lab shows", func() {
		var regions struct{ Regions []struct{ RegionName string } }
		admin().MustJSON(&regions, "ec2", "describe-regions")
		Expect(regions.Regions).To(ContainElement(HaveField("RegionName", "ap-southeast-1")))

		admin().MustSucceed("logs", "create-log-group", "--log-group-name", trailGroup, "--region", "ap-southeast-1")
		var groups struct {
			LogGroups []struct{ LogGroupName, Arn string }
		}
		admin().MustJSON(&groups, "logs", "describe-log-groups", "--region", "ap-southeast-1")
		Expect(groups.LogGroups).To(ContainElement(HaveField("LogGroupName", trailGroup)))
		table := admin().Shell("aws logs describe-log-groups --output table --query 'logGroups[*].logGroupName' --region ap-southeast-1")
		Expect(table.ExitCode).To(Equal(0), table.Stderr)
		Expect(table.Stdout).To(ContainSubstring(trailGroup))
	})

	It("creates a logging trail that delivers to the log group", func() {
		var role struct{ Role struct{ Arn string } }
		admin().MustJSON(&role, "iam", "create-role", "--role-name", "CloudTrailToCloudWatchLogs",
			"--assume-role-policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		groupArn := "arn:aws:logs:ap-southeast-1:999999999999:log-group:" + trailGroup + ":*"
		var trail struct{ Name, TrailARN, CloudWatchLogsLogGroupArn string }
		admin().MustJSON(&trail, "cloudtrail", "create-trail", "--region", "ap-southeast-1", "--name", "irdrill-e2e",
			"--s3-bucket-name", "irdrill-e2e-trail", "--is-multi-region-trail",
			"--cloud-watch-logs-log-group-arn", groupArn, "--cloud-watch-logs-role-arn", role.Role.Arn)
		Expect(trail.Name).To(Equal("irdrill-e2e"))
		Expect(trail.CloudWatchLogsLogGroupArn).To(Equal(groupArn))
		admin().MustSucceed("cloudtrail", "start-logging", "--name", "irdrill-e2e", "--region", "ap-southeast-1")
		var status struct{ IsLogging bool }
		admin().MustJSON(&status, "cloudtrail", "get-trail-status", "--name", "irdrill-e2e", "--region", "ap-southeast-1")
		Expect(status.IsLogging).To(BeTrue())
	})

	It("records an intruder's denied calls", func() {
		admin().MustSucceed("iam", "create-user", "--user-name", "intruder")
		var key accessKey
		admin().MustJSON(&key, "iam", "create-access-key", "--user-name", "intruder")
		intruder = CLI{Target: server, Creds: key.creds()}
		intruder.MustFail("AccessDenied", "iam", "list-users")
		intruder.MustFail("UnauthorizedOperation", "ec2", "describe-instances", "--region", "ap-southeast-1")
		intruder.MustFail("AccessDenied", "iam", "create-user", "--user-name", "backdoor")
	})

	It("records calls from the suspect address 192.0.2.1 and a role session", func() {
		// The CLI cannot claim another source address; a Go client can,
		// through the simulation header the served sandbox was started to trust.
		cfg := sandboxtest.Config(server.Endpoint, "ap-southeast-1", aws.Credentials{AccessKeyID: intruder.Creds.AccessKeyID, SecretAccessKey: intruder.Creds.SecretAccessKey})
		_, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
			o.APIOptions = append(o.APIOptions, sandbox.WithSourceIP("192.0.2.1"))
		}).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{})
		Expect(err).To(HaveOccurred())

		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/admin"},"Action":"sts:AssumeRole"}]}`
		admin().MustSucceed("iam", "create-role", "--role-name", "lab-responder", "--assume-role-policy-document", trust)
		var assumed struct{ Credentials struct{ AccessKeyId string } }
		admin().MustJSON(&assumed, "sts", "assume-role", "--role-arn", "arn:aws:iam::999999999999:role/lab-responder", "--role-session-name", "lab", "--region", "ap-southeast-1")
		sessionKey = assumed.Credentials.AccessKeyId
		Expect(sessionKey).To(HavePrefix("ASIA"))
	})

	It("finds them with the lab's filter-log-events | jq command", func() {
		script := fmt.Sprintf("aws logs filter-log-events --region ap-southeast-1 --start-time %d --log-group-name %s --filter-pattern AccessDenied --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'",
			start.UnixMilli(), trailGroup)
		Eventually(func() string {
			res := admin().Shell(script)
			Expect(res.ExitCode).To(Equal(0), res.Stderr)
			return res.Stdout
		}).WithTimeout(30 * time.Second).Should(And(
			ContainSubstring(`"arn": "arn:aws:iam::999999999999:user/intruder"`),
			ContainSubstring(`"type": "IAMUser"`),
			ContainSubstring("127.0.0.1"),
		))

		byKey := admin().Shell(fmt.Sprintf("aws logs filter-log-events --region ap-southeast-1 --start-time %d --log-group-name %s --filter-pattern %s --output json --query 'events[*].message' | jq -r '.[] | fromjson | .eventName'",
			start.UnixMilli(), trailGroup, intruder.Creds.AccessKeyID))
		Expect(byKey.ExitCode).To(Equal(0), byKey.Stderr)
		Expect(strings.Fields(byKey.Stdout)).To(ContainElements("ListUsers", "DescribeInstances", "CreateUser"))

		byIP := admin().Shell(fmt.Sprintf("aws logs filter-log-events --region ap-southeast-1 --start-time %d --log-group-name %s  --filter-pattern 192.0.2.1 --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'",
			start.UnixMilli(), trailGroup))
		Expect(byIP.ExitCode).To(Equal(0), byIP.Stderr)
		Expect(strings.Split(byIP.Stdout, "\n")).To(ContainElement("192.0.2.1"))
		Expect(byIP.Stdout).To(ContainSubstring("user/intruder"))

		buckets := admin().Shell(fmt.Sprintf("aws logs filter-log-events --region ap-southeast-1 --start-time %d --log-group-name %s  --filter-pattern ListBuckets --output json --query 'events[*].message'| jq -r '.[] | fromjson | .userIdentity, .sourceIPAddress, .responseElements'",
			start.UnixMilli(), trailGroup))
		Expect(buckets.ExitCode).To(Equal(0), buckets.Stderr)
		Expect(strings.TrimSpace(buckets.Stdout)).To(BeEmpty(), "the sandbox serves no S3, so nobody listed buckets")

		var events struct {
			Events []struct{ LogStreamName, Message string }
		}
		admin().MustJSON(&events, "logs", "filter-log-events", "--region", "ap-southeast-1", "--log-group-name", trailGroup,
			"--filter-pattern", `{ $.errorCode = "Client.UnauthorizedOperation" }`)
		Expect(events.Events).NotTo(BeEmpty())
		Expect(events.Events[0].LogStreamName).To(Equal("999999999999_CloudTrail_ap-southeast-1"))
	})

	It("finds them with the lab's Insights query", func() {
		res := runQuery(admin(), "ap-southeast-1", trailGroup, "filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent",
			start, time.Now().Add(time.Minute))
		var names []string
		for _, row := range res.Results {
			arn, _ := field(row, "userIdentity.arn")
			Expect(arn).To(Equal("arn:aws:iam::999999999999:user/intruder"))
			name, _ := field(row, "eventName")
			names = append(names, name)
			_, hasPtr := field(row, "@ptr")
			Expect(hasPtr).To(BeTrue())
		}
		Expect(names).To(ConsistOf("ListUsers", "DescribeInstances", "CreateUser", "DescribeInstances"))
		Expect(res.Statistics.RecordsMatched).To(Equal(4.0))
		Expect(res.Statistics.RecordsScanned).To(BeNumerically(">=", 3))

		byKey := runQuery(admin(), "ap-southeast-1", trailGroup, fmt.Sprintf(`filter userIdentity.accessKeyId ="%s" | fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`, intruder.Creds.AccessKeyID),
			start, time.Now().Add(time.Minute))
		Expect(byKey.Results).To(HaveLen(4))

		created := runQuery(admin(), "ap-southeast-1", trailGroup, `filter eventName="CreateUser" or eventName = "CreateRole" | fields requestParameters.userName, requestParameters.roleName, responseElements.user.arn, responseElements.role.arn, sourceIPAddress, eventTime, errorCode`,
			start, time.Now().Add(time.Minute))
		var userNames []string
		for _, row := range created.Results {
			if v, ok := field(row, "requestParameters.userName"); ok {
				userNames = append(userNames, v)
			}
		}
		Expect(userNames).To(ContainElements("intruder", "backdoor"))

		fromIP := runQuery(admin(), "ap-southeast-1", trailGroup, `filter sourceIPAddress = "192.0.2.1" | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`,
			start, time.Now().Add(time.Minute))
		Expect(fromIP.Results).To(HaveLen(1))
		name, _ := field(fromIP.Results[0], "eventName")
		Expect(name).To(Equal("DescribeInstances"))

		keyCreated := runQuery(admin(), "ap-southeast-1", trailGroup, fmt.Sprintf(`filter responseElements.credentials.accessKeyId ="%s" | fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`, sessionKey),
			start, time.Now().Add(time.Minute))
		Expect(keyCreated.Results).To(HaveLen(1))
		name, _ = field(keyCreated.Results[0], "eventName")
		Expect(name).To(Equal("AssumeRole"))

		listBuckets := runQuery(admin(), "ap-southeast-1", trailGroup, `filter eventName ="ListBuckets"| fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`,
			start, time.Now().Add(time.Minute))
		Expect(listBuckets.Results).To(BeEmpty())
		Expect(listBuckets.Statistics.RecordsScanned).To(BeNumerically(">", 0))
	})

	It("rejects a malformed query with its location", func() {
		res := admin().Run("logs", "start-query", "--log-group-name", trailGroup, "--region", "ap-southeast-1",
			"--start-time", "0", "--end-time", fmt.Sprint(time.Now().Unix()), "--query-string", "filter errorCode like | stats")
		Expect(res.ExitCode).NotTo(Equal(0))
		Expect(res.Stderr).To(ContainSubstring("MalformedQueryException"))
	})

	It("answers the lab's VPC Flow Logs queries", func() {
		admin().MustSucceed("logs", "create-log-group", "--log-group-name", flowGroup)
		admin().MustSucceed("logs", "create-log-stream", "--log-group-name", flowGroup, "--log-stream-name", "eni-0a1b2c3d4e5f67890-all")
		now := time.Now()
		lines := []string{
			"2 999999999999 eni-0a1b2c3d4e5f67890 192.0.2.1 172.31.29.22 44321 22 6 3 180 %d %d REJECT OK",
			"2 999999999999 eni-0a1b2c3d4e5f67890 192.0.2.1 172.31.29.22 44322 3389 6 3 180 %d %d REJECT OK",
			"2 999999999999 eni-0a1b2c3d4e5f67890 10.1.1.1 198.51.100.10 40000 3333 6 20 4000 %d %d ACCEPT OK",
			"2 999999999999 eni-0a1b2c3d4e5f67890 10.1.1.1 198.51.100.10 40001 3333 6 20 4000 %d %d ACCEPT OK",
			"2 999999999999 eni-0a1b2c3d4e5f67890 10.1.1.1 198.51.100.11 40002 443 6 20 4000 %d %d ACCEPT OK",
			"2 999999999999 eni-0a1b2c3d4e5f67890 10.0.5.9 203.0.113.5 40003 5432 6 2 120 %d %d REJECT OK",
		}
		var events []map[string]any
		for i, l := range lines {
			ts := now.Add(time.Duration(i-len(lines)) * time.Second)
			events = append(events, map[string]any{"timestamp": ts.UnixMilli(), "message": fmt.Sprintf(l, ts.Unix()-60, ts.Unix())})
		}
		body, _ := json.Marshal(events)
		file := filepath.Join(GinkgoT().TempDir(), "events.json")
		Expect(os.WriteFile(file, body, 0o600)).To(Succeed())
		admin().MustSucceed("logs", "put-log-events", "--log-group-name", flowGroup, "--log-stream-name", "eni-0a1b2c3d4e5f67890-all", "--log-events", "file://"+file)

		from, to := now.Add(-time.Hour), now.Add(time.Minute)
		rejected := runQuery(admin(), "us-east-1", flowGroup, "filter action=\"REJECT\"\n| stats count(*) as numRejections by srcAddr\n| sort numRejections desc", from, to)
		Expect(rejected.Results).To(HaveLen(2))
		first, _ := field(rejected.Results[0], "srcAddr")
		count, _ := field(rejected.Results[0], "numRejections")
		Expect([]string{first, count}).To(Equal([]string{"192.0.2.1", "2"}))

		inside := runQuery(admin(), "us-east-1", flowGroup, "filter action=\"REJECT\" and srcAddr like /^10\\./\n| stats count(*) as numRejections by srcAddr\n| sort numRejections desc", from, to)
		Expect(inside.Results).To(HaveLen(1))
		src, _ := field(inside.Results[0], "srcAddr")
		Expect(src).To(Equal("10.0.5.9"))

		fromIP := runQuery(admin(), "us-east-1", flowGroup, "filter srcAddr = \"192.0.2.1\"\n| fields @timestamp, interfaceId, dstAddr, dstPort, action", from, to)
		Expect(fromIP.Results).To(HaveLen(2))

		conns := runQuery(admin(), "us-east-1", flowGroup, "filter srcAddr = \"10.1.1.1\"\n| stats count(*) as numConnections by dstAddr\n| sort numConnections desc", from, to)
		Expect(conns.Results).To(HaveLen(2))
		top, _ := field(conns.Results[0], "dstAddr")
		n, _ := field(conns.Results[0], "numConnections")
		Expect([]string{top, n}).To(Equal([]string{"198.51.100.10", "2"}))
	})
})
