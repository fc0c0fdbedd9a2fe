// Package logs is the sandbox's Amazon CloudWatch Logs (awsJson1.1,
// X-Amz-Target prefix Logs_20140328): log groups and streams, PutLogEvents,
// GetLogEvents, FilterLogEvents, Logs Insights queries (StartQuery,
// GetQueryResults, StopQuery, DescribeQueries, GetLogRecord), retention and
// tags. CloudTrail delivers its records here (DeliverTrailEvents), and
// telemetry generators ingest in-process through PutEvents.
//
// # Storage
//
// State is regional (call.Region) and lives behind one RWMutex per Service.
// Each log stream keeps its events in one slice sorted by (timestamp,
// sequence), where the sequence is a per-log-group counter assigned at
// ingestion; it gives FilterLogEvents a total order across streams
// (timestamp, then ingestion order) and makes pagination tokens exact. Every
// stored event is an *insights.Event, built once at ingestion, so the message
// is held once and Logs Insights reads discovered fields without re-parsing
// JSON on every query; FilterLogEvents matches the same message string.
//
// Ingestion of one log group is serialised by a per-group mutex: the group's
// events are indexed (insights.NewEvent) outside the service lock, and the
// write lock is held only to merge them into the stream.
//
// # Queries
//
// A query runs on one of a bounded number of slots; until it has one it is
// Scheduled and holds only its parameters. When it starts it copies the event
// pointers of its window under the read lock and runs over that snapshot, so
// later writes never disturb it, and it reports its statistics as it scans.
// GetQueryResults never waits for a query. Finished queries are kept for 7
// days within a byte cap that forgets the oldest first, and an account may
// have 100 queries Scheduled or Running at once, as AWS allows.
//
// Retention is enforced on read: events older than the group's retention
// period are invisible to every read path and are dropped lazily when the
// stream is next written. A query's @ptr names the log group and stream by
// internal ids plus the event's timestamp and sequence, so GetLogRecord finds
// the event by binary search and a pointer into a deleted group is not found.
package logs
