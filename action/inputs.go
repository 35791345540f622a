package action

// The inputs of action.yml, read and checked before anything else runs.

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// actionInputs are the action's inputs (action.yml), checked.
type actionInputs struct {
	token       string
	path        string // slash path inside the workspace
	scan        string // "changed", "all" or "" (changed on pull requests)
	failOn      checks.Level
	review      bool
	reviewEvent string
	sarifFile   string
	uploadSARIF bool
	config      string // slash path inside the workspace, "" for .stowaway.yml
	baseline    string // slash path inside the workspace, "" for none
	apiTimeout  time.Duration
	scanTimeout time.Duration
	// failOnAPIError fails the step (exit 2) when an API call failed after
	// the scan; by default that is a warning.
	failOnAPIError bool
	// image is the image to check (action_image.go), a slash path inside
	// the workspace, "" for none; imageDockerfile the Dockerfile it was
	// built from, imageDockerfileSet whether the input named it.
	image              string
	imageDockerfile    string
	imageDockerfileSet bool
}

func readInputs(gha *githubactions.Action) (actionInputs, error) {
	in := actionInputs{
		token:       gha.GetInput("github-token"),
		scan:        strings.ToLower(gha.GetInput("scan")),
		reviewEvent: strings.ToUpper(gha.GetInput("review-event")),
		sarifFile:   gha.GetInput("sarif-file"),
	}
	var err error
	if in.path, err = workspacePath("path", orDefault(gha.GetInput("path"), ".")); err != nil {
		return in, err
	}
	if c := gha.GetInput("config"); c != "" {
		if in.config, err = workspacePath("config", c); err != nil {
			return in, err
		}
	}
	if b := gha.GetInput("baseline"); b != "" {
		if in.baseline, err = workspacePath("baseline", b); err != nil {
			return in, err
		}
	}
	if err = readImageInputs(gha, &in); err != nil {
		return in, err
	}
	switch in.scan {
	case "", "changed", "all":
	default:
		return in, fmt.Errorf("input scan: %q is not changed or all", in.scan)
	}
	if in.failOn, err = parseFailOn(orDefault(gha.GetInput("fail-on"), "error")); err != nil {
		return in, err
	}
	if in.review, err = boolInput(gha, "review", true); err != nil {
		return in, err
	}
	if in.uploadSARIF, err = boolInput(gha, "upload-sarif", false); err != nil {
		return in, err
	}
	if in.failOnAPIError, err = boolInput(gha, "fail-on-api-error", false); err != nil {
		return in, err
	}
	switch in.reviewEvent {
	case "":
		in.reviewEvent = "COMMENT"
	case "COMMENT", "REQUEST_CHANGES":
	default:
		return in, fmt.Errorf("input review-event: %q is not COMMENT or REQUEST_CHANGES", in.reviewEvent)
	}
	if in.apiTimeout, err = durationInput(gha, "api-timeout", 5*time.Minute); err != nil {
		return in, err
	}
	if in.scanTimeout, err = durationInput(gha, "scan-timeout", scan.DefaultTimeout); err != nil {
		return in, err
	}
	if in.sarifFile == "" {
		in.sarifFile = "stowaway.sarif"
	}
	// The path is echoed in the sarif-file output.
	if strings.ContainsAny(in.sarifFile, "\r\n\x00") {
		return in, errors.New("input sarif-file: the path holds a line break")
	}
	return in, nil
}

// parseFailOn reads the fail-on input; 0 means never.
func parseFailOn(s string) (checks.Level, error) {
	if s == "never" {
		return 0, nil
	}
	lv, err := checks.ParseLevel(s)
	if err != nil {
		// The words of stowaway scan's --fail-on, which the input mirrors.
		return 0, fmt.Errorf("input fail-on: --fail-on: %v", err)
	}
	return lv, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func boolInput(gha *githubactions.Action, name string, def bool) (bool, error) {
	v := gha.GetInput(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("input %s: %q is not true or false", name, v)
	}
	return b, nil
}

// durationInput reads a duration such as 90s or 5m; a bare number is
// seconds.
func durationInput(gha *githubactions.Action, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(gha.GetInput(name))
	if v == "" {
		return def, nil
	}
	text := v
	if _, err := strconv.Atoi(v); err == nil {
		text += "s"
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("input %s: %q is not a positive duration such as 90s or 5m", name, v)
	}
	return d, nil
}

// workspacePath checks that an input names a path inside the workspace and
// returns it as a clean slash path.
func workspacePath(input, p string) (string, error) {
	p = path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(p) {
		return "", fmt.Errorf("input %s: %q is not a relative path inside the workspace", input, p)
	}
	return p, nil
}
