package cloudtrailgen_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/internal/cloudtrailgen"
)

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	digest := func(seed uint64) [32]byte {
		var buf bytes.Buffer
		if err := cloudtrailgen.Generate(seed, 500, &buf); err != nil {
			t.Fatalf("Generate(%d): %v", seed, err)
		}
		return sha256.Sum256(buf.Bytes())
	}
	if digest(7) != digest(7) {
		t.Fatal("same seed produced different output")
	}
	if digest(7) == digest(8) {
		t.Fatal("different seeds produced identical output")
	}
}

func TestEachMatchesGenerate(t *testing.T) {
	var viaGenerate bytes.Buffer
	if err := cloudtrailgen.Generate(3, 200, &viaGenerate); err != nil {
		t.Fatal(err)
	}
	var viaEach bytes.Buffer
	err := cloudtrailgen.Each(3, 200, func(r cloudtrailgen.Record) error {
		viaEach.Write(r.JSON)
		viaEach.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaGenerate.Bytes(), viaEach.Bytes()) {
		t.Fatal("Each and Generate disagree for the same seed")
	}
}

func TestEachStopsAtFirstError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := cloudtrailgen.Each(1, 100, func(cloudtrailgen.Record) error {
		calls++
		if calls == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 5 {
		t.Fatalf("Each returned %v after %d calls, want stop after 5", err, calls)
	}
}

// ctRecord lists the fields every consumer of the generator relies on.
type ctRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type string `json:"type"`
		ARN  string `json:"arn"`
	} `json:"userIdentity"`
	EventTime          string  `json:"eventTime"`
	EventSource        string  `json:"eventSource"`
	EventName          string  `json:"eventName"`
	AwsRegion          string  `json:"awsRegion"`
	SourceIPAddress    string  `json:"sourceIPAddress"`
	UserAgent          string  `json:"userAgent"`
	ErrorCode          *string `json:"errorCode"`
	RequestID          string  `json:"requestID"`
	EventID            string  `json:"eventID"`
	ReadOnly           *bool   `json:"readOnly"`
	EventType          string  `json:"eventType"`
	ManagementEvent    *bool   `json:"managementEvent"`
	RecipientAccountID string  `json:"recipientAccountId"`
	EventCategory      string  `json:"eventCategory"`
}

func TestRecordsAreValidSizedCloudTrail(t *testing.T) {
	const n = 20000
	var buf bytes.Buffer
	if err := cloudtrailgen.Generate(42, n, &buf); err != nil {
		t.Fatal(err)
	}
	authErr := regexp.MustCompile(`Unauthorized|Denied|Forbidden`)
	ips := map[string]bool{}
	identities := map[string]bool{}
	names := map[string]bool{}
	authErrors, otherErrors, lines := 0, 0, 0
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		lines++
		if len(line) < 1000 || len(line) > 2048 {
			t.Fatalf("record %d is %d bytes, want 1000..2048", lines, len(line))
		}
		var r ctRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("record %d is not valid JSON: %v", lines, err)
		}
		if r.EventVersion != "1.08" || r.EventSource == "" || r.EventName == "" || r.AwsRegion == "" ||
			r.SourceIPAddress == "" || r.UserAgent == "" || r.RequestID == "" || r.EventID == "" ||
			r.ReadOnly == nil || r.EventType != "AwsApiCall" || r.ManagementEvent == nil ||
			r.RecipientAccountID != cloudtrailgen.AccountID || r.EventCategory != "Management" || r.UserIdentity.Type == "" {
			t.Fatalf("record %d lacks a CloudTrail field: %s", lines, line)
		}
		if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil {
			t.Fatalf("record %d eventTime %q: %v", lines, r.EventTime, err)
		}
		ips[r.SourceIPAddress] = true
		identities[r.UserIdentity.ARN+r.UserIdentity.Type] = true
		names[r.EventName] = true
		if r.ErrorCode != nil {
			if authErr.MatchString(*r.ErrorCode) {
				authErrors++
			} else {
				otherErrors++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines != n {
		t.Fatalf("got %d lines, want %d", lines, n)
	}
	// 300 generated addresses plus the AWS service principals' names.
	if len(ips) < 250 || len(ips) > 310 {
		t.Errorf("distinct source IPs = %d, want a few hundred", len(ips))
	}
	if len(identities) < 10 || len(names) < 10 {
		t.Errorf("identities=%d eventNames=%d, want variety", len(identities), len(names))
	}
	// 5% ± 1% of 20,000 records carry authorization errors.
	if authErrors < 800 || authErrors > 1200 {
		t.Errorf("authorization errors = %d of %d, want about 5%%", authErrors, n)
	}
	if otherErrors == 0 {
		t.Error("no non-authorization errors generated")
	}
}

func TestRecordTimeMatchesEventTime(t *testing.T) {
	g := cloudtrailgen.New(9)
	prev := int64(0)
	for i := 0; i < 1000; i++ {
		r := g.Next()
		var v struct {
			EventTime string `json:"eventTime"`
		}
		if err := json.Unmarshal(r.JSON, &v); err != nil {
			t.Fatal(err)
		}
		ts, err := time.Parse(time.RFC3339, v.EventTime)
		if err != nil {
			t.Fatal(err)
		}
		if ts.UnixMilli() != r.TimeMillis {
			t.Fatalf("record %d: TimeMillis %d, eventTime %s", i, r.TimeMillis, v.EventTime)
		}
		if r.TimeMillis < prev {
			t.Fatalf("record %d goes back in time", i)
		}
		prev = r.TimeMillis
		if strings.ContainsRune(string(r.JSON), '\n') {
			t.Fatalf("record %d spans lines", i)
		}
	}
}
