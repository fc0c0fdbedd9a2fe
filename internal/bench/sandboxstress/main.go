// Command sandboxstress reproduces the adversarial probe of issue 6 against
// `irdrill sandbox serve` and prints the figures the issue asks for:
//
//   - region flood: RSS after 200 requests whose credential scope names a
//     200 KB region, signed with the bootstrap key ID and a wrong secret;
//   - heavy queries: RSS after 100 concurrent Logs Insights queries that
//     each return 10,000 large rows, and the slowest GetQueryResults answer;
//   - load: p50/p99 latency of 64 clients driving a mixed workload, and
//     whether every log event written is read back by every read path.
//
// The sandbox runs as its own process (built from this tree, or -bin), so
// its RSS is the server's alone. The tool is how the before/after figures
// in the closing note are reproduced:
//
//	go run ./internal/bench/sandboxstress                  # this tree
//	go run ./internal/bench/sandboxstress -bin /tmp/old    # another build
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

type config struct {
	bin       string
	scenarios string

	floodRequests    int
	floodRegionBytes int

	queries       int
	queryEvents   int
	queryEventLen int
	queryTimeout  time.Duration

	loadClients  int
	loadDuration time.Duration
}

func main() {
	var cfg config
	flag.StringVar(&cfg.bin, "bin", "", "irdrill binary to serve (default: build ./cmd/irdrill from this tree)")
	flag.StringVar(&cfg.scenarios, "scenarios", "flood,queries,load", "comma-separated scenarios: flood, queries, load")
	flag.IntVar(&cfg.floodRequests, "flood-requests", 200, "requests in the region flood")
	flag.IntVar(&cfg.floodRegionBytes, "flood-region-bytes", 200<<10, "length of each flood request's region name")
	flag.IntVar(&cfg.queries, "queries", 100, "concurrent heavy Logs Insights queries")
	flag.IntVar(&cfg.queryEvents, "query-events", 20000, "log events the heavy queries scan")
	flag.IntVar(&cfg.queryEventLen, "query-event-bytes", 1500, "bytes per log event the heavy queries scan")
	flag.DurationVar(&cfg.queryTimeout, "query-timeout", 60*time.Second, "client timeout of one GetQueryResults call")
	flag.IntVar(&cfg.loadClients, "load-clients", 64, "concurrent clients in the load scenario")
	flag.DurationVar(&cfg.loadDuration, "load-duration", 30*time.Second, "how long the load scenario runs")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxstress:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	bin := cfg.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "irdrill-stress-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "irdrill")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/irdrill/irdrill/cmd/irdrill")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build irdrill: %w\n%s", err, out)
		}
	}
	for _, name := range strings.Split(cfg.scenarios, ",") {
		var err error
		switch strings.TrimSpace(name) {
		case "flood":
			err = withServer(ctx, bin, func(srv *server) error { return regionFlood(ctx, srv, cfg) })
		case "queries":
			err = withServer(ctx, bin, func(srv *server) error { return heavyQueries(ctx, srv, cfg) })
		case "load":
			err = withServer(ctx, bin, func(srv *server) error { return load(ctx, srv, cfg) })
		default:
			err = fmt.Errorf("unknown scenario %q", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// ---- region flood ----

func regionFlood(ctx context.Context, srv *server, cfg config) error {
	before := srv.rss()
	region := strings.Repeat("x", cfg.floodRegionBytes)
	client := &http.Client{Timeout: 30 * time.Second}
	wrong := aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: "not-the-bootstrap-secret"}
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(cfg.floodRequests) {
					return
				}
				f := floodCalls[int(n)%len(floodCalls)]
				status, err := signedPost(ctx, client, srv.url, wrong, f.service, f.target, region, f.body)
				mu.Lock()
				if err != nil {
					statuses[-1]++
				} else {
					statuses[status]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second)
	after := srv.rss()
	fmt.Printf("region flood: %d requests (IAM, STS, EC2, Logs, CloudTrail) with a %d-byte region, answers %v\n", cfg.floodRequests, cfg.floodRegionBytes, statuses)
	fmt.Printf("region flood: RSS %s before, %s after (%+.1f MiB), peak %s\n", mib(before.rss), mib(after.rss), float64(after.rss-before.rss)/(1<<20), mib(after.hwm))
	return nil
}

// floodCalls are the flood's requests, one per service, so that every
// protocol's front-end path sees the long region.
var floodCalls = []struct{ service, target, body string }{
	{"iam", "", "Action=ListUsers&Version=2010-05-08"},
	{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15"},
	{"ec2", "", "Action=DescribeVpcs&Version=2016-11-15"},
	{"logs", "Logs_20140328.DescribeLogGroups", "{}"},
	{"cloudtrail", "CloudTrail_20131101.DescribeTrails", "{}"},
}

func signedPost(ctx context.Context, client *http.Client, url string, creds aws.Credentials, service, target, region, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// ---- heavy queries ----

func heavyQueries(ctx context.Context, srv *server, cfg config) error {
	c := srv.clients(cfg.queries + 8)
	const group = "/stress/heavy"
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		return err
	}
	if _, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		return err
	}
	start := time.Now().Add(-time.Hour).UnixMilli()
	word := strings.Repeat("abcdefghij ", cfg.queryEventLen/11+1)[:cfg.queryEventLen]
	batch := max(1, (900<<10)/(cfg.queryEventLen+26))
	for i := 0; i < cfg.queryEvents; i += batch {
		var events []cwtypes.InputLogEvent
		for j := i; j < min(i+batch, cfg.queryEvents); j++ {
			events = append(events, cwtypes.InputLogEvent{Timestamp: aws.Int64(start + int64(j)), Message: aws.String(fmt.Sprintf("event %d %s", j, word))})
		}
		if _, err := c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: events}); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	before := srv.rss()
	query := `fields @timestamp, @message | parse @message "event * *" as n, rest | sort @timestamp desc | limit 10000`
	ids := make([]string, 0, cfg.queries)
	refused := 0
	for range cfg.queries {
		out, err := c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
			LogGroupName: aws.String(group), QueryString: aws.String(query),
			StartTime: aws.Int64(start/1000 - 60), EndTime: aws.Int64(time.Now().Unix()),
		})
		if err != nil {
			refused++
			continue
		}
		ids = append(ids, aws.ToString(out.QueryId))
	}
	// The slowest answer, and the slowest that said Scheduled or Running:
	// that one shows whether GetQueryResults waits for a query.
	var slowest, slowestPending atomic.Int64
	var timeouts, complete, other atomic.Int64
	raise := func(v *atomic.Int64, d time.Duration) {
		for {
			cur := v.Load()
			if int64(d) <= cur || v.CompareAndSwap(cur, int64(d)) {
				return
			}
		}
	}
	began := time.Now()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				callCtx, cancel := context.WithTimeout(ctx, cfg.queryTimeout)
				t0 := time.Now()
				out, err := c.logs.GetQueryResults(callCtx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String(id)})
				cancel()
				d := time.Since(t0)
				raise(&slowest, d)
				if err != nil {
					if errors.Is(err, context.DeadlineExceeded) {
						timeouts.Add(1)
						continue
					}
					other.Add(1)
					return
				}
				switch out.Status {
				case cwtypes.QueryStatusRunning, cwtypes.QueryStatusScheduled:
					raise(&slowestPending, d)
					time.Sleep(200 * time.Millisecond)
					continue
				case cwtypes.QueryStatusComplete:
					complete.Add(1)
				default:
					other.Add(1)
				}
				return
			}
		}()
	}
	wg.Wait()
	took := time.Since(began)
	time.Sleep(2 * time.Second)
	after := srv.rss()
	fmt.Printf("heavy queries: %d started (%d refused), %d complete, %d other, %d GetQueryResults calls past the %s client timeout, all answered in %s\n",
		len(ids), refused, complete.Load(), other.Load(), timeouts.Load(), cfg.queryTimeout, took.Round(time.Millisecond))
	fmt.Printf("heavy queries: slowest GetQueryResults answer %s (the slowest saying Scheduled or Running: %s)\n",
		time.Duration(slowest.Load()).Round(time.Millisecond), time.Duration(slowestPending.Load()).Round(time.Millisecond))
	fmt.Printf("heavy queries: RSS %s after ingest, %s after the queries (%+.1f MiB), peak %s\n", mib(before.rss), mib(after.rss), float64(after.rss-before.rss)/(1<<20), mib(after.hwm))
	return nil
}

// ---- load ----

func load(ctx context.Context, srv *server, cfg config) error {
	c := srv.clients(cfg.loadClients * 2)
	const group = "/stress/load"
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		return err
	}
	var (
		latMu     sync.Mutex
		latencies []time.Duration
		written   atomic.Int64
		failures  atomic.Int64
		firstErr  atomic.Value
	)
	cpuBefore := srv.cpu()
	runCtx, cancel := context.WithTimeout(ctx, cfg.loadDuration)
	defer cancel()
	var wg sync.WaitGroup
	for w := range cfg.loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("client-%03d", w)
			if _, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			var mine []time.Duration
			for i := 0; runCtx.Err() == nil; i++ {
				t0 := time.Now()
				var err error
				switch i % 4 {
				case 0:
					events := make([]cwtypes.InputLogEvent, 10)
					for j := range events {
						events[j] = cwtypes.InputLogEvent{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(fmt.Sprintf(`{"client":%d,"seq":%d}`, w, i*10+j))}
					}
					_, err = c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events})
					if err == nil {
						written.Add(int64(len(events)))
					}
				case 1:
					_, err = c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				case 2:
					_, err = c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
				case 3:
					_, err = c.iam.ListUsers(ctx, &iam.ListUsersInput{})
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			latMu.Lock()
			latencies = append(latencies, mine...)
			latMu.Unlock()
		}()
	}
	wg.Wait()
	cpuUsed := srv.cpu() - cpuBefore
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("load: %d clients for %s: %d requests, %d failed, p50 %s, p99 %s, max %s\n", cfg.loadClients, cfg.loadDuration,
		len(latencies), failures.Load(), pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if len(latencies) > 0 {
		// Server CPU per request is steadier than latency on a shared
		// machine: other processes' load shows in the latter only.
		fmt.Printf("load: server CPU %.2fs, %.1f µs per request\n", cpuUsed.Seconds(), float64(cpuUsed.Microseconds())/float64(len(latencies)))
	}
	if err, _ := firstErr.Load().(error); err != nil {
		fmt.Printf("load: first failure: %v\n", err)
	}
	read, err := countFiltered(ctx, c.logs, group)
	if err != nil {
		return err
	}
	fmt.Printf("load: %d events written, %d read back by FilterLogEvents\n", written.Load(), read)
	return nil
}

func countFiltered(ctx context.Context, c *cloudwatchlogs.Client, group string) (int, error) {
	n := 0
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("filter log events: %w", err)
		}
		n += len(out.Events)
	}
	return n, nil
}

// ---- the server process ----

type server struct {
	url  string
	cmd  *exec.Cmd
	done chan error
}

type memory struct{ rss, hwm int64 }

func withServer(ctx context.Context, bin string, f func(*server) error) error {
	srv, err := startServer(ctx, bin)
	if err != nil {
		return err
	}
	defer srv.stop()
	return f(srv)
}

func startServer(ctx context.Context, bin string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "sandbox", "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url + sandbox.HealthPath); err == nil {
			resp.Body.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("sandbox exited: %v", err)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.stop()
	return nil, errors.New("sandbox did not answer within 60s")
}

func (s *server) stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// rss reads the server's resident set and its peak from /proc.
func (s *server) rss() memory {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		return memory{}
	}
	var m memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.rss = kb << 10
		case "VmHWM":
			m.hwm = kb << 10
		}
	}
	return m
}

// cpu is the user and system time the server process has used, from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s).
func (s *server) cpu() time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; count from after it.
	rest := string(b[bytes.LastIndexByte(b, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

type clients struct {
	logs *cloudwatchlogs.Client
	ec2  *ec2.Client
	iam  *iam.Client
	sts  *sts.Client
}

func (s *server) clients(conns int) clients {
	transport := awshttp.NewBuildableClient().GetTransport()
	transport.MaxIdleConns = conns
	transport.MaxIdleConnsPerHost = conns
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(sandbox.DefaultAdminAccessKeyID, sandbox.DefaultAdminSecretAccessKey, ""),
		BaseEndpoint: aws.String(s.url),
		HTTPClient:   &http.Client{Transport: sandboxtest.IsolateRequestBodies(transport)},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return clients{logs: cloudwatchlogs.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
