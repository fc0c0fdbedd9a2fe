package behaviour

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/network"
)

// MaxConsoleOutput is how much console output EC2 keeps: GetConsoleOutput
// returns the most recent 64 KB.
const MaxConsoleOutput = 64 << 10

// ConsoleOutput is the instance's console since its latest boot, in the
// shape of an Amazon Linux 2 serial console: "[uptime] cloud-init[pid]:"
// lines for cloud-init's stages, warnings and the output of the scripts it
// runs, "CROND[pid]:" lines for cron jobs, and "irdrill[pid]:" lines for
// what the sandbox saw the scripts do (their DNS queries, connections,
// files and cron entries) and what it did not model. Consecutive DNS
// queries under one domain with one answer are summed up in one line, and
// a cron job is summed up in one line when it ends. At most the last
// MaxConsoleOutput bytes are returned, cut at a line, as EC2 returns them
// (before base64). An instance that never booted has no output.
func (in *Instance) ConsoleOutput() []byte {
	in.mu.Lock()
	boot := in.bootedAt
	booted := in.boots > 0
	in.mu.Unlock()
	if !booted {
		return nil
	}
	events := in.events.snapshot()
	start := 0
	for i, ev := range events {
		if ev.Kind == trace.Boot {
			start = i
		}
	}
	out := renderConsole(events[start:], boot, in.events.runList())
	if len(out) > MaxConsoleOutput {
		out = out[len(out)-MaxConsoleOutput:]
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
	}
	return out
}

// ConsoleTimestamp is when the console output last changed, for
// GetConsoleOutput's Timestamp; zero before the first boot.
func (in *Instance) ConsoleTimestamp() time.Time {
	events := in.events.snapshot()
	for i := len(events) - 1; i >= 0; i-- {
		if ev := events[i]; ev.Kind != trace.Command {
			return ev.Time
		}
	}
	return time.Time{}
}

func renderConsole(events []trace.Event, boot time.Time, runs []Run) []byte {
	cronRuns := map[int32]bool{}
	for _, r := range runs {
		if r.Kind == RunCron {
			cronRuns[r.ID] = true
		}
	}
	var b bytes.Buffer
	line := func(at time.Time, who string, pid int32, text string) {
		up := at.Sub(boot)
		if up < 0 {
			up = 0
		}
		fmt.Fprintf(&b, "[%5d.%06d] %s[%d]: %s\n", int64(up/time.Second), int64(up%time.Second/time.Microsecond), who, pid, text)
	}
	// Commands are in the Go log only; a cron job shows as its CROND line
	// and its summary.
	shown := events[:0:0]
	for _, ev := range events {
		cronEnd := ev.Kind == trace.Exit && ev.Text != ""
		if ev.Kind == trace.Command || (cronRuns[ev.Run] && ev.Kind != trace.CronRun && !cronEnd) {
			continue
		}
		shown = append(shown, ev)
	}
	events = shown
	for i := 0; i < len(events); i++ {
		ev := events[i]
		switch ev.Kind {
		case trace.Boot:
			line(ev.Time, "irdrill", 1, "instance running: "+ev.Text)
		case trace.Stage:
			line(ev.Time, "cloud-init", ev.PID, fmt.Sprintf("Cloud-init v. %s running '%s' at %s. Up %.2f seconds.",
				cloudInitVersion, ev.Text, ev.Time.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"), ev.Time.Sub(boot).Seconds()))
		case trace.Output:
			line(ev.Time, "cloud-init", ev.PID, ev.Text)
		case trace.Warning:
			line(ev.Time, "cloud-init", ev.PID, fmt.Sprintf("%s cloud-init[%d]: %s[WARNING]: %s",
				ev.Time.UTC().Format("Jan 02 15:04:05"), ev.PID, ev.Path, ev.Text))
		case trace.Note:
			line(ev.Time, "irdrill", ev.PID, ev.Text)
		case trace.NotModelled:
			line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("not modelled (%s): %s", ev.Text, strings.Join(ev.Argv, " ")))
		case trace.Script:
			line(ev.Time, "irdrill", ev.PID, "exec "+strings.Join(ev.Argv, " "))
		case trace.Exit:
			if cronRuns[ev.Run] {
				line(ev.Time, "irdrill", ev.PID, cronSummary(ev, runs))
			} else {
				line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("%s exited %d", ev.Path, ev.Status))
			}
		case trace.FileWrite:
			j, total := i+1, ev.Bytes
			for j < len(events) && events[j].Kind == trace.FileWrite && events[j].Path == ev.Path &&
				events[j].Text == ev.Text && events[j].Run == ev.Run {
				total += events[j].Bytes
				j++
			}
			switch {
			case j-i >= 3:
				line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("file %s %s %d times (%d bytes) over %.3fs",
					ev.Path, ev.Text, j-i, total, events[j-1].Time.Sub(ev.Time).Seconds()))
				i = j - 1
			case ev.Bytes == 0 && ev.Text != "created" && ev.Text != "truncated":
				line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("file %s %s", ev.Path, ev.Text))
			default:
				line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("file %s %s (%d bytes)", ev.Path, ev.Text, ev.Bytes))
			}
		case trace.Cron:
			next := "at reboot"
			if !ev.Cron.Next.IsZero() {
				next = "next " + ev.Cron.Next.UTC().Format("2006-01-02 15:04:05")
			}
			line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("cron (%s) %s %s [%s, %s]", ev.Cron.User, ev.Cron.Spec, ev.Cron.Command, ev.Cron.Source, next))
		case trace.CronRun:
			line(ev.Time, "CROND", ev.PID, fmt.Sprintf("(%s) CMD (%s)", ev.Cron.User, ev.Cron.Command))
		case trace.Connect:
			line(ev.Time, "irdrill", ev.PID, connText(ev.Conn))
		case trace.DNS:
			j := i + 1
			for j < len(events) && sameDNSGroup(events[i], events[j]) {
				j++
			}
			if j-i >= 3 {
				names := map[string]bool{}
				for _, e := range events[i:j] {
					names[e.DNS.Name] = true
				}
				line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("dns %s: %d %s queries for %d names under %s over %.3fs -> %s",
					ev.DNS.Tool, j-i, ev.DNS.Type, len(names), baseDomain(ev.DNS.Name),
					events[j-1].Time.Sub(ev.Time).Seconds(), answerText(ev.DNS)))
				i = j - 1
				continue
			}
			line(ev.Time, "irdrill", ev.PID, fmt.Sprintf("dns %s: %s %s from :%d to %s -> %s",
				ev.DNS.Tool, ev.DNS.Type, ev.DNS.Name, ev.DNS.SrcPort, ev.DNS.Server, answerText(ev.DNS)))
		case trace.Halt:
			line(ev.Time, "irdrill", 1, ev.Text)
		}
	}
	return b.Bytes()
}

func sameDNSGroup(a, b trace.Event) bool {
	if b.Kind != trace.DNS || a.Run != b.Run || a.DNS.Tool != b.DNS.Tool || a.DNS.Type != b.DNS.Type || a.DNS.RCode != b.DNS.RCode {
		return false
	}
	return baseDomain(a.DNS.Name) == baseDomain(b.DNS.Name) && answerText(a.DNS) == answerText(b.DNS)
}

// baseDomain is the last two labels of a name.
func baseDomain(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return name
	}
	if j := strings.LastIndexByte(name[:i], '.'); j >= 0 {
		return name[j+1:]
	}
	return name
}

func answerText(q *trace.DNSQuery) string {
	if q.RCode == "" {
		return "no reply"
	}
	var data []string
	for _, r := range q.Answers {
		data = append(data, r.Data)
	}
	if len(data) == 0 {
		return q.RCode
	}
	return q.RCode + " " + strings.Join(data, " ")
}

func connText(c *trace.Connection) string {
	proto := "tcp"
	switch c.Protocol {
	case network.ProtocolUDP:
		proto = "udp"
	case network.ProtocolICMP:
		proto = "icmp"
	}
	host := ""
	if c.Host != "" && c.Host != c.Dst.Addr().String() {
		host = " (" + c.Host + ")"
	}
	return fmt.Sprintf("%s: %s :%d -> %s%s %s, %d bytes out, %d in, %.3fs",
		c.Tool, proto, c.SrcPort, c.Dst, host, c.Outcome, c.BytesOut, c.BytesIn, c.Elapsed.Seconds())
}

func cronSummary(ev trace.Event, runs []Run) string {
	for _, r := range runs {
		if r.ID != ev.Run {
			continue
		}
		s := fmt.Sprintf("cron job %q %s after %.3fs: %d steps, %d DNS queries, %d connections, %d files written",
			r.Command, ev.Text, r.End.Sub(r.Start).Seconds(), r.Steps, r.DNSQueries, r.Connections, r.FilesWritten)
		if r.NotModelled > 0 {
			s += fmt.Sprintf(", %d not modelled", r.NotModelled)
		}
		return s
	}
	return ev.Text
}
