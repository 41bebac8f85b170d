//go:build race

package classifier

// raceEnabled reports that the race detector is on: it allocates on its
// own account, so allocation counts are not measured under it.
const raceEnabled = true
