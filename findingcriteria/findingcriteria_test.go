package findingcriteria

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func loadFinding(t testing.TB) Finding {
	t.Helper()
	data, err := os.ReadFile("testdata/bitcointool-dns.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFinding(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// updatedAt of the test finding, 2021-07-29T02:10:00.572Z, in epoch ms.
const updatedMs = "1627524600572"

func TestMatch(t *testing.T) {
	f := loadFinding(t)
	tests := []struct {
		name     string
		criteria string
		want     bool
	}{
		{"the workshop script's criterion", `{"Criterion":{"type":{"Eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`, true},
		{"wire spelling", `{"criterion":{"type":{"eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`, true},
		{"Eq is any-of", `{"Criterion":{"type":{"Eq":["Trojan:EC2/DNSDataExfiltration","CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`, true},
		{"Eq none listed", `{"Criterion":{"type":{"Eq":["Trojan:EC2/DNSDataExfiltration","CryptoCurrency:EC2/BitcoinTool.B"]}}}`, false},
		{"Eq is case-sensitive", `{"Criterion":{"type":{"Eq":["cryptocurrency:ec2/bitcointool.b!dns"]}}}`, false},
		{"Equals long form", `{"Criterion":{"resource.resourceType":{"Equals":["Instance"]}}}`, true},
		{"Neq is none-of: one listed value present", `{"Criterion":{"type":{"Neq":["Recon:EC2/PortProbeUnprotectedPort","CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`, false},
		{"Neq is none-of: no listed value present", `{"Criterion":{"type":{"Neq":["Recon:EC2/PortProbeUnprotectedPort"]}}}`, true},
		{"NotEquals long form", `{"Criterion":{"service.resourceRole":{"NotEquals":["ACTOR"]}}}`, true},
		{"attributes are AND-ed", `{"Criterion":{"type":{"Eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]},"service.resourceRole":{"Eq":["ACTOR"]}}}`, false},
		{"dns domain", `{"Criterion":{"service.action.dnsRequestAction.domain":{"Eq":["pool.minergate.com"]}}}`, true},
		{"dns domain has no trailing dot", `{"Criterion":{"service.action.dnsRequestAction.domain":{"Eq":["pool.minergate.com."]}}}`, false},
		{"instance id", `{"Criterion":{"resource.instanceDetails.instanceId":{"Eq":["i-00aa97663294ffbbd"]}}}`, true},

		{"archived false", `{"Criterion":{"service.archived":{"Eq":["false"]}}}`, true},
		{"archived true", `{"Criterion":{"service.archived":{"Eq":["true"]}}}`, false},
		{"booleans ignore case", `{"Criterion":{"service.archived":{"Eq":["False"]}}}`, true},
		{"blocked false", `{"Criterion":{"service.action.dnsRequestAction.domain":{"Neq":["x"]},"service.archived":{"Neq":["true"]}}}`, true},

		{"severity Gte", `{"Criterion":{"severity":{"Gte":7}}}`, true},
		{"severity Gt equal", `{"Criterion":{"severity":{"Gt":8}}}`, false},
		{"severity GreaterThanOrEqual", `{"Criterion":{"severity":{"GreaterThanOrEqual":8}}}`, true},
		{"severity Lt", `{"Criterion":{"severity":{"Lt":8}}}`, false},
		{"severity Lte", `{"Criterion":{"severity":{"Lte":8}}}`, true},
		{"severity LessThan", `{"Criterion":{"severity":{"LessThan":9}}}`, true},
		{"severity LessThanOrEqual", `{"Criterion":{"severity":{"LessThanOrEqual":7}}}`, false},
		{"severity range: every operator must hold", `{"Criterion":{"severity":{"Gte":4,"Lt":7}}}`, false},
		{"severity range holds", `{"Criterion":{"severity":{"Gte":7,"Lt":9}}}`, true},
		{"severity Eq High list", `{"Criterion":{"severity":{"Eq":["7","8","9"]}}}`, true},
		{"severity Eq Medium list", `{"Criterion":{"severity":{"Eq":["4","5","6"]}}}`, false},
		{"severity Eq as decimal", `{"Criterion":{"severity":{"Eq":["8.0"]}}}`, true},

		{"updatedAt Gte epoch ms", `{"Criterion":{"updatedAt":{"Gte":` + updatedMs + `}}}`, true},
		{"updatedAt Gt epoch ms", `{"Criterion":{"updatedAt":{"Gt":` + updatedMs + `}}}`, false},
		{"updatedAt Lt a day later", `{"Criterion":{"updatedAt":{"LessThan":1627611000572}}}`, true},
		{"updatedAt Eq epoch ms", `{"Criterion":{"updatedAt":{"Eq":["` + updatedMs + `"]}}}`, true},
		{"updatedAt Eq ISO", `{"Criterion":{"updatedAt":{"Eq":["2021-07-29T02:10:00.572Z"]}}}`, true},
		{"launchTime Lte", `{"Criterion":{"resource.instanceDetails.launchTime":{"Lte":1627522770000}}}`, true},

		{"nested array: any interface's public IP", `{"Criterion":{"resource.instanceDetails.networkInterfaces.publicIp":{"Eq":["3.81.58.154"]}}}`, true},
		{"nested array: private addresses two levels down", `{"Criterion":{"resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress":{"Eq":["172.31.32.168"]}}}`, true},
		{"nested array: Neq fails when any element equals", `{"Criterion":{"resource.instanceDetails.networkInterfaces.securityGroups.groupName":{"Neq":["mining"]}}}`, false},
		{"nested array: leaf list", `{"Criterion":{"resource.instanceDetails.networkInterfaces.ipv6Addresses":{"Eq":["2600:1f18:4c5:ab00::10"]}}}`, true},
		{"tag value", `{"Criterion":{"resource.instanceDetails.tags.value":{"Eq":["decoy"]}}}`, true},
		{"tag key absent", `{"Criterion":{"resource.instanceDetails.tags.key":{"Eq":["Owner"]}}}`, false},

		{"absent attribute: Eq false", `{"Criterion":{"resource.accessKeyDetails.userName":{"Eq":["pipeline"]}}}`, false},
		{"absent attribute: Neq true", `{"Criterion":{"resource.accessKeyDetails.userName":{"Neq":["pipeline"]}}}`, true},
		{"absent attribute: Gte false", `{"Criterion":{"service.action.networkConnectionAction.remotePortDetails.port":{"Gte":0}}}`, false},
		{"absent attribute: Lt false", `{"Criterion":{"confidence":{"Lt":100}}}`, false},
		{"null attribute: Eq false", `{"Criterion":{"resource.instanceDetails.iamInstanceProfile.id":{"Eq":["x"]}}}`, false},
		{"null attribute: Neq true", `{"Criterion":{"resource.instanceDetails.outpostArn":{"Neq":["x"]}}}`, true},
		{"user-guide spelling outpostARN", `{"Criterion":{"resource.instanceDetails.outpostARN":{"Eq":["x"]}}}`, false},

		{"additionalInfo from its encoded value", `{"Criterion":{"service.additionalInfo.threatListName":{"Eq":["ProofPoint"]}}}`, true},
		{"empty criterion matches all", `{"Criterion":{}}`, true},
		{"null criterion matches all", `{"Criterion":null}`, true},
		{"no criterion matches all", `{}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.criteria))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.Match(f); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
			// The canonical form means the same.
			back, err := Parse([]byte(c.String()))
			if err != nil {
				t.Fatalf("Parse(String() = %s): %v", c.String(), err)
			}
			if got := back.Match(f); got != tt.want {
				t.Errorf("String() %s: Match = %v, want %v", c.String(), got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, criteria string
		message        string // MessageJSON or MessageValue
		detail         string // substring of Detail
	}{
		{"not JSON", `{"Criterion":`, MessageJSON, "want a JSON object"},
		{"not an object", `["type"]`, MessageJSON, "want a JSON object"},
		{"trailing data", `{} {}`, MessageJSON, "unexpected data"},
		{"unknown top-level member", `{"Criteria":{}}`, MessageJSON, `unknown member "Criteria"`},
		{"both spellings", `{"Criterion":{},"criterion":{}}`, MessageJSON, "both"},
		{"criterion not an object", `{"Criterion":["type"]}`, MessageJSON, "want a JSON object"},
		{"unknown attribute", `{"Criterion":{"resource.instanceDetails.name":{"Eq":["x"]}}}`, MessageValue, `does not filter on the attribute "resource.instanceDetails.name"`},
		{"PascalCase attribute suggests the wire name", `{"Criterion":{"Resource.InstanceDetails.InstanceId":{"Eq":["i-1"]}}}`, MessageValue, `did you mean "resource.instanceDetails.instanceId"`},
		{"unknown operator", `{"Criterion":{"type":{"Contains":["x"]}}}`, MessageJSON, `unknown operator "Contains"`},
		{"operator in the wrong case", `{"Criterion":{"type":{"EQ":["x"]}}}`, MessageJSON, `did you mean "Eq"`},
		{"empty condition", `{"Criterion":{"type":{}}}`, MessageValue, "no operator"},
		{"null condition", `{"Criterion":{"type":null}}`, MessageValue, "null"},
		{"Eq not a list", `{"Criterion":{"type":{"Eq":"CryptoCurrency:EC2/BitcoinTool.B!DNS"}}}`, MessageJSON, "want a list of strings"},
		{"Eq of numbers", `{"Criterion":{"severity":{"Eq":[8]}}}`, MessageJSON, "want a string, got the number 8"},
		{"Eq of booleans", `{"Criterion":{"service.archived":{"Eq":[false]}}}`, MessageJSON, "want a string, got the boolean false"},
		{"Eq empty", `{"Criterion":{"type":{"Eq":[]}}}`, MessageValue, "empty"},
		{"Eq too many values", `{"Criterion":{"type":{"Eq":[` + strings.TrimSuffix(strings.Repeat(`"x",`, 51), ",") + `]}}}`, MessageValue, "51 values; at most 50"},
		{"Gte a string", `{"Criterion":{"severity":{"Gte":"7"}}}`, MessageJSON, `want an integer, got the string "7"`},
		{"Gte a fraction", `{"Criterion":{"severity":{"Gte":7.5}}}`, MessageJSON, "want an integer"},
		{"Gte a list", `{"Criterion":{"severity":{"Gte":[7]}}}`, MessageJSON, "want an integer"},
		{"severity Eq not a number", `{"Criterion":{"severity":{"Eq":["High"]}}}`, MessageValue, `"High" is not one`},
		{"archived Eq not a boolean", `{"Criterion":{"service.archived":{"Eq":["yes"]}}}`, MessageValue, `not "yes"`},
		{"archived Gte", `{"Criterion":{"service.archived":{"Gte":1}}}`, MessageValue, "boolean attribute"},
		{"updatedAt Eq not a time", `{"Criterion":{"updatedAt":{"Eq":["yesterday"]}}}`, MessageValue, "timestamp"},
		{"Matches outside CreateFilter", `{"Criterion":{"type":{"Matches":["Crypto*"]}}}`, MessageValue, "only for CreateFilter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.criteria))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error = %v (%T), want *Error", err, err)
			}
			if e.Message != tt.message {
				t.Errorf("Message = %q, want %q", e.Message, tt.message)
			}
			if !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("Detail = %q, want it to contain %q", e.Detail, tt.detail)
			}
			if e.Code() != "BadRequestException" || !strings.HasPrefix(err.Error(), "BadRequestException: ") {
				t.Errorf("Code %q, Error() %q: want BadRequestException", e.Code(), err.Error())
			}
		})
	}
}

func TestTooManyAttributes(t *testing.T) {
	crit := map[string]any{}
	for i, a := range Attributes() {
		if i > MaxAttributes {
			break
		}
		crit[a] = map[string]any{"Neq": []string{"x"}}
	}
	data, _ := json.Marshal(map[string]any{"Criterion": crit})
	_, err := Parse(data)
	var e *Error
	if !errors.As(err, &e) || e.Message != MessageValue {
		t.Fatalf("Parse(%d attributes) = %v, want the out-of-range error", len(crit), err)
	}
}

// Every attribute AWS lists parses, and the ones the issues name are there.
func TestDocumentedAttributes(t *testing.T) {
	for _, a := range []string{"type", "severity", "service.archived", "updatedAt",
		"resource.instanceDetails.instanceId", "resource.resourceType", "service.action.dnsRequestAction.domain",
		"resource.instanceDetails.networkInterfaces.publicIp", "service.additionalInfo.threatListName",
		"service.additionalInfo.sample", "resource.lambdaDetails.functionName", "service.runtimeDetails.process.executablePath"} {
		if _, _, ok := Attribute(a); !ok {
			t.Errorf("Attribute(%q) not filterable", a)
		}
	}
	for _, a := range Attributes() {
		v := "1"
		if _, kind, _ := Attribute(a); kind == KindBool {
			v = "true"
		}
		if _, err := Parse([]byte(`{"Criterion":{"` + a + `":{"Neq":["` + v + `"]}}}`)); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"", "title", "service.additionalInfo.", "service.additionalInfo..x", "resource"} {
		if _, _, ok := Attribute(a); ok {
			t.Errorf("Attribute(%q) filterable, want not", a)
		}
	}
}

func TestMatches(t *testing.T) {
	f := loadFinding(t)
	for _, tt := range []struct {
		criteria string
		want     bool
	}{
		{`{"Criterion":{"type":{"Matches":["CryptoCurrency:*"]}}}`, true},
		{`{"Criterion":{"type":{"Matches":["*!DNS"]}}}`, true},
		{`{"Criterion":{"type":{"Matches":["*BitcoinTool*"]}}}`, true},
		{`{"Criterion":{"type":{"Matches":["Trojan:*"]}}}`, false},
		{`{"Criterion":{"type":{"NotMatches":["Trojan:*"]}}}`, true},
		{`{"Criterion":{"resource.instanceDetails.tags.value":{"Matches":["de*y"]}}}`, true},
	} {
		c, err := ParseWithOptions([]byte(tt.criteria), Options{AllowMatches: true})
		if err != nil {
			t.Fatalf("%s: %v", tt.criteria, err)
		}
		if got := c.Match(f); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.criteria, got, tt.want)
		}
	}
	if !compileGlob("a*b*c").match("abc") || compileGlob("a*bc*c").match("abc") || !compileGlob("*").match("") {
		t.Error("glob semantics")
	}
}

func TestValuesAndConditions(t *testing.T) {
	f := loadFinding(t)
	got := f.Values("resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress")
	if len(got) != 3 || got[0] != "172.31.32.167" || got[2] != "172.31.40.9" {
		t.Errorf("private addresses = %v", got)
	}
	c := MustParse(`{"Criterion":{"type":{"Eq":["a"]},"severity":{"Lt":9,"Gte":7}}}`)
	conds := c.Conditions()
	if len(conds) != 2 || conds[0].Attribute != "severity" || conds[0].Terms[0].Operator != Gte || conds[0].Terms[1].Operator != Lt ||
		conds[1].Kind != KindString || conds[0].Kind != KindNumber {
		t.Errorf("Conditions = %+v", conds)
	}
	if want := `{"criterion":{"severity":{"gte":7,"lt":9},"type":{"eq":["a"]}}}`; c.String() != want {
		t.Errorf("String = %s, want %s", c.String(), want)
	}
	if Gte.String() != "Gte" || GreaterThanOrEqual.WireName() != "greaterThanOrEqual" || !LessThan.Numeric() || NotEquals.Numeric() {
		t.Error("operator names")
	}
}

func TestParseFindingErrors(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `{"a":1} x`, `{"a":`} {
		if _, err := ParseFinding([]byte(in)); err == nil {
			t.Errorf("ParseFinding(%q) = nil error", in)
		}
	}
}
