package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusedFiles: a template is a note in the text summary and a SARIF
// tool execution notification, not a parse-error finding, and its literal
// secret is still reported, redacted.
func TestRefusedFiles(t *testing.T) {
	const token = "glpat-FAKEfakeTEST1234abcd"
	dir := t.TempDir()
	tmpl := "FROM {{ .Base }}\nENV DB_PASSWORD={{ .Values.dbPassword }}\nENV GITLAB_TOKEN=" + token + "\n{{ range .Ports }}\nEXPOSE {{ . }}\n{{ end }}\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile.template"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"scan", dir}, func(string) string { return "" }, &out, &errb)
	text := out.String()
	if code != exitFindings {
		t.Errorf("exit %d, want %d (the token is an error); stderr: %s", code, exitFindings, errb.String())
	}
	for _, want := range []string{
		"Dockerfile.template: note: ",
		"is a template, not a Dockerfile",
		"Dockerfile: note: ",
		"is empty or holds only comments",
		`ENV "GITLAB_TOKEN", in a Dockerfile BuildKit refuses, holds a GitLab Personal Access Token`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "parse-error") || strings.Contains(text, token) {
		t.Errorf("the text report has a parse-error finding or the token:\n%s", text)
	}

	out.Reset()
	run(context.Background(), []string{"scan", "--format", "sarif", dir}, func(string) string { return "" }, &out, &errb)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
			Invocations []struct {
				Notifications []struct {
					Level   string                `json:"level"`
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	var rules, notes []string
	for _, r := range log.Runs[0].Results {
		rules = append(rules, r.RuleID)
	}
	for _, n := range log.Runs[0].Invocations[0].Notifications {
		notes = append(notes, n.Level+": "+n.Message.Text)
	}
	if strings.Join(rules, ",") != "secret-env" {
		t.Errorf("SARIF results %v, want the one secret-env", rules)
	}
	if len(notes) != 2 || !strings.Contains(strings.Join(notes, "\n"), "note: This file is a template") {
		t.Errorf("SARIF notifications:\n%s", strings.Join(notes, "\n"))
	}
}
