//go:build !linux

package driver

// threadCPU is not measured on this system.
func threadCPU() int64 { return 0 }
