//go:build !unix

package approval

import "os"

// lockFile is a no-op where flock is unavailable: a FileStore is then
// safe within one process only.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }

func inodeOf(fi os.FileInfo) uint64 { return 0 }
