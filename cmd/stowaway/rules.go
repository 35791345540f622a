package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
)

func runRules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stowaway rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stowaway rules [--format text|json] [ID]\n\nWithout ID, the list of rules; with one, its documentation.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	ids, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitError
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "stowaway: unknown format %q (want text or json)\n", *format)
		return exitError
	}
	if len(ids) > 1 {
		fs.Usage()
		return exitError
	}
	var doc any
	if len(ids) == 0 {
		if *format == "text" {
			listRules(stdout)
			return exitOK
		}
		list := rulesJSON{Version: rulesJSONVersion, Rules: []ruleJSON{}, Retired: []retiredJSON{}}
		for _, r := range checks.All() {
			list.Rules = append(list.Rules, newRuleJSON(r))
		}
		for _, id := range checks.RetiredIDs() {
			why, _ := checks.Retired(id)
			list.Retired = append(list.Retired, retiredJSON{ID: id, Reason: why})
		}
		doc = list
	} else {
		id := ids[0]
		r := checks.ByID(id)
		why, retired := checks.Retired(id)
		switch {
		case retired && *format == "text":
			fmt.Fprintln(stdout, why)
			return exitOK
		case retired:
			doc = retiredJSON{ID: id, Reason: why}
		case r == nil:
			fmt.Fprintf(stderr, "stowaway: unknown rule %q; run 'stowaway rules' for the list\n", id)
			return exitError
		case *format == "text":
			fmt.Fprintf(stdout, "%s (%s): %s\nDefault level: %s. Precision: %s. Security severity: %s.\n\n%s",
				r.ID, r.Name, r.Summary, r.Level, r.Precision, r.SecuritySeverity, r.Help)
			return exitOK
		default:
			doc = newRuleJSON(r)
		}
	}
	enc := json.NewEncoder(actionlog.JSON(stdout))
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
		return exitError
	}
	return exitOK
}

// listRules writes the table of rules and retired rule IDs.
func listRules(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tLEVEL\tSUMMARY")
	for _, r := range checks.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Level, r.Summary)
	}
	for _, id := range checks.RetiredIDs() {
		why, _ := checks.Retired(id)
		fmt.Fprintf(tw, "%s\t—\t%s\n", id, why)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'stowaway rules <rule>' for a rule's documentation.")
}

// rulesJSONVersion changes only when a field of `stowaway rules --format
// json` is removed or changes meaning.
const rulesJSONVersion = 1

// rulesJSON is what `stowaway rules --format json` prints; one rule's
// document is a ruleJSON, a retired rule's a retiredJSON.
type rulesJSON struct {
	Version int           `json:"version"`
	Rules   []ruleJSON    `json:"rules"`
	Retired []retiredJSON `json:"retired"`
}

type ruleJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Level            string   `json:"level"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"securitySeverity"`
	Tags             []string `json:"tags"`
	Summary          string   `json:"summary"`
	Help             string   `json:"help"` // Markdown: what, why, Bad, Good
}

type retiredJSON struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

func newRuleJSON(r *checks.Rule) ruleJSON {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return ruleJSON{
		ID: r.ID, Name: r.Name, Level: r.Level.String(), Precision: r.Precision,
		SecuritySeverity: r.SecuritySeverity, Tags: tags, Summary: r.Summary, Help: r.Help,
	}
}
