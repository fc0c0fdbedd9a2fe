// Package target is what a drill runs against: the embedded sandbox, a
// served AWS-compatible endpoint (an irdrill sandbox, moto_server or
// LocalStack) or a real, allowlisted AWS account. A Target hands out SDK
// configurations for named identities (the responder, the leaked key, an
// assumed role), says what the target can do (Capabilities: a controllable
// clock, a simulated source IP, key import, and which telemetry it
// delivers), lets time pass on it (Wait), names the log group of each
// telemetry role, and applies the workshop's lab account (SetUpLab).
//
// *Target satisfies detect.Target, so detections wait on it directly.
package target
