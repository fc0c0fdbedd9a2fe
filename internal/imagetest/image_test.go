package imagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/irdrill/irdrill/internal/ids"
)

// TestMain turns testcontainers' reaper off unless told otherwise: it is
// an image of its own, which cannot be pulled where there is no registry.
// Every container the test starts is terminated by the test itself.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	os.Exit(m.Run())
}

const (
	version  = "imagetest"
	revision = "0123456789abcdef0123456789abcdef01234567"
)

// buildContext lays out a build context as the repository root is after
// `make build`: the Dockerfile, .dockerignore and a static Linux binary in
// bin/irdrill.
func buildContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", ".dockerignore"} {
		data, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// What .dockerignore keeps out: a build must not need it.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("not for the image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X github.com/irdrill/irdrill/internal/buildinfo.version="+version,
		"-o", filepath.Join(dir, "bin", "irdrill"), "../../cmd/irdrill")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the static binary: %v\n%s", err, out)
	}
	return dir
}

func logs(t *testing.T, ctx context.Context, c testcontainers.Container) string {
	t.Helper()
	r, err := c.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, _ := io.ReadAll(r)
	return string(data)
}

func terminate(t *testing.T, c testcontainers.Container) {
	t.Helper()
	t.Cleanup(func() {
		if err := c.Terminate(context.Background()); err != nil {
			t.Logf("terminate %s: %v", c.GetContainerID(), err)
		}
	})
}

func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a static binary and an image: not with -short")
	}
	testcontainers.SkipIfProviderIsNotHealthy(t)
	ctx := context.Background()
	dir := buildContext(t)
	repo, tag := "irdrill-imagetest", ids.Hex(10)
	image := repo + ":" + tag
	rev := revision
	ver := version
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	t.Cleanup(func() {
		if _, err := provider.Client().ImageRemove(context.Background(), image, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
			t.Logf("remove %s: %v", image, err)
		}
	})

	// The server: built from the Dockerfile, healthy by its own HEALTHCHECK.
	server, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			FromDockerfile: testcontainers.FromDockerfile{Context: dir, Repo: repo, Tag: tag, KeepImage: true,
				BuildArgs: map[string]*string{"VERSION": &ver, "REVISION": &rev}},
			ExposedPorts: []string{"4566/tcp"},
			WaitingFor:   wait.ForHealthCheck().WithStartupTimeout(2 * time.Minute).WithPollInterval(500 * time.Millisecond),
		},
		Started: true,
	})
	if server != nil {
		terminate(t, server)
	}
	if err != nil {
		t.Fatalf("build and start %s: %v", image, err)
	}
	info, err := server.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.Config
	if !slices.Equal(cfg.Entrypoint, []string{"/irdrill"}) || !slices.Equal(cfg.Cmd, []string{"sandbox", "serve", "--addr", "0.0.0.0:4566"}) {
		t.Errorf("entrypoint %q, cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	if cfg.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", cfg.User)
	}
	if cfg.Healthcheck == nil || !slices.Equal(cfg.Healthcheck.Test, []string{"CMD", "/irdrill", "sandbox", "health"}) {
		t.Errorf("healthcheck %+v", cfg.Healthcheck)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.title": "irdrill", "org.opencontainers.image.version": version,
		"org.opencontainers.image.revision": revision, "org.opencontainers.image.source": "https://github.com/irdrill/irdrill",
	} {
		if got := cfg.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	if info.State.Health == nil || info.State.Health.Status != "healthy" {
		t.Errorf("health %+v", info.State.Health)
	} else if n := len(info.State.Health.Log); n == 0 || !strings.HasPrefix(info.State.Health.Log[n-1].Output, "ok: irdrill sandbox "+version) {
		t.Errorf("health check log %+v", info.State.Health.Log)
	}

	// Not root: every process of the container, as the host's ps sees it.
	top, err := provider.Client().ContainerTop(ctx, server.GetContainerID(), client.ContainerTopOptions{Arguments: []string{"-o", "uid,pid,args"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Processes) == 0 {
		t.Fatal("no process in the container")
	}
	for _, p := range top.Processes {
		if p[0] == "0" {
			t.Errorf("a process runs as UID 0: %q", p)
		}
		if !strings.Contains(strings.Join(p, " "), "/irdrill sandbox serve") && !strings.Contains(strings.Join(p, " "), "/irdrill sandbox health") {
			t.Errorf("unexpected process %q", p)
		}
	}

	// Reached from the host on the published port, on loopback (tests send
	// traffic nowhere else); the banner gives the loopback endpoint although
	// the server listens on every interface.
	port, err := server.MappedPort(ctx, "4566/tcp")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/_irdrill/health", port.Num()))
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status, Version string
		Extensions      []string
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || health.Status != "ok" || health.Version != version || !slices.Contains(health.Extensions, "import-access-key") {
		t.Errorf("health from the host: %+v, %v", health, err)
	}
	if out := logs(t, ctx, server); !strings.Contains(out, "irdrill sandbox serving http://127.0.0.1:4566\n") {
		t.Errorf("banner:\n%s", out)
	}
	code, _, err := server.Exec(ctx, []string{"/irdrill", "sandbox", "health", "--endpoint", "http://127.0.0.1:1"})
	if err != nil || code != 1 {
		t.Errorf("sandbox health of nothing: exit %d, %v", code, err)
	}

	// SIGTERM (docker stop) drains and exits 0, as PID 1.
	stop := 30 * time.Second
	if err := server.Stop(ctx, &stop); err != nil {
		t.Fatal(err)
	}
	if st, err := server.State(ctx); err != nil || st.ExitCode != 0 {
		t.Errorf("after docker stop: %+v, %v", st, err)
	}
	if out := logs(t, ctx, server); !strings.Contains(out, "stopped: every request in flight finished") {
		t.Errorf("shutdown:\n%s", out)
	}

	// Any command as arguments: the lab, end to end, and the version.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lab"}, "PASS: every detection fired and containment holds"},
		{[]string{"version"}, "irdrill " + version + "\n"},
	} {
		c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
			ContainerRequest: testcontainers.ContainerRequest{Image: image, Cmd: tc.args, WaitingFor: wait.ForExit().WithExitTimeout(3 * time.Minute)},
			Started:          true,
		})
		if c != nil {
			terminate(t, c)
		}
		if err != nil {
			t.Fatalf("run %s %s: %v", image, tc.args, err)
		}
		st, err := c.State(ctx)
		out := logs(t, ctx, c)
		if err != nil || st.ExitCode != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("docker run %s %s: exit %d, %v\n%s", image, strings.Join(tc.args, " "), st.ExitCode, err, out)
		}
	}
}
