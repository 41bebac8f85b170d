//go:build race

package vpdq

// raceEnabled is set when tests run under the race detector, which makes
// hashing every frame of every sample video too slow; a few are hashed.
const raceEnabled = true
