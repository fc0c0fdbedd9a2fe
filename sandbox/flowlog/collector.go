package flowlog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
)

// Destination receives delivered records: "put these events in log group
// G, stream S". The CloudWatch Logs service implements it. It is called
// from a clock callback, one batch per stream per window, never with the
// collector's lock held; it must not advance the clock.
type Destination interface {
	DeliverFlowLogs(ctx context.Context, b Batch) error
}

// DestinationFunc adapts a function to Destination.
type DestinationFunc func(ctx context.Context, b Batch) error

// DeliverFlowLogs calls f.
func (f DestinationFunc) DeliverFlowLogs(ctx context.Context, b Batch) error { return f(ctx, b) }

// Batch is one delivery: the records of one aggregation window for one
// log stream.
type Batch struct {
	FlowLogID string
	Region    string // the interfaces' region, which is the log group's
	LogGroup  string
	LogStream string
	// Events are in record start order. Their messages share one backing
	// string per batch, so a destination that keeps them stores little
	// more than the record bytes.
	Events []Event
}

// Event is one record as a log event.
type Event struct {
	// Timestamp is the record's start, as AWS stamps flow-log events.
	Timestamp time.Time
	Message   string
}

// Errors a destination may return (wrapped) to set DescribeFlowLogs'
// deliverLogsErrorMessage; any other error reads "Unknown error".
var (
	ErrAccess      = errors.New("access error")
	ErrRateLimited = errors.New("rate limited")
)

// TrafficType is the traffic a flow log captures.
type TrafficType string

const (
	TrafficAll    TrafficType = "ALL"
	TrafficAccept TrafficType = "ACCEPT"
	TrafficReject TrafficType = "REJECT"
)

func (t TrafficType) admits(a Action) bool {
	switch t {
	case TrafficAll:
		return true
	case TrafficAccept:
		return a == Accept
	case TrafficReject:
		return a == Reject
	}
	return false
}

// Config is one flow log (EC2 CreateFlowLogs, CloudWatch Logs destination).
type Config struct {
	ID string // fl-…
	// ResourceID is the VPC, subnet or network interface the flow log
	// covers.
	ResourceID  string
	TrafficType TrafficType
	Format      *Format // nil: DefaultFormat
	// MaxAggregationInterval is 60 or 600 seconds; 0 means 600, AWS's
	// default.
	MaxAggregationInterval time.Duration
	LogGroup               string
	Destination            Destination
}

// Status is a flow log's delivery state, for DescribeFlowLogs.
type Status struct {
	// DeliverLogsStatus is "SUCCESS" or "FAILED" (after a failed delivery).
	DeliverLogsStatus string
	// DeliverLogsErrorMessage is "Access error", "Rate limited" or "Unknown
	// error" when the status is FAILED.
	DeliverLogsErrorMessage string
	// LastError is the destination's error, for the sandbox's own logs.
	LastError error
	// Delivered counts the records delivered so far.
	Delivered int64
	// LastDelivery is when the last batch was delivered.
	LastDelivery time.Time
}

// Flow is one direction of traffic as seen on one interface: what the
// network fabric observes and the collector aggregates.
type Flow struct {
	Direction        Direction
	Src, Dst         netip.Addr // as the interface sees them (its private address, never a public one)
	SrcPort, DstPort uint16
	Protocol         uint8
	// PktSrc and PktDst are the packet-level addresses when they differ
	// from Src and Dst (zero: the same).
	PktSrc, PktDst   netip.Addr
	PktSrcAWSService string
	PktDstAWSService string
	Action           Action
	TrafficPath      uint8 // egress only; PathNone for ingress
}

// Packet is Count packets of a flow seen at At, with their bytes (IP total
// length, as flow logs count) and the OR of their reported TCP flags.
type Packet struct {
	At    time.Time
	Count uint32
	Bytes uint64
	Flags uint8
}

// Options configure a Collector.
type Options struct {
	// DeliveryDelay is how long after a window closes its records are
	// delivered: 0 (the default) delivers at the window's end; 5 to 10
	// minutes rehearses AWS's best-effort delivery.
	DeliveryDelay time.Duration
	// Context is passed to destinations; nil means context.Background.
	Context context.Context
}

// Collector aggregates traffic into flow-log records per flow log and
// delivers each aggregation window when the sandbox clock passes its end
// plus the delivery delay. It is safe for concurrent use.
//
// Approximations (see docs/sandbox-fidelity.md):
//   - Windows are aligned to multiples of the interval since the Unix
//     epoch for every interface; AWS's capture windows are per interface
//     and not aligned.
//   - start and end are the seconds of a flow's first and last packet in
//     the window; AWS's may lag the packets by up to a minute.
//   - No NODATA records are written for idle windows and no SKIPDATA ever;
//     delivery is exactly at the window end plus the delay, never late.
//   - A failed delivery is not retried; its records are lost and the flow
//     log's status reads FAILED, as DescribeFlowLogs reports it.
type Collector struct {
	clock *clock.Clock
	delay time.Duration
	ctx   context.Context

	mu      sync.Mutex
	configs []*config
	byID    map[string]*config
	// streams names each interface's stream in each log group: AWS gives
	// an interface in several flow logs writing to one group one combined
	// stream, here named after the first flow log that delivered to it.
	streams map[streamKey]string
}

type streamKey struct {
	region, group, eni string
}

type config struct {
	Config
	format   *Format
	interval int64 // seconds
	windows  map[windowKey]*window
	status   Status
}

type windowKey struct {
	end      int64 // Unix seconds
	interval int64
}

type window struct {
	key   windowKey
	flows map[flowKey]int32 // → index in recs
	recs  []Record
}

type flowKey struct {
	ifc              *Interface
	dir              Direction
	src, dst         netip.Addr
	srcPort, dstPort uint16
	proto            uint8
	action           Action
}

// NewCollector returns a collector on clock c.
func NewCollector(c *clock.Clock, opts Options) *Collector {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return &Collector{
		clock: c, delay: max(opts.DeliveryDelay, 0), ctx: ctx,
		byID: map[string]*config{}, streams: map[streamKey]string{},
	}
}

// Add starts a flow log. It checks the configuration as CreateFlowLogs
// does, so that a caller that validated the request never sees an error.
func (c *Collector) Add(cfg Config) error {
	if cfg.ID == "" {
		return errors.New("add flow log: no ID")
	}
	if !strings.HasPrefix(cfg.ResourceID, "vpc-") && !strings.HasPrefix(cfg.ResourceID, "subnet-") && !strings.HasPrefix(cfg.ResourceID, "eni-") {
		return fmt.Errorf("add flow log %s: resource %q is not a VPC, subnet or network interface", cfg.ID, cfg.ResourceID)
	}
	switch cfg.TrafficType {
	case TrafficAll, TrafficAccept, TrafficReject:
	default:
		return fmt.Errorf("add flow log %s: traffic type %q is not ALL, ACCEPT or REJECT", cfg.ID, cfg.TrafficType)
	}
	interval := cfg.MaxAggregationInterval
	if interval == 0 {
		interval = 600 * time.Second
	}
	if interval != 60*time.Second && interval != 600*time.Second {
		return fmt.Errorf("add flow log %s: MaxAggregationInterval %s is not 60s or 600s", cfg.ID, interval)
	}
	if cfg.LogGroup == "" || cfg.Destination == nil {
		return fmt.Errorf("add flow log %s: no log group or destination", cfg.ID)
	}
	format := cfg.Format
	if format == nil {
		format = DefaultFormat
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.byID[cfg.ID]; dup {
		return fmt.Errorf("add flow log %s: already added", cfg.ID)
	}
	fc := &config{
		Config: cfg, format: format, interval: int64(interval / time.Second),
		windows: map[windowKey]*window{}, status: Status{DeliverLogsStatus: "SUCCESS"},
	}
	c.configs = append(c.configs, fc)
	c.byID[cfg.ID] = fc
	return nil
}

// Remove stops a flow log capturing (DeleteFlowLogs). Windows it already
// captured are still delivered when they fall due, as AWS keeps delivering
// for a while after deletion. It reports whether the flow log existed.
func (c *Collector) Remove(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	fc, ok := c.byID[id]
	if !ok {
		return false
	}
	delete(c.byID, id)
	c.configs = slices.DeleteFunc(c.configs, func(x *config) bool { return x == fc })
	return true
}

// Status returns a flow log's delivery status.
func (c *Collector) Status(id string) (Status, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fc, ok := c.byID[id]
	if !ok {
		return Status{}, false
	}
	return fc.status, true
}

// Pending is the number of records captured but not yet delivered.
func (c *Collector) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, fc := range c.configs {
		for _, w := range fc.windows {
			n += len(w.recs)
		}
	}
	return n
}

// Covers reports whether any flow log covers the interface.
func (c *Collector) Covers(ifc *Interface) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, fc := range c.configs {
		if fc.covers(ifc) {
			return true
		}
	}
	return false
}

func (fc *config) covers(ifc *Interface) bool {
	return fc.ResourceID == ifc.ID || fc.ResourceID == ifc.SubnetID || fc.ResourceID == ifc.VPCID
}

// Observe adds packets of one flow on one interface to every flow log that
// covers the interface and captures the flow's action.
func (c *Collector) Observe(ifc *Interface, f Flow, pkts []Packet) {
	if ifc == nil || len(pkts) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, fc := range c.configs {
		if !fc.covers(ifc) || !fc.TrafficType.admits(f.Action) {
			continue
		}
		interval := fc.interval
		if ifc.Nitro {
			interval = min(interval, 60)
		}
		var w *window
		for _, p := range pkts {
			sec := p.At.Unix()
			end := (floorDiv(sec, interval) + 1) * interval
			if w == nil || w.key.end != end {
				w = c.windowLocked(fc, windowKey{end: end, interval: interval})
			}
			w.add(ifc, &f, sec, p)
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// windowLocked returns fc's open window, scheduling its delivery when it
// is new.
func (c *Collector) windowLocked(fc *config, key windowKey) *window {
	if w, ok := fc.windows[key]; ok {
		return w
	}
	w := &window{key: key, flows: map[flowKey]int32{}}
	fc.windows[key] = w
	due := time.Unix(key.end, 0).UTC().Add(c.delay)
	c.clock.AfterFunc(due, func(time.Time) { c.deliver(fc, w) })
	return w
}

func (w *window) add(ifc *Interface, f *Flow, sec int64, p Packet) {
	k := flowKey{ifc: ifc, dir: f.Direction, src: f.Src, dst: f.Dst, srcPort: f.SrcPort, dstPort: f.DstPort, proto: f.Protocol, action: f.Action}
	i, ok := w.flows[k]
	if !ok {
		i = int32(len(w.recs))
		w.flows[k] = i
		w.recs = append(w.recs, Record{
			Interface: ifc, Src: f.Src, Dst: f.Dst, SrcPort: f.SrcPort, DstPort: f.DstPort, Protocol: f.Protocol,
			Start: sec, End: sec, Action: f.Action, PktSrc: f.PktSrc, PktDst: f.PktDst,
			PktSrcAWSService: f.PktSrcAWSService, PktDstAWSService: f.PktDstAWSService,
			Direction: f.Direction, TrafficPath: f.TrafficPath,
		})
	}
	r := &w.recs[i]
	r.Packets += uint64(max(p.Count, 1))
	r.Bytes += p.Bytes
	r.TCPFlags |= p.Flags
	r.Start = min(r.Start, sec)
	r.End = max(r.End, sec)
}

// deliver renders a closed window and hands it to the destination, one
// batch per log stream.
func (c *Collector) deliver(fc *config, w *window) {
	c.mu.Lock()
	if fc.windows[w.key] != w {
		c.mu.Unlock()
		return // already flushed
	}
	delete(fc.windows, w.key)
	recs := w.recs
	streams := make([]string, len(recs))
	for i := range recs {
		streams[i] = c.streamLocked(fc, recs[i].Interface)
	}
	c.mu.Unlock()
	if len(recs) == 0 {
		return
	}

	// Group by stream, each in start order (stable: first-seen order
	// breaks ties, which keeps a request before its response).
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if s := strings.Compare(streams[a], streams[b]); s != 0 {
			return s
		}
		return cmp.Compare(recs[a].Start, recs[b].Start)
	})
	// One backing string per batch: each event costs its record's bytes
	// plus the event header, not an allocation each, and a stream deleted
	// later frees its own records.
	var buf []byte
	var bounds []int
	var failed error
	delivered := 0
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && streams[order[hi]] == streams[order[lo]] {
			hi++
		}
		buf, bounds = buf[:0], bounds[:0]
		for _, idx := range order[lo:hi] {
			bounds = append(bounds, len(buf))
			buf = fc.format.Append(buf, &recs[idx])
		}
		bounds = append(bounds, len(buf))
		text := string(buf)
		events := make([]Event, hi-lo)
		for i, idx := range order[lo:hi] {
			events[i] = Event{Timestamp: time.Unix(recs[idx].Start, 0).UTC(), Message: text[bounds[i]:bounds[i+1]]}
		}
		rec := &recs[order[lo]]
		b := Batch{
			FlowLogID: fc.ID, Region: rec.Interface.Region, LogGroup: fc.LogGroup,
			LogStream: streams[order[lo]], Events: events,
		}
		if err := fc.Destination.DeliverFlowLogs(c.ctx, b); err != nil {
			failed = err
		} else {
			delivered += hi - lo
		}
		lo = hi
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	fc.status.Delivered += int64(delivered)
	fc.status.LastDelivery = c.clock.Now()
	if failed != nil {
		fc.status.DeliverLogsStatus = "FAILED"
		fc.status.LastError = failed
		switch {
		case errors.Is(failed, ErrAccess):
			fc.status.DeliverLogsErrorMessage = "Access error"
		case errors.Is(failed, ErrRateLimited):
			fc.status.DeliverLogsErrorMessage = "Rate limited"
		default:
			fc.status.DeliverLogsErrorMessage = "Unknown error"
		}
	} else if fc.status.DeliverLogsStatus == "FAILED" {
		// A later success clears the failure, as DescribeFlowLogs shows
		// the latest state.
		fc.status = Status{DeliverLogsStatus: "SUCCESS", Delivered: fc.status.Delivered, LastDelivery: fc.status.LastDelivery}
	}
}

// StreamName is the log stream AWS uses for an interface in a flow log
// of a traffic type: the interface ID and the lower-case traffic type
// ("eni-0123…-all"), as observed in real deliveries (AWS does not
// document it).
func StreamName(interfaceID string, t TrafficType) string {
	return interfaceID + "-" + strings.ToLower(string(t))
}

func (c *Collector) streamLocked(fc *config, ifc *Interface) string {
	k := streamKey{region: ifc.Region, group: fc.LogGroup, eni: ifc.ID}
	if s, ok := c.streams[k]; ok {
		return s
	}
	s := StreamName(ifc.ID, fc.TrafficType)
	c.streams[k] = s
	return s
}
