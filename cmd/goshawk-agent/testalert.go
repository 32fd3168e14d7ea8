package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/goshawk-sec/goshawk/agent/detect"
)

// cmdTestAlert drops the EICAR test file for the running agent to detect,
// like Defender's detection test: the file collector reports it, the
// detector raises an alert and quarantines it.
func cmdTestAlert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("test-alert", flag.ContinueOnError)
	dir := fs.String("dir", os.TempDir(), "directory to write the test file in (watched by the agent)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	path, err := detect.WriteTestFile(*dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the EICAR test file %s; a running agent raises an alert and quarantines it within seconds\n", path)
	return nil
}
