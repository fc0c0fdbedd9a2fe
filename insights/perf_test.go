package insights

import (
	"context"
	"fmt"
	"testing"
)

// syntheticCloudTrail builds a ~1.5 KB CloudTrail record; every 10th one
// carries an AccessDenied error.
func syntheticCloudTrail(i int) EventInput {
	errPart := ""
	if i%10 == 0 {
		errPart = `"errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::999999999999:user/pipeline is not authorized to perform: iam:ListUsers",`
	}
	msg := fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::999999999999:user/pipeline","accountId":"999999999999","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"pipeline","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2021-07-29T01:30:00Z","mfaAuthenticated":"false"}}},"eventTime":"2021-07-29T01:%02d:%02dZ","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","userAgent":"aws-cli/2.2.5 Python/3.8.8 Linux/4.14.243-185.433.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances",%s"requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef%d"}]},"filterSet":{},"includeAllInstances":false},"responseElements":null,"requestID":"8a2f4b7c-1d2e-4f5a-9b8c-%012d","eventID":"c1d2e3f4-a5b6-4c7d-8e9f-%012d","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"999999999999","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"},"additionalEventData":{"x":"%064d"}}`,
		i/60%60, i%60, i%250, errPart, i%10, i, i, i)
	return EventInput{Timestamp: int64(1627520000000 + i), IngestionTime: int64(1627520060000 + i), Message: msg,
		LogStream: "999999999999_CloudTrail_us-east-1", LogGroup: "999999999999:irdrill-cloudtrail", Ptr: fmt.Sprintf("ptr-%d", i)}
}

func BenchmarkLabQueries(b *testing.B) {
	const n = 200000
	events := make([]*Event, n)
	raw, stored := 0, 0
	for i := range events {
		in := syntheticCloudTrail(i)
		events[i] = NewEvent(in)
		raw += len(in.Message)
		stored += events[i].SizeBytes()
	}
	b.Logf("avg message %d bytes, stored/raw = %.3f", raw/n, float64(stored)/float64(raw))
	for _, qs := range []string{
		`filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`,
		`stats count(*) by sourceIPAddress`,
	} {
		q, err := Parse(qs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(qs[:20], func(b *testing.B) {
			for b.Loop() {
				if _, err := q.Run(context.Background(), events, RunOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkNewEvent(b *testing.B) {
	in := syntheticCloudTrail(10)
	b.SetBytes(int64(len(in.Message)))
	for b.Loop() {
		NewEvent(in)
	}
}
