//go:build !unix

package sqlnorm_test

import "time"

// processCPU is unavailable here: benchmarks report wall time only.
func processCPU() time.Duration { return 0 }
