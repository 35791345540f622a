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
		"HEALTHCHECK CMD true", "RUN echo", "STOPSIGNAL SIGTERM",
	} {
		res, err := parser.Parse(strings.NewReader(src))
		if err != nil {
			continue
		}
		for _, node := range res.AST.Children {
			_, want := instructions.ParseInstruction(node)
			_, got := parseInstruction(node, lowerKeyword(node.Value))
			if (got == nil) != (want == nil) {
				t.Errorf("%q: error %v, BuildKit's %v", src, got, want)
			}
			if unreadAccepted(node, lowerKeyword(node.Value)) {
				skipped++
			}
		}
	}
	// Every CMD, ENTRYPOINT and EXPOSE above without a flag, but the
	// EXPOSE without a port: 9, 4 and 8 of them.
	if skipped != 21 {
		t.Errorf("%d instructions skipped, want 21", skipped)
	}
}
