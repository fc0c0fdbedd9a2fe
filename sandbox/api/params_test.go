package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParamsListsAndStructs(t *testing.T) {
	p, err := ParseParams("Action=RunInstances&InstanceId.2=i-b&InstanceId.1=i-a&InstanceId.10=i-j" +
		"&Filter.1.Name=tag%3AName&Filter.1.Value.1=web&Filter.1.Value.2=db&Filter.2.Name=instance-state-name&Filter.2.Value.1=running" +
		"&Tags.member.1.Key=k&Tags.member.1.Value=v&MinCount=1&DryRun=TRUE&InstanceId.x=ignored&InstanceId.01=ignored")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.List("InstanceId"), []string{"i-a", "i-b", "i-j"}; !reflect.DeepEqual(got, want) {
		t.Errorf("List = %v, want %v", got, want)
	}
	filters := p.Structs("Filter")
	if len(filters) != 2 {
		t.Fatalf("Structs = %d filters, want 2", len(filters))
	}
	if filters[0].Get("Name") != "tag:Name" || !reflect.DeepEqual(filters[0].List("Value"), []string{"web", "db"}) {
		t.Errorf("filter 1 = %q %v", filters[0].Get("Name"), filters[0].List("Value"))
	}
	if filters[1].Get("Name") != "instance-state-name" {
		t.Errorf("filter 2 name = %q", filters[1].Get("Name"))
	}
	tags := p.Structs("Tags.member")
	if len(tags) != 1 || tags[0].Get("Key") != "k" || tags[0].Get("Value") != "v" {
		t.Errorf("tags = %+v", tags)
	}
	if n, ok, err := p.Int("MinCount"); n != 1 || !ok || err != nil {
		t.Errorf("Int = %d %v %v", n, ok, err)
	}
	if b, ok, err := p.Bool("DryRun"); !b || !ok || err != nil {
		t.Errorf("Bool = %v %v %v", b, ok, err)
	}
	if _, ok, _ := p.Int("MaxCount"); ok {
		t.Error("Int reported an absent parameter as present")
	}
}

func TestParamsErrorsNameTheParameter(t *testing.T) {
	p, _ := ParseParams("MinCount=one&DryRun=maybe&Filter.1.MaxResults=x")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"int", func() error { _, _, err := p.Int("MinCount"); return err }(), "InvalidParameterValue: Value (one) for parameter MinCount is invalid. Expected an integer."},
		{"bool", func() error { _, _, err := p.Bool("DryRun"); return err }(), "InvalidParameterValue: Value (maybe) for parameter DryRun is invalid. Expected a boolean."},
		{"nested", func() error { _, _, err := p.Structs("Filter")[0].Int("MaxResults"); return err }(), "InvalidParameterValue: Value (x) for parameter Filter.1.MaxResults is invalid. Expected an integer."},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %q", tt.name, tt.err, tt.want)
		}
	}
	if _, err := ParseParams("a=%zz"); err == nil || AsError(err).Code != "MalformedQueryString" {
		t.Errorf("bad escape: err = %v", err)
	}
}

func TestParamsTree(t *testing.T) {
	p, _ := ParseParams("Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.1.Key=team&Tags.member.1.Value=ir&Tags.member.2.Key=env&Tags.member.2.Value=lab&Path=%2F")
	got, _ := json.Marshal(p.Tree())
	want := `{"path":"/","tags":[{"key":"team","value":"ir"},{"key":"env","value":"lab"}],"userName":"bob"}`
	if string(got) != want {
		t.Errorf("Tree = %s\nwant   %s", got, want)
	}
}

func FuzzParseParams(f *testing.F) {
	f.Add("Action=RunInstances&InstanceId.1=i-a&Filter.1.Name=x&Filter.1.Value.1=y")
	f.Add("a.1=x&a.1.b=y&a..=z&a.99999999999=q&=&%41=1")
	f.Add("Tags.member.1.Key=k&Tags.member.1=v&Tags.member.=w")
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseParams(raw)
		if err != nil {
			if AsError(err).Code != "MalformedQueryString" {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, k := range p.Keys() {
			_ = p.List(k)
			for _, s := range p.Structs(k) {
				_ = s.Keys()
			}
			_, _, _ = p.Int(k)
			_, _, _ = p.Bool(k)
		}
		if _, err := json.Marshal(p.Tree()); err != nil {
			t.Fatalf("Tree not marshalable: %v", err)
		}
	})
}
