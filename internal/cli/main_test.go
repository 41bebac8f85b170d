package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the default data folder at a temporary one, so a command
// run without --data never writes a database or an evidence key into the
// source tree.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "marsad-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("MARSAD_DATA", dir)
	code := m.Run()
	os.RemoveAll(dir)
	if _, err := os.Stat("data"); err == nil {
		fmt.Fprintln(os.Stderr, "a test wrote ./data into the source tree; give it --data t.TempDir()")
		code = 1
	}
	os.Exit(code)
}
