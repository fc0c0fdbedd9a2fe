package logs

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestCreateLogGroupErrors(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("/aws/existing")
	tests := []struct {
		name     string
		body     any
		code     string
		contains string
	}{
		{"duplicate", m{"logGroupName": "/aws/existing"}, "ResourceAlreadyExistsException", "The specified log group already exists"},
		{"missing name", m{}, "InvalidParameterException", "Member must not be null"},
		{"bad character", m{"logGroupName": "bad:name"}, "InvalidParameterException", "regular expression pattern"},
		{"too long", m{"logGroupName": strings.Repeat("a", 513)}, "InvalidParameterException", "less than or equal to 512"},
		{"bad class", m{"logGroupName": "x", "logGroupClass": "COLD"}, "InvalidParameterException", "enum value set"},
		{"empty tags", m{"logGroupName": "x", "tags": m{}}, "InvalidParameterException", "greater than or equal to 1"},
		{"bad tag key", m{"logGroupName": "x", "tags": m{"a*b": "v"}}, "InvalidParameterException", "Map keys"},
		{"malformed json", "{", "SerializationException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := h.fail("CreateLogGroup", tc.body)
			if err.Code != tc.code || !strings.Contains(err.Message, tc.contains) {
				t.Errorf("got %s: %s, want %s containing %q", err.Code, err.Message, tc.code, tc.contains)
			}
		})
	}
	// 512 characters is still a valid name.
	h.createGroup(strings.Repeat("a", 512))
}

func TestDescribeLogGroups(t *testing.T) {
	h := newHarness(t, 0)
	for _, n := range []string{"/aws/lambda/fn", "/aws/lambda/Other", "CloudTrail/DataLogs", "app", "/irdrill/vpc"} {
		h.createGroup(n)
	}
	h.do("CreateLogGroup", m{"logGroupName": "cold", "logGroupClass": "INFREQUENT_ACCESS", "kmsKeyId": "arn:aws:kms:us-east-1:999999999999:key/k"}, nil)
	h.do("PutRetentionPolicy", m{"logGroupName": "app", "retentionInDays": 30}, nil)

	names := func(body m) []string {
		var out describeLogGroupsOutput
		h.do("DescribeLogGroups", body, &out)
		got := []string{}
		for _, g := range out.LogGroups {
			got = append(got, g.LogGroupName)
		}
		return got
	}
	tests := []struct {
		name string
		body m
		want []string
	}{
		{"all sorted", m{}, []string{"/aws/lambda/Other", "/aws/lambda/fn", "/irdrill/vpc", "CloudTrail/DataLogs", "app", "cold"}},
		{"prefix", m{"logGroupNamePrefix": "/aws/"}, []string{"/aws/lambda/Other", "/aws/lambda/fn"}},
		{"pattern is a case-sensitive substring", m{"logGroupNamePattern": "DataLogs"}, []string{"CloudTrail/DataLogs"}},
		{"pattern other case", m{"logGroupNamePattern": "datalogs"}, []string{}},
		{"class", m{"logGroupClass": "INFREQUENT_ACCESS"}, []string{"cold"}},
		{"identifiers", m{"logGroupIdentifiers": []string{"app", "arn:aws:logs:us-east-1:999999999999:log-group:cold"}}, []string{"app", "cold"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("fields", func(t *testing.T) {
		var out describeLogGroupsOutput
		h.do("DescribeLogGroups", m{"logGroupNamePrefix": "app"}, &out)
		g := out.LogGroups[0]
		if g.Arn != "arn:aws:logs:us-east-1:999999999999:log-group:app:*" || g.LogGroupArn != "arn:aws:logs:us-east-1:999999999999:log-group:app" {
			t.Errorf("arns %q %q", g.Arn, g.LogGroupArn)
		}
		if g.RetentionInDays == nil || *g.RetentionInDays != 30 || g.LogGroupClass != "STANDARD" || g.CreationTime != nowMS() {
			t.Errorf("group %+v", g)
		}
	})

	t.Run("pagination", func(t *testing.T) {
		var all []string
		token := ""
		for pages := 0; ; pages++ {
			body := m{"limit": 4}
			if token != "" {
				body["nextToken"] = token
			}
			var out describeLogGroupsOutput
			h.do("DescribeLogGroups", body, &out)
			for _, g := range out.LogGroups {
				all = append(all, g.LogGroupName)
			}
			if out.NextToken == "" {
				break
			}
			token = out.NextToken
			if pages > 3 {
				t.Fatal("pagination does not end")
			}
		}
		if want := names(m{}); !reflect.DeepEqual(all, want) {
			t.Errorf("paged %v, want %v", all, want)
		}
	})

	errs := []struct {
		name string
		body m
		code string
	}{
		{"prefix and pattern", m{"logGroupNamePrefix": "a", "logGroupNamePattern": "b"}, "InvalidParameterException"},
		{"limit 0", m{"limit": 0}, "InvalidParameterException"},
		{"limit 51", m{"limit": 51}, "InvalidParameterException"},
		{"bad token", m{"nextToken": "%%%"}, "InvalidParameterException"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.fail("DescribeLogGroups", tc.body); err.Code != tc.code {
				t.Errorf("got %s, want %s", err.Code, tc.code)
			}
		})
	}
}

func TestDeleteLogGroup(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	h.do("DeleteLogGroup", m{"logGroupName": "g"}, nil)
	err := h.fail("DeleteLogGroup", m{"logGroupName": "g"})
	if err.Code != "ResourceNotFoundException" || err.Message != "The specified log group does not exist." {
		t.Errorf("got %v", err)
	}
	// A recreated group starts empty.
	h.createGroup("g")
	var out describeLogStreamsOutput
	h.do("DescribeLogStreams", m{"logGroupName": "g"}, &out)
	if len(out.LogStreams) != 0 {
		t.Errorf("recreated group has streams %v", out.LogStreams)
	}
}

func TestRetentionPolicyValues(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	for _, days := range []int{0, 2, 4, 10, 366, 3654, -1} {
		if err := h.fail("PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": days}); err.Code != "InvalidParameterException" {
			t.Errorf("%d days: got %v", days, err)
		}
	}
	for days := range validRetention {
		h.do("PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": days}, nil)
	}
	if err := h.fail("PutRetentionPolicy", m{"logGroupName": "nope", "retentionInDays": 1}); err.Code != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
	h.do("DeleteRetentionPolicy", m{"logGroupName": "g"}, nil)
	var out describeLogGroupsOutput
	h.do("DescribeLogGroups", m{}, &out)
	if out.LogGroups[0].RetentionInDays != nil {
		t.Errorf("retention still %d", *out.LogGroups[0].RetentionInDays)
	}
}

func TestTags(t *testing.T) {
	h := newHarness(t, 0)
	h.do("CreateLogGroup", m{"logGroupName": "g", "tags": m{"team": "ir"}}, nil)
	arn := "arn:aws:logs:us-east-1:999999999999:log-group:g"
	h.do("TagResource", m{"resourceArn": arn, "tags": m{"env": "drill"}}, nil)
	h.do("TagLogGroup", m{"logGroupName": "g", "tags": m{"old": "api"}}, nil)
	var out tagsOutput
	h.do("ListTagsForResource", m{"resourceArn": arn}, &out)
	if want := map[string]string{"team": "ir", "env": "drill", "old": "api"}; !reflect.DeepEqual(out.Tags, want) {
		t.Errorf("tags %v, want %v", out.Tags, want)
	}
	h.do("UntagResource", m{"resourceArn": arn, "tagKeys": []string{"team"}}, nil)
	h.do("UntagLogGroup", m{"logGroupName": "g", "tags": []string{"old"}}, nil)
	var after tagsOutput
	h.do("ListTagsLogGroup", m{"logGroupName": "g"}, &after)
	if want := map[string]string{"env": "drill"}; !reflect.DeepEqual(after.Tags, want) {
		t.Errorf("tags %v, want %v", after.Tags, want)
	}

	many := m{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	if err := h.fail("TagResource", m{"resourceArn": arn, "tags": many}); err.Code != "TooManyTagsException" {
		t.Errorf("51 tags: %v", err)
	}
	for name, body := range map[string]m{
		"arn with :*":   {"resourceArn": arn + ":*"},
		"other account": {"resourceArn": "arn:aws:logs:us-east-1:111111111111:log-group:g"},
		"missing group": {"resourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:nope"},
	} {
		if err := h.fail("ListTagsForResource", body); err.Code != "InvalidParameterException" && err.Code != "ResourceNotFoundException" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
