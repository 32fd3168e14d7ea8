// Command goshawk-agent is the Goshawk endpoint sensor. It is pure Go (no
// cgo) and shares only the wire-contract package with the server.
//
// This is the skeleton: onboarding, collectors and response actions arrive
// with the endpoint issues.
package main

import (
	"fmt"
	"os"
	"runtime"
)

var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goshawk-agent version")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "version":
		fmt.Printf("goshawk-agent %s (%s/%s)\n", version, runtime.GOOS, runtime.GOARCH)
	default:
		fmt.Fprintf(os.Stderr, "goshawk-agent: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
