package sarif

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *scan.Result
		opts Options
	}{
		{"findings", scantest.Fixture(), Options{Version: "v1.2.3", Category: "stowaway/services"}},
		{"clean", scantest.Empty(), Options{}}, // the defaults must validate too
		// The first finding is in the baseline, the others are new.
		{"baseline", scantest.Fixture(), Options{Version: "v1.2.3", Baseline: map[string]bool{"45c48cce2e2d7fbdea1afc51c7c6ad26": true, "not-a-finding-of-this-run": true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.res, tc.opts); err != nil {
				t.Fatalf("Write: %v", err)
			}
			golden := filepath.Join("testdata", tc.name+".sarif")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./sarif/ -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("Write() mismatch with %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// decode writes res and reads the log back with go-sarif.
func decode(t *testing.T, res *scan.Result, opts Options) *gosarif.Run {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, res, opts); err != nil {
		t.Fatalf("Write: %v", err)
	}
	log, err := gosarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(log.Runs))
	}
	return log.Runs[0]
}

func TestRuleIndexAndLevels(t *testing.T) {
	res := scantest.Fixture()
	run := decode(t, res, Options{})
	var gotRules []string
	for _, r := range run.Tool.Driver.Rules {
		gotRules = append(gotRules, r.ID)
	}
	var wantRules []string
	for _, r := range res.Rules {
		wantRules = append(wantRules, r.ID)
	}
	if diff := cmp.Diff(wantRules, gotRules); diff != "" {
		t.Errorf("driver rules (-want +got):\n%s", diff)
	}
	type brief struct {
		RuleID, Level string
		Index         uint
	}
	var want, got []brief
	for _, f := range res.Findings {
		lvl := f.Level
		if lvl == 0 {
			lvl = f.Rule.Level
		}
		want = append(want, brief{f.RuleID, lvl.String(), uint(slices.Index(wantRules, f.RuleID))})
	}
	for _, r := range run.Results {
		got = append(got, brief{*r.RuleID, *r.Level, *r.RuleIndex})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestRegionsCountUTF16(t *testing.T) {
	run := decode(t, scantest.Fixture(), Options{})
	for _, r := range run.Results {
		if *r.RuleID != "secret-env" {
			continue
		}
		reg := r.Locations[0].PhysicalLocation.Region
		// `ENV GREETING="héllo 👋" GITHUB_TOKEN=` is 37 UTF-16 units (é is
		// one, the emoji two) but 40 bytes.
		got := [4]int{*reg.StartLine, *reg.StartColumn, *reg.EndLine, *reg.EndColumn}
		if want := [4]int{3, 38, 3, 78}; got != want {
			t.Errorf("secret-env region = %v, want %v", got, want)
		}
		if uri := *r.Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "services/caf%C3%A9%20api/Dockerfile" {
			t.Errorf("uri = %q, want the percent-encoded relative path", uri)
		}
		return
	}
	t.Fatal("no secret-env result")
}

func TestSuppressions(t *testing.T) {
	run := decode(t, scantest.Fixture(), Options{ConfigFile: "ci/stowaway.yml"})
	type sup struct{ Kind, Status, Justification, URI string }
	var got []sup
	for _, r := range run.Results {
		for _, s := range r.Suppressions {
			got = append(got, sup{s.Kind, *s.Status, *s.Justification,
				*s.Location.PhysicalLocation.ArtifactLocation.URI})
		}
	}
	want := []sup{
		{"inSource", "accepted", "internal mirror, read-only token rotated daily", "services/caf%C3%A9%20api/Dockerfile"},
		{"external", "accepted", "Sentry DSN keys are public by design (allow.values in .stowaway.yml)", "ci/stowaway.yml"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressions (-want +got):\n%s", diff)
	}
}

func TestExternalSuppressionOutsideRoot(t *testing.T) {
	run := decode(t, scantest.Fixture(), Options{ConfigFile: "/etc/stowaway.yml"})
	for _, r := range run.Results {
		for _, s := range r.Suppressions {
			if s.Kind == "external" && s.Location.PhysicalLocation != nil {
				t.Errorf("external suppression points at %v, want no physical location for a config outside the root",
					*s.Location.PhysicalLocation.ArtifactLocation.URI)
			}
		}
	}
}

func TestNotifications(t *testing.T) {
	res := scantest.Fixture()
	run := decode(t, res, Options{})
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful == nil || !*inv.ExecutionSuccessful {
		t.Errorf("executionSuccessful = %v, want true: problems do not stop a scan", inv.ExecutionSuccessful)
	}
	type note struct{ Level, Text, URI string }
	var got []note
	for _, n := range inv.ToolExecutionNotifications {
		uri := ""
		if len(n.Locations) > 0 {
			uri = *n.Locations[0].PhysicalLocation.ArtifactLocation.URI
		}
		got = append(got, note{n.Level, *n.Message.Text, uri})
	}
	want := []note{
		{"warning", "File is 3.2 MiB, over the 1 MiB limit: not scanned.", "vendor/huge/Dockerfile"},
		{"note", "Stopped walking after 10000 files; pass narrower paths to scan the rest.", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

func TestAutomationID(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "stowaway/"},
		{Options{Category: "stowaway/api"}, "stowaway/api/"},
		{Options{Category: "stowaway", ID: "2024-06-01"}, "stowaway/2024-06-01"},
	} {
		run := decode(t, scantest.Empty(), tc.opts)
		if got := *run.AutomationDetails.ID; got != tc.want {
			t.Errorf("Options%+v: automation id = %q, want %q", tc.opts, got, tc.want)
		}
	}
}

func TestUnknownRule(t *testing.T) {
	res := scantest.Fixture()
	res.Findings[0].RuleID = "no-such-rule"
	if err := Write(&bytes.Buffer{}, res, Options{}); err == nil {
		t.Error("Write accepted a finding whose rule it cannot describe")
	}
}

func TestRuleMissingFromResultIsAdded(t *testing.T) {
	res := scantest.Fixture()
	res.Rules = res.Rules[:1] // the findings' rules are still reachable through Finding.Rule
	run := decode(t, res, Options{})
	for _, r := range run.Results {
		if got := run.Tool.Driver.Rules[*r.RuleIndex].ID; got != *r.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is rule %s", *r.RuleID, *r.RuleIndex, got)
		}
	}
}

func TestRelativeURI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Dockerfile", "Dockerfile"},
		{"services/api/Dockerfile.prod", "services/api/Dockerfile.prod"},
		{"a b/c#d?e/Dockerfile", "a%20b/c%23d%3Fe/Dockerfile"},
		{"c:/Dockerfile", "c%3A/Dockerfile"},
		{"./x/../Dockerfile", "Dockerfile"},
		{"café/Dockerfile", "caf%C3%A9/Dockerfile"},
	} {
		if got := relativeURI(tc.in); got != tc.want {
			t.Errorf("relativeURI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRuleDescriptor(t *testing.T) {
	d := descriptor(scantest.BroadCopy)
	var got map[string]any
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id":                   "broad-copy",
		"name":                 "BroadCopy",
		"shortDescription":     map[string]any{"text": "Whole build context copied into the image."},
		"fullDescription":      map[string]any{"text": "`COPY . .` sends every file of the build context that the ignore file lets through."},
		"help":                 map[string]any{"text": scantest.BroadCopy.Help, "markdown": scantest.BroadCopy.Help},
		"defaultConfiguration": map[string]any{"level": "warning"},
		"properties": map[string]any{
			"tags":              []any{"security", "context"},
			"precision":         "medium",
			"security-severity": "4.0",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptor(broad-copy) (-want +got):\n%s", diff)
	}
	if tags := descriptor(scantest.SecretEnv).Properties["tags"]; !cmp.Equal(tags, []string{"security", "secrets"}) {
		t.Errorf("secret-env tags = %v, want security added first", tags)
	}
}

// TestScanOfExamples writes the SARIF of a real scan, the engine's and the
// rules' output as they are, and checks what the goldens cannot: that every
// result points at its own rule and at a line, and that every rule that ran
// is described. CI also validates this log with the Multitool.
func TestScanOfExamples(t *testing.T) {
	res, err := scan.Scan(context.Background(), os.DirFS("../testdata/examples"), []string{"."}, scan.Options{Workers: 1})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	run := decode(t, res, Options{Version: "test"})
	if got, want := len(run.Tool.Driver.Rules), len(res.Rules); got != want {
		t.Errorf("driver has %d rules, want the %d that ran", got, want)
	}
	if len(run.Results) != len(res.Findings) {
		t.Fatalf("got %d results for %d findings", len(run.Results), len(res.Findings))
	}
	for i, r := range run.Results {
		if got := run.Tool.Driver.Rules[*r.RuleIndex].ID; got != *r.RuleID {
			t.Errorf("result %d (%s) has ruleIndex %d, which is %s", i, *r.RuleID, *r.RuleIndex, got)
		}
		reg := r.Locations[0].PhysicalLocation.Region
		if reg == nil || reg.StartLine == nil || *reg.StartLine < 1 {
			t.Errorf("result %d (%s) has no start line", i, *r.RuleID)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1.4.0", "1.4.0"},
		{"v1.4.0", "1.4.0"},
		{"v1.4.1-0.20260101120000-abcdef123456", "1.4.1-0.20260101120000-abcdef123456"},
		{"", "0.0.0-devel"},
		{"(devel)", "0.0.0-devel"},
		{"nightly build", "0.0.0-nightly-build"},
		{"v", "0.0.0-v"},
	} {
		if got := version(tc.in); got != tc.want {
			t.Errorf("version(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestWriteStreamsOneLog checks that Write, which writes a result at a
// time, writes exactly what one json.Encoder writes for the whole log.
func TestWriteStreamsOneLog(t *testing.T) {
	one := scantest.Fixture()
	one.Findings = one.Findings[:1]
	for name, res := range map[string]*scan.Result{"findings": scantest.Fixture(), "clean": scantest.Empty(), "one": one} {
		opts := Options{Version: "v1.2.3"}.withDefaults()
		var rules []*checks.Rule
		index := map[string]int{}
		for _, r := range res.Rules {
			index[r.ID] = len(rules)
			rules = append(rules, r)
		}
		for _, f := range res.Findings {
			if _, ok := index[f.RuleID]; !ok {
				index[f.RuleID] = len(rules)
				rules = append(rules, f.Rule)
			}
		}
		log, err := build(rules, res.Problems, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Findings {
			log.Runs[0].Results = append(log.Runs[0].Results, result(f, index[f.RuleID], res.Rules, opts))
		}
		var want, got bytes.Buffer
		if err := encode(&want, "", log); err != nil {
			t.Fatal(err)
		}
		if err := Write(&got, res, Options{Version: "v1.2.3"}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%s: streamed log differs from one encoding (-want +got):\n%s", name, diff)
		}
	}
}
