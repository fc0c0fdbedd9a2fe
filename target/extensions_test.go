package target

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/sigv4"
)

// futureSandbox is a served sandbox as the later issues make it: its
// health document lists the clock and key-import extensions, which it
// serves signed, in front of today's sandbox handler.
type futureSandbox struct {
	h      *sandbox.Handler
	mu     sync.Mutex
	offset time.Duration
	calls  []string
	// DNS query logging and GuardDuty, as the later issue serves them.
	r53Configs []map[string]string
	r53Assoc   []map[string]string
	detectors  []string
}

func (f *futureSandbox) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, _ := io.ReadAll(r.Body)
	sig, err := sigv4.Parse(r)
	if err == nil && sig.Service != ExtensionService {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = sigv4.Verify(r.Context(), r, body, sig, sandbox.DefaultAdminSecretAccessKey, time.Now())
	}
	if err != nil {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"__type":"SignatureDoesNotMatch","message":"`+err.Error()+`"}`)
		return nil, false
	}
	return body, true
}

func (f *futureSandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	switch r.URL.Path {
	case sandbox.HealthPath:
		_, _ = io.WriteString(w, `{"status":"ok","account":"999999999999","region":"us-east-1","services":["cloudtrail","ec2","guardduty","iam","logs","route53resolver","sts"],"version":"future","extensions":["clock","import-access-key"],"trustSourceIpHeader":true}`)
	case ClockPath, ClockAdvancePath:
		body, ok := f.verify(w, r)
		if !ok {
			return
		}
		if r.URL.Path == ClockAdvancePath {
			var in struct{ By string }
			_ = json.Unmarshal(body, &in)
			d, err := time.ParseDuration(in.By)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			f.mu.Lock()
			f.offset += d
			f.mu.Unlock()
		}
		f.mu.Lock()
		now := time.Now().Add(f.offset)
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]time.Time{"now": now})
	case ImportAccessKeyPath:
		body, ok := f.verify(w, r)
		if !ok {
			return
		}
		var in struct{ UserName, AccessKeyId, SecretAccessKey string }
		_ = json.Unmarshal(body, &in)
		if err := f.h.IAM().ImportAccessKey(in.UserName, in.AccessKeyId, in.SecretAccessKey); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidInput", "message": err.Error()})
			return
		}
		_, _ = io.WriteString(w, `{}`)
	default:
		switch auth := r.Header.Get("Authorization"); {
		case strings.Contains(auth, "/route53resolver/aws4_request"):
			f.route53resolver(w, r)
		case strings.Contains(auth, "/guardduty/aws4_request"):
			f.guardduty(w, r)
		default:
			f.h.ServeHTTP(w, r)
		}
	}
}

// route53resolver answers the query-logging calls the lab makes.
func (f *futureSandbox) route53resolver(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Route53Resolver.")
	f.calls = append(f.calls, "route53resolver "+op)
	var out any
	switch op {
	case "ListResolverQueryLogConfigs":
		out = map[string]any{"ResolverQueryLogConfigs": f.r53Configs}
	case "CreateResolverQueryLogConfig":
		c := map[string]string{"Id": "rqlc-1", "Name": in["Name"].(string), "DestinationArn": in["DestinationArn"].(string), "Status": "CREATED"}
		f.r53Configs = append(f.r53Configs, c)
		out = map[string]any{"ResolverQueryLogConfig": c}
	case "ListResolverQueryLogConfigAssociations":
		out = map[string]any{"ResolverQueryLogConfigAssociations": f.r53Assoc}
	case "AssociateResolverQueryLogConfig":
		a := map[string]string{"Id": "rqlca-1", "ResolverQueryLogConfigId": in["ResolverQueryLogConfigId"].(string), "ResourceId": in["ResourceId"].(string), "Status": "ACTIVE"}
		f.r53Assoc = append(f.r53Assoc, a)
		out = map[string]any{"ResolverQueryLogConfigAssociation": a}
	default:
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// guardduty answers ListDetectors and CreateDetector.
func (f *futureSandbox) guardduty(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "guardduty "+r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/detector":
		_ = json.NewEncoder(w).Encode(map[string]any{"detectorIds": append([]string{}, f.detectors...)})
	case r.Method == http.MethodPost && r.URL.Path == "/detector":
		f.detectors = append(f.detectors, "12abc34d567e8fa901bc2d34e56789f0")
		_ = json.NewEncoder(w).Encode(map[string]string{"detectorId": f.detectors[0]})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestServedExtensions: once the health document offers the clock and
// key import, the endpoint target uses them: Wait advances the clock
// instead of sleeping, and the lab imports the seed's key.
func TestServedExtensions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := sandbox.NewHandler(sandbox.Options{TrustSourceIPHeader: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fake := &futureSandbox{h: h}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	tg, err := Open(ctx, Options{Spec: Spec{Kind: KindEndpoint, URL: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	caps := tg.Capabilities()
	if !caps.Clock || !caps.KeyImport || !caps.SourceIP || !caps.FlowLogs || !caps.DNSLogs || !caps.GuardDuty {
		t.Fatalf("capabilities %+v", caps)
	}
	before := tg.Now()
	wall := time.Now()
	if err := tg.Wait(ctx, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if tg.Now().Sub(before) < 15*time.Minute || time.Since(wall) > time.Minute {
		t.Errorf("Wait(15m) moved the clock from %s to %s", before, tg.Now())
	}
	st, err := tg.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if st.LeakedKey.AccessKeyID != SeedAccessKeyID {
		t.Errorf("leaked key %s, want the imported seed key", st.LeakedKey.AccessKeyID)
	}
	outcomes := map[string]string{}
	for _, s := range st.Steps {
		outcomes[s.What] = s.Outcome
	}
	if outcomes["resolver query log config irdrill-lab-dns-query-logs"] != "created" || outcomes["GuardDuty detector 12abc34d567e8fa901bc2d34e56789f0"] != "created" ||
		len(st.VPCIDs) == 0 || outcomes["query logging on "+st.VPCIDs[0]] != "created" || tg.LogGroup(RoleDNS) != DefaultLab.DNSLogGroup {
		t.Errorf("DNS logging and GuardDuty: %v", st.Steps)
	}
	again, err := tg.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range again.Steps {
		if s.Outcome == "created" {
			t.Errorf("second setup: %s", s)
		}
	}
	joined := strings.Join(fake.calls, "\n")
	for _, want := range []string{"GET " + ClockPath, "POST " + ClockAdvancePath, "POST " + ImportAccessKeyPath} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s among the calls", want)
		}
	}
	// A bad key is refused with the server's code.
	ext := &extensionClient{url: srv.URL, region: "us-east-1", client: http.DefaultClient, creds: staticProvider(awsCreds("AKIAIRDRILLBOOTSTRAP", "wrong"))}
	if _, err := (&httpClock{ext: ext}).Advance(ctx, time.Minute); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("bad signature: %v", err)
	}
}

// withClock is an embedded sandbox once it has (*sandbox.Sandbox).Clock().
type withClock struct{ c *clock.Clock }

func (w withClock) Clock() *clock.Clock { return w.c }

func TestEmbeddedClock(t *testing.T) {
	t.Parallel()
	if c := embeddedClock(&sandbox.Sandbox{}); c != nil {
		t.Errorf("today's sandbox has a clock: %T", c)
	}
	if c := embeddedClock(withClock{}); c != nil {
		t.Errorf("a nil clock is a clock")
	}
	start := time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)
	c := embeddedClock(withClock{clock.NewManual(start)})
	if c == nil {
		t.Fatal("the clock is not found")
	}
	tg := newTarget(Spec{Kind: KindSandbox}, baseConfig("us-east-1", "", nil), nil)
	tg.clock = c
	if err := tg.Wait(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := tg.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("after Wait(1h): %s", got)
	}
}

func awsCreds(id, secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
}
