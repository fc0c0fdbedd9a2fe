package ec2

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedTime = time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)

type denyAll struct{}

func (denyAll) Authorize(context.Context, api.AuthzRequest) api.Decision { return api.ImplicitDeny }

type allowAll struct{}

func (allowAll) Authorize(context.Context, api.AuthzRequest) api.Decision { return api.Allow }

// do runs one action against svc as an IAM user allowed everything.
func do(t testing.TB, svc *Service, action string, params url.Values) (any, error) {
	t.Helper()
	call := api.NewCall(svc, action, &api.Principal{Type: api.PrincipalIAMUser, ARN: "arn:aws:iam::999999999999:user/pipeline", AccountID: "999999999999"}, allowAll{})
	call.Region, call.RequestID, call.Time = "us-east-1", "req-1", fixedTime
	call.Params = api.ParamsFromValues(params)
	out, err := svc.Handle(context.Background(), call)
	if err == nil && !call.Authorized() {
		t.Fatalf("%s succeeded without authorising", action)
	}
	return out, err
}

// render marshals a result the way the front end does, so golden files
// show the exact XML clients receive inside <ActionResponse>.
func render(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "Response"}}); err != nil {
		t.Fatal(err)
	}
	return append(buf.Bytes(), '\n')
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n%s", name, got)
	}
}

func TestGoldenXML(t *testing.T) {
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time { return fixedTime }})
	run, err := do(t, svc, "RunInstances", url.Values{
		"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {"1"}, "MaxCount": {"1"}, "InstanceType": {"t2.nano"},
		"ClientToken": {"d95702e9-a3cb-4949-b8fb-6b2cef480df3"}, "UserData": {base64.StdEncoding.EncodeToString([]byte("#!/bin/bash\n"))},
		"TagSpecification.1.ResourceType": {"instance"}, "TagSpecification.1.Tag.1.Key": {"Name"}, "TagSpecification.1.Tag.1.Value": {"miner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run_instances.xml", render(t, run))
	desc, err := do(t, svc, "DescribeInstances", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "describe_instances.xml", render(t, desc))
	_, err = do(t, svc, "DescribeInstances", url.Values{"InstanceId.1": {"i-0123456789abcdef0"}})
	var apiErr *api.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error, got %v", err)
	}
	golden(t, "error_instance_not_found.txt", []byte(fmt.Sprintf("%d %s: %s\n", apiErr.HTTPStatus, apiErr.Code, apiErr.Message)))
}

func TestEveryActionAuthorises(t *testing.T) {
	svc := New(Config{AccountID: "999999999999"})
	for action := range handlers {
		t.Run(action, func(t *testing.T) {
			call := api.NewCall(svc, action, &api.Principal{Type: api.PrincipalIAMUser, ARN: "arn:aws:iam::999999999999:user/nobody", AccountID: "999999999999"}, denyAll{})
			call.Region = "eu-west-1"
			call.Params = api.ParamsFromValues(url.Values{})
			_, err := svc.Handle(context.Background(), call)
			var apiErr *api.Error
			if !errors.As(err, &apiErr) || apiErr.Code != "UnauthorizedOperation" {
				t.Errorf("denied caller got %v", err)
			}
		})
	}
}

func TestUnknownActionAndRegions(t *testing.T) {
	svc := New(Config{AccountID: "999999999999"})
	call := api.NewCall(svc, "LaunchRockets", &api.Principal{Type: api.PrincipalRoot}, allowAll{})
	if _, err := svc.Handle(context.Background(), call); err == nil || !strings.Contains(err.Error(), "InvalidAction") {
		t.Errorf("unknown action: %v", err)
	}
	// Regions are independent and created on first use, even unlisted ones.
	for _, region := range []string{"eu-central-1", "xx-future-1"} {
		call := api.NewCall(svc, "DescribeSubnets", &api.Principal{Type: api.PrincipalRoot}, allowAll{})
		call.Region = region
		call.Params = api.ParamsFromValues(url.Values{})
		out, err := svc.Handle(context.Background(), call)
		if err != nil {
			t.Fatal(err)
		}
		subnets := out.(describeSubnetsResult).Subnets
		if len(subnets) != 3 || subnets[0].AvailabilityZone != region+"a" {
			t.Errorf("%s subnets = %+v", region, subnets)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"amzn2-ami-hvm-2.0.????????.?-x86_64-gp2", "amzn2-ami-hvm-2.0.20210721.2-x86_64-gp2", true},
		{"amzn2-ami-hvm-2.0.????????.?-x86_64-gp2", "amzn2-ami-hvm-2.0.20210721.2-arm64-gp2", false},
		{"amzn2-ami-hvm-2.0.????????.?-x86_64-gp2", "amzn2-ami-kernel-5.10-hvm-2.0.20210813.1-x86_64-gp2", false},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{`a\?`, "a?", true},
		{"t3.*", "t3.micro", true},
		{"T3.*", "t3.micro", false},
		{"ü?", "üß", true},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.value); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tc.pattern, tc.value, got)
		}
	}
}

// wildcardOracle translates a pattern to a regular expression, the slow but
// obviously right way, to check wildcardMatch against.
func wildcardOracle(pattern, value string) bool {
	var b strings.Builder
	b.WriteString("^")
	runes := []rune(pattern)
	for i := 0; i < len(runes); i++ {
		switch c := runes[i]; {
		case c == '*':
			b.WriteString("(?s:.*)")
		case c == '?':
			b.WriteString("(?s:.)")
		case c == '\\' && i+1 < len(runes):
			i++
			b.WriteString(regexp.QuoteMeta(string(runes[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(value)
}

func FuzzWildcardMatch(f *testing.F) {
	f.Add("amzn2-ami-hvm-2.0.????????.?-x86_64-gp2", "amzn2-ami-hvm-2.0.20210721.2-x86_64-gp2")
	f.Add(`a\*b*`, "a*bcd")
	f.Add("**?*", "xy")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if !utf8Valid(pattern) || !utf8Valid(value) {
			return
		}
		if got, want := wildcardMatch(pattern, value), wildcardOracle(pattern, value); got != want {
			t.Errorf("wildcardMatch(%q, %q) = %v, oracle says %v", pattern, value, got, want)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func FuzzDecodeUserData(f *testing.F) {
	f.Add([]byte("#!/bin/bash\necho hi\n"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xff}, maxUserDataBytes+1))
	f.Fuzz(func(t *testing.T, raw []byte) {
		encoded := base64.StdEncoding.EncodeToString(raw)
		got, err := decodeUserData(encoded)
		if len(raw) > maxUserDataBytes {
			if err == nil {
				t.Fatalf("%d bytes accepted", len(raw))
			}
			return
		}
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("round trip of %d bytes: %v", len(raw), err)
		}
		// Arbitrary text must never panic, only succeed or fail cleanly.
		_, _ = decodeUserData(string(raw))
	})
}

func FuzzParseLogFormat(f *testing.F) {
	f.Add(DefaultFlowLogFormat)
	f.Add("${srcaddr}  ${dstaddr} ${colour}")
	f.Add("${}")
	f.Fuzz(func(t *testing.T, format string) {
		fields, err := ParseLogFormat(format)
		if err != nil {
			return
		}
		// Whatever parses names known fields and re-renders to an
		// equivalent format.
		var parts []string
		for _, name := range fields {
			if !flowLogFieldSet[name] {
				t.Fatalf("unknown field %q accepted", name)
			}
			parts = append(parts, "${"+name+"}")
		}
		again, err := ParseLogFormat(strings.Join(parts, " "))
		if err != nil || len(again) != len(fields) {
			t.Fatalf("re-rendered format does not parse: %v", err)
		}
	})
}

func TestParseLogFormat(t *testing.T) {
	tests := []struct {
		format string
		fields int
		ok     bool
	}{
		{DefaultFlowLogFormat, 14, true},
		{"${srcaddr}   ${dstaddr}", 2, true},
		{"${srcaddr} ${colour}", 0, false},
		{"srcaddr", 0, false},
		{"${srcaddr}${dstaddr}", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		fields, err := ParseLogFormat(tc.format)
		if (err == nil) != tc.ok || len(fields) != tc.fields {
			t.Errorf("ParseLogFormat(%q) = %d fields, %v", tc.format, len(fields), err)
		}
	}
}

// TestConcurrentUse hammers one service from many goroutines; run it with
// -race.
func TestConcurrentUse(t *testing.T) {
	now := fixedTime
	var mu sync.Mutex
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			region := []string{"us-east-1", "eu-west-1"}[g%2]
			for i := 0; i < 20; i++ {
				for _, step := range []struct {
					action string
					params url.Values
				}{
					{"RunInstances", url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {"1"}, "MaxCount": {"2"}, "InstanceType": {"t2.nano"}}},
					{"DescribeInstances", url.Values{"Filter.1.Name": {"instance-state-name"}, "Filter.1.Value.1": {"running"}}},
					{"DescribeSecurityGroups", url.Values{}},
					{"DescribeTags", url.Values{}},
				} {
					call := api.NewCall(svc, step.action, &api.Principal{Type: api.PrincipalRoot}, allowAll{})
					call.Region = region
					call.Params = api.ParamsFromValues(step.params)
					if _, err := svc.Handle(context.Background(), call); err != nil {
						t.Errorf("%s: %v", step.action, err)
						return
					}
				}
				_ = svc.Instances(region)
			}
		}(g)
	}
	wg.Wait()
	if n := len(svc.Instances("us-east-1")) + len(svc.Instances("eu-west-1")); n != 8*20*2 {
		t.Errorf("%d instances, want %d", n, 8*20*2)
	}
	ids := map[string]bool{}
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		for _, inst := range svc.Instances(r) {
			if ids[inst.ID] || ids[inst.PublicIP] {
				t.Fatalf("duplicate id or public IP: %s %s", inst.ID, inst.PublicIP)
			}
			ids[inst.ID], ids[inst.PublicIP] = true, true
		}
	}
}

func BenchmarkDescribeInstances100(b *testing.B) {
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time { return fixedTime }})
	if _, err := do(b, svc, "RunInstances", url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {"100"}, "MaxCount": {"100"}, "InstanceType": {"t2.nano"}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := do(b, svc, "DescribeInstances", url.Values{})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := xml.NewEncoder(&buf).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPaginate(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	for _, c := range []struct {
		pg        page
		want      []int
		wantToken string
	}{
		{page{}, items, ""},
		{page{size: 2}, []int{1, 2}, encodeToken(2)},
		{page{start: 2, size: 2}, []int{3, 4}, encodeToken(4)},
		{page{start: 4, size: 2}, []int{5}, ""},
		{page{start: 3, size: 2}, []int{4, 5}, ""}, // an exact last page has no token
		{page{start: 9, size: 2}, []int{}, ""},     // a stale token past the end
	} {
		got, next := paginate(c.pg, items)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || next != c.wantToken {
			t.Errorf("%+v: got %v %q, want %v %q", c.pg, got, next, c.want, c.wantToken)
		}
	}
}

func TestSelectByID(t *testing.T) {
	tbl := newTable[vpc]()
	a, b := &vpc{id: "vpc-0000000a"}, &vpc{id: "vpc-0000000b"}
	tbl.add(a.id, a)
	tbl.add(b.id, b)
	if got, err := tbl.selectByID(nil); err != nil || len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("no IDs: got %v, %v; want every VPC in creation order", got, err)
	}
	if got, err := tbl.selectByID([]string{b.id, a.id}); err != nil || len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("named IDs: got %v, %v; want them in request order", got, err)
	}
	_, err := tbl.selectByID([]string{a.id, "vpc-0000000c"})
	if err == nil || err.Error() != notFound("vpc-0000000c").Error() {
		t.Errorf("unknown ID: got %v, want %v", err, notFound("vpc-0000000c"))
	}
}
