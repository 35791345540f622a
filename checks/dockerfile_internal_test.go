package checks

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestUnreadAcceptedAgreesWithBuildKit checks that the instructions left
// untyped are those BuildKit's typed parse accepts, so that skipping it
// refuses nothing BuildKit accepts and accepts nothing it refuses.
func TestUnreadAcceptedAgreesWithBuildKit(t *testing.T) {
	skipped := 0
	for _, src := range []string{
		"CMD echo hi", `CMD ["a", "b"]`, "CMD", "CMD []", "CMD --x echo", "CMD --x=1 echo", "CMD -- echo",
		"cmd echo", "CMD <<EOF\necho hi\nEOF", "# check=skip=all\nCMD x", "CMD \\\n  echo hi",
		"ENTRYPOINT", "ENTRYPOINT []", `ENTRYPOINT ["/app"]`, "ENTRYPOINT --init /app", "ENTRYPOINT /app --flag",
		"EXPOSE", "EXPOSE 80", "EXPOSE 80/tcp 443/udp", "EXPOSE --p=1 80", `EXPOSE ["80"]`, "EXPOSE -- 80",
		"EXPOSE $PORT", "expose 8080", "EXPOSE \\\n 80", "EXPOSE 80 \\\n",
		"USER app", "USER", "USER 1000:1000", "USER --x app", "USER app extra", "user $U",
		"WORKDIR /app", "WORKDIR", "WORKDIR --x=1 /app", `WORKDIR ["/a"]`, "WORKDIR $HOME/a b", "WORKDIR \\\n /srv",
		"HEALTHCHECK CMD true", "RUN echo", "STOPSIGNAL SIGTERM",
	} {
		res, err := parser.Parse(strings.NewReader(src))
		if err != nil {
			continue
		}
		for _, node := range res.AST.Children {
			typed, want := instructions.ParseInstruction(node)
			_, got := parseInstruction(node, lowerKeyword(node.Value))
			if (got == nil) != (want == nil) {
				t.Errorf("%q: error %v, BuildKit's %v", src, got, want)
			}
			// What the rules read of an untyped USER or WORKDIR is what
			// BuildKit's typed parse reads.
			in := &Instruction{Cmd: lowerKeyword(node.Value), Node: node}
			if want != nil {
				typed = nil // a typed nil pointer
			}
			switch c := typed.(type) {
			case *instructions.UserCommand:
				if u, ok := in.user(); !ok || u != c.User {
					t.Errorf("%q: user %q, BuildKit's %q", src, u, c.User)
				}
			case *instructions.WorkdirCommand:
				if d, ok := in.workdir(); !ok || d != c.Path {
					t.Errorf("%q: workdir %q, BuildKit's %q", src, d, c.Path)
				}
			}
			if unreadAccepted(node, lowerKeyword(node.Value)) {
				skipped++
			}
		}
	}
	// Every CMD, ENTRYPOINT, EXPOSE, USER and WORKDIR above without a flag,
	// but the EXPOSE without a port and the USER and WORKDIR without an
	// argument: 9, 4, 8, 4 and 4 of them.
	if skipped != 29 {
		t.Errorf("%d instructions skipped, want 29", skipped)
	}
}
