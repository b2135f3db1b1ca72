//go:build !race

package sqlnorm

const raceEnabled = false
