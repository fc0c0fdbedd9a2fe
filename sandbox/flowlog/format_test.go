package flowlog

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// WorkshopFormatText is the workshop's 29-field format (workshop-facts.md):
// the 14 default fields, then its extra fields.
const WorkshopFormatText = DefaultFormatText + " ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}"

// v5FormatText is the field order of AWS's version-5 example records.
const v5FormatText = "${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}"

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name, format string
		fields       int
		version      int
		err          string // substring of the message; "" for success
	}{
		{"default", DefaultFormatText, 14, 2, ""},
		{"workshop", WorkshopFormatText, 29, 5, ""},
		{"v5 example order", v5FormatText, 29, 5, ""},
		{"v3 fields", "${srcaddr} ${tcp-flags} ${pkt-dstaddr}", 3, 3, ""},
		{"v4 field", "${version} ${az-id}", 2, 4, ""},
		{"one field", "${srcaddr}", 1, 2, ""},
		{"duplicates", "${srcaddr} ${srcaddr}", 2, 2, ""},
		{"later field", "${srcaddr} ${ecs-task-id}", 2, 7, ""},
		{"empty", "", 0, 0, "1 validation error detected: Value '' at 'logFormat' has an invalid format"},
		{"trailing space", DefaultFormatText + " ", 0, 0, "Value '" + DefaultFormatText + " ' at 'logFormat' has an invalid format"},
		{"leading space", " ${srcaddr}", 0, 0, "has an invalid format"},
		{"two spaces", "${srcaddr}  ${dstaddr}", 0, 0, "has an invalid format"},
		{"tab", "${srcaddr}\t${dstaddr}", 0, 0, "has an invalid format"},
		{"bare word", "srcaddr", 0, 0, "has an invalid format"},
		{"no separator", "${srcaddr}${dstaddr}", 0, 0, "has an invalid format"},
		{"empty field", "${}", 0, 0, "has an invalid format"},
		{"unclosed", "${srcaddr", 0, 0, "has an invalid format"},
		{"unknown field", "${srcaddr} ${colour}", 0, 0, "Unknown fields provided: ${colour}"},
		{"unknown fields once each", "${size} ${srcaddr} ${colour} ${size}", 0, 0, "Unknown fields provided: ${size}, ${colour}"},
		{"case matters", "${SrcAddr}", 0, 0, "Unknown fields provided: ${SrcAddr}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFormat(tc.format)
			if tc.err != "" {
				var fe *FormatError
				if !errors.As(err, &fe) || fe.Code != "InvalidParameter" || !strings.Contains(fe.Message, tc.err) {
					t.Fatalf("err = %v, want InvalidParameter containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Fields()) != tc.fields || f.Version() != tc.version || f.String() != tc.format {
				t.Errorf("%d fields, version %d, text %q", len(f.Fields()), f.Version(), f.String())
			}
		})
	}
}

func TestFieldsAreAWSNames(t *testing.T) {
	want := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status " +
		"vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id " +
		"pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"
	var names []string
	for _, f := range Fields() {
		if f.Version() <= 5 {
			names = append(names, f.Name())
		}
	}
	if got := strings.Join(names, " "); got != want {
		t.Errorf("v2-v5 fields:\n%s\nwant\n%s", got, want)
	}
	for _, f := range Fields() {
		if g, ok := FieldByName(f.Name()); !ok || g != f {
			t.Errorf("FieldByName(%s) = %v, %v", f.Name(), g, ok)
		}
	}
	if DefaultFormat.Header() != strings.Join(strings.Fields(want)[:14], " ") {
		t.Errorf("default header %q", DefaultFormat.Header())
	}
	if Field(0).Name() != "" || fieldEnd.Version() != 0 {
		t.Error("out-of-range fields have names")
	}
}

// AWS's own example records (flow-logs-records-examples) render exactly.
func TestAWSExampleRecords(t *testing.T) {
	eni := &Interface{ID: "eni-1235b8ca123456789", AccountID: "123456789010"}
	v5eni := &Interface{
		ID: "eni-1235b8ca123456789", AccountID: "123456789012", InstanceID: "i-0c50d5961bcb2d47b",
		VPCID: "vpc-abcdefab012345678", SubnetID: "subnet-aaaaaaaa012345678", Region: "ap-southeast-2", AZID: "apse2-az3", Nitro: true,
	}
	v5 := mustParse(v5FormatText)
	a := netip.MustParseAddr
	tests := []struct {
		name   string
		format *Format
		rec    Record
		want   string
	}{
		{"accepted ssh", DefaultFormat, Record{
			Interface: eni, Src: a("172.31.16.139"), Dst: a("172.31.16.21"), SrcPort: 20641, DstPort: 22, Protocol: 6,
			Packets: 20, Bytes: 4249, Start: 1418530010, End: 1418530070, Action: Accept,
		}, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"},
		{"rejected rdp", DefaultFormat, Record{
			Interface: eni, Src: a("172.31.9.69"), Dst: a("172.31.9.12"), SrcPort: 49761, DstPort: 3389, Protocol: 6,
			Packets: 20, Bytes: 4249, Start: 1418530010, End: 1418530070, Action: Reject,
		}, "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"},
		{"no data", DefaultFormat, Record{Interface: eni, Start: 1431280876, End: 1431280934, Status: StatusNoData},
			"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"},
		{"skip data", DefaultFormat, Record{Interface: eni, Start: 1431280876, End: 1431280934, Status: StatusSkipData},
			"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - SKIPDATA"},
		{"v5 ingress from S3", v5, Record{
			Interface: v5eni, Src: a("52.95.128.179"), Dst: a("10.0.0.71"), SrcPort: 80, DstPort: 34210, Protocol: 6,
			Packets: 14, Bytes: 15044, Start: 1616729292, End: 1616729349, Action: Accept, TCPFlags: 19,
			PktSrcAWSService: "S3", Direction: Ingress, TrafficPath: PathInternetGatewayNitro,
		}, "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK"},
		{"v5 egress to S3", v5, Record{
			Interface: v5eni, Src: a("10.0.0.71"), Dst: a("52.95.128.179"), SrcPort: 34210, DstPort: 80, Protocol: 6,
			Packets: 7, Bytes: 471, Start: 1616729292, End: 1616729349, Action: Accept, TCPFlags: 3,
			PktDstAWSService: "S3", Direction: Egress, TrafficPath: PathInternetGatewayNitro,
		}, "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 7 471 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK"},
		{"nat gateway pkt addresses", mustParse("${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}"), Record{
			Interface: eni, Src: a("10.0.1.5"), Dst: a("10.0.0.220"), PktDst: a("203.0.113.5"), Action: Accept,
		}, "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5"},
		{"ipv6 and later fields", mustParse("${type} ${srcaddr} ${reject-reason} ${ecs-task-id} ${sublocation-type}"), Record{
			Interface: eni, Src: a("2001:db8::1"), Dst: a("2001:db8::2"), Action: Reject,
		}, "IPv6 2001:db8::1 - - -"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.format.Render(&tc.rec); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func FuzzParseFormat(f *testing.F) {
	f.Add(DefaultFormatText)
	f.Add(WorkshopFormatText)
	f.Add("${srcaddr}  ${dstaddr} ${colour}")
	f.Add("${}")
	f.Add("${srcaddr} ")
	f.Fuzz(func(t *testing.T, s string) {
		format, err := ParseFormat(s)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Code != "InvalidParameter" || fe.Message == "" {
				t.Fatalf("error %v is not a FormatError", err)
			}
			return
		}
		// Whatever parses is exactly its fields re-joined, and renders.
		parts := make([]string, len(format.Fields()))
		for i, fl := range format.Fields() {
			parts[i] = "${" + fl.Name() + "}"
		}
		if strings.Join(parts, " ") != s {
			t.Fatalf("%q parsed as %q", s, parts)
		}
		if got := len(strings.Split(format.Render(&Record{}), " ")); got != len(parts) {
			t.Fatalf("a record of %d fields for a format of %d", got, len(parts))
		}
	})
}
