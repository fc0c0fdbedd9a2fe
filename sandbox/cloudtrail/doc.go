// Package cloudtrail is the sandbox's CloudTrail: the record of every API
// call the sandbox serves, the CloudTrail API over it (LookupEvents and
// trail management), and delivery of records to CloudWatch Logs.
//
// # Records
//
// The front end calls Record for every request it serves. A record is
// rendered to JSON once; that string is LookupEvents' CloudTrailEvent and
// the message delivered to CloudWatch Logs, so the two are identical.
// Records are kept per region, by their awsRegion. AWS's rule since
// November 2021 is that global service events (IAM, STS through the global
// endpoint, CloudFront, sign-in) are recorded in us-east-1 only: the front
// end stamps them us-east-1, LookupEvents in another region does not see
// them, and only trails homed in us-east-1 or multi-region trails receive
// them (when IncludeGlobalServiceEvents is on).
//
// The store keeps records for Retention (90 days by default, by the Clock)
// and within MaxBytes, dropping the oldest records of any region first, so
// that its memory is bounded; Stats says what it holds.
//
// LookupEvents returns management events of the last 90 days, newest
// first, filtered by at most one lookup attribute. Its NextToken is a
// keyset cursor bound to the query, so paging neither skips nor repeats
// records while new ones arrive. The Resources of a looked-up event are
// derived from the record's resources and from identifier fields of its
// requestParameters and responseElements, an approximation of AWS's
// per-event derivation.
//
// # Delivery
//
// When a record is made, it is scheduled for every logging trail that
// covers it then (region, global events, event selectors); trails created,
// started or changed later do not pick up earlier records. Delivery is due
// DeliveryDelay after the record, by the Service's Clock. A goroutine
// delivers due records every second (at once when the delay is zero) and
// Flush delivers them on demand, which is how tests step a fake clock.
// Records captured while a trail was logging are delivered even if logging
// stops before they are due; a deleted trail's pending records are
// dropped, as are all pending records on Close. A failed delivery is not
// retried; the error shows in GetTrailStatus.
//
// # Approximations
//
//   - There is no S3: CreateTrail accepts any non-empty bucket name and no
//     log files are written; LatestDeliveryTime reports when they would
//     have been.
//   - The wording of LookupEvents' validation errors, of the CloudWatch Logs
//     ARN errors and of InvalidHomeRegionException is the sandbox's; AWS
//     documents the codes only.
//   - Basic event selectors match data events by resource type and ARN
//     prefix for any type; advanced selectors support the fields
//     eventCategory, readOnly, eventSource, eventName, resources.type and
//     resources.ARN.
//   - There are no Insights events and no organization trails.
package cloudtrail
