package world

import (
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedDigNames are the 11 names persist.sh digs, typo included.
var seedDigNames = []string{
	"donate.v2.xmrig.com", "systemten.org", "xmr.pool.minergate.comac", "pool.minergate.com",
	"dockerupdate.anondns.net", "rspca-northamptonshire.org.uk", "xmrpool.eu", "cryptofollow.com",
	"xmr-usa.dwarfpool.com", "xmr-eu.dwarfpool.com", "xmr-eu1.nanopool.org",
}

// Every world-file error names the file, line and column; the golden files
// hold the whole message list.
func TestParseErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(file)
			w, err := Parse(name, data)
			if err == nil {
				t.Fatalf("parsed without error: %+v", w)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			for _, e := range list {
				if e.File != name || (e.Line == 0 && !strings.Contains(e.Msg, "empty") && !strings.Contains(e.Msg, "bytes")) {
					t.Errorf("error without a position: %v", e)
				}
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".golden", err.Error()+"\n")
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestParseErrorCases(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", "", "x.yaml: the world file is empty"},
		{"comment only", "# nothing\n", "x.yaml: the world file is empty"},
		{"version", "version: 2\nnames: []\n", `x.yaml:1:10: version: version 2 is not supported`},
		{"unknown top key", "nmaes: []\n", `x.yaml:1:1: nmaes: unknown key "nmaes"`},
		{"names not a list", "names: {a: 1}\n", "x.yaml:1:8: names: must be a list, not a mapping"},
		{"ttl negative", "names:\n- name: a.b\n  a: 192.0.2.1\n  ttl: -1\n", `x.yaml:4:8: names[0].ttl: "-1" is not a TTL`},
		{"a is v6", "names:\n- name: a.b\n  a: [\"2001:db8::1\"]\n", `x.yaml:3:7: names[0].a[0]: "2001:db8::1" is not an IPv4 address`},
		{"txt too long", "names:\n- name: a.b\n  txt: [" + strings.Repeat("x", 256) + "]\n", "names[0].txt[0]: a TXT string holds at most 255 bytes"},
		{"category", "threats:\n- domain: a.b\n  category: spam\n", `x.yaml:3:13: threats[0].category: unknown category "spam"`},
		{"prefix host bits", "threats:\n- address: 192.0.2.1/24\n  category: command-and-control\n", "did you mean 192.0.2.0/24?"},
		{"duplicate key", "names: []\nnames: []\n", "x.yaml:2:1"},
		{"nested aliases", laughs(), "names[1].txt[0]: must be a string, not a list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// laughs builds nested aliases that would expand to 10^10 strings if a
// decoder expanded them blindly.
func laughs() string {
	var sb strings.Builder
	sb.WriteString("names:\n")
	for i := range 10 {
		sb.WriteString("  - name: a" + strconv.Itoa(i) + ".example.com\n    txt: &a" + strconv.Itoa(i) + " [")
		for j := range 10 {
			if j > 0 {
				sb.WriteString(", ")
			}
			if i == 0 {
				sb.WriteString("x")
			} else {
				sb.WriteString("*a" + strconv.Itoa(i-1))
			}
		}
		sb.WriteString("]\n")
	}
	return sb.String()
}

func TestLoadReportsMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); err == nil || !strings.Contains(err.Error(), "load world") {
		t.Errorf("err = %v", err)
	}
	path := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(path, []byte("names:\n  - name: a.example.com\n    a: [192.0.2.1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Load(path)
	if err != nil || w.Source() != path {
		t.Fatalf("Load = %v, %v", w, err)
	}
}

func TestResolveDefaultWorld(t *testing.T) {
	w := Default()
	tests := []struct {
		name, qtype, rcode string
		want               []string // "NAME TYPE TTL DATA"
	}{
		{"pool.minergate.com", "A", "NOERROR", []string{"pool.minergate.com A 300 198.51.100.10"}},
		{"POOL.MinerGate.com.", "a", "NOERROR", []string{"pool.minergate.com A 300 198.51.100.10"}},
		{"xmr.pool.minergate.com", "A", "NOERROR", []string{"xmr.pool.minergate.com A 300 198.51.100.11"}},
		{"pool.minergate.com", "AAAA", "NOERROR", nil},
		{"donate.v2.xmrig.com", "AAAA", "NOERROR", []string{"donate.v2.xmrig.com AAAA 300 2001:db8:5100::12"}},
		{"xmr.pool.minergate.comac", "A", "NXDOMAIN", nil},
		{"no.such.name.example.org", "A", "NXDOMAIN", nil},
		{"CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", "A", "NOERROR", []string{"CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com A 300 198.51.100.40"}},
		{"a.b.c.afsdem.com", "A", "NOERROR", []string{"a.b.c.afsdem.com A 300 198.51.100.40"}},
		{"x.afsdem.com", "TXT", "NOERROR", nil},
		{"afsdem.com", "ANY", "NOERROR", []string{"afsdem.com A 300 198.51.100.40", `afsdem.com TXT 300 "v=spf1 -all"`}},
		{"www.example.com", "A", "NOERROR", []string{"www.example.com CNAME 300 example.com.", "example.com A 300 203.0.113.10"}},
		{"www.example.com", "CNAME", "NOERROR", []string{"www.example.com CNAME 300 example.com."}},
		{"11.100.51.198.in-addr.arpa", "PTR", "NOERROR", []string{"11.100.51.198.in-addr.arpa PTR 300 xmr.pool.minergate.com."}},
		// An ancestor of a defined name exists (RFC 8020): no data, not NXDOMAIN.
		{"com", "A", "NOERROR", nil},
		{"pool.minergate.com", "MX", "NOERROR", nil},
		{"bad..name", "A", "FORMERR", nil},
		{strings.Repeat("x", 64) + ".com", "A", "FORMERR", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.qtype, func(t *testing.T) {
			a := w.Resolve(tc.name, tc.qtype)
			if a.RCode != tc.rcode {
				t.Fatalf("rcode %s, want %s", a.RCode, tc.rcode)
			}
			var got []string
			for _, r := range a.Records {
				got = append(got, r.Name+" "+r.Type+" "+itoa(r.TTL)+" "+r.Data)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("records %q, want %q", got, tc.want)
			}
			if (a.RCode == "NXDOMAIN" || len(a.Records) == 0) && a.RCode != "FORMERR" && a.NegativeTTL != 300 {
				t.Errorf("negative TTL %d, want the world's 300", a.NegativeTTL)
			}
		})
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func TestWildcardYieldsToExistingNames(t *testing.T) {
	w, err := Parse("w.yaml", []byte(`
names:
  - name: "*.example.com"
    a: [192.0.2.1]
  - name: host.sub.example.com
    a: [192.0.2.2]
  - name: alias.example.com
    cname: gone.example.org
`))
	if err != nil {
		t.Fatal(err)
	}
	// sub.example.com exists (an empty non-terminal): the wildcard does not
	// answer below it (RFC 4592 §2.2.1), and sub itself has no data.
	if a := w.Resolve("other.sub.example.com", "A"); a.RCode != "NXDOMAIN" {
		t.Errorf("below an existing name: %+v", a)
	}
	if a := w.Resolve("sub.example.com", "A"); a.RCode != "NOERROR" || len(a.Records) != 0 {
		t.Errorf("empty non-terminal: %+v", a)
	}
	if a := w.Resolve("anything.example.com", "A"); a.RCode != "NOERROR" || len(a.Records) != 1 {
		t.Errorf("wildcard: %+v", a)
	}
	// A CNAME out of the world: NXDOMAIN, with the CNAME, as a resolver answers.
	if a := w.Resolve("alias.example.com", "A"); a.RCode != "NXDOMAIN" || len(a.Records) != 1 || a.Records[0].Type != "CNAME" {
		t.Errorf("dangling CNAME: %+v", a)
	}
}

func TestSharedAnswersAreNotCorrupted(t *testing.T) {
	w := Default()
	a := w.Resolve("x.afsdem.com", "A")
	b := w.Resolve("y.afsdem.com", "A")
	if a.Records[0].Name != "x.afsdem.com" || b.Records[0].Name != "y.afsdem.com" {
		t.Errorf("wildcard answers share storage: %v %v", a.Records, b.Records)
	}
}

func TestThreats(t *testing.T) {
	w := Default()
	tests := []struct {
		domain string
		want   []Category
	}{
		{"pool.minergate.com", []Category{CryptoCurrencyMining}},
		{"XMR.Pool.Minergate.com.", []Category{CryptoCurrencyMining}},
		{"CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", []Category{DNSExfiltration}},
		{"systemten.org", []Category{CommandAndControl}},
		{"crypto.guarddutyc2activityb.com", []Category{CryptoCurrencyMining}},
		{"example.com", nil},
		{"xmr.pool.minergate.comac", nil},
		{"notminergate.com", nil},
	}
	for _, tc := range tests {
		var got []Category
		for _, th := range w.DomainThreats(tc.domain) {
			got = append(got, th.Category)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("DomainThreats(%s) = %v, want %v", tc.domain, got, tc.want)
		}
	}
	addrs := map[string]Category{
		"198.51.100.10": CryptoCurrencyMining, "198.51.100.11": CryptoCurrencyMining, "198.51.100.18": CryptoCurrencyMining,
		"198.51.100.30": CommandAndControl, "198.51.100.32": CommandAndControl, "198.51.100.40": DNSExfiltration,
		"203.0.113.10": "", "192.0.2.45": "",
	}
	for s, want := range addrs {
		th := w.AddressThreats(netip.MustParseAddr(s))
		if (want == "") != (len(th) == 0) || (want != "" && th[0].Category != want) {
			t.Errorf("AddressThreats(%s) = %v, want %s", s, th, want)
		}
	}
	// Nested indicators: the specific one first, then its ancestors'.
	w2, err := Parse("t.yaml", []byte(`
threats:
  - domain: example.com
    category: command-and-control
  - domain: crypto.example.com
    category: cryptocurrency-mining
    list: L
  - address: 192.0.2.0/24
    category: command-and-control
  - address: 192.0.2.7
    category: cryptocurrency-mining
`))
	if err != nil {
		t.Fatal(err)
	}
	th := w2.DomainThreats("a.crypto.example.com")
	if len(th) != 2 || th[0].Indicator != "crypto.example.com" || th[0].List != "L" || th[1].Indicator != "example.com" {
		t.Errorf("nested domain threats = %+v", th)
	}
	at := w2.AddressThreats(netip.MustParseAddr("192.0.2.7"))
	if len(at) != 2 || at[0].Category != CryptoCurrencyMining || at[1].Indicator != "192.0.2.0/24" {
		t.Errorf("address threats = %+v", at)
	}
	again := w2.AddressThreats(netip.MustParseAddr("192.0.2.7"))
	if len(again) != 2 {
		t.Errorf("a second lookup changed the answer: %+v", again)
	}
}

// The default world is what the seeds need; these are the promises the
// issue makes about it.
func TestDefaultWorldFitsTheSeeds(t *testing.T) {
	w := Default()
	pools := netip.MustParsePrefix("198.51.100.0/24")
	for _, name := range append(slices.Clone(seedDigNames), "xmr.pool.minergate.com") {
		a := w.Resolve(name, "A")
		if name == "xmr.pool.minergate.comac" {
			if a.RCode != "NXDOMAIN" {
				t.Errorf("the typo %s answers %s", name, a.RCode)
			}
			continue
		}
		if a.RCode != "NOERROR" || len(a.Records) == 0 {
			t.Errorf("%s: %+v", name, a)
			continue
		}
		addr := netip.MustParseAddr(a.Records[len(a.Records)-1].Data)
		if !pools.Contains(addr) {
			t.Errorf("%s resolves to %s, outside %s", name, addr, pools)
		}
		if len(w.DomainThreats(name)) == 0 {
			t.Errorf("%s has no threat tag", name)
		}
	}
	// Both curl targets answer HTTP on port 80 with bytes.
	for _, name := range []string{"pool.minergate.com", "xmr.pool.minergate.com"} {
		addr := netip.MustParseAddr(w.Resolve(name, "A").Records[0].Data)
		h, ok := w.Host(addr)
		if !ok {
			t.Fatalf("%s (%s) is not a host", name, addr)
		}
		l, ok := h.Listener(6, 80)
		if !ok || !strings.HasPrefix(string(l.Response), "HTTP/1.1 ") {
			t.Errorf("%s: no HTTP on port 80", name)
		}
		for _, port := range []uint16{443, 3333, 4444, 5555, 14444} {
			if _, ok := h.Listener(6, port); !ok {
				t.Errorf("%s does not listen on %d", name, port)
			}
		}
		if len(w.AddressThreats(addr)) == 0 {
			t.Errorf("%s has no threat tag", addr)
		}
	}
	// Every TTL is at most five minutes, so each 15-minute cron run is
	// logged again.
	if w.NegativeTTL() > 300 {
		t.Errorf("negative TTL %d", w.NegativeTTL())
	}
	for name, o := range w.names {
		for _, rrs := range o.rrs {
			for _, r := range rrs {
				if r.TTL > 300 {
					t.Errorf("%s %s TTL %d > 300", name, r.Type, r.TTL)
				}
			}
		}
	}
	for name, o := range w.wildcards {
		if o.ttl > 300 {
			t.Errorf("*.%s TTL %d > 300", name, o.ttl)
		}
	}
	// Scanners come from documentation ranges and probe the lab's ports.
	scanRanges := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.0/15")}
	if len(w.Scanners()) < 3 {
		t.Errorf("%d scanners", len(w.Scanners()))
	}
	for _, s := range w.Scanners() {
		if !slices.ContainsFunc(scanRanges, func(p netip.Prefix) bool { return p.Contains(s.Address) }) {
			t.Errorf("scanner %s outside the documented ranges", s.Address)
		}
		for _, p := range []uint16{22, 23, 80, 443, 445, 3389} {
			if !slices.Contains(s.Ports, p) {
				t.Errorf("scanner %s does not probe %d", s.Address, p)
			}
		}
	}
	// Every name the seed's script resolves, and every host but the benign
	// example.com, carries a threat tag.
	for _, h := range w.Hosts() {
		if len(w.AddressThreats(h.Address)) == 0 && h.Address != netip.MustParseAddr("203.0.113.10") {
			t.Errorf("host %s (%s) has no threat tag", h.Address, h.Description)
		}
	}
	if len(w.DomainThreats("x.afsdem.com")) == 0 {
		t.Error("the exfiltration domain has no threat tag")
	}
	// Every address in the world is a documentation address.
	doc := []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("2001:db8::/32"),
	}
	for _, h := range w.Hosts() {
		if !slices.ContainsFunc(doc, func(p netip.Prefix) bool { return p.Contains(h.Address) }) {
			t.Errorf("host %s is not a documentation address", h.Address)
		}
	}
	if got := DefaultYAML(); len(got) == 0 || w.Source() != "default" {
		t.Error("DefaultYAML is empty or the source is not named")
	}
}

func TestListenerResponses(t *testing.T) {
	w, err := Parse("l.yaml", []byte(`
hosts:
  - address: 192.0.2.10
    rtt: 120ms
    ping: false
    aws-service: S3
    listen:
      - port: 80
        http: {status: 301, content-type: text/plain, body: moved}
      - port: 443
        response-bytes: 4096
      - port: 123
        protocol: udp
        response: "tick"
`))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := w.Host(netip.MustParseAddr("192.0.2.10"))
	if !ok || h.RTT != 120*time.Millisecond || h.Ping || h.AWSService != "S3" {
		t.Fatalf("host = %+v", h)
	}
	l, _ := h.Listener(6, 80)
	want := "HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nmoved"
	if string(l.Response) != want {
		t.Errorf("http response %q", l.Response)
	}
	if l, _ := h.Listener(6, 443); len(l.Response) != 4096 {
		t.Errorf("opaque response of %d bytes", len(l.Response))
	}
	if _, ok := h.Listener(6, 123); ok {
		t.Error("a UDP listener answers TCP")
	}
	if l, ok := h.Listener(17, 123); !ok || string(l.Response) != "tick" {
		t.Error("UDP listener missing")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(defaultYAML)
	files, _ := filepath.Glob("testdata/errors/*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	f.Add([]byte(laughs()))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("fuzz.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 || len(list) > maxErrors {
				t.Fatalf("error %T with %d entries", err, len(list))
			}
			return
		}
		// A world that parses answers any query without panicking.
		for name := range w.names {
			_ = w.Resolve(name, "ANY")
			_ = w.Resolve("x."+name, "A")
			_ = w.DomainThreats(name)
		}
		for _, h := range w.Hosts() {
			_ = w.AddressThreats(h.Address)
		}
	})
}
