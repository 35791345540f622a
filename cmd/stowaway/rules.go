package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/stowaway-dev/stowaway/checks"
)

func runRules(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RULE\tLEVEL\tSUMMARY")
		for _, r := range checks.All() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Level, r.Summary)
		}
		for _, id := range checks.RetiredIDs() {
			why, _ := checks.Retired(id)
			fmt.Fprintf(tw, "%s\t—\t%s\n", id, why)
		}
		tw.Flush()
		fmt.Fprintln(stdout, "\nRun 'stowaway rules <rule>' for a rule's documentation.")
		return exitOK
	case 1:
		r := checks.ByID(args[0])
		if why, ok := checks.Retired(args[0]); ok {
			fmt.Fprintln(stdout, why)
			return exitOK
		}
		if r == nil {
			fmt.Fprintf(stderr, "stowaway: unknown rule %q; run 'stowaway rules' for the list\n", args[0])
			return exitError
		}
		fmt.Fprintf(stdout, "%s (%s): %s\nDefault level: %s. Precision: %s. Security severity: %s.\n\n%s",
			r.ID, r.Name, r.Summary, r.Level, r.Precision, r.SecuritySeverity, r.Help)
		return exitOK
	}
	fmt.Fprintln(stderr, "Usage: stowaway rules [ID]")
	return exitError
}
