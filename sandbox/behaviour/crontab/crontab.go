// Package crontab reads crontab files as cronie, Amazon Linux 2's cron,
// reads them: comments and blank lines are skipped, NAME=value lines set
// the environment of the jobs that follow, and every other line is five
// time fields and a command (a sixth field, the user, in the system
// crontabs /etc/crontab and /etc/cron.d/*). @reboot, @yearly, @annually,
// @monthly, @weekly, @daily, @midnight and @hourly stand for the five
// fields. An unescaped % ends the command; the rest of the line, with each
// % made a newline, is the job's standard input.
//
// The time fields are parsed by github.com/robfig/cron/v3's standard
// parser, which has cron's rules (names of months and days, ranges, steps,
// and "either day matches" when both day fields are restricted), in UTC.
// Errors are reported with cronie's words ("bad minute", "bad command").
//
// Approximations: day-of-week 7 (a second Sunday in cronie) is refused, and
// cronie's "-" prefix (no syslog) and CRON_TZ are not special.
package crontab

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Entry is one job line.
type Entry struct {
	Line    int    // 1-based line number
	Spec    string // the time fields, or the @keyword
	User    string // system crontabs only
	Command string
	// Input is what follows the first unescaped %, with % made newlines.
	Input string
	// Reboot is true for @reboot: the job runs when cron starts at boot.
	Reboot bool
	// Env is the environment set by the NAME=value lines above the entry.
	Env []string

	schedule cron.Schedule
}

// Next is the first time after t the entry runs (zero for @reboot).
func (e *Entry) Next(t time.Time) time.Time {
	if e.schedule == nil {
		return time.Time{}
	}
	return e.schedule.Next(t.UTC())
}

// Error is a line cronie refuses.
type Error struct {
	Line int
	Msg  string // "bad minute", "bad command", …
}

func (e Error) Error() string { return fmt.Sprintf("%d: %s", e.Line, e.Msg) }

var (
	envLine = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$`)
	parser  = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	fields  = []string{"minute", "hour", "day-of-month", "month", "day-of-week"}
)

// Limits so that a hostile crontab stays cheap.
const maxEntries = 1000

// Parse reads a crontab. system is true for /etc/crontab and
// /etc/cron.d/*, whose lines carry a user field. Valid entries are
// returned even when some lines are bad.
func Parse(content []byte, system bool) ([]Entry, []Error) {
	var (
		entries []Entry
		errs    []Error
		env     []string
	)
	for i, line := range strings.Split(string(content), "\n") {
		n := i + 1
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if m := envLine.FindStringSubmatch(line); m != nil && !strings.HasPrefix(trimmed, "@") {
			env = append(env[:len(env):len(env)], m[1]+"="+unquote(strings.TrimSpace(m[2])))
			continue
		}
		if len(entries) >= maxEntries {
			errs = append(errs, Error{n, "too many entries"})
			break
		}
		e, err := parseEntry(trimmed, system)
		if err != "" {
			errs = append(errs, Error{n, err})
			continue
		}
		e.Line = n
		e.Env = env
		entries = append(entries, e)
	}
	return entries, errs
}

// ParseInstall is what crontab(1) checks before it installs FILE: every
// line must parse and the file must end with a newline. It returns the
// messages crontab prints, without the final "errors in crontab file,
// can't install." line.
func ParseInstall(name string, content []byte) []string {
	var out []string
	_, errs := Parse(content, false)
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%q:%d: %s", name, e.Line, e.Msg))
	}
	if len(content) > 0 && content[len(content)-1] != '\n' {
		lines := strings.Count(string(content), "\n")
		out = append(out, fmt.Sprintf("%q:%d: premature EOF", name, lines))
	}
	return out
}

func parseEntry(line string, system bool) (Entry, string) {
	var e Entry
	rest := line
	if strings.HasPrefix(line, "@") {
		kw, r, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(kw, '\t'); i >= 0 {
			kw, r = kw[:i], kw[i+1:]+" "+r
		}
		kw = strings.ToLower(kw)
		switch kw {
		case "@reboot":
			e.Reboot = true
		case "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly":
			s, err := parser.Parse(kw)
			if err != nil {
				return e, "bad time specifier"
			}
			e.schedule = s
		default:
			return e, "bad time specifier"
		}
		e.Spec = kw
		rest = r
	} else {
		f, r := splitFields(line, 5)
		if len(f) < 5 {
			return e, "bad " + fields[len(f)]
		}
		spec := strings.Join(f, " ")
		s, err := parser.Parse(spec)
		if err != nil {
			return e, "bad " + badField(f)
		}
		e.Spec, e.schedule, rest = spec, s, r
	}
	rest = strings.TrimLeft(rest, " \t")
	if system {
		u, r := splitFields(rest, 1)
		if len(u) < 1 {
			return e, "bad username"
		}
		e.User, rest = u[0], strings.TrimLeft(r, " \t")
	}
	cmd, input := splitPercent(rest)
	if strings.TrimSpace(cmd) == "" {
		return e, "bad command"
	}
	e.Command, e.Input = cmd, input
	return e, ""
}

// badField finds which of the five fields the parser refuses.
func badField(f []string) string {
	for i := range f {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f[i]
		if _, err := parser.Parse(strings.Join(probe, " ")); err != nil {
			return fields[i]
		}
	}
	return fields[4]
}

// splitFields cuts n whitespace-separated fields off the front of s.
func splitFields(s string, n int) ([]string, string) {
	var out []string
	for len(out) < n {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out, ""
		}
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return append(out, s), ""
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out, s
}

// splitPercent splits a command at its first unescaped %.
func splitPercent(s string) (cmd, input string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '%':
			b.WriteByte('%')
			i++
		case s[i] == '%':
			return b.String(), strings.ReplaceAll(s[i+1:], "%", "\n")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
