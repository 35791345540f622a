package main

import (
	"context"
	"fmt"
	"io"

	"github.com/stowaway-dev/stowaway/action"
)

// runAction is the action command: the GitHub Action's run (package
// action) on the process's environment, standard streams, clock and
// network.
func runAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "stowaway: the action takes no arguments; it reads its inputs from INPUT_* variables")
		return exitError
	}
	return action.Run(ctx, action.Options{Getenv: getenv, Stdout: stdout, Stderr: stderr, Version: versionString()})
}
