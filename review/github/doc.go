// Package github is Stowaway's GitHub adapter: it reads the workflow event,
// lists a pull request's changed lines, posts what package review decides
// as one review with inline comments on the lines it added (finding, when
// GitHub refuses the review, the comment it refuses), writes the job
// summary and uploads SARIF to code scanning.
//
// Every call to GitHub goes through small interfaces that go-github's
// services satisfy, so tests drive a real go-github client against a fake
// server (package ghtest). Waits for rate limits, retries, timeouts and the
// deadline for all calls live in one place, Transport, with an injectable
// Clock so that tests never sleep. The token goes only to the API's own
// scheme and host (NewClient).
package github
