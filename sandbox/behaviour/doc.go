// Package behaviour makes the sandbox's decoy instances act: each EC2
// instance gets an Instance, a runtime that boots like Amazon Linux 2 when
// EC2 says the instance is running, hands its user data to a model of
// cloud-init, runs the scripts in a shell that never touches the host, runs
// cron, and keeps a behaviour log of what happened and when.
//
// # Use
//
// The EC2 service creates one Instance per instance (New), calls Boot when
// the instance reaches running (after launch and after every start), Stop
// when it is stopped and Terminate when it is terminated, and serves
// GetConsoleOutput from ConsoleOutput (base64-encoding it). Events and Runs
// are the behaviour log for Go callers. Instances of one sandbox share the
// clock, the network and a shell.Cache.
//
// # What runs
//
// Boot schedules, on the sandbox clock, cloud-init's stages at the uptimes
// a t2.nano shows ("Up 6.84 seconds" for init-local, 8.91 for init, 12.48
// for modules:config, 13.27 for modules:final) and cron at 5.1 s. The init
// stage consumes the user data as cloud-init 19.3 does (package userdata):
// scripts go to /var/lib/cloud/instance/scripts, boothooks run at once, the
// cloud-config is merged. The final stage runs cloud_final_modules: the
// image's list unless the user data replaces it (the seed's
// [scripts-user, always] replaces it, so the seed prints no "finished at"
// line). scripts-user runs the scripts once per instance, or on every boot
// with frequency always, and reports failures with cloud-init's warnings.
// Semaphores live on the volume under /var/lib/cloud, as cloud-init's do.
//
// Scripts run in mvdan.cc/sh's interpreter, bash dialect, through package
// shell, whose every handler answers from the instance's in-memory volume
// (package memfs) and the modelled network: dig, host and nslookup ask the
// resolver in /etc/resolv.conf (the VPC resolver, through
// network.Network.Resolve, unless a script points it elsewhere); curl, wget
// and bash's /dev/tcp resolve as glibc's getaddrinfo does on Amazon Linux 2
// (/etc/hosts, then A and AAAA together, then the search domain) and open
// the connection with network.Network.Dial. Cron (cronie) reads
// /var/spool/cron/*, /etc/crontab and /etc/cron.d/* at start and at the
// minute after any of them changes.
//
// # Time
//
// Every event carries the sandbox time it happened at. A run's processes
// are coroutines driven by clock timers: a process runs at most a second
// ahead of the clock, then waits for it (so a stopped instance stops within
// a second of sandbox time, and "sleep 600" takes ten sandbox minutes and
// no wall time). Steps cost (shell.DefaultCosts): 20 µs per builtin, 1 ms to
// start a utility, 3 ms to start bash for a script, 0.5 ms to fork a
// background job, 4 ms to start dig plus 1 ms per query, 5 ms to start curl
// or wget plus what the network says the exchange took, and 127 s for a TCP
// connect nobody answers (Linux's SYN retries) unless the tool sets a
// timeout. A persist.sh run takes about 3.2 s of sandbox time. The
// network.DNSQuery and network.Dial an instance sends carry the time of the
// step that sent them, which is never before the clock's Now and at most
// about a second after it; two instances' calls may interleave within that
// second.
//
// # Bounds
//
// A run (a boot's cloud-init, or one cron job, with the background jobs
// they start) stops after MaxSteps steps (commands and loop iterations;
// 100,000 by default), MaxRunTime of sandbox time (1 h), 32 MiB of shell
// variables, or about a thousand levels of function, eval or script
// nesting; the console says which. At most 256 background jobs are alive
// at once; past that, "&" fails as bash does when it cannot fork. Bad user data never fails anything:
// cloud-init's warnings and bash's syntax errors become console lines, and
// what cloud-init would pass over in silence becomes an irdrill note.
//
// # Approximations
//
//   - Background jobs get a copy of the shell's variables and every
//     function the script declares; $! is not set and "wait" waits for all
//     jobs. A pipeline runs its commands one after the other through an
//     in-memory pipe, each in a subshell (as bash without lastpipe), so a
//     writer that never ends stops at 4 MiB.
//   - Process substitution and coprocesses are not modelled (they read as
//     /dev/null, with a note). $RANDOM in subshells is not seeded.
//   - Commands modelled: mkdir, touch, chmod, chown (no-op: everything is
//     root's), rm, cat, cp, mv, ls, tee, head, wc, base64, sleep, date,
//     hostname, whoami, id, uname, nproc, bash, sh, sudo, nohup, nice,
//     setsid, env, timeout, dig, host, nslookup, curl, wget and crontab,
//     with their common options. Any other command, and interpreters other
//     than bash and sh (python, perl) and ELF binaries, are recorded as not
//     modelled and succeed. Builtins are the interpreter's, except those it
//     lacks (kill, ulimit, umask, jobs, …), which are not modelled.
//   - TLS is not modelled: https is the same exchange on port 443. wget
//     tries once, not 20 times. crontab -e is not modelled. Cron output is
//     discarded (Amazon Linux 2 has no MTA); the image's own cron jobs and
//     anacron are not modelled.
//   - The console shows the latest boot: cloud-init's lines, the scripts'
//     output, and irdrill lines for DNS queries, connections, files and
//     cron entries (consecutive queries under one domain and repeated
//     writes to one file are summed up; a cron job is one CROND line and
//     one summary). The Go log keeps every event of boot runs and as many
//     cron runs' events as MaxLogEvents allows, oldest dropped first.
//   - Syntax errors are reported where bash reports them ("PATH: line N:
//     syntax error: …"), after the commands before them ran, but in the
//     parser's words; a failed redirection is reported in the
//     interpreter's words ("open /x/y: no such file or directory").
//   - Versions imitated: cloud-init 19.3-44.amzn2, BIND 9.11.4 dig/host/
//     nslookup, curl 7.76.1, Wget 1.14, kernel 4.14.238 (uname).
//
// The sandbox's docs/sandbox-fidelity.md lists these too.
package behaviour
