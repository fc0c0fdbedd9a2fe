// Package cloudtrail is the sandbox's CloudTrail: the record of every API
// call the sandbox serves, the CloudTrail API over it (LookupEvents and
// trail management), and delivery of records to CloudWatch Logs.
package cloudtrail
