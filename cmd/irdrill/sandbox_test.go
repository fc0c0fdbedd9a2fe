package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// guard bounds every wait for the served process, so that one that never
// acts fails the test; nothing asserts how soon it acts.
const guard = time.Minute

// served is `irdrill sandbox serve` running as the real binary (the test
// binary's main), on a free port.
type served struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	output bytes.Buffer
	exited chan error
}

func serve(t *testing.T, args ...string) *served {
	t.Helper()
	s := &served{t: t, exited: make(chan error, 1)}
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(os.Environ(), mainArgsEnv+"=sandbox serve --addr 127.0.0.1:0 --log-level warn "+strings.Join(args, " "))
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = s
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			_, _ = s.Write([]byte(line + "\n"))
			if u, ok := strings.CutPrefix(line, "irdrill sandbox serving "); ok {
				urls <- u
			}
		}
	}()
	go func() { s.exited <- s.cmd.Wait() }()
	select {
	case s.url = <-urls:
	case err := <-s.exited:
		t.Fatalf("serve exited: %v\n%s", err, s.out())
	case <-time.After(guard):
		t.Fatal("serve did not start")
	}
	return s
}

func (s *served) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.Write(p)
}

func (s *served) out() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.String()
}

// waitFor waits until the output holds want, and returns the output.
func (s *served) waitFor(want string) string {
	s.t.Helper()
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if out := s.out(); strings.Contains(out, want) {
			return out
		}
	}
	s.t.Fatalf("the output never held %q:\n%s", want, s.out())
	return ""
}

func (s *served) signal(sig os.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
}

// closed waits until the server refuses new connections.
func (s *served) closed() {
	s.t.Helper()
	u, _ := url.Parse(s.url)
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			return
		}
		c.Close()
	}
	s.t.Fatal("the server still accepts connections")
}

func (s *served) wait() error {
	s.t.Helper()
	select {
	case err := <-s.exited:
		return err
	case <-time.After(guard):
		s.t.Fatalf("serve did not exit\n%s", s.out())
		return nil
	}
}

// bigAnswer prepares a GetQueryResults answer of about 16 MB and starts
// reading it: the request is in flight when bigAnswer returns.
func (s *served) bigAnswer() (*http.Response, int) {
	s.t.Helper()
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: sandbox.DefaultAdminSecretAccessKey}
	lg := cloudwatchlogs.NewFromConfig(sandboxtest.Config(s.url, "us-east-1", creds))
	if _, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("big")}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := lg.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("big"), LogStreamName: aws.String("s")}); err != nil {
		s.t.Fatal(err)
	}
	now := time.Now()
	pad := strings.Repeat("x", 1600)
	for i := 0; i < 10000; i += 500 {
		events := make([]cwtypes.InputLogEvent, 500)
		for j := range events {
			events[j] = cwtypes.InputLogEvent{Timestamp: aws.Int64(now.Add(-time.Minute).UnixMilli() + int64(i+j)), Message: aws.String(fmt.Sprintf("%05d %s", i+j, pad))}
		}
		if _, err := lg.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("big"), LogStreamName: aws.String("s"), LogEvents: events}); err != nil {
			s.t.Fatal(err)
		}
	}
	started, err := lg.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("big"), QueryString: aws.String("fields @message | limit 10000"),
		StartTime: aws.Int64(now.Unix() - 120), EndTime: aws.Int64(now.Unix() + 60)})
	if err != nil {
		s.t.Fatal(err)
	}
	for deadline := time.Now().Add(guard); ; time.Sleep(10 * time.Millisecond) {
		out, err := lg.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			s.t.Fatal(err)
		}
		if out.Status == cwtypes.QueryStatusComplete {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("query still %s", out.Status)
		}
	}
	body := `{"queryId":"` + aws.ToString(started.QueryId) + `"}`
	req, _ := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328.GetQueryResults")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "logs", "us-east-1", time.Now()); err != nil {
		s.t.Fatal(err)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { resp.Body.Close() })
	size, _ := strconv.Atoi(resp.Header.Get("Content-Length"))
	if size < 16<<20 {
		s.t.Fatalf("the answer is only %d bytes", size)
	}
	return resp, size
}

// TestServeDrainsOnSIGTERM: SIGTERM with a 16 MB answer in flight stops
// new connections, lets the answer finish, and exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	s := serve(t)
	resp, size := s.bigAnswer()
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	s.signal(syscall.SIGTERM)
	s.closed()
	rest, err := io.Copy(io.Discard, resp.Body)
	if err != nil || len(first)+int(rest) != size {
		t.Fatalf("read %d of %d bytes: %v\n%s", len(first)+int(rest), size, err, s.out())
	}
	if err := s.wait(); err != nil {
		t.Fatalf("exit: %v, want status 0\n%s", err, s.out())
	}
	if out := s.out(); !strings.Contains(out, "shutting down") || !strings.Contains(out, "stopped: every request in flight finished") {
		t.Errorf("output:\n%s", out)
	}
}

// TestServeSecondSignalExitsAtOnce: during the drain, a second signal ends
// the process, however long the drain period.
func TestServeSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	s := serve(t, "--shutdown-timeout", "1h")
	s.bigAnswer() // and never read: the request stays in flight
	s.signal(syscall.SIGTERM)
	s.closed()
	s.signal(syscall.SIGTERM)
	err := s.wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Fatalf("exit: %v, want status %d\n%s", err, 128+int(syscall.SIGTERM), s.out())
	}
	if !strings.Contains(s.out(), "second signal (terminated): exiting now") {
		t.Errorf("output:\n%s", s.out())
	}
}

// TestServeDrainPeriodEnds: a client that never reads cannot hold the
// process past --shutdown-timeout; the exit is still 0, and says what was
// cut.
func TestServeDrainPeriodEnds(t *testing.T) {
	t.Parallel()
	s := serve(t, "--shutdown-timeout", "200ms")
	s.bigAnswer()
	s.signal(syscall.SIGTERM)
	if err := s.wait(); err != nil {
		t.Fatalf("exit: %v, want status 0\n%s", err, s.out())
	}
	if !strings.Contains(s.out(), "requests in flight; they were cut") {
		t.Errorf("output:\n%s", s.out())
	}
}
