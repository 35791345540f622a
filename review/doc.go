// Package review decides what Stowaway says on a change (a pull request, a
// merge request), whatever the host: which findings the change is
// responsible for (Scope), where each sits on the lines it added (Place,
// Layout), the cap on inline comments and the room of a body, the hidden
// markers that make re-runs idempotent, which earlier comments are now
// fixed and which change requests are dismissed (Decide), and the Markdown
// of it all with repository text neutralised.
//
// It calls no host: an adapter (package review/github) lists what earlier
// runs wrote, hands it to Decide, posts Layout's draft and applies the
// plan, the way reviewdog splits its core from its service packages.
package review
