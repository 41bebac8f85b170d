//go:build unix

package classifier

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, so that speed per core
// can be measured on a machine that other work shares.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
