package ec2

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// The results that render their own XML; each must match encoding/xml.
var (
	_ api.XMLAppender = describeInstancesResult{}
	_ api.XMLAppender = reservationXML{}
)

// reflectInner renders v exactly as the front end's reflection path does:
// EncodeElement under <x>, minus <x> and </x>.
func reflectInner(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	b := bytes.TrimPrefix(buf.Bytes(), []byte("<x>"))
	return bytes.TrimSuffix(b, []byte("</x>"))
}

func fastInner(v api.XMLAppender) []byte { return v.AppendInnerXML(nil) }

func checkEquivalent(t *testing.T, name string, v api.XMLAppender) {
	t.Helper()
	want := reflectInner(t, v)
	got := fastInner(v)
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-80)
		t.Errorf("%s: fast XML differs from encoding/xml at byte %d:\n fast: %q\n xml:  %q", name, i, got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
	}
	// Appending to a non-empty buffer must keep its prefix.
	prefixed := v.AppendInnerXML([]byte("prefix"))
	if !bytes.HasPrefix(prefixed, []byte("prefix")) || !bytes.Equal(prefixed[len("prefix"):], want) {
		t.Errorf("%s: AppendInnerXML does not append", name)
	}
}

// nastyStrings are the texts escaping has to get right.
var nastyStrings = []string{
	"",
	"plain",
	`<script>alert("x")</script> & 'quotes'`,
	"tab\there\nnewline\r\ncr",
	"bad utf8 \xff\xfe end",
	"\xed\xa0\x80 surrogate",                  // encoded surrogate: invalid
	"\uFFFD real replacement char",            // valid U+FFFD stays
	"\uFFFE\uFFFF non-characters",             // outside XML's Char production
	"\x00\x01\x1f\x7f controls",               // C0 controls are illegal, DEL is not
	"ümlaut 日本語 🚀 \U0010FFFF",                 // multi-byte, top of range
	"\xf4\x90\x80\x80 above U+10FFFF",         // invalid
	"]]> cdata end",                           // no special handling in text
	"trailing incomplete \xe6\x97",            // truncated sequence
	strings.Repeat("&", 3) + "\xc0\xaf" + "<", // overlong encoding
}

// populatedService launches instances in every state, with and without
// public addresses, with tags full of XML special characters, in several
// reservations.
func populatedService(t testing.TB) (*Service, *time.Time) {
	now := fixedTime
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time { return now }})
	run := func(params url.Values) reservationXML {
		t.Helper()
		out, err := do(t, svc, "RunInstances", params)
		if err != nil {
			t.Fatal(err)
		}
		return out.(reservationXML)
	}
	base := func(count string) url.Values {
		return url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {count}, "MaxCount": {count}, "InstanceType": {"t2.nano"}}
	}
	p := base("3")
	p.Set("KeyName", "key <&> \"'")
	p.Set("ClientToken", "tok\x01\xff")
	p.Set("IamInstanceProfile.Name", "profile&co")
	for i, s := range nastyStrings {
		if s == "" {
			continue
		}
		p.Set(fmt.Sprintf("TagSpecification.1.Tag.%d.Key", i+1), fmt.Sprintf("k%02d %s", i, s))
		p.Set(fmt.Sprintf("TagSpecification.1.Tag.%d.Value", i+1), s)
	}
	p.Set("TagSpecification.1.ResourceType", "instance")
	first := run(p)
	run(base("2")) // untagged, default subnet with public IPs

	// A subnet without public addresses.
	vpcOut, err := do(t, svc, "CreateVpc", url.Values{"CidrBlock": {"10.9.0.0/16"}})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := vpcOut.(createVpcResult).Vpc.VpcID
	snOut, err := do(t, svc, "CreateSubnet", url.Values{"VpcId": {vpcID}, "CidrBlock": {"10.9.1.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	p = base("2")
	p.Set("SubnetId", snOut.(createSubnetResult).Subnet.SubnetID)
	p.Set("Monitoring.Enabled", "true")
	p.Set("EbsOptimized", "true")
	run(p)

	// Move the first reservation's instances through the states.
	now = now.Add(time.Minute) // pending -> running
	ids := first.Instances
	if _, err := do(t, svc, "StopInstances", url.Values{"InstanceId.1": {ids[0].InstanceID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := do(t, svc, "TerminateInstances", url.Values{"InstanceId.1": {ids[1].InstanceID}}); err != nil {
		t.Fatal(err)
	}
	return svc, &now
}

func describe(t testing.TB, svc *Service, params url.Values) describeInstancesResult {
	t.Helper()
	out, err := do(t, svc, "DescribeInstances", params)
	if err != nil {
		t.Fatal(err)
	}
	return out.(describeInstancesResult)
}

func TestFastXMLEquivalence(t *testing.T) {
	svc, now := populatedService(t)
	// stopping, shutting-down, running, pending
	checkEquivalent(t, "transitional", describe(t, svc, url.Values{}))
	*now = now.Add(time.Minute) // stopped, terminated, running
	all := describe(t, svc, url.Values{})
	checkEquivalent(t, "settled", all)
	checkEquivalent(t, "paged", describe(t, svc, url.Values{"MaxResults": {"5"}}))
	checkEquivalent(t, "none", describe(t, svc, url.Values{"Filter.1.Name": {"instance-type"}, "Filter.1.Value.1": {"m5.24xlarge"}}))
	run, err := do(t, svc, "RunInstances", url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {"2"}, "MaxCount": {"2"}})
	if err != nil {
		t.Fatal(err)
	}
	checkEquivalent(t, "run", run.(reservationXML))

	states := map[string]bool{}
	for _, res := range all.Reservations {
		for _, x := range res.Instances {
			states[x.InstanceState.Name] = true
		}
	}
	if len(all.Reservations) < 3 || !states["stopped"] || !states["terminated"] || !states["running"] {
		t.Fatalf("fixture lacks variety: %d reservations, states %v", len(all.Reservations), states)
	}

	// Hand-built values for what the handlers never produce.
	full := populated(reflect.TypeFor[describeInstancesResult](), "v").Interface().(describeInstancesResult)
	cases := map[string]api.XMLAppender{
		"zero result":         describeInstancesResult{},
		"empty reservations":  describeInstancesResult{Reservations: []reservationXML{}},
		"zero reservation":    describeInstancesResult{Reservations: []reservationXML{{}}},
		"zero instance":       reservationXML{Instances: []instanceXML{{}}},
		"zero reservationXML": reservationXML{},
		"next token":          describeInstancesResult{NextToken: "a<b"},
		"fully populated":     full,
		"fully populated run": full.Reservations[1],
		"empty nested slices": reservationXML{Groups: []groupIdentifierXML{}, Instances: []instanceXML{{Groups: []groupIdentifierXML{}, Tags: []tagXML{}, NetworkInterfaces: []instanceNetworkInterfaceXML{{}}}}},
		"negative ints":       reservationXML{Instances: []instanceXML{{AmiLaunchIndex: -7, InstanceState: stateXML{Code: -1}}}},
		"nil vs set pointers": reservationXML{Instances: []instanceXML{{StateReason: &stateReasonXML{}}, {IamInstanceProfile: &iamProfileXML{}}}},
	}
	for _, s := range nastyStrings {
		cases["text "+fmt.Sprintf("%q", s)] = stringsInstance([]string{s})
	}
	for name, v := range cases {
		checkEquivalent(t, name, v)
	}
}

// stringsInstance builds a reservation whose every string field comes from
// strs (cycling), and whose ints and bools vary with the strings' lengths.
func stringsInstance(strs []string) reservationXML {
	i := 0
	next := func() string { s := strs[i%len(strs)]; i++; return s }
	n := func() int { return len(next()) - 3 }
	b := func() bool { return len(next())%2 == 1 }
	assoc := func() *eniAssociationXML {
		if b() {
			return nil
		}
		return &eniAssociationXML{IPOwnerID: next(), PublicDNSName: next(), PublicIP: next()}
	}
	x := instanceXML{
		InstanceID: next(), ImageID: next(), InstanceState: stateXML{Code: n(), Name: next()},
		PrivateDNSName: next(), DNSName: next(), Reason: next(), KeyName: next(), AmiLaunchIndex: n(),
		InstanceType: next(), LaunchTime: next(), Placement: placementXML{next(), next(), next()}, Platform: next(),
		SubnetID: next(), VpcID: next(), PrivateIPAddress: next(), IPAddress: next(), SourceDestCheck: b(),
		Groups:       []groupIdentifierXML{{next(), next()}, {next(), next()}},
		Architecture: next(), RootDeviceType: next(), RootDeviceName: next(),
		BlockDeviceMapping: []instanceBlockDeviceXML{{DeviceName: next(), Ebs: instanceEbsXML{next(), next(), next(), b()}}},
		VirtualizationType: next(), ClientToken: next(), Tags: []tagXML{{next(), next()}, {next(), next()}}, Hypervisor: next(),
		EbsOptimized: b(), EnaSupport: b(), CPUOptions: cpuOptionsXML{n(), n()},
		MetadataOptions: metadataOptionsXML{next(), next(), n(), next(), next(), next()},
		PlatformDetails: next(), UsageOperation: next(), UsageOperationUpdated: next(), CurrentBootMode: next(),
	}
	x.Monitoring.State = next()
	x.CapacityReservation.Preference = next()
	x.HibernationOptions.Configured = b()
	x.EnclaveOptions.Enabled = b()
	x.MaintenanceOptions.AutoRecovery = next()
	if !b() {
		x.StateReason = &stateReasonXML{next(), next()}
	}
	if !b() {
		x.IamInstanceProfile = &iamProfileXML{next(), next()}
	}
	a := assoc()
	x.NetworkInterfaces = []instanceNetworkInterfaceXML{{
		NetworkInterfaceID: next(), SubnetID: next(), VpcID: next(), Description: next(), OwnerID: next(), Status: next(),
		MacAddress: next(), PrivateIPAddress: next(), PrivateDNSName: next(), SourceDestCheck: b(),
		Groups:             []groupIdentifierXML{{next(), next()}},
		Attachment:         instanceEniAttachmentXML{next(), n(), next(), next(), b(), n()},
		Association:        a,
		PrivateIPAddresses: []instancePrivateIPXML{{next(), next(), b(), a}, {next(), next(), b(), assoc()}},
		InterfaceType:      next(),
	}}
	res := reservationXML{ReservationID: next(), OwnerID: next(), RequesterID: next(), Groups: []groupIdentifierXML{{next(), next()}}}
	res.Instances = []instanceXML{x}
	if b() {
		res.Instances = append(res.Instances, instanceXML{InstanceID: next(), Tags: []tagXML{{next(), next()}}})
	}
	return res
}

func FuzzInstanceXMLEquivalence(f *testing.F) {
	for _, s := range nastyStrings {
		f.Add(s, "x", s+"<&>")
	}
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		res := stringsInstance([]string{a, b, c, a + b, "", c + a})
		checkEquivalent(t, "reservation", res)
		checkEquivalent(t, "describe", describeInstancesResult{Reservations: []reservationXML{res, res}, NextToken: b})
	})
}

// populated returns a value of type t with every field set: strings to
// distinct non-empty text, numbers to non-zero, bools to true, pointers
// allocated and slices with two elements, so that every element
// encoding/xml knows about appears in its output.
func populated(t reflect.Type, path string) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString(path)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(path)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(populated(t.Elem(), path).Addr())
	case reflect.Slice:
		s := reflect.MakeSlice(t, 2, 2)
		for i := range 2 {
			s.Index(i).Set(populated(t.Elem(), fmt.Sprintf("%s[%d]", path, i)))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				v.Field(i).Set(populated(t.Field(i).Type, path+"."+t.Field(i).Name))
			}
		}
	default:
		panic("populated: unhandled kind " + t.Kind().String())
	}
	return v
}

var elementName = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9]*)>`)

// elementPaths lists the distinct element paths (a/b/c, items collapsed)
// in a flat XML document.
func elementPaths(b []byte) []string {
	seen := map[string]bool{}
	var stack []string
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			seen[strings.Join(stack, "/")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestFastXMLCoversEveryField keeps the hand-written XML from drifting
// behind the structs: a value with every field populated, found by
// reflection, must render every element encoding/xml renders, in the
// same bytes. Adding a field to instanceXML (or any type it holds) without
// adding it to xml_fast.go fails here.
func TestFastXMLCoversEveryField(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[describeInstancesResult](), reflect.TypeFor[reservationXML]()} {
		v := populated(typ, "v").Interface().(api.XMLAppender)
		want := reflectInner(t, v)
		got := fastInner(v)
		wrapped := func(b []byte) []byte { return append(append([]byte("<x>"), b...), "</x>"...) }
		wantPaths, gotPaths := elementPaths(wrapped(want)), elementPaths(wrapped(got))
		gotSet := map[string]bool{}
		for _, p := range gotPaths {
			gotSet[p] = true
		}
		var missing []string
		for _, p := range wantPaths {
			if !gotSet[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%v: the fast path does not render %v", typ, missing)
		}
		if len(wantPaths) < 100 {
			t.Errorf("%v: only %d element paths; is the populated value really full?", typ, len(wantPaths))
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%v: fully populated value renders differently:\n fast: %s\n xml:  %s", typ, got, want)
		}
	}
	// Every leaf field of the types must have been exercised: count the
	// struct fields reachable from instanceXML and compare with the number
	// of distinct element names under one instance.
	n := countLeafFields(reflect.TypeFor[instanceXML]())
	v := populated(reflect.TypeFor[instanceXML](), "v").Interface()
	names := elementName.FindAll(reflectInner(t, v), -1)
	if len(names) < n {
		t.Errorf("instanceXML has %d leaf fields but renders only %d elements", n, len(names))
	}
}

func countLeafFields(t reflect.Type) int {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return countLeafFields(t.Elem())
	case reflect.Struct:
		n := 0
		for i := range t.NumField() {
			n += countLeafFields(t.Field(i).Type)
		}
		return n
	}
	return 1
}

func BenchmarkInstancesXML100(b *testing.B) {
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time { return fixedTime }})
	if _, err := do(b, svc, "RunInstances", url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {"100"}, "MaxCount": {"100"}, "InstanceType": {"t2.nano"},
		"TagSpecification.1.ResourceType": {"instance"}, "TagSpecification.1.Tag.1.Key": {"bench"}, "TagSpecification.1.Tag.1.Value": {"describe"}}); err != nil {
		b.Fatal(err)
	}
	out := describe(b, svc, url.Values{})
	b.Run("reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var buf bytes.Buffer
			enc := xml.NewEncoder(&buf)
			if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: "x"}}); err != nil {
				b.Fatal(err)
			}
			_ = enc.Flush()
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = out.AppendInnerXML(make([]byte, 0, 4096))
		}
	})
	// The whole handler plus rendering, with the benchmark's tag filter.
	params := url.Values{"Filter.1.Name": {"tag:bench"}, "Filter.1.Value.1": {"describe"}}
	b.Run("handler+fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := describe(b, svc, params)
			_ = out.AppendInnerXML(make([]byte, 0, 4096))
		}
	})
}

// BenchmarkDescribeInstancesAmongMany is the sandboxmoto benchmark's
// DescribeInstances late in a run: 100 tagged instances found by a tag
// filter among thousands launched since, some still pending.
func BenchmarkDescribeInstancesAmongMany(b *testing.B) {
	now := fixedTime
	svc := New(Config{AccountID: "999999999999", Clock: func() time.Time { return now }})
	launch := func(n string, tagged bool) {
		p := url.Values{"ImageId": {"ami-0c2b8ca1dad447f8a"}, "MinCount": {n}, "MaxCount": {n}, "InstanceType": {"t2.nano"}}
		if tagged {
			p.Set("TagSpecification.1.ResourceType", "instance")
			p.Set("TagSpecification.1.Tag.1.Key", "bench")
			p.Set("TagSpecification.1.Tag.1.Value", "describe")
		}
		if _, err := do(b, svc, "RunInstances", p); err != nil {
			b.Fatal(err)
		}
	}
	launch("100", true)
	for range 30 {
		launch("100", false)
	}
	now = now.Add(time.Minute)
	launch("10", false) // pending: reads run the settle pass
	params := url.Values{"Filter.1.Name": {"tag:bench"}, "Filter.1.Value.1": {"describe"}}
	b.ReportAllocs()
	for b.Loop() {
		out := describe(b, svc, params)
		_ = out.AppendInnerXML(make([]byte, 0, 4096))
	}
}
