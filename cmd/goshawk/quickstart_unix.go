//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup puts a child in its own process group: Ctrl-C at the terminal
// reaches the quickstart alone, which then stops its children in order.
func ownGroup(cmd *exec.Cmd) *exec.Cmd {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}
