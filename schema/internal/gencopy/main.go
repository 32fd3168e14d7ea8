// Command gencopy copies a file for go:generate, creating the destination
// with mode 0644 whatever the source's mode (the shared catalogue is
// read-only, and a read-only copy would fail the next regeneration).
//
// Usage: go run ./internal/gencopy SRC DST
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gencopy SRC DST")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "gencopy: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], data, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "gencopy: %v\n", err)
		os.Exit(1)
	}
}
