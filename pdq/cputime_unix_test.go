//go:build unix

package pdq

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, user and system,
// all threads: on a busy machine a steadier measure than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
