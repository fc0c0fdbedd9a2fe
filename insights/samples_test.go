package insights_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/irdrill/irdrill/insights"
)

// awsSamples are the sample queries of reference §10 (AWS's sample-queries
// page, console tutorials and the AWS agent toolkit), verbatim, including
// AWS's typos, odd spacing and line breaks.
var awsSamples = []struct{ name, query string }{
	{"recent25", "fields @timestamp, @message | sort @timestamp desc | limit 25"},
	{"exceptionsPerHour", "filter @message like /Exception/ \n    | stats count(*) as exceptionCount by bin(1h)\n    | sort exceptionCount desc"},
	{"notExceptions", "fields @message | filter @message not like /Exception/"},
	{"dedupServerAsc", "fields @timestamp, server, severity, message\n| sort @timestamp asc\n| dedup server"},
	{"dedupServerSeverity", "fields @timestamp, server, severity, message\n| sort @timestamp desc\n| dedup server, severity"},
	{"lambdaOverprovisioned", "filter @type = \"REPORT\"\n    | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,\n        min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,\n        avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,\n        max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n        provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB"},
	{"lambdaLatency", "filter @type = \"REPORT\" |\n    stats avg(@duration), max(@duration), min(@duration) by bin(5m)"},
	{"lambdaSlowDedup", "fields @timestamp, @requestId, @message, @logStream\n| filter @type = \"REPORT\" and @duration > 1000\n| sort @timestamp desc\n| dedup @requestId\n| limit 20"},
	{"flowTopPackets", "stats sum(packets) as packetsTransferred by srcAddr, dstAddr\n    | sort packetsTransferred  desc\n    | limit 15"},
	{"flowSubnetBytes", "filter isIpv4InSubnet(srcAddr, \"192.0.2.0/24\")\n    | stats sum(bytes) as bytesTransferred by dstAddr\n    | sort bytesTransferred desc\n    | limit 15"},
	{"flowUDP", "filter protocol=17 | stats count(*) by srcAddr"},
	{"flowSkipData", "filter logStatus=\"SKIPDATA\"\n    | stats count(*) by bin(1h) as t\n    | sort t"},
	{"flowDedupConnection", "fields @timestamp, srcAddr, dstAddr, srcPort, dstPort, protocol, bytes\n| filter logStream = 'vpc-flow-logs' and interfaceId = 'eni-0123456789abcdef0'\n| sort @timestamp desc\n| dedup srcAddr, dstAddr, srcPort, dstPort, protocol\n| limit 20"},
	{"r53ByTypeHour", "stats count(*) by queryType, bin(1h)"},
	{"r53TopResolvers", "stats count(*) as numRequests by resolverIp\n    | sort numRequests desc\n    | limit 10"},
	{"r53ServFail", "filter responseCode=\"SERVFAIL\" | stats count(*) by queryName"},
	{"ctByServiceEventRegion", "stats count(*) by eventSource, eventName, awsRegion"},
	{"ctStartStopUsEast2", "filter (eventName=\"StartInstances\" or eventName=\"StopInstances\") and awsRegion=\"us-east-2\""},
	{"ctCreatedUsers", "filter eventName=\"CreateUser\"\n    | fields awsRegion, requestParameters.userName, responseElements.user.arn"},
	{"ctUpdateTrailErrors", "filter eventName=\"UpdateTrail\" and ispresent(errorCode)\n    | stats count(*) by errorCode, errorMessage"},
	{"ctOutdatedTLS", "filter tlsDetails.tlsVersion in [ \"TLSv1\", \"TLSv1.1\" ]\n| stats count(*) as numOutdatedTlsCalls by userIdentity.accountId, recipientAccountId, eventSource, eventName, awsRegion, tlsDetails.tlsVersion, tlsDetails.cipherSuite, userAgent\n| sort eventSource, eventName, awsRegion, tlsDetails.tlsVersion"},
	{"ctOutdatedTLSByService", "filter tlsDetails.tlsVersion in [ \"TLSv1\", \"TLSv1.1\" ]\n| stats count(*) as numOutdatedTlsCalls by eventSource\n| sort numOutdatedTlsCalls desc"},
	{"apigw4xx", "fields @timestamp, status, ip, path, httpMethod\n| filter status>=400 and status<=499\n| sort @timestamp desc\n| limit 10"},
	{"apigwLongest", "fields @timestamp, status, ip, path, httpMethod, responseLatency\n| sort responseLatency desc\n| limit 10"},
	{"apigwPopularPaths", "stats count(*) as requestCount by path\n| sort requestCount desc\n| limit 10"},
	{"apigwLatencyReport", "filter status=200\n| stats avg(integrationLatency), max(integrationLatency),\nmin(integrationLatency) by bin(1m)"},
	{"natTopSenders", "filter (dstAddr like 'x.x.x.x' and srcAddr like 'y.y.') \n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10"},
	{"natToFrom", "filter (dstAddr like 'x.x.x.x' and srcAddr like 'y.y.') or (srcAddr like 'xxx.xx.xx.xx' and dstAddr like 'y.y.')\n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10"},
	{"natUploads", "filter (srcAddr like 'x.x.x.x' and dstAddr not like 'y.y.') \n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10"},
	{"natDownloads", "filter (dstAddr like 'x.x.x.x' and srcAddr not like 'y.y.') \n| stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 10"},
	{"apacheAdmin", "fields @timestamp, remoteIP, request, status, filename| sort @timestamp desc\n| filter filename=\"/var/www/html/admin\"\n| limit 20"},
	{"apacheRestarts", "fields @timestamp, function, process, message\n| filter message like \"resuming normal operations\"\n| sort @timestamp desc\n| limit 20"},
	{"eventBridgeByDetailType", "fields @timestamp, @message\n| stats count(*) as numberOfEvents by `detail-type`\n| sort numberOfEvents desc"},
	{"parseGlobLatency", "parse @message \"user=*, method:*, latency := *\" as @user,\n    @method, @latency | stats avg(@latency) by @method,\n    @user"},
	{"parseRegexLatency", "parse @message /user=(?<user2>.*?), method:(?<method2>.*?),\n    latency := (?<latency2>.*?)/ | stats avg(latency2) by @method2, \n    @user2"},
	{"parseDisplayIsError", "FIELDS @message\n    | PARSE @message \"* [*] *\" as loggingTime, loggingType, loggingMessage\n    | FILTER loggingType IN [\"ERROR\", \"INFO\"]\n    | DISPLAY loggingMessage, loggingType = \"ERROR\" as isError"},
	{"parseENI", "parse @message /(?<NetworkInterface>eni-.*?) /\n| display NetworkInterface, @message"},
	{"tkTimeout", "filter @message =~ /timeout after \\d+/"},
	{"tkNestedParse", "parse @message \"<EventData>*</EventData>\" as @EventData | parse @EventData \"<Data Name='ObjectName'>*</Data>\" as ObjectName"},
	{"tkPercentiles", "stats pct(duration, 50) as p50, pct(duration, 95) as p95, pct(duration, 99) as p99"},
	{"tkAvgP99", "stats avg(duration) as avg_ms, pct(duration, 99) as p99 by serviceName, bin(1h)"},
	{"consoleDefault", "fields @timestamp, @message, @logStream, @log | sort @timestamp desc | limit 20"},
	{"tutorialByField", "stats count(*) by fieldName"},
	{"tutorialBin30s", "stats count(*) by bin(30s)"},
	{"tutorialByStream", "stats count(*) by @logStream | limit 100"},
	{"patternTutorialSorted", "fields @timestamp, @message, @logStream, @log | sort @timestamp desc"},
	{"patternTutorial", "fields @timestamp, @message, @logStream, @log | pattern @message"},
}

// unsupportedSamples use commands the sandbox deliberately does not run
// (AWS's proprietary ML clustering); Parse must say so with UnsupportedError.
var unsupportedSamples = map[string]string{"patternTutorial": "pattern"}

// TestAWSSamplesParse checks every §10 sample compiles. Left out on purpose:
// the Apache "unique GET requests" sample, whose unquoted URL
// (referrer= http://34.250.27.141/) the reference flags as an AWS doc error
// that must not be relied on (§10, §11 item 9).
func TestAWSSamplesParse(t *testing.T) {
	for _, s := range awsSamples {
		t.Run(s.name, func(t *testing.T) {
			_, err := insights.Parse(s.query)
			if cmd, ok := unsupportedSamples[s.name]; ok {
				var ue *insights.UnsupportedError
				if !errors.As(err, &ue) || ue.Command != cmd {
					t.Fatalf("Parse = %v, want *UnsupportedError for %s", err, cmd)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", s.query, err)
			}
		})
	}
}

// TestAWSSampleApacheUniqueGET covers the one §10 sample that is not
// expected to compile: its referrer URL is an unquoted literal, which the
// reference lists as a doc error (§11 item 9). The engine must reject it with
// a syntax error that points at the URL, not fail somewhere vague.
func TestAWSSampleApacheUniqueGET(t *testing.T) {
	q := "fields @timestamp, remoteIP, method, status\n| filter status=\"200\" and referrer= http://34.250.27.141/ and method= \"GET\"\n| stats count_distinct(remoteIP) as UniqueVisits\n| limit 10"
	_, err := insights.Parse(q)
	var se *insights.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse = %v, want *SyntaxError", err)
	}
	if se.Line != 2 || se.Column != 41 || se.Token != ":" {
		t.Errorf("error at line %d column %d token %q, want line 2 column 41 token \":\" (the URL's scheme separator)", se.Line, se.Column, se.Token)
	}
	if got := q[se.StartCharOffset:se.EndCharOffset]; got != ":" {
		t.Errorf("offsets %d-%d select %q, want \":\"", se.StartCharOffset, se.EndCharOffset, got)
	}
	quoted := strings.Replace(q, "referrer= http://34.250.27.141/", `referrer= "http://34.250.27.141/"`, 1)
	if _, err := insights.Parse(quoted); err != nil {
		t.Errorf("with the URL quoted the sample must compile: %v", err)
	}
}

func sample(t *testing.T, name string) string {
	t.Helper()
	for _, s := range awsSamples {
		if s.name == name {
			return s.query
		}
	}
	t.Fatalf("no sample %q", name)
	return ""
}

const (
	msgUpdateTrailDenied = "User: arn:aws:iam::999999999999:user/integration is not authorized to perform: cloudtrail:UpdateTrail on resource: arn:aws:cloudtrail:us-east-1:999999999999:trail/irdrill-trail because no identity-based policy allows the cloudtrail:UpdateTrail action"
)

// fixtureText returns the raw text of a 1-based fixture line.
func fixtureText(t *testing.T, file string, line int) string {
	t.Helper()
	return readFixture(t, file)[line-1].Text
}

func TestAWSSampleGeneral(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	t.Run("recent25", func(t *testing.T) {
		res := run(t, sample(t, "recent25"), ct)
		rows := rowMaps(t, res)
		if len(rows) != 25 {
			t.Fatalf("%d rows, want 25", len(rows))
		}
		// Newest is c33 (01:52:00), 25th newest is c09 (01:31:10).
		if rows[0]["@timestamp"] != tsAt("01:52:00") || rows[0]["@message"] != fixtureText(t, fixtureCloudTrail, 33) {
			t.Errorf("first row = %v", rows[0])
		}
		if rows[24]["@timestamp"] != tsAt("01:31:10") || rows[24]["@message"] != fixtureText(t, fixtureCloudTrail, 9) {
			t.Errorf("last row = %v", rows[24])
		}
		if len(rows[0]) != 2 {
			t.Errorf("row has fields %v, want only @timestamp and @message", rows[0])
		}
	})
	t.Run("exceptionsPerHour", func(t *testing.T) {
		// No CloudTrail message mentions Exception.
		res := run(t, sample(t, "exceptionsPerHour"), ct)
		wantRows(t, res, nil)
		if res.Statistics.RecordsMatched != 0 {
			t.Errorf("recordsMatched = %v, want 0", res.Statistics.RecordsMatched)
		}
	})
	t.Run("notExceptions", func(t *testing.T) {
		rows := rowMaps(t, run(t, sample(t, "notExceptions"), ct))
		if len(rows) != 33 || rows[32]["@message"] != fixtureText(t, fixtureCloudTrail, 1) || len(rows[0]) != 1 {
			t.Errorf("got %d rows, last %v", len(rows), rows[len(rows)-1])
		}
	})
	servers := inline(
		`{"server":"web-1","severity":"INFO","message":"started"}`,
		`{"server":"web-2","severity":"INFO","message":"started"}`,
		`{"server":"web-1","severity":"ERROR","message":"disk full"}`,
		`{"server":"web-1","severity":"INFO","message":"recovered"}`,
		`{"server":"web-2","severity":"WARN","message":"slow"}`,
	)
	t.Run("dedupServerAsc", func(t *testing.T) {
		// Despite AWS's title ("most recent"), asc keeps the oldest per server.
		wantRows(t, run(t, sample(t, "dedupServerAsc"), servers), []row{
			{"@timestamp": tsAt("02:00:00"), "server": "web-1", "severity": "INFO", "message": "started"},
			{"@timestamp": tsAt("02:00:01"), "server": "web-2", "severity": "INFO", "message": "started"},
		})
	})
	t.Run("dedupServerSeverity", func(t *testing.T) {
		// Newest first; the oldest web-1/INFO duplicates the 02:00:03 one.
		wantRows(t, run(t, sample(t, "dedupServerSeverity"), servers), []row{
			{"@timestamp": tsAt("02:00:04"), "server": "web-2", "severity": "WARN", "message": "slow"},
			{"@timestamp": tsAt("02:00:03"), "server": "web-1", "severity": "INFO", "message": "recovered"},
			{"@timestamp": tsAt("02:00:02"), "server": "web-1", "severity": "ERROR", "message": "disk full"},
			{"@timestamp": tsAt("02:00:01"), "server": "web-2", "severity": "INFO", "message": "started"},
		})
	})
	t.Run("consoleDefault", func(t *testing.T) {
		rows := rowMaps(t, run(t, sample(t, "consoleDefault"), ct))
		if len(rows) != 20 {
			t.Fatalf("%d rows, want 20", len(rows))
		}
		want0 := row{"@timestamp": tsAt("01:52:00"), "@message": fixtureText(t, fixtureCloudTrail, 33), "@logStream": ctStream, "@log": ctGroup}
		want19 := row{"@timestamp": tsAt("01:41:00"), "@message": fixtureText(t, fixtureCloudTrail, 14), "@logStream": ctStream, "@log": ctGroup}
		if !equalRow(rows[0], want0) || !equalRow(rows[19], want19) {
			t.Errorf("first/last rows = %v / %v", rows[0], rows[19])
		}
	})
}

func equalRow(a, b row) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAWSSampleFlowLogs(t *testing.T) {
	flows := load(t, fixtureFlowV2, fixtureWorkshop)
	t.Run("flowTopPackets", func(t *testing.T) {
		// Default-format OK records: 10.1.1.1→10.1.2.20 10+12+8+4,
		// →198.51.100.10 3+30, →52.94.133.131 20; 192.0.2.1→10.1.1.1 1+1+15;
		// 10.0.1.5→10.1.1.1 2+2, →10.1.2.20 2; 203.0.113.99→10.1.1.1 1.
		res := run(t, sample(t, "flowTopPackets"), loadWhere(t, fixtureFlowV2, okFlows))
		wantRows(t, res, []row{
			{"srcAddr": "10.1.1.1", "dstAddr": "10.1.2.20", "packetsTransferred": "34"},
			{"srcAddr": "10.1.1.1", "dstAddr": "198.51.100.10", "packetsTransferred": "33"},
			{"srcAddr": "10.1.1.1", "dstAddr": "52.94.133.131", "packetsTransferred": "20"},
			{"srcAddr": "192.0.2.1", "dstAddr": "10.1.1.1", "packetsTransferred": "17"},
			{"srcAddr": "10.0.1.5", "dstAddr": "10.1.1.1", "packetsTransferred": "4"},
			{"srcAddr": "10.0.1.5", "dstAddr": "10.1.2.20", "packetsTransferred": "2"},
			{"srcAddr": "203.0.113.99", "dstAddr": "10.1.1.1", "packetsTransferred": "1"},
		})
	})
	t.Run("flowSubnetBytes", func(t *testing.T) {
		// 192.0.2.1 only: d10+d11+d12 = 60+60+9000; x04+x09 = 44+44; x05 = 44.
		wantRows(t, run(t, sample(t, "flowSubnetBytes"), flows), []row{
			{"dstAddr": "10.1.1.1", "bytesTransferred": "9120"},
			{"dstAddr": "192.168.1.234", "bytesTransferred": "88"},
			{"dstAddr": "172.31.29.22", "bytesTransferred": "44"},
		})
	})
	t.Run("flowUDP", func(t *testing.T) {
		// d06 and x08 are protocol 17.
		wantRowSet(t, run(t, sample(t, "flowUDP"), flows), []row{
			{"srcAddr": "10.1.1.1", "count(*)": "1"},
			{"srcAddr": "192.168.2.146", "count(*)": "1"},
		})
	})
	t.Run("flowSkipData", func(t *testing.T) {
		// d14 at 01:41:05 falls in the 01:00 hour bucket.
		wantRows(t, run(t, sample(t, "flowSkipData"), flows), []row{{"t": tsAt("01:00:00"), "count(*)": "1"}})
	})
	t.Run("flowDedupConnection", func(t *testing.T) {
		// AWS's sample filters on logStream (not @logStream), which flow
		// records do not have, so nothing matches.
		wantRows(t, run(t, sample(t, "flowDedupConnection"), flows), nil)
	})
	t.Run("tutorialBin30s", func(t *testing.T) {
		// d01–d06 (01:40:00–25), d07–d12 (01:40:30–55), d13–d16 (01:41:00–15).
		wantRowSet(t, run(t, sample(t, "tutorialBin30s"), load(t, fixtureFlowV2)), []row{
			{"bin(30s)": tsAt("01:40:00"), "count(*)": "6"},
			{"bin(30s)": tsAt("01:40:30"), "count(*)": "6"},
			{"bin(30s)": tsAt("01:41:00"), "count(*)": "4"},
		})
	})
	t.Run("tutorialByStream", func(t *testing.T) {
		wantRowSet(t, run(t, sample(t, "tutorialByStream"), flows), []row{
			{"@logStream": "eni-0a1b2c3d4e5f60001-all", "count(*)": "11"},
			{"@logStream": "eni-0a1b2c3d4e5f60002-all", "count(*)": "5"},
			{"@logStream": "eni-08dc82c399a7ac5f7-all", "count(*)": "4"},
			{"@logStream": "eni-09d94916985ca3555-all", "count(*)": "3"},
			{"@logStream": "eni-03c7dcfa1a1e46810-all", "count(*)": "3"},
		})
	})
	t.Run("parseENI", func(t *testing.T) {
		res := run(t, sample(t, "parseENI"), load(t, fixtureFlowV2))
		const a, b = "eni-0a1b2c3d4e5f60001", "eni-0a1b2c3d4e5f60002"
		want := []string{a, a, b, b, a, a, a, b, b, b, a, a, a, a, a, a} // d16 … d01
		got := column(t, res, "NetworkInterface")
		if len(got) != len(want) {
			t.Fatalf("NetworkInterface column = %v", got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("NetworkInterface column = %v, want %v", got, want)
			}
		}
		if msgs := column(t, res, "@message"); msgs[0] != fixtureText(t, fixtureFlowV2, 16) {
			t.Errorf("first @message = %q", msgs[0])
		}
	})
}

func TestAWSSampleRoute53(t *testing.T) {
	// Resolver query logs have rcode/query_name, not the public-DNS-log
	// fields responseCode/queryName the sample reads: no rows.
	wantRows(t, run(t, sample(t, "r53ServFail"), load(t, fixtureResolver)), nil)
}

func TestAWSSampleCloudTrail(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	t.Run("ctByServiceEventRegion", func(t *testing.T) {
		g := func(src, name, region, n string) row {
			return row{"eventSource": src + ".amazonaws.com", "eventName": name, "awsRegion": region, "count(*)": n}
		}
		wantRowSet(t, run(t, sample(t, "ctByServiceEventRegion"), ct), []row{
			g("iam", "CreateAccessKey", "us-east-1", "2"), g("sts", "GetCallerIdentity", "us-east-1", "1"),
			g("ec2", "DescribeImages", "us-east-1", "1"), g("ec2", "DescribeVpcs", "us-east-1", "1"),
			g("ec2", "DescribeSubnets", "us-east-1", "2"), g("iam", "ListUsers", "us-east-1", "1"),
			g("s3", "ListBuckets", "us-east-1", "4"), g("sts", "GetSessionToken", "us-east-1", "1"),
			g("ec2", "RunInstances", "us-east-1", "3"), g("ec2", "RunInstances", "us-west-2", "1"),
			g("ec2", "DescribeInstances", "us-east-1", "2"), g("ec2", "DescribeInstanceStatus", "us-east-1", "1"),
			g("ec2", "DescribeAddresses", "us-east-1", "1"), g("ec2", "StopInstances", "us-east-2", "1"),
			g("ec2", "StartInstances", "us-east-1", "1"), g("ec2", "StartInstances", "us-east-2", "1"),
			g("iam", "CreateUser", "us-east-1", "2"), g("iam", "AttachUserPolicy", "us-east-1", "1"),
			g("iam", "CreateRole", "us-east-1", "2"), g("cloudtrail", "UpdateTrail", "us-east-1", "3"),
			g("sts", "AssumeRole", "us-east-1", "1"),
		})
	})
	t.Run("ctStartStopUsEast2", func(t *testing.T) {
		// c20 and c18; without fields the rows are @timestamp and @message.
		wantRows(t, run(t, sample(t, "ctStartStopUsEast2"), ct), []row{
			{"@timestamp": tsAt("01:42:20"), "@message": fixtureText(t, fixtureCloudTrail, 20)},
			{"@timestamp": tsAt("01:42:00"), "@message": fixtureText(t, fixtureCloudTrail, 18)},
		})
	})
	t.Run("ctCreatedUsers", func(t *testing.T) {
		wantRows(t, run(t, sample(t, "ctCreatedUsers"), ct), []row{
			{"awsRegion": "us-east-1", "requestParameters.userName": "carol", "responseElements.user.arn": "arn:aws:iam::999999999999:user/carol"},
			{"awsRegion": "us-east-1", "requestParameters.userName": "helpdesk-7e1c2b", "responseElements.user.arn": "arn:aws:iam::999999999999:user/helpdesk-7e1c2b"},
		})
	})
	t.Run("ctUpdateTrailErrors", func(t *testing.T) {
		// c28 and c29 failed identically; c33 succeeded (no errorCode).
		wantRows(t, run(t, sample(t, "ctUpdateTrailErrors"), ct), []row{
			{"errorCode": "AccessDenied", "errorMessage": msgUpdateTrailDenied, "count(*)": "2"},
		})
	})
	t.Run("ctOutdatedTLS", func(t *testing.T) {
		// c31 (TLSv1.1), c32 (TLSv1), c33 (TLSv1.1), all alice from the
		// console; sort keys without direction are taken as ascending
		// (default direction is UNDOCUMENTED; reference §5.6 inference).
		g := func(src, name, tls string) row {
			return row{"userIdentity.accountId": "999999999999", "recipientAccountId": "999999999999",
				"eventSource": src + ".amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
				"tlsDetails.tlsVersion": tls, "tlsDetails.cipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
				"userAgent": uaConsole, "numOutdatedTlsCalls": "1"}
		}
		wantRows(t, run(t, sample(t, "ctOutdatedTLS"), ct), []row{
			g("cloudtrail", "UpdateTrail", "TLSv1.1"), g("iam", "CreateUser", "TLSv1.1"), g("s3", "ListBuckets", "TLSv1"),
		})
	})
	t.Run("ctOutdatedTLSByService", func(t *testing.T) {
		wantRowSet(t, run(t, sample(t, "ctOutdatedTLSByService"), ct), []row{
			{"eventSource": "cloudtrail.amazonaws.com", "numOutdatedTlsCalls": "1"},
			{"eventSource": "iam.amazonaws.com", "numOutdatedTlsCalls": "1"},
			{"eventSource": "s3.amazonaws.com", "numOutdatedTlsCalls": "1"},
		})
	})
	t.Run("patternTutorialSorted", func(t *testing.T) {
		if n := len(run(t, sample(t, "patternTutorialSorted"), ct).Rows); n != 33 {
			t.Errorf("%d rows, want 33", n)
		}
	})
}

func TestAWSSampleAPIGatewayAndApache(t *testing.T) {
	access := inline(
		`{"status":200,"ip":"198.51.100.1","path":"/","httpMethod":"GET","responseLatency":12}`,
		`{"status":404,"ip":"198.51.100.2","path":"/admin","httpMethod":"GET","responseLatency":3}`,
		`{"status":400,"ip":"198.51.100.3","path":"/api","httpMethod":"POST","responseLatency":1500}`,
		`{"status":500,"ip":"198.51.100.4","path":"/api","httpMethod":"POST","responseLatency":250}`,
		`{"status":499,"ip":"198.51.100.5","path":"/","httpMethod":"GET","responseLatency":30}`,
	)
	t.Run("apigw4xx", func(t *testing.T) {
		wantRows(t, run(t, sample(t, "apigw4xx"), access), []row{
			{"@timestamp": tsAt("02:00:04"), "status": "499", "ip": "198.51.100.5", "path": "/", "httpMethod": "GET"},
			{"@timestamp": tsAt("02:00:02"), "status": "400", "ip": "198.51.100.3", "path": "/api", "httpMethod": "POST"},
			{"@timestamp": tsAt("02:00:01"), "status": "404", "ip": "198.51.100.2", "path": "/admin", "httpMethod": "GET"},
		})
	})
	t.Run("apigwLongest", func(t *testing.T) {
		// Number values sort numerically (1500 > 250 although "1500" < "250").
		got := column(t, run(t, sample(t, "apigwLongest"), access), "responseLatency")
		want := []string{"1500", "250", "30", "12", "3"}
		if len(got) != len(want) {
			t.Fatalf("responseLatency column = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("responseLatency column = %v, want %v", got, want)
			}
		}
	})
	t.Run("apigwPopularPaths", func(t *testing.T) {
		res := run(t, sample(t, "apigwPopularPaths"), access)
		wantRowSet(t, res, []row{
			{"path": "/", "requestCount": "2"}, {"path": "/api", "requestCount": "2"}, {"path": "/admin", "requestCount": "1"},
		})
		if c := column(t, res, "requestCount"); c[2] != "1" {
			t.Errorf("requestCount column = %v, want the 1 last", c)
		}
	})
	t.Run("apacheAdmin", func(t *testing.T) {
		apache := inline(
			`{"remoteIP":"198.51.100.7","request":"GET /admin HTTP/1.1","status":"200","filename":"/var/www/html/admin"}`,
			`{"remoteIP":"198.51.100.8","request":"GET / HTTP/1.1","status":"200","filename":"/var/www/html/index.html"}`,
			`{"remoteIP":"198.51.100.9","request":"POST /admin HTTP/1.1","status":"403","filename":"/var/www/html/admin"}`,
		)
		// filter after sort is allowed.
		wantRows(t, run(t, sample(t, "apacheAdmin"), apache), []row{
			{"@timestamp": tsAt("02:00:02"), "remoteIP": "198.51.100.9", "request": "POST /admin HTTP/1.1", "status": "403", "filename": "/var/www/html/admin"},
			{"@timestamp": tsAt("02:00:00"), "remoteIP": "198.51.100.7", "request": "GET /admin HTTP/1.1", "status": "200", "filename": "/var/www/html/admin"},
		})
	})
	t.Run("apacheRestarts", func(t *testing.T) {
		evs := inline(
			`{"function":"main","process":"httpd","message":"SIGHUP received.  Attempting to restart"}`,
			`{"function":"main","process":"httpd","message":"Apache/2.4.48 configured -- resuming normal operations"}`,
		)
		wantRows(t, run(t, sample(t, "apacheRestarts"), evs), []row{
			{"@timestamp": tsAt("02:00:01"), "function": "main", "process": "httpd", "message": "Apache/2.4.48 configured -- resuming normal operations"},
		})
	})
	t.Run("eventBridgeByDetailType", func(t *testing.T) {
		evs := inline(
			`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2"}`,
			`{"detail-type":"GuardDuty Finding","source":"aws.guardduty"}`,
			`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2"}`,
		)
		got := column(t, run(t, sample(t, "eventBridgeByDetailType"), evs), "numberOfEvents")
		if len(got) != 2 || got[0] != "2" || got[1] != "1" {
			t.Errorf("numberOfEvents column = %v, want [2 1]", got)
		}
	})
}

func TestAWSSampleParse(t *testing.T) {
	t.Run("parseGlobLatency", func(t *testing.T) {
		evs := inline(
			"25 May 2019 10:24:39,474 user=alice, method:GET, latency := 100",
			"25 May 2019 10:24:40,474 user=alice, method:GET, latency := 300",
			"25 May 2019 10:24:41,474 user=bob, method:PUT, latency := 50",
		)
		wantRowSet(t, run(t, sample(t, "parseGlobLatency"), evs), []row{
			{"@method": "GET", "@user": "alice", "avg(@latency)": "200"},
			{"@method": "PUT", "@user": "bob", "avg(@latency)": "50"},
		})
	})
	t.Run("parseDisplayIsError", func(t *testing.T) {
		evs := inline(
			"2021-07-29T02:00:00Z [INFO] job started",
			"2021-07-29T02:00:01Z [ERROR] disk full",
			"2021-07-29T02:00:02Z [DEBUG] tick",
			"no brackets here",
		)
		// Comparisons in display print as 0/1 (trap 6).
		wantRows(t, run(t, sample(t, "parseDisplayIsError"), evs), []row{
			{"loggingMessage": "disk full", "isError": "1"},
			{"loggingMessage": "job started", "isError": "0"},
		})
	})
	t.Run("tkTimeout", func(t *testing.T) {
		evs := inline("request timeout after 30s", "timeout after x", "Timeout after 5s")
		wantRows(t, run(t, sample(t, "tkTimeout"), evs), []row{
			{"@timestamp": tsAt("02:00:00"), "@message": "request timeout after 30s"},
		})
	})
}
