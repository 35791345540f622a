package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// ruleSwitches are --enable and --disable: rules turned on or off over the
// configuration's rules: section.
type ruleSwitches map[string]bool

func (s *ruleSwitches) register(fs *flag.FlagSet) {
	fs.Var(switchFlag{s, true}, "enable", "run the rules `RULE[,RULE]` even where the configuration turns them off")
	fs.Var(switchFlag{s, false}, "disable", "do not run the rules `RULE[,RULE]`, whatever the configuration says")
}

// switchFlag is one of the two flags; each may be given more than once.
type switchFlag struct {
	s  *ruleSwitches
	on bool
}

func (f switchFlag) String() string { return "" }

func (f switchFlag) Set(v string) error {
	if *f.s == nil {
		*f.s = ruleSwitches{}
	}
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if why, ok := checks.Retired(id); ok {
			return fmt.Errorf("%s", why)
		}
		if checks.ByID(id) == nil {
			var ids []string
			for _, r := range checks.All() {
				ids = append(ids, r.ID)
			}
			return fmt.Errorf("unknown rule %q (rules: %s)", id, strings.Join(ids, ", "))
		}
		if on, ok := (*f.s)[id]; ok && on != f.on {
			return fmt.Errorf("%s is both enabled and disabled", id)
		}
		(*f.s)[id] = f.on
	}
	return nil
}

// drop removes from res the findings and rules that --disable turns off,
// for stowaway image, which reads no configuration and runs its rules
// itself; --enable has nothing to turn back on there.
func (s ruleSwitches) drop(res *scan.Result) {
	off := func(id string) bool { on, ok := s[id]; return ok && !on }
	res.Rules = slices.DeleteFunc(res.Rules, func(r *checks.Rule) bool { return off(r.ID) })
	res.Findings = slices.DeleteFunc(res.Findings, func(f scan.Finding) bool { return off(f.RuleID) })
}
