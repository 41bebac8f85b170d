//go:build !race

package classifier

// raceEnabled reports that the race detector is on.
const raceEnabled = false
