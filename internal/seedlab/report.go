package seedlab

import (
	"fmt"
	"strings"
	"time"
)

// The report is written section by section as the run goes, so that a
// rehearsal of AWS's delivery delay shows progress. It is deterministic
// apart from ids and timings: counts, names and order depend only on the
// target's state.

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func (l *lab) printf(format string, args ...any) {
	// A report writer that fails (a closed pipe) must not stop the drill:
	// the Result still carries every outcome.
	_, _ = fmt.Fprintf(l.out, format, args...)
}

// FormatDuration renders a timing for the report: milliseconds below a
// second, tenths of a second above.
func FormatDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func (l *lab) header() {
	l.printf("irdrill lab: the \"EC2 crypto mining\" playbook and the lab \"Incident Response with AWS Console and CLI\"\n")
	l.printf("region %s; attacker %s with the leaked access key of user %s\n", l.cfg.Region, l.cfg.AttackerIP, l.cfg.LeakedUser)
}

func (l *lab) section(title string, steps []Step) {
	l.printf("\n%s\n", title)
	for _, s := range steps {
		l.printf("  %s %s\n", mark(s.OK), s.Text)
		if s.Detail != "" {
			l.printf("      %s\n", s.Detail)
		}
	}
}

func (l *lab) attackSection() {
	l.printf("\nAttack (account %s; key %s from %s, user agent %s command/<service>.<command>)\n",
		l.res.AccountID, l.res.LeakedKeyID, l.cfg.AttackerIP, DefaultUserAgent)
	for _, s := range l.res.Attack {
		l.printf("  %s %s\n", mark(s.OK), s.Text)
	}
	l.printf("  %d calls with the leaked key, %d denied; %d instances launched with the playbook's user data (%d bytes)\n",
		len(l.res.AttackCalls), l.res.DeniedCalls, len(l.res.Instances), len(userDataMIME))
}

func (l *lab) detectSection() {
	l.printf("\nDetect (lab §2.1 over log group %s, attack window only)\n", l.res.TrailLogGroup)
	width := 0
	for _, d := range l.res.Detections {
		width = max(width, len(d.Name))
	}
	for _, d := range l.res.Detections {
		unit := "row"
		if d.Source == "filter-log-events" {
			unit = "event"
		}
		if d.Rows != 1 {
			unit += "s"
		}
		outcome := "did not fire"
		if d.Fired {
			outcome = "fired after " + FormatDuration(d.TimeToDetect)
		}
		l.printf("  %s %-17s  %-*s  %3d %-6s  %s\n", mark(d.Fired), d.Source, width, d.Name, d.Rows, unit, outcome)
		l.printf("      %s\n", d.Query)
		if d.Error != "" {
			l.printf("      error: %s\n", d.Error)
		}
	}
	l.printf("  %d/%d detections fired", l.res.DetectionsFired(), len(l.res.Detections))
	if l.res.TimeToDetect > 0 {
		l.printf("; time to detect %s", FormatDuration(l.res.TimeToDetect))
	}
	l.printf("\n")
}

func (l *lab) checkSection(title string, checks []Check) {
	l.printf("\n%s\n", title)
	for _, c := range checks {
		line := "  " + mark(c.Passed) + " " + c.Name
		if c.Detail != "" {
			line += " (" + c.Detail + ")"
		}
		l.printf("%s\n", line)
	}
}

func (l *lab) containSection() {
	l.checkSection("Contain (playbook Part 4, as the responder)", l.res.Containment)
	if l.res.TimeToContain > 0 {
		l.printf("  time to contain %s\n", FormatDuration(l.res.TimeToContain))
	} else {
		l.printf("  containment did not complete\n")
	}
}

func (l *lab) summary() {
	r := l.res
	passed, total := r.ChecksPassed()
	stopped := 0
	for _, i := range r.Instances {
		if i.State == "stopped" {
			stopped++
		}
	}
	ttd, ttc := "never", "never"
	if r.TimeToDetect > 0 {
		ttd = FormatDuration(r.TimeToDetect)
	}
	if r.TimeToContain > 0 {
		ttc = FormatDuration(r.TimeToContain)
	}
	rows := [][2]string{
		{"detections fired", fmt.Sprintf("%d/%d", r.DetectionsFired(), len(r.Detections))},
		{"containment checks passed", fmt.Sprintf("%d/%d", passed, total)},
		{"instances stopped", fmt.Sprintf("%d/%d", stopped, len(r.Instances))},
		{"time to detect", ttd + " (from the first attacker call)"},
		{"time to contain", ttc + " (from the first attacker call)"},
		{"not covered yet", "VPC flow-log records and the lab's §3 queries, GuardDuty findings"},
	}
	var b strings.Builder
	b.WriteString("\nSummary\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "  %-26s %s\n", row[0], row[1])
	}
	if r.Passed() {
		b.WriteString("  PASS: every detection fired and containment holds\n")
	} else {
		b.WriteString("  FAIL: a detection did not fire or a containment check failed\n")
	}
	l.printf("%s", b.String())
}
