package github

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

// Event is the part of a workflow's event payload that Stowaway reads.
type Event struct {
	// PullRequest is set on pull_request and pull_request_target events.
	PullRequest *PullRequest
	// Ref and After are the pushed ref and commit on push events.
	Ref, After string
	// Repository is the "owner/name" of the repository the workflow runs in.
	Repository string
}

// PullRequest is the pull request an event is about.
type PullRequest struct {
	Number int
	// HeadSHA is the commit to review. On pull_request events GITHUB_SHA is a
	// synthetic merge commit that review comments cannot point at.
	HeadSHA string
	HeadRef string
	// BaseSHA is the base branch's commit when the event fired: its
	// configuration governs the pull request's run.
	BaseSHA string
	// HeadRepo and BaseRepo are "owner/name"; they differ for a fork.
	HeadRepo, BaseRepo string
	// ChangedFiles is GitHub's count of changed files when the event fired.
	ChangedFiles int
}

// Fork reports whether the pull request comes from another repository, where
// the workflow's token is read-only.
func (p *PullRequest) Fork() bool { return p.HeadRepo != "" && p.HeadRepo != p.BaseRepo }

// Ref is the ref code scanning files a pull request's analysis under.
func (p *PullRequest) Ref() string { return fmt.Sprintf("refs/pull/%d/head", p.Number) }

var shaPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// LoadEvent reads the event payload at path ($GITHUB_EVENT_PATH).
func LoadEvent(path string) (*Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the event payload: %w", err)
	}
	var raw struct {
		PullRequest *struct {
			Number       int `json:"number"`
			ChangedFiles int `json:"changed_files"`
			Head         struct {
				SHA  string `json:"sha"`
				Ref  string `json:"ref"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
			Base struct {
				SHA  string `json:"sha"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"base"`
		} `json:"pull_request"`
		Ref        string `json:"ref"`
		After      string `json:"after"`
		Repository *struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("reading the event payload %s: %w", path, err)
	}
	ev := &Event{Ref: raw.Ref, After: raw.After}
	if raw.Repository != nil {
		ev.Repository = raw.Repository.FullName
	}
	if pr := raw.PullRequest; pr != nil {
		p := &PullRequest{Number: pr.Number, HeadSHA: pr.Head.SHA, HeadRef: pr.Head.Ref, BaseSHA: pr.Base.SHA, ChangedFiles: pr.ChangedFiles}
		if pr.Head.Repo != nil {
			p.HeadRepo = pr.Head.Repo.FullName
		}
		if pr.Base.Repo != nil {
			p.BaseRepo = pr.Base.Repo.FullName
		}
		if p.Number <= 0 {
			return nil, fmt.Errorf("event payload %s: pull request without a number", path)
		}
		// The SHA goes into API paths and comment links: accept only what
		// GitHub sends.
		if !shaPattern.MatchString(p.HeadSHA) {
			return nil, fmt.Errorf("event payload %s: pull request head SHA %q is not 40 hex digits", path, p.HeadSHA)
		}
		if p.BaseSHA != "" && !shaPattern.MatchString(p.BaseSHA) {
			return nil, fmt.Errorf("event payload %s: pull request base SHA %q is not 40 hex digits", path, p.BaseSHA)
		}
		ev.PullRequest = p
	}
	return ev, nil
}
