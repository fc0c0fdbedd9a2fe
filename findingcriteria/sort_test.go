package findingcriteria

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mkFinding(t *testing.T, id string, severity string, updated string) Finding {
	t.Helper()
	doc := `{"id":"` + id + `"`
	if severity != "" {
		doc += `,"severity":` + severity
	}
	if updated != "" {
		doc += `,"updatedAt":"` + updated + `"`
	}
	f, err := ParseFinding([]byte(doc + "}"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ids(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprint(f.Doc()["id"]))
	}
	return strings.Join(out, ",")
}

func TestSort(t *testing.T) {
	base := func() []Finding {
		return []Finding{
			mkFinding(t, "a", "8", "2021-07-29T02:10:00.000Z"),
			mkFinding(t, "b", "2", "2021-07-29T02:11:00.000Z"),
			mkFinding(t, "c", "", "2021-07-29T02:09:59.999Z"),
			mkFinding(t, "d", "10", ""),
			mkFinding(t, "e", "8", "2021-07-29T02:12:00Z"),
		}
	}
	for _, tt := range []struct {
		sc   *SortCriteria
		want string
	}{
		{nil, "a,b,c,d,e"},
		{&SortCriteria{}, "a,b,c,d,e"},
		{&SortCriteria{AttributeName: "severity"}, "b,a,e,d,c"}, // numeric, not text ("10" < "2"); stable; missing last
		{&SortCriteria{AttributeName: "severity", OrderBy: "ASC"}, "b,a,e,d,c"},
		{&SortCriteria{AttributeName: "severity", OrderBy: "DESC"}, "d,a,e,b,c"},  // missing last in DESC too
		{&SortCriteria{AttributeName: "updatedAt", OrderBy: "DESC"}, "e,b,a,c,d"}, // as times: .000Z vs Z formats mix
		{&SortCriteria{AttributeName: "id", OrderBy: "DESC"}, "e,d,c,b,a"},
	} {
		fs := base()
		Sort(fs, tt.sc)
		if got := ids(fs); got != tt.want {
			t.Errorf("Sort(%+v) = %s, want %s", tt.sc, got, tt.want)
		}
	}
}

func TestParseSortCriteria(t *testing.T) {
	for _, in := range []string{`{"AttributeName":"severity","OrderBy":"DESC"}`, `{"attributeName":"severity","orderBy":"DESC"}`} {
		sc, err := ParseSortCriteria([]byte(in))
		if err != nil || sc.AttributeName != "severity" || sc.OrderBy != "DESC" {
			t.Errorf("ParseSortCriteria(%s) = %+v, %v", in, sc, err)
		}
		if sc.String() != `{"attributeName":"severity","orderBy":"DESC"}` {
			t.Errorf("String = %s", sc.String())
		}
	}
	for _, in := range []string{`{"OrderBy":"desc"}`, `{"OrderBy":1}`, `{"Attribute":"x"}`, `{"AttributeName":"a..b"}`, `[]`} {
		_, err := ParseSortCriteria([]byte(in))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseSortCriteria(%s) = %v, want *Error", in, err)
		}
	}
}
