// Package detect is detections as code: a detection is a YAML file with one
// rule (a CloudWatch Logs Insights query, a filter pattern, or GuardDuty
// finding criteria) over one telemetry role, what firing means, and
// parameters such as ${attacker_ip}. The package parses and validates
// detections with the engines (insights, filterpattern, findingcriteria),
// evaluates them over a Source of telemetry (JSON-lines fixtures offline, or
// CloudWatch Logs and GuardDuty live), waits for them on a Target until they
// fire, records a window of live telemetry as fixtures, and runs test cases
// over fixtures as CI for detections (RunTests, with text and JUnit
// reports).
//
// A detection knows nothing of the techniques that trigger it; a Target is
// the small view of a drill target that waiting needs.
package detect
