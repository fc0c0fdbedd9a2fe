package sandbox_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/logs"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// The reproductions of issue 6, §5: connections that never finish, a
// server full of them, and a shutdown that cut requests in flight.

// guard bounds how long a test waits for the server to act, so that a
// server that never does fails the test instead of hanging it. It is not
// a measurement: nothing asserts how soon the server acts.
const guard = 30 * time.Second

func dial(t *testing.T, sb *sandbox.Sandbox) net.Conn {
	t.Helper()
	u, _ := url.Parse(sb.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(guard))
	return c
}

// closedByServer reads until the server closes the connection, and fails
// if the guard ends the wait first.
func closedByServer(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s", guard)
	}
}

func TestStalledBodyIsCut(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.ReadTimeout = 200 * time.Millisecond })
	c := dial(t, sb)
	// Headers, then one byte of a 100-byte body, then nothing.
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nA")
	closedByServer(t, c)
}

func TestSilentConnectionIsCut(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.ReadHeaderTimeout = 200 * time.Millisecond })
	c := dial(t, sb)
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\n") // and never the end of the headers
	closedByServer(t, c)
}

func TestIdleConnectionIsClosed(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.IdleTimeout = 200 * time.Millisecond })
	c := dial(t, sb)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", sandbox.HealthPath)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("health: %d, close %v", resp.StatusCode, resp.Close)
	}
	closedByServer(t, c) // keep-alive, then idle
}

// request writes one HTTP/1.1 request on c and reads the answer.
func request(t *testing.T, c net.Conn, raw string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

const healthRequest = "GET " + sandbox.HealthPath + " HTTP/1.1\r\nHost: x\r\n\r\n"

// TestConnectionCapKeepsHealthSlot: with every connection taken by idle
// clients, the server still answers a health check, refuses API calls
// with a retryable 503, and turns away connections past the cap.
func TestConnectionCapKeepsHealthSlot(t *testing.T) {
	const maxConns = 4
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.MaxConnections = maxConns })
	for range maxConns - 1 {
		c := dial(t, sb)
		if resp := request(t, c, healthRequest); resp.StatusCode != 200 {
			t.Fatalf("health on a normal slot: %d", resp.StatusCode)
		}
		// Left open, idle: the slot stays taken.
	}
	health := dial(t, sb)
	resp := request(t, health, healthRequest)
	if resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("health on the kept slot: %d, close %v", resp.StatusCode, resp.Close)
	}
	closedByServer(t, health)

	busy := dial(t, sb)
	resp = request(t, busy, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Logs_20140328.DescribeLogGroups\r\nContent-Length: 2\r\n\r\n{}")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !strings.Contains(string(body), "ServiceUnavailableException") {
		t.Fatalf("API call on the kept slot: %d %s", resp.StatusCode, body)
	}
	closedByServer(t, busy)

	// The kept slot taken by a client that says nothing: the next
	// connection is turned away at once.
	holder := dial(t, sb)
	if resp := request(t, holder, healthRequest); resp.StatusCode != 200 {
		t.Fatalf("holder: %d", resp.StatusCode)
	}
	closedByServer(t, holder)
	silent := dial(t, sb)
	defer silent.Close()
	// A connection past the cap is answered before it says anything. (The
	// probe retries in case it raced the silent one to the kept slot.)
	deadline := time.Now().Add(guard)
	for {
		extra := dial(t, sb)
		_ = extra.SetReadDeadline(time.Now().Add(time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(extra), nil)
		extra.Close()
		if err == nil && resp.StatusCode == 503 && resp.Header.Get("Retry-After") != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a connection past the cap was not turned away: %v %v", resp, err)
		}
	}
}

// bigResult prepares a Logs Insights query whose GetQueryResults answer
// is about 16 MB, and returns a signed request for it.
func bigResult(t *testing.T, sb *sandbox.Sandbox) *http.Request {
	t.Helper()
	ctx := context.Background()
	lg := sb.Handler().Logs()
	now := time.Now()
	events := make([]logs.InputEvent, 10000)
	pad := strings.Repeat("x", 1600)
	for i := range events {
		events[i] = logs.InputEvent{Timestamp: now.Add(-time.Minute + time.Duration(i)*time.Millisecond), Message: fmt.Sprintf("%05d %s", i, pad)}
	}
	if status, body := (craft{service: "logs", target: "Logs_20140328.CreateLogGroup", body: `{"logGroupName":"big"}`}).send(t, sb, sb.AdminCredentials); status != 200 {
		t.Fatalf("CreateLogGroup: %d %s", status, body)
	}
	if err := lg.PutEvents(ctx, "us-east-1", "big", "s", events); err != nil {
		t.Fatal(err)
	}
	start := craft{service: "logs", target: "Logs_20140328.StartQuery",
		body: fmt.Sprintf(`{"logGroupName":"big","startTime":%d,"endTime":%d,"queryString":"fields @message | limit 10000"}`, now.Unix()-120, now.Unix()+60)}
	status, body := start.send(t, sb, sb.AdminCredentials)
	if status != 200 {
		t.Fatalf("StartQuery: %d %s", status, body)
	}
	id := body[strings.Index(body, `"queryId":"`)+11:]
	id = id[:strings.IndexByte(id, '"')]
	get := `{"queryId":"` + id + `"}`
	for deadline := time.Now().Add(guard); ; {
		_, body := craft{service: "logs", target: "Logs_20140328.GetQueryResults", body: get}.send(t, sb, sb.AdminCredentials)
		if strings.Contains(body, `"status":"Complete"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("query not complete: %.200s", body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/", strings.NewReader(get))
	req.Header.Set("X-Amz-Target", "Logs_20140328.GetQueryResults")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if err := v4.NewSigner().SignHTTP(ctx, sb.AdminCredentials, req, sha256Hex(get), "logs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// shutdownBegun waits until the sandbox refuses new connections.
func shutdownBegun(t *testing.T, sb *sandbox.Sandbox) {
	t.Helper()
	u, _ := url.Parse(sb.URL)
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatal("the sandbox still accepts connections")
}

// TestShutdownDrainsRequestInFlight: a shutdown lets a 16 MB answer that
// is being read finish, then stops.
func TestShutdownDrainsRequestInFlight(t *testing.T) {
	sb := sandboxtest.Start(t)
	req := bigResult(t, sb)
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	want, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
	if want < 16<<20 {
		t.Fatalf("the answer is only %d bytes", want)
	}
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	shutdown := make(chan error, 1)
	go func() { shutdown <- sb.Shutdown(context.Background()) }()
	shutdownBegun(t, sb)
	rest, err := io.Copy(io.Discard, resp.Body)
	if err != nil || int(rest)+len(first) != want {
		t.Fatalf("read %d of %d bytes after the shutdown began: %v", int(rest)+len(first), want, err)
	}
	if err := <-shutdown; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := sb.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// TestShutdownCutsAfterTheDrainPeriod: a client that stops reading does not
// hold the shutdown past its period; the shutdown says what it cut.
func TestShutdownCutsAfterTheDrainPeriod(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.ShutdownTimeout = 100 * time.Millisecond })
	req := bigResult(t, sb)
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Never read the body: the server's write blocks.
	err = sb.Close()
	var drain *sandbox.DrainError
	if !errors.As(err, &drain) || drain.InFlight < 1 {
		t.Fatalf("Close = %v, want a DrainError with the request in flight", err)
	}
	if err := sb.Wait(); !errors.As(err, &drain) {
		t.Fatalf("Wait = %v, want the DrainError", err)
	}
}

// TestHealthReportsWhatIsKept: the health document says what the sandbox
// keeps and its limits.
func TestHealthReportsWhatIsKept(t *testing.T) {
	sb := sandboxtest.Start(t, func(o *sandbox.Options) {
		o.CloudTrailRetention = 30 * 24 * time.Hour
		o.CloudTrailMaxBytes = 1 << 20
		o.QueryResultsMaxBytes = 2 << 20
		o.MaxConnections = 64
	})
	resp, err := http.Get(sb.URL + sandbox.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`"cloudtrailEventStore":{`, `"retentionSeconds":2592000`, `"maxBytes":1048576`,
		`"logsInsights":{`, `"resultMaxBytes":2097152`, `"maxConcurrent":100`, `"resultRetentionSeconds":604800`,
		`"server":{`, `"maxConnections":64`, `"idleTimeoutSeconds":60`, `"shutdownTimeoutSeconds":10`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("health lacks %s:\n%s", want, b)
		}
	}
}
