//go:build !race

package loadtest

// raceEnabled is true under -race, where allocation counts and sizes differ
// and the CI-sized counts are reduced to keep the run short.
const raceEnabled = false
