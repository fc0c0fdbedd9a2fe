// Command sandboxmoto measures the sandbox against moto_server with the
// same Go client, the same request mix and the same concurrency, in one
// run, and prints requests per second for both and their ratio.
//
// The mix is the issue's: RunInstances, DescribeInstances over 100
// instances, IAM GetUser, IAM ListAccessKeys and a signed
// GetCallerIdentity, in equal parts.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

func main() {
	var (
		duration    = flag.Duration("duration", 10*time.Second, "how long to drive each target")
		concurrency = flag.Int("concurrency", 8, "concurrent clients")
		minRatio    = flag.Float64("min-ratio", 0, "exit non-zero if sandbox/moto throughput is below this (the goal is 20)")
		motoBin     = flag.String("moto", "moto_server", "moto_server executable")
		cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
		inProcess   = flag.Bool("in-process", false, "run the sandbox inside the benchmark process instead of as `irdrill sandbox serve` (moto always runs as its own process)")
	)
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sandboxmoto:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "sandboxmoto:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signalContext()
	defer stop()
	if err := run(ctx, *duration, *concurrency, *minRatio, *motoBin, *inProcess); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "sandboxmoto:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, duration time.Duration, concurrency int, minRatio float64, motoBin string, inProcess bool) error {
	var sandboxURL string
	adminCreds := aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: sandbox.DefaultAdminSecretAccessKey}
	if inProcess {
		sb, err := sandbox.Start(ctx, sandbox.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return fmt.Errorf("start sandbox: %w", err)
		}
		defer sb.Close()
		sandboxURL = sb.URL
	} else {
		// Like moto, the sandbox gets a process of its own, so that neither
		// server shares a heap or a garbage collector with the client.
		srv, err := startIrdrill(ctx)
		if err != nil {
			return err
		}
		defer srv.stop()
		sandboxURL = srv.url
	}

	moto, err := startMoto(ctx, motoBin)
	if err != nil {
		return err
	}
	defer moto.stop()

	fmt.Printf("request mix: RunInstances, DescribeInstances over 100 instances, IAM GetUser, IAM ListAccessKeys, signed GetCallerIdentity\n")
	fmt.Printf("concurrency %d, %s per target, GOMAXPROCS %d\n\n", concurrency, duration, runtimeProcs())

	sbRate, err := measure(ctx, "irdrill sandbox", sandboxURL, adminCreds, duration, concurrency)
	if err != nil {
		return err
	}
	motoRate, err := measure(ctx, "moto_server", moto.url, aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, duration, concurrency)
	if err != nil {
		return err
	}
	ratio := sbRate / motoRate
	fmt.Printf("\nsandbox %.0f req/s, moto %.0f req/s, ratio %.1fx (goal: 20x)\n", sbRate, motoRate, ratio)
	if minRatio > 0 && ratio < minRatio {
		return fmt.Errorf("ratio %.1fx is below the required %.1fx", ratio, minRatio)
	}
	return nil
}

type clients struct {
	ec2 *ec2.Client
	iam *iam.Client
	sts *sts.Client
}

func newClients(endpoint string, creds aws.Credentials, concurrency int) clients {
	transport := awshttp.NewBuildableClient().GetTransport()
	transport.MaxIdleConns = concurrency * 2
	transport.MaxIdleConnsPerHost = concurrency * 2
	httpClient := &http.Client{Transport: sandboxtest.IsolateRequestBodies(transport)}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   httpClient,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return clients{ec2: ec2.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg)}
}

// measure prepares the target (a user with a key, 100 tagged instances)
// and then drives the mix for duration.
func measure(ctx context.Context, name, endpoint string, creds aws.Credentials, duration time.Duration, concurrency int) (float64, error) {
	c := newClients(endpoint, creds, concurrency)
	if _, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")}); err != nil {
		return 0, fmt.Errorf("%s: create user: %w", name, err)
	}
	if _, err := c.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")}); err != nil {
		return 0, fmt.Errorf("%s: create access key: %w", name, err)
	}
	_, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano,
		MinCount: aws.Int32(100), MaxCount: aws.Int32(100),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("bench"), Value: aws.String("describe")}}}},
	})
	if err != nil {
		return 0, fmt.Errorf("%s: launch the 100 described instances: %w", name, err)
	}

	ops := []func(context.Context) error{
		func(ctx context.Context) error {
			_, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			return err
		},
		func(ctx context.Context) error {
			out, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:bench"), Values: []string{"describe"}}}})
			if err == nil {
				n := 0
				for _, r := range out.Reservations {
					n += len(r.Instances)
				}
				if n != 100 {
					return fmt.Errorf("DescribeInstances returned %d instances, want 100", n)
				}
			}
			return err
		},
		func(ctx context.Context) error {
			_, err := c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bench")})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bench")})
			return err
		},
		func(ctx context.Context) error {
			_, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
	}

	var done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	runCtx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; runCtx.Err() == nil; i++ {
				if err := ops[i%len(ops)](runCtx); err != nil {
					if runCtx.Err() != nil {
						return
					}
					errOnce.Do(func() { firstErr = err })
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, fmt.Errorf("%s: %w", name, firstErr)
	}
	rate := float64(done.Load()) / elapsed.Seconds()
	fmt.Printf("%-16s %8d requests in %6.2fs = %9.0f req/s\n", name, done.Load(), elapsed.Seconds(), rate)
	return rate, nil
}

type serverProcess struct {
	url     string
	cmd     *exec.Cmd
	done    chan error
	cleanup func()
}

func startMoto(ctx context.Context, bin string) (*serverProcess, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("moto_server not found (%w); the comparison needs moto 5 on PATH", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startProcess(ctx, "moto_server", port, "/moto-api/", path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
}

// startIrdrill builds irdrill and serves the sandbox from it.
func startIrdrill(ctx context.Context) (*serverProcess, error) {
	dir, err := os.MkdirTemp("", "irdrill-bench-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	bin := filepath.Join(dir, "irdrill")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/irdrill/irdrill/cmd/irdrill")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build irdrill: %w\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	srv, err := startProcess(ctx, "irdrill sandbox serve", port, sandbox.HealthPath, bin, "sandbox", "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error")
	if err != nil {
		return nil, err
	}
	srv.cleanup = func() { os.RemoveAll(dir) }
	return srv, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startProcess(ctx context.Context, name string, port int, healthPath, path string, args ...string) (*serverProcess, error) {
	m := &serverProcess{url: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan error, 1)}
	m.cmd = exec.Command(path, args...)
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { m.done <- m.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(m.url + healthPath); err == nil {
			resp.Body.Close()
			return m, nil
		}
		select {
		case err := <-m.done:
			return nil, fmt.Errorf("%s exited: %v", name, err)
		case <-ctx.Done():
			m.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	m.stop()
	return nil, fmt.Errorf("%s did not answer within 60s", name)
}

func (m *serverProcess) stop() {
	if m.cleanup != nil {
		defer m.cleanup()
	}
	if m.cmd.Process != nil {
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-m.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}
