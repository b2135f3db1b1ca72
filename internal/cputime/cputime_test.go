package cputime

import (
	"runtime"
	"testing"
	"time"
)

// spin burns CPU on the calling thread for about d of wall time.
func spin(d time.Duration) int {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		n++
	}
	return n
}

func TestReadersAdvanceWithWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread CPU time is read on Linux only")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, t0 := Process(), Thread()
	if p0 <= 0 || t0 <= 0 {
		t.Fatalf("Process() = %v, Thread() = %v: want positive readings", p0, t0)
	}
	spin(30 * time.Millisecond)
	if p1, t1 := Process(), Thread(); p1 <= p0 || t1 <= t0 {
		t.Fatalf("after 30 ms of work: process %v → %v, thread %v → %v; want both to advance", p0, p1, t0, t1)
	}
}
