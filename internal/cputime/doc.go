// Package cputime reads the CPU time a process or an OS thread used, for
// benchmarks that report it per operation beside wall time ("cpu-ns/op"):
// on a shared machine wall time includes waiting for other processes, CPU
// time does not. Where the platform cannot tell, the readers return 0 and
// benchmarks report nothing.
package cputime
