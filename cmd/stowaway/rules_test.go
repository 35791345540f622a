package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
)

func runRulesCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"rules"}, args...), func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), code
}

// TestRulesJSON: the list holds every rule with its documentation and the
// retired IDs; one rule's document is its entry in the list.
func TestRulesJSON(t *testing.T) {
	out, stderr, code := runRulesCmd(t, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	var list rulesJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if list.Version != rulesJSONVersion {
		t.Errorf("version %d", list.Version)
	}
	all := checks.All()
	if len(list.Rules) != len(all) {
		t.Fatalf("%d rules, want %d", len(list.Rules), len(all))
	}
	for i, r := range all {
		got := list.Rules[i]
		if got.ID != r.ID || got.Level != r.Level.String() || got.Summary != r.Summary || got.Help != r.Help || got.SecuritySeverity != r.SecuritySeverity {
			t.Errorf("rule %d: %s %s %q, want %s %s %q and its documentation", i, got.ID, got.Level, got.Summary, r.ID, r.Level, r.Summary)
		}
		if _, err := checks.ParseLevel(got.Level); err != nil {
			t.Errorf("%s: %v", got.ID, err)
		}
	}
	if len(list.Retired) != len(checks.RetiredIDs()) || len(list.Retired) == 0 || list.Retired[0].Reason == "" {
		t.Errorf("retired %+v", list.Retired)
	}

	// Flags after the ID, as with scan.
	out, _, code = runRulesCmd(t, "secret-env", "--format", "json")
	var one ruleJSON
	if err := json.Unmarshal([]byte(out), &one); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if diff := cmp.Diff(list.Rules[0], one); diff != "" {
		t.Errorf("rules --format json secret-env (-list +one):\n%s", diff)
	}

	out, _, code = runRulesCmd(t, "--format", "json", list.Retired[0].ID)
	var gone retiredJSON
	if err := json.Unmarshal([]byte(out), &gone); err != nil || code != exitOK || gone != list.Retired[0] {
		t.Errorf("retired rule: exit %d, %v, %+v, want %+v", code, err, gone, list.Retired[0])
	}
}

func TestRulesUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"text list", nil, exitOK, "RULE"},
		{"bad format", []string{"--format", "xml"}, exitError, `unknown format "xml"`},
		{"unknown rule", []string{"--format", "json", "secret-envs"}, exitError, `unknown rule "secret-envs"`},
		{"two rules", []string{"secret-env", "secret-arg"}, exitError, "Usage: stowaway rules"},
		{"help", []string{"-h"}, exitOK, "--format text|json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runRulesCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(out+stderr, tc.want) {
				t.Errorf("exit %d, output %q %q; want %d and %q", code, out, stderr, tc.code, tc.want)
			}
		})
	}
}
