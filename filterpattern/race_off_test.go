//go:build !race

package filterpattern

const raceEnabled = false
