// Package simulate is irdrill's attack techniques as a registry, and the
// runner that plays them without leaving anything behind.
//
// A technique is a value registered in init from its own folder,
// simulate/techniques/aws/<tactic>/<name>/ (blank-import
// simulate/techniques for all of them). It has an ID
// (aws.<tactic>.<name>), MITRE ATT&CK tactics and technique IDs, typed
// parameters with defaults, the telemetry it leaves, and lifecycle
// functions: Warmup (prerequisites, idempotent), Detonate, Revert (where
// it can be undone) and Cleanup (remove everything it made).
//
// Every run has an ID. Everything a run creates is written to its journal
// on disk before and after it exists, carries the tag irdrill:run-id (and
// a name prefix, irdrill-<run-id>, where AWS has names but the target has
// no tags), and every API call carries the run ID in its user agent unless
// the technique plays an attacker's own. Cleanup works from the journal,
// so it finishes after a crash or a kill -9, and after cleanup the runner
// lists everything tagged with the run ID and fails if anything is left.
//
// A technique knows nothing of detections.
package simulate
