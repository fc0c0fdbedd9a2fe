//go:build race

package filterpattern

// The race detector's instrumentation allocates, so allocation counts are
// only meaningful without it.
const raceEnabled = true
