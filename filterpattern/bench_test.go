package filterpattern

import "testing"

// cloudTrailEvent is a ~1.5 KB CloudTrail record of the kind the lab's
// filter-log-events searches run over.
const cloudTrailEvent = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAJ45Q7YFFAREXAMPLE","arn":"arn:aws:iam::123456789012:user/Alice","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2024-03-01T09:12:44Z","mfaAuthenticated":"false"}}},"eventTime":"2024-03-01T09:14:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"ap-southeast-1","sourceIPAddress":"192.0.2.1","userAgent":"[aws-cli/2.15.0 Python/3.11.6 Linux/5.10.205-195.807.amzn2.x86_64 exe/x86_64.amzn.2 prompt/off command/s3api.list-buckets]","errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"Host":"s3.ap-southeast-1.amazonaws.com"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"EXAMPLE8fAS0p1eL/3zUBYpVg2mt+9TxNzOlEXAMPLE+1+Zs6DjDEXAMPLEUbBz9dfT8RHwXEXAMPLE=","bytesTransferredOut":243},"requestID":"8E2WPXQ1NEXAMPLE","eventID":"3f6b0c1e-7a4d-4c1b-9d2e-5a8b7c6d5e4f","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"s3.ap-southeast-1.amazonaws.com"},"resources":[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::example-bucket"},{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::example-bucket/logs/2024/03/01/app.log"}]}`

func TestCloudTrailEventPatterns(t *testing.T) {
	if n := len(cloudTrailEvent); n < 1400 || n > 1700 {
		t.Fatalf("benchmark event is %d bytes; keep it near 1.5 KB", n)
	}
	runMatchCases(t, []matchCase{
		{pattern: `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" && $.eventName = ListBuckets }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.sourceIPAddress = "192.0.2.1" }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.userIdentity.sessionContext.attributes.mfaAuthenticated != "true" }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.readOnly IS TRUE && $.responseElements IS NULL }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.additionalEventData.bytesTransferredOut > 200 }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.resources[*].ARN = "arn:aws:s3:::example-bucket/*" }`, match: []string{cloudTrailEvent}},
		{pattern: `{ $.eventName = "CreateUser" || $.eventName = "CreateRole" }`, noMatch: []string{cloudTrailEvent}},
		{pattern: `AccessDenied AKIAIOSFODNN7EXAMPLE 192.0.2.1`, match: []string{cloudTrailEvent}},
	})
}

func BenchmarkMatchJSON(b *testing.B) {
	p := MustParse(`{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" }`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if !p.Match(cloudTrailEvent) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMatchTerms(b *testing.B) {
	p := MustParse(`AccessDenied AKIAIOSFODNN7EXAMPLE -Client.UnauthorizedOperation`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if !p.Match(cloudTrailEvent) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMatchRegex(b *testing.B) {
	p := MustParse(`%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if !p.Match(cloudTrailEvent) {
			b.Fatal("no match")
		}
	}
}
