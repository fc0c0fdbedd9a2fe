// Package trace defines the events of a decoy instance's behaviour log:
// what ran, what it asked the network, what it wrote, what it scheduled,
// each stamped with the sandbox time it happened at.
package trace

import (
	"net/netip"
	"time"

	"github.com/irdrill/irdrill/sandbox/network"
)

// Kind says what an event records.
type Kind uint8

// Event kinds.
const (
	// Boot: the instance reached running and began to boot.
	Boot Kind = iota + 1
	// Stage: a cloud-init stage began (Text is its name).
	Stage
	// Script: a script or job started (Path, Argv).
	Script
	// Exit: a script or job ended (Path, Status).
	Exit
	// Command: a command ran (Argv; Status, or -1 for a builtin, whose
	// status is not observed).
	Command
	// NotModelled: a command the sandbox does not model ran as a no-op
	// that succeeds (Argv, Text says why).
	NotModelled
	// DNS: a DNS query and its answer.
	DNS
	// Connect: a connection attempt and how it went.
	Connect
	// FileWrite: a file was created, written or removed (Path, Text is
	// the operation, Bytes the bytes written).
	FileWrite
	// Cron: cron loaded an entry (Cron).
	Cron
	// CronRun: cron started a job (Cron).
	CronRun
	// Output: a line a script wrote to the console (Text; Status is 1 for
	// standard output, 2 for standard error).
	Output
	// Warning: a line cloud-init logs at WARNING (Path is the Python file,
	// Text the message).
	Warning
	// Note: the sandbox's own remark about what it did not model or had to
	// stop (Text).
	Note
	// Halt: the instance stopped or was terminated (Text says which).
	Halt
)

var kindNames = [...]string{
	Boot: "boot", Stage: "stage", Script: "script", Exit: "exit", Command: "command",
	NotModelled: "not modelled", DNS: "dns", Connect: "connection", FileWrite: "file",
	Cron: "cron", CronRun: "cron run", Output: "output", Warning: "warning", Note: "note", Halt: "halt",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one entry of the behaviour log. Only the fields its Kind names
// are set.
type Event struct {
	Time time.Time
	Kind Kind
	// Run numbers the boot or cron job the event belongs to (1, 2, …).
	Run int32
	// PID is the modelled process id of the script or job.
	PID    int32
	Status int32
	Argv   []string
	Path   string
	Text   string
	Bytes  int64
	DNS    *DNSQuery
	Conn   *Connection
	Cron   *CronEntry
}

// DNSQuery is a query the instance sent and the answer it got.
type DNSQuery struct {
	Tool    string // "dig", "curl", …
	Server  netip.Addr
	SrcPort uint16
	Name    string // as asked, without the trailing dot
	Type    string
	// RCode is the answer's response code, or "" when no answer came
	// (a server other than the VPC resolver that does not answer).
	RCode   string
	Answers []network.Record
}

// Connection is a connection the instance opened.
type Connection struct {
	Tool     string // "curl", "wget", "bash /dev/tcp"
	Protocol int
	SrcPort  uint16
	Dst      netip.AddrPort
	Host     string // the name it was opened for, if any
	Outcome  network.Outcome
	// BytesOut and BytesIn are the application payload sizes.
	BytesOut, BytesIn int
	Elapsed           time.Duration
}

// CronEntry is one crontab line as cron loaded it.
type CronEntry struct {
	Source  string // /var/spool/cron/root, /etc/cron.d/x, …
	User    string
	Spec    string
	Command string
	// Next is when it runs next (zero for @reboot).
	Next time.Time
}
