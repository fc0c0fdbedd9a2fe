package behaviour

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/network"
)

// The 11 names persist.sh digs, as the seed spells them (typo included).
var seedDigNames = []string{
	"donate.v2.xmrig.com", "systemten.org", "xmr.pool.minergate.comac", "pool.minergate.com",
	"dockerupdate.anondns.net", "rspca-northamptonshire.org.uk", "xmrpool.eu", "cryptofollow.com",
	"xmr-usa.dwarfpool.com", "xmr-eu.dwarfpool.com", "xmr-eu1.nanopool.org",
}

// exfilLabels are the 63 names under afsdem.com, in the seed's order.
func exfilLabels(t testing.TB) []string {
	t.Helper()
	re := regexp.MustCompile(`echo " dig ([A-Za-z0-9+/=]+\.afsdem\.com);"`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(seedUserData(t)), -1) {
		out = append(out, m[1])
	}
	if len(out) != 63 {
		t.Fatalf("the seed has %d exfiltration labels, want 63", len(out))
	}
	return out
}

// runQueries splits what one run of persist.sh asked, by tool.
func runQueries(evs []trace.Event, run int32) (dig []string, curl []string, conns []*trace.Connection) {
	for _, ev := range evs {
		if ev.Run != run {
			continue
		}
		switch ev.Kind {
		case trace.DNS:
			switch ev.DNS.Tool {
			case "dig":
				dig = append(dig, ev.DNS.Name)
			case "curl":
				curl = append(curl, ev.DNS.Type+" "+ev.DNS.Name)
			}
		case trace.Connect:
			conns = append(conns, ev.Conn)
		}
	}
	return dig, curl, conns
}

// checkPersistRun checks that one run did exactly what persist.sh implies.
func checkPersistRun(t *testing.T, evs []trace.Event, run int32, times int) {
	t.Helper()
	dig, curl, conns := runQueries(evs, run)
	var want []string
	for range times {
		want = append(want, seedDigNames...)
		for range 10 {
			want = append(want, exfilLabels(t)...)
		}
	}
	if !slices.Equal(dig, want) {
		t.Errorf("run %d: dig asked %d names, want %d (11 names then 63 labels x 10)", run, len(dig), len(want))
	}
	// curl resolves with glibc's getaddrinfo(AF_UNSPEC): A and AAAA, in
	// that order, for each host.
	var wantCurl []string
	for range times {
		wantCurl = append(wantCurl, "A pool.minergate.com", "AAAA pool.minergate.com",
			"A xmr.pool.minergate.com", "AAAA xmr.pool.minergate.com")
	}
	if !slices.Equal(curl, wantCurl) {
		t.Errorf("run %d: curl asked %v, want %v", run, curl, wantCurl)
	}
	if len(conns) != 2*times {
		t.Fatalf("run %d: %d connections, want %d", run, len(conns), 2*times)
	}
	for i, c := range conns {
		wantDst := []string{"198.51.100.12:80", "198.51.100.13:80"}[i%2]
		if c.Dst.String() != wantDst || c.Outcome != network.Connected || c.Protocol != network.ProtocolTCP {
			t.Errorf("run %d: connection %d = %+v, want a connected TCP exchange with %s", run, i, c, wantDst)
		}
	}
}

func TestSeedUserDataDoesWhatTheScriptImplies(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.boot()
	r.advance(time.Minute)
	runs := r.in.Runs()
	if len(runs) != 1 || runs[0].Kind != RunBoot || runs[0].Status != 0 || runs[0].Stopped != "" {
		t.Fatalf("runs after boot = %+v, want one clean boot run", runs)
	}
	evs := r.in.Events()
	checkPersistRun(t, evs, runs[0].ID, 1)
	if got := runs[0].DNSQueries; got != 645 {
		t.Errorf("boot run sent %d DNS queries, want 645 (11 + 4 + 630)", got)
	}

	// The network saw the same, from the instance's interface, to the VPC
	// resolver, each at its own time.
	queries, dials := r.net.Snapshot()
	if len(queries) != 645 || len(dials) != 2 {
		t.Fatalf("network saw %d queries and %d dials, want 645 and 2", len(queries), len(dials))
	}
	for i, q := range queries {
		if q.From.InstanceID != "i-0ba42452619fc45aa" || q.Transport != "UDP" || q.SrcPort < 32768 {
			t.Fatalf("query %d = %+v", i, q)
		}
	}
	for _, d := range dials {
		req := string(d.Request)
		if !strings.HasPrefix(req, "GET /d") || !strings.Contains(req, "\r\nHost: ") || !strings.Contains(req, "User-Agent: curl/") {
			t.Errorf("dial request = %q, want curl's GET", req)
		}
	}
	digs := eventsOf(evs, runs[0].ID, trace.DNS)
	for i := 1; i < len(digs); i++ {
		if !digs[i].Time.After(seedStart) {
			t.Fatalf("query %d at %s, before the boot", i, digs[i].Time)
		}
	}

	// The files the script writes are on the volume.
	persist, err := r.in.ReadFile("/usr/cryptokit/persist.sh")
	if err != nil || !strings.HasPrefix(string(persist), "#!/bin/bash\ndig donate.v2.xmrig.com\n") {
		t.Fatalf("persist.sh = %q, %v", persist, err)
	}
	spool, err := r.in.ReadFile("/var/spool/cron/root")
	if err != nil || string(spool) != "*/15 * * * * /usr/cryptokit/persist.sh\n" {
		t.Fatalf("spool = %q, %v", spool, err)
	}
}

func TestSeedCronRunsPersistEveryQuarterHour(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.boot()
	r.advance(time.Minute)
	before, _ := r.net.Snapshot()
	r.advance(time.Hour)
	after, _ := r.net.Snapshot()
	var cron []Run
	for _, run := range r.in.Runs() {
		if run.Kind == RunCron {
			cron = append(cron, run)
		}
	}
	if len(cron) != 4 {
		t.Fatalf("%d cron runs in the hour, want 4", len(cron))
	}
	evs := r.in.Events()
	for i, run := range cron {
		if run.Command != "/usr/cryptokit/persist.sh" || run.Status != 0 || run.Stopped != "" {
			t.Errorf("cron run %d = %+v", i, run)
		}
		if run.Start.Minute()%15 != 0 || run.Start.Second() != 0 {
			t.Errorf("cron run %d started at %s, not on a quarter hour", i, run.Start)
		}
		if i > 0 && run.Start.Sub(cron[i-1].Start) != 15*time.Minute {
			t.Errorf("cron runs %d and %d are %s apart", i-1, i, run.Start.Sub(cron[i-1].Start))
		}
		checkPersistRun(t, evs, run.ID, 1)
	}
	if got := len(after) - len(before); got != 4*645 {
		t.Errorf("the hour added %d queries, want %d", got, 4*645)
	}
	// A cron job's run is one CROND line and one summary in the console.
	if n := strings.Count(r.console(), "CROND["); n != 4 {
		t.Errorf("console has %d CROND lines, want 4", n)
	}
}

func TestSeedConsoleOutput(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.boot()
	r.advance(20 * time.Minute)
	golden(t, "seed-console.golden", r.in.ConsoleOutput())
}

func TestStopStartTerminate(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.boot()
	r.advance(time.Minute)
	persist1, _ := r.in.ReadFile("/usr/cryptokit/persist.sh")

	r.in.Stop()
	if r.in.State() != Stopped {
		t.Fatalf("state = %s", r.in.State())
	}
	q0, _ := r.net.Snapshot()
	r.advance(2 * time.Hour)
	if q1, _ := r.net.Snapshot(); len(q1) != len(q0) {
		t.Fatalf("a stopped instance sent %d queries", len(q1)-len(q0))
	}

	// Starting boots again; [scripts-user, always] runs the script again,
	// which appends to persist.sh again on the persistent volume.
	r.boot()
	r.advance(time.Minute)
	persist2, _ := r.in.ReadFile("/usr/cryptokit/persist.sh")
	if string(persist2) != string(persist1)+string(persist1) {
		t.Fatalf("persist.sh after the second boot is %d bytes, want twice %d", len(persist2), len(persist1))
	}
	runs := r.in.Runs()
	boot2 := runs[len(runs)-1]
	if boot2.Kind != RunBoot {
		t.Fatalf("last run = %+v", boot2)
	}
	checkPersistRun(t, r.in.Events(), boot2.ID, 2)
	if strings.Count(r.console(), "running 'modules:final'") != 1 {
		t.Errorf("the console should show the latest boot only")
	}
	// Cron resumes with the doubled script.
	r.advance(15 * time.Minute)
	runs = r.in.Runs()
	if last := runs[len(runs)-1]; last.Kind != RunCron || last.DNSQueries != 2*645 {
		t.Fatalf("cron after restart: %+v", last)
	}

	r.in.Terminate()
	if err := r.in.Boot(); !errors.Is(err, ErrTerminated) {
		t.Fatalf("Boot after terminate = %v", err)
	}
	q2, _ := r.net.Snapshot()
	r.advance(3 * time.Hour)
	if q3, _ := r.net.Snapshot(); len(q3) != len(q2) {
		t.Fatalf("a terminated instance sent %d queries", len(q3)-len(q2))
	}
}

func TestReboot(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.boot()
	r.advance(time.Minute)
	if err := r.in.Reboot(); err != nil {
		t.Fatal(err)
	}
	r.advance(time.Minute)
	runs := r.in.Runs()
	if len(runs) != 2 || runs[1].Kind != RunBoot || runs[1].DNSQueries != 2*645 || r.in.State() != Running {
		t.Fatalf("runs after reboot = %+v, state %s", runs, r.in.State())
	}
}

func TestStopEndsARunningScript(t *testing.T) {
	ud := []byte("#!/bin/bash\ndig before.example\nsleep 600\ndig after.example\n")
	r := newRig(t, ud, nil)
	r.boot()
	r.advance(2 * time.Minute)
	r.in.Stop()
	r.advance(time.Hour)
	dig, _, _ := runQueries(r.in.Events(), 1)
	if !slices.Equal(dig, []string{"before.example"}) {
		t.Fatalf("digs = %v, want only the one before the sleep", dig)
	}
	if run := r.in.Runs()[0]; run.Stopped != "instance halted" {
		t.Errorf("run = %+v, want stopped by the halt", run)
	}
}

func TestSleepRunsOnTheClock(t *testing.T) {
	ud := []byte("#!/bin/bash\ndig before.example\nsleep 600\ndig after.example\n")
	r := newRig(t, ud, nil)
	r.boot()
	r.advance(5 * time.Minute)
	if dig, _, _ := runQueries(r.in.Events(), 1); len(dig) != 1 {
		t.Fatalf("after 5 minutes: %v", dig)
	}
	r.advance(10 * time.Minute)
	digs := eventsOf(r.in.Events(), 1, trace.DNS)
	if len(digs) != 2 {
		t.Fatalf("after 15 minutes: %d digs", len(digs))
	}
	if gap := digs[1].Time.Sub(digs[0].Time); gap < 600*time.Second || gap > 601*time.Second {
		t.Errorf("the digs are %s apart, want sleep 600 plus a few ms", gap)
	}
}

func TestScriptsRunOncePerInstanceByDefault(t *testing.T) {
	r := newRig(t, []byte("#!/bin/bash\ndig once.example\n"), nil)
	r.boot()
	r.advance(time.Minute)
	r.in.Stop()
	r.boot()
	r.advance(time.Minute)
	var digs int
	for _, ev := range r.in.Events() {
		if ev.Kind == trace.DNS {
			digs++
		}
	}
	if digs != 1 {
		t.Fatalf("%d digs over two boots, want 1: scripts-user is once-per-instance", digs)
	}
	// Without the seed's cloud_final_modules, the image's list runs,
	// final-message included.
	if !strings.Contains(r.console(), "Cloud-init v. 19.3-44.amzn2 finished at") {
		t.Errorf("console lacks final-message:\n%s", r.console())
	}
}

func TestRunsAreDeterministic(t *testing.T) {
	render := func() string {
		r := newRig(t, seedUserData(t), nil)
		r.boot()
		r.advance(40 * time.Minute)
		return r.console()
	}
	if a, b := render(), render(); a != b {
		t.Fatal("two identical drills rendered different consoles")
	}
}
