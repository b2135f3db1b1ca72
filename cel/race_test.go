//go:build race

package cel

// raceEnabled: the race detector changes allocation counts.
const raceEnabled = true
