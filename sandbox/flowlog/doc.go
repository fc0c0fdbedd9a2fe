// Package flowlog writes VPC flow-log records as AWS does: the fields of
// format versions 2 to 5 under AWS's names, the default format and custom
// LogFormats parsed and rejected as CreateFlowLogs does, "-" for a field
// without a value, and records aggregated per flow (interface, 5-tuple,
// direction, action) over each flow log's MaxAggregationInterval on the
// sandbox clock, delivered per interface log stream when the clock passes
// a window's end plus a delivery delay.
//
// The package knows nothing of instances, security groups or the
// internet: the network fabric (package network) tells a Collector what
// each interface saw (Observe), and a Destination (the CloudWatch Logs
// service) stores what the Collector delivers. Traffic AWS never logs (the
// Amazon DNS resolver, instance metadata, Time Sync, DHCP) never reaches
// the collector; the fabric filters it.
//
// Usage, as EC2's CreateFlowLogs and the Logs service will wire it:
//
//	format, err := flowlog.ParseFormat(logFormat) // a *FormatError is EC2's answer
//	err = fabric.FlowLogs().Add(flowlog.Config{
//		ID: "fl-0f0649a3bb58c8feb", ResourceID: "vpc-0f7b220f37f9c9e31",
//		TrafficType: flowlog.TrafficAll, Format: format,
//		MaxAggregationInterval: time.Minute, LogGroup: "vpc-flow-logs",
//		Destination: logsAdapter, // DeliverFlowLogs(ctx, Batch) → PutEvents
//	})
package flowlog
