package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
)

func TestWhoAmI(t *testing.T) {
	graphQLDown := func() *ghtest.Fault { return ghtest.ServerError(http.MethodPost, `graphql$`) }
	tests := []struct {
		name   string
		tk     ghtest.Token
		prefix string
		fault  func() *ghtest.Fault
		want   identity
	}{
		{"the workflow's GITHUB_TOKEN", ghtest.Token{Login: "github-actions[bot]"}, "", nil, identity{login: "github-actions[bot]"}},
		{"a GitHub App's token", ghtest.Token{Login: "stowaway-scanner[bot]"}, "", nil, identity{login: "stowaway-scanner[bot]"}},
		{"a personal token", ghtest.Token{Login: "sec-team-bot"}, "", nil, identity{login: "sec-team-bot"}},
		{"GitHub Enterprise Server", ghtest.Token{Login: "stowaway-scanner[bot]"}, "/api/v3", nil, identity{login: "stowaway-scanner[bot]"}},
		{"a personal token without GraphQL", ghtest.Token{Login: "sec-team-bot"}, "", graphQLDown, identity{login: "sec-team-bot"}},
		{"an App token without GraphQL", ghtest.Token{Login: "stowaway-scanner[bot]"}, "", graphQLDown, identity{login: "github-actions[bot]", guessed: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.New(t)
			srv.Prefix = tt.prefix
			srv.AddRepo(repoName)
			srv.AddToken(token, tt.tk)
			if tt.fault != nil {
				srv.AddFault(tt.fault())
			}
			c, err := NewClient(repoName, srv.APIURL(), token, &Transport{Clock: ghtest.NewClock()})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.whoAmI(context.Background()); got != tt.want {
				t.Errorf("whoAmI = %+v, want %+v; requests %v", got, tt.want, srv.Requests())
			}
		})
	}
}

// TestReviewTrustsOnlyItsOwnMarkers: the pull request's author and a
// reviewer copy markers into their comments and reviews; the findings are
// still reported and nothing of theirs is changed.
func TestReviewTrustsOnlyItsOwnMarkers(t *testing.T) {
	for _, tk := range []ghtest.Token{bot, {Login: "sec-team-bot"}, {Login: "stowaway-scanner[bot]"}} {
		t.Run(tk.Login, func(t *testing.T) {
			e := newEnv(t, tk)
			files := leakyPR(t, e)
			live := finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")
			gone := finding("Dockerfile", 4, "GITHUB_TOKEN")
			gone.Fingerprint = "0123456789abcdef0123456789abcdef"
			// The author silences the live finding with its fingerprint, as
			// scan --format json prints it, and plants a marker of a finding
			// that is not there, hoping for a "Fixed".
			silence := e.srv.AddComment(repoName, 7, &ghtest.Comment{User: "octocat", Path: "Dockerfile", Line: 3,
				Body: fpMarker(live.Fingerprint) + "\nNothing to see here."})
			bait := e.srv.AddComment(repoName, 7, &ghtest.Comment{User: "octocat", Path: "Dockerfile", Line: 4,
				Body: fpMarker(gone.Fingerprint) + "\nA real secret, please look."})
			// A reviewer's change request whose body copies a review's
			// markers: not ours to rewrite or dismiss.
			request := e.srv.AddReview(repoName, 7, &ghtest.Review{User: "reviewer-rita", State: "CHANGES_REQUESTED",
				Body: reviewMarker("abc") + fpMarker(gone.Fingerprint) + "\nRotate the key first."})
			before := e.srv.Snapshot(repoName, 7)

			fs := []scan.Finding{live}
			res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
			if err != nil {
				t.Fatal(err)
			}
			if res.Known != 0 || res.Inline != 1 || res.Fixed != 0 || res.Dismissed != 0 || res.Ignored != 3 {
				t.Errorf("result %+v, want the finding posted inline and nothing known, fixed or dismissed", *res)
			}
			after := e.srv.Snapshot(repoName, 7)
			if diff := cmp.Diff(before.Comments, after.Comments[:len(before.Comments)]); diff != "" {
				t.Errorf("others' comments changed (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(before.Reviews, after.Reviews[:len(before.Reviews)]); diff != "" {
				t.Errorf("others' reviews changed (-before +after):\n%s", diff)
			}
			for _, q := range e.srv.Requests() {
				for _, id := range []int64{silence.ID, bait.ID, request.ID} {
					if q.Method != http.MethodGet && (strings.HasSuffix(q.Path, fmt.Sprint("/", id)) || strings.Contains(q.Path, fmt.Sprint("/", id, "/"))) {
						t.Errorf("%s %s touches another account's comment or review", q.Method, q.Path)
					}
				}
			}
			if !strings.Contains(e.log.String(), "Ignoring Stowaway markers in comments and reviews by other accounts (3)") {
				t.Errorf("the log does not say what it ignored:\n%s", e.log)
			}
			// The Action's own review is trusted on the next run.
			res, err = e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
			if err != nil || res.Known != 1 || res.URL != "" {
				t.Errorf("re-run: %+v, %v; want the finding known", *res, err)
			}
		})
	}
}

// TestReviewReadsMarkersOnTheFirstLineOnly: a marker further down a body,
// even one of our own comments, is text.
func TestReviewReadsMarkersOnTheFirstLineOnly(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	f := finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")
	e.srv.AddComment(repoName, 7, &ghtest.Comment{User: bot.Login, Path: "Dockerfile", Line: 3,
		Body: "Quoting the repository:\n" + fpMarker(f.Fingerprint)})
	fs := []scan.Finding{f}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
	if err != nil {
		t.Fatal(err)
	}
	if res.Known != 0 || res.Inline != 1 {
		t.Errorf("result %+v: a marker below the first line silenced a finding", *res)
	}
}

// TestReviewReadsItsEarlierFormat: review bodies written before the markers
// moved to the first line are still ours to read and mark fixed.
func TestReviewReadsItsEarlierFormat(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	fixed := finding("Dockerfile", 2, "OLD_TOKEN")
	stays := finding("Dockerfile", 5, "NPM_TOKEN")
	hidden := finding("Dockerfile", 6, "PYPI_TOKEN")
	legacy := reviewMarker("k1") + "\n### Stowaway: 3 errors that a Docker build would bake into an image\n\n" +
		"- " + fpMarker(fixed.Fingerprint) + " :no_entry: **Error** `Dockerfile:2` `secret-env`: ENV \"OLD\\_TOKEN\" stores a credential\n" +
		"- " + fpMarker(stays.Fingerprint) + " :no_entry: **Error** `Dockerfile:5` `secret-env`: ENV \"NPM\\_TOKEN\" stores a credential\n" +
		"\n…and 1 more: see the job summary or the SARIF file.\n" +
		"<!-- stowaway:seen=" + shortFP(hidden.Fingerprint) + " -->\n"
	e.srv.AddReview(repoName, 7, &ghtest.Review{User: bot.Login, State: "CHANGES_REQUESTED", Body: legacy})
	now := []scan.Finding{stays, hidden}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: now, Current: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Known != 2 || res.Fixed != 1 || res.URL != "" || res.Dismissed != 0 {
		t.Errorf("result %+v, want 2 known, 1 fixed, no review and no dismissal", *res)
	}
	body := e.srv.Snapshot(repoName, 7).Reviews[0].Body
	want := reviewMarker("k1") + fpMarker(stays.Fingerprint) + fixedMarker(fixed.Fingerprint) + "<!-- stowaway:seen=" + shortFP(hidden.Fingerprint) + " -->"
	if first, _, _ := strings.Cut(body, "\n"); first != want {
		t.Errorf("markers of the rewritten body:\n got %s\nwant %s", first, want)
	}
	if !strings.Contains(body, "~~:no_entry: **Error** `Dockerfile:2`") {
		t.Errorf("the fixed entry is not struck out:\n%s", body)
	}
}

// hostile is a finding whose path, key and message hold every autolink.
func hostile() scan.Finding {
	f := finding("www.evil.example/@octocat/acme/app#12/GH-34/Dockerfile", 2, "@octocat_TOKEN")
	f.Message = `ENV "acme/app#12_GH-34_@octocat_TOKEN" in stage deadbeefcafe1234 of https://evil.example/x, see www.evil.example or mail sec@evil.example`
	f.Fix = "Ask @octocat about #56 or GH-78 (commit 0123456789abcdef0123456789abcdef01234567)"
	return f
}

func TestSummaryHasNoAutolinks(t *testing.T) {
	f := hostile()
	var sum strings.Builder
	if err := WriteSummary(&sum, Summary{Findings: []scan.Finding{f}, Problems: []scan.Problem{{Path: f.Path, Message: f.Message}},
		Scope: "the whole tree", ServerURL: "https://github.com", Owner: "acme", Repo: "app", SHA: headSHA}); err != nil {
		t.Fatal(err)
	}
	if md := strings.ReplaceAll(sum.String(), headSHA, "HEAD"); len(ghtest.Autolinks(md)) != 0 {
		t.Errorf("the summary links %q:\n%s", ghtest.Autolinks(md), md)
	}
}
