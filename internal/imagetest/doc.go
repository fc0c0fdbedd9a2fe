// Package imagetest checks irdrill's container image, built from the
// repository's Dockerfile, with testcontainers-go: the image builds from a
// context laid out as `make build` leaves the repository, runs irdrill
// commands (lab), serves the sandbox until its HEALTHCHECK says healthy,
// and never runs as root. The test is skipped, saying why, when Docker does
// not answer; it has no code of its own outside the test.
package imagetest
