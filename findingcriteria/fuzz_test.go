package findingcriteria

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse checks that any input parses or fails with an *Error, never
// panics, and that what parses round-trips through String and evaluates.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"Criterion":{"type":{"Eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`,
		`{"criterion":{"severity":{"gte":7,"lt":9},"service.archived":{"eq":["false"]}}}`,
		`{"Criterion":{"updatedAt":{"GreaterThanOrEqual":1486685375000}}}`,
		`{"Criterion":{"resource.instanceDetails.networkInterfaces.publicIp":{"NotEquals":["1.2.3.4"]}}}`,
		`{"Criterion":{"service.additionalInfo.threatListName":{"Equals":["ProofPoint"]}}}`,
		`{"Criterion":{"type":{"Matches":["*DNS"]}}}`,
		`{"Criterion":null}`, `{}`, `[`, `{"Criterion":{"x":{}}}`, `{"Criterion":{"severity":{"Eq":["1e400"]}}}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	finding, err := os.ReadFile("testdata/bitcointool-dns.json")
	if err != nil {
		f.Fatal(err)
	}
	doc, err := ParseFinding(finding)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, allowMatches bool) {
		c, err := ParseWithOptions(data, Options{AllowMatches: allowMatches})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			return
		}
		want := c.Match(doc)
		back, err := ParseWithOptions([]byte(c.String()), Options{AllowMatches: allowMatches})
		if err != nil {
			t.Fatalf("String() = %s does not parse: %v", c.String(), err)
		}
		if back.String() != c.String() {
			t.Fatalf("String not stable: %s vs %s", c.String(), back.String())
		}
		if got := back.Match(doc); got != want {
			t.Fatalf("round trip changed Match: %v vs %v", want, got)
		}
	})
}

// FuzzFinding evaluates fixed criteria against arbitrary findings.
func FuzzFinding(f *testing.F) {
	data, err := os.ReadFile("testdata/bitcointool-dns.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"severity":"8","updatedAt":12,"service":{"additionalInfo":{"value":"{\"threatListName\":[1,{}]}"}}}`))
	crits := []*Criteria{
		MustParse(`{"Criterion":{"severity":{"Gte":7},"updatedAt":{"Lt":1},"service.additionalInfo.threatListName":{"Neq":["a"]}}}`),
		MustParse(`{"Criterion":{"resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress":{"Eq":["1"]},"service.archived":{"Eq":["true"]}}}`),
	}
	sc := &SortCriteria{AttributeName: "updatedAt", OrderBy: "DESC"}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseFinding(data)
		if err != nil {
			return
		}
		for _, c := range crits {
			c.Match(doc)
		}
		Sort([]Finding{doc, doc}, sc)
	})
}
