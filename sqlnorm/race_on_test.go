//go:build race

package sqlnorm

// raceEnabled: the race detector drops sync.Pool entries at random, so
// allocation counts that rely on the work pool do not hold.
const raceEnabled = true
