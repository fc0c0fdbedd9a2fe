// Command insightsjq measures the Logs Insights engine against jq on the same
// generated CloudTrail records, and checks that both give the same answers.
//
// It generates -n records (default 1,000,000) into a temporary file, loads
// them as insights events, then runs two workloads on both sides:
//
//	(a) the lab's access-denied query:
//	    filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent
//	(b) stats count(*) by sourceIPAddress
//
// The engine runs with RunOptions.Limit set to the record count and the
// query's own `| limit` set to min(n, 100,000) (the largest the limit command
// accepts), so that (a) is not truncated to the 10,000-row default while jq,
// which has no limit, emits every match. If more than 100,000 records match,
// the row comparison falls back to recordsMatched, which AWS computes from the
// full raw result regardless of limit. (b) groups by a few hundred addresses,
// far below any limit.
//
// Goals are enforced with -min-ratio (engine events/s ÷ jq events/s) and
// -max-mem-ratio (engine bytes per stored event ÷ raw JSON bytes); missing
// a goal exits with status 1, disagreeing answers with status 2.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/insights"
	"github.com/irdrill/irdrill/internal/cloudtrailgen"
)

const (
	labFilterQuery = `filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`
	statsQuery     = `stats count(*) by sourceIPAddress`

	jqFilter = `select((.errorCode // "") | test("Unauthorized|Denied|Forbidden")) | {awsRegion, arn: .userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent}`
	// jq -n with inputs streams the file once, keeping only the counts.
	jqStats = `reduce inputs as $r ({}; .[$r.sourceIPAddress // "null"] += 1) | to_entries[] | "\(.key)\t\(.value)"`

	maxLimitCommand = 100_000
)

type options struct {
	n           int
	seed        uint64
	minRatio    float64
	maxMemRatio float64
	keep        string
	cpuProfile  string
	memProfile  string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1_000_000, "number of CloudTrail records to generate")
	flag.Uint64Var(&o.seed, "seed", 1, "generator seed")
	flag.Float64Var(&o.minRatio, "min-ratio", 20, "fail unless engine events/s ≥ this × jq events/s (0 disables)")
	flag.Float64Var(&o.maxMemRatio, "max-mem-ratio", 1.5, "fail unless engine bytes per event ≤ this × raw JSON bytes (0 disables)")
	flag.StringVar(&o.keep, "keep", "", "write the generated records to this file and keep it")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the engine runs to this file")
	flag.StringVar(&o.memProfile, "memprofile", "", "write a heap profile after loading to this file")
	flag.Parse()
	code, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "insightsjq:", err)
	}
	os.Exit(code)
}

func run(o options) (int, error) {
	if o.n <= 0 {
		return 2, errors.New("-n must be positive")
	}
	jq, err := ensureJQ()
	if err != nil {
		return 2, err
	}
	path := o.keep
	if path == "" {
		dir, err := os.MkdirTemp("", "insightsjq-")
		if err != nil {
			return 2, fmt.Errorf("temp dir: %w", err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "cloudtrail.jsonl")
	}
	start := time.Now()
	rawBytes, err := writeRecords(path, o.seed, o.n)
	if err != nil {
		return 2, err
	}
	fmt.Printf("generated %d records, %.1f MB raw JSON (%.0f B/record) in %v\n",
		o.n, float64(rawBytes)/1e6, float64(rawBytes)/float64(o.n), time.Since(start).Round(time.Millisecond))

	evs, mem, err := loadEvents(path, o.n, o.memProfile)
	if err != nil {
		return 2, err
	}
	rawPerEvent := float64(rawBytes-int64(o.n)) / float64(o.n) // without newlines
	fmt.Printf("loaded %d events in %v (%.0f events/s)\n", len(evs), mem.loadTime.Round(time.Millisecond), float64(len(evs))/mem.loadTime.Seconds())
	fmt.Printf("memory: SizeBytes %.0f B/event (%.2f× raw), heap delta %.0f B/event (%.2f× raw)\n",
		mem.sizeBytes/float64(len(evs)), mem.sizeBytes/float64(len(evs))/rawPerEvent,
		mem.heapDelta/float64(len(evs)), mem.heapDelta/float64(len(evs))/rawPerEvent)

	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return 2, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 2, fmt.Errorf("cpu profile: %w", err)
		}
	}
	limitCmd := min(o.n, maxLimitCommand)
	engineA, resA, err := timeQuery(evs, labFilterQuery+" | limit "+strconv.Itoa(limitCmd), o.n)
	if err != nil {
		return 2, err
	}
	engineB, resB, err := timeQuery(evs, statsQuery, o.n)
	if o.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return 2, err
	}

	jqA, jqRowsA, err := timeJQ(jq, []string{"-c", jqFilter, path})
	if err != nil {
		return 2, err
	}
	jqB, jqRowsB, err := timeJQ(jq, []string{"-n", "-r", jqStats, path})
	if err != nil {
		return 2, err
	}

	// Agreement checks.
	code := 0
	matched := int(resA.Statistics.RecordsMatched)
	if matched != len(jqRowsA) {
		fmt.Printf("DISAGREE (a): engine recordsMatched %d, jq emitted %d records\n", matched, len(jqRowsA))
		code = 2
	}
	if matched <= limitCmd && len(resA.Rows) != matched {
		fmt.Printf("DISAGREE (a): engine returned %d rows for %d matches\n", len(resA.Rows), matched)
		code = 2
	}
	if msg := compareGroups(resB, jqRowsB); msg != "" {
		fmt.Println("DISAGREE (b):", msg)
		code = 2
	}
	if code == 0 {
		fmt.Printf("agree: (a) %d matching records, (b) %d source-IP groups with identical counts\n", matched, len(jqRowsB))
	}

	report := func(name string, engine, jqd time.Duration) float64 {
		e := float64(o.n) / engine.Seconds()
		j := float64(o.n) / jqd.Seconds()
		fmt.Printf("%s: engine %v (%.3g events/s), jq %v (%.3g events/s), ratio %.1f×\n",
			name, engine.Round(time.Millisecond), e, jqd.Round(time.Millisecond), j, e/j)
		return e / j
	}
	ratioA := report("(a) lab filter", engineA, jqA)
	ratioB := report("(b) stats by IP", engineB, jqB)

	heapRatio := mem.heapDelta / float64(len(evs)) / rawPerEvent
	sizeRatio := mem.sizeBytes / float64(len(evs)) / rawPerEvent
	if o.minRatio > 0 && (ratioA < o.minRatio || ratioB < o.minRatio) {
		fmt.Printf("GOAL MISSED: speed ratio %.1f× / %.1f× below %.1f×\n", ratioA, ratioB, o.minRatio)
		code = max(code, 1)
	}
	if o.maxMemRatio > 0 && (heapRatio > o.maxMemRatio || sizeRatio > o.maxMemRatio) {
		fmt.Printf("GOAL MISSED: memory ratio SizeBytes %.2f× / heap %.2f× above %.2f×\n", sizeRatio, heapRatio, o.maxMemRatio)
		code = max(code, 1)
	}
	runtime.KeepAlive(evs)
	return code, nil
}

// ensureJQ finds jq, installing it with apt-get when running as root.
func ensureJQ() (string, error) {
	if p, err := exec.LookPath("jq"); err == nil {
		return p, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("jq is not installed and we are not root; install it (e.g. sudo apt-get install -y jq) and rerun")
	}
	for _, args := range [][]string{{"update"}, {"install", "-y", "jq"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	return exec.LookPath("jq")
}

func writeRecords(path string, seed uint64, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := cloudtrailgen.Generate(seed, n, w); err != nil {
		f.Close()
		return 0, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return st.Size(), f.Close()
}

type memStats struct {
	loadTime  time.Duration
	sizeBytes float64 // sum of Event.SizeBytes
	heapDelta float64 // live heap after loading minus before
}

// loadEvents reads the generated file back (the same bytes jq reads) and
// builds insights events, measuring the live heap the events retain. The
// file is read line by line so the raw file buffer is not counted.
func loadEvents(path string, n int, memProfile string) ([]*insights.Event, memStats, error) {
	var ms memStats
	f, err := os.Open(path)
	if err != nil {
		return nil, ms, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	evs := make([]*insights.Event, 0, n)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	start := time.Now()
	for i := 0; sc.Scan(); i++ {
		line := sc.Text() // a fresh string per event, as an ingestion path would hold
		ts := eventTimeMillis(line)
		evs = append(evs, insights.NewEvent(insights.EventInput{
			Timestamp: ts, IngestionTime: ts + 60_000, Message: line,
			LogStream: "999999999999_CloudTrail_us-east-1", LogGroup: "999999999999:irdrill-cloudtrail",
			Ptr: strconv.Itoa(i),
		}))
	}
	if err := sc.Err(); err != nil {
		return nil, ms, fmt.Errorf("read %s: %w", path, err)
	}
	ms.loadTime = time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	// The slice of pointers is harness overhead, not event storage.
	ms.heapDelta = float64(after.HeapAlloc) - float64(before.HeapAlloc) - float64(cap(evs)*8)
	for _, e := range evs {
		ms.sizeBytes += float64(e.SizeBytes())
	}
	if memProfile != "" {
		pf, err := os.Create(memProfile)
		if err != nil {
			return nil, ms, fmt.Errorf("mem profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.WriteHeapProfile(pf); err != nil {
			return nil, ms, fmt.Errorf("mem profile: %w", err)
		}
	}
	return evs, ms, nil
}

// eventTimeMillis reads eventTime without a full JSON decode; the generator
// always writes it as "eventTime":"YYYY-MM-DDTHH:MM:SSZ".
func eventTimeMillis(line string) int64 {
	const key = `"eventTime":"`
	i := strings.Index(line, key)
	if i < 0 {
		return 0
	}
	rest := line[i+len(key):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return 0
	}
	t, err := time.Parse(time.RFC3339, rest[:j])
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

func timeQuery(evs []*insights.Event, query string, limit int) (time.Duration, *insights.Result, error) {
	start := time.Now()
	q, err := insights.Parse(query)
	if err != nil {
		return 0, nil, fmt.Errorf("parse %q: %w", query, err)
	}
	res, err := q.Run(context.Background(), evs, insights.RunOptions{Limit: limit})
	if err != nil {
		return 0, nil, fmt.Errorf("run %q: %w", query, err)
	}
	return time.Since(start), res, nil
}

func timeJQ(jq string, args []string) (time.Duration, []string, error) {
	var out, stderr bytes.Buffer
	cmd := exec.Command(jq, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("jq %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	d := time.Since(start)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	return d, lines, nil
}

// compareGroups checks the engine's stats rows against jq's "ip\tcount" lines.
func compareGroups(res *insights.Result, jqLines []string) string {
	want := map[string]string{}
	for _, l := range jqLines {
		ip, c, ok := strings.Cut(l, "\t")
		if !ok {
			return fmt.Sprintf("bad jq line %q", l)
		}
		want[ip] = c
	}
	if len(res.Rows) != len(want) {
		return fmt.Sprintf("engine has %d groups, jq %d", len(res.Rows), len(want))
	}
	for _, r := range res.Rows {
		var ip, c string
		for _, f := range r {
			switch f.Field {
			case "sourceIPAddress":
				ip = f.Value
			case "count(*)":
				c = f.Value
			}
		}
		if want[ip] != c {
			return fmt.Sprintf("group %q: engine %s, jq %s", ip, c, want[ip])
		}
	}
	return ""
}
