package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseErrorMessages runs BuildKit on Dockerfiles it refuses and checks
// the messages kept: the keyword, the flag's name and the kind of error,
// never the rejected text (hidden holds a word of it that must not show).
func TestParseErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []SyntaxError
		hidden    string
	}{
		{"unknown flag with a value", "FROM alpine\nRUN --token=Q7vLm2pRtX9kWz4b echo hi\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "unknown flag: --token"}}, "Q7vLm2pRtX9kWz4b"},
		{"boolean flag value", "FROM alpine\nCOPY --link=Zq8vLm2pRt a b\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "expecting boolean value for flag --link"}}, "Zq8vLm2pRt"},
		{"flag without value", "FROM alpine\nCOPY --from a /b\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "missing a value on flag: --from"}}, ""},
		{"stray line of a quoted string", "FROM alpine\nENV GREETING=\"first line\n  Kx9vQ2mLp7 second\"\n",
			[]SyntaxError{{Line: 3, EndLine: 3, Message: "the line is not an instruction (a stray line of a quoted string, a missing `\\` at the end of the line above, or template text)"}}, "Kx9vQ2mLp7"},
		{"stray quoted word", "FROM alpine\n\"Kx9vQ2mLp7\"\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "the line is not an instruction (a stray line of a quoted string, a missing `\\` at the end of the line above, or template text)"}}, "Kx9vQ2mLp7"},
		{"misspelt keyword", "FROM alpine\nCOPPY a b\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "unknown instruction COPPY (did you mean COPY?)"}}, ""},
		{"env pair without =", "FROM alpine\nENV MODE=prod secrets.Kx9vQ2mLp7\nRUN true\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Whole: true, Message: "Syntax error - can't find = in …. Must be of the form: name=value"}}, "Kx9vQ2mLp7"},
		{"duration", "FROM alpine\nHEALTHCHECK --interval=Kx9vQ2mLp7 CMD true\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "time: invalid duration …"}}, "Kx9vQ2mLp7"},
		{"healthcheck type", "FROM alpine\nHEALTHCHECK Kx9vQ2mLp7\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "Unknown type … in HEALTHCHECK (try CMD)"}}, "Kx9vQ2mLp7"},
		{"stage name", "FROM alpine AS 1Kx9vQ2mLp7!\n",
			[]SyntaxError{{Line: 1, EndLine: 1, Message: "invalid name for build stage: …, name can't start with a number or contain symbols"}}, "Kx9vQ2mLp7"},
		{"network mode", "FROM alpine\nRUN --network=Kx9vQ2mLp7 true\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Message: "invalid network mode …"}}, "Kx9vQ2mLp7"},
		{"escape directive", "# escape=K\nFROM alpine\n",
			[]SyntaxError{{Line: 1, EndLine: 1, Whole: true, Message: "invalid escape token … does not match ` or \\"}}, ""},
		{"unterminated heredoc", "FROM alpine\nRUN <<EOF\necho Kx9vQ2mLp7\n",
			[]SyntaxError{{Line: 2, EndLine: 3, Whole: true, Message: "unterminated heredoc"}}, "Kx9vQ2mLp7"},
		{"long line", "FROM alpine\n# " + strings.Repeat("Kx9vQ2mLp7", 7000) + "\nRUN true\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Whole: true, Message: "the line is 70002 bytes long, over BuildKit's limit of 65535"}}, "Kx9vQ2mLp7"},
		{"long line with CRLF", "FROM alpine\r\n# " + strings.Repeat("k", 65533) + "\r\nRUN true\r\n",
			[]SyntaxError{{Line: 2, EndLine: 2, Whole: true, Message: "the line is 65536 bytes long, over BuildKit's limit of 65535"}}, ""},
		{"longest line BuildKit reads", "FROM alpine\n# " + strings.Repeat("k", 65533) + "\nRUN true\n",
			nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			df, _ := ParseDockerfile("Dockerfile", []byte(tc.src), nil)
			if diff := cmp.Diff(tc.want, df.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, e := range df.Errors {
				if tc.hidden != "" && strings.Contains(e.Message, tc.hidden) {
					t.Errorf("the message quotes the rejected text: %s", e.Message)
				}
			}
		})
	}
}

// TestParseRecovers: past what BuildKit refuses, the rest of the file is
// modelled (BuildKit alone stops at the first such line).
func TestParseRecovers(t *testing.T) {
	src := "FROM alpine AS build\nENV MODE=prod secrets.X\nRUN <<EOF\necho\nEOF\n# " + strings.Repeat("k", 70000) + "\nFROM alpine\nCOPY --from=build /a /a\n"
	df, err := ParseDockerfile("Dockerfile", []byte(src), nil)
	if err == nil {
		t.Error("no error for a file BuildKit refuses")
	}
	var lines []int
	for _, e := range df.Errors {
		lines = append(lines, e.Line)
	}
	if diff := cmp.Diff([]int{6, 2}, lines); diff != "" {
		t.Errorf("refused lines (-want +got):\n%s", diff)
	}
	var cmds []string
	for _, in := range df.Instructions {
		cmds = append(cmds, in.Cmd)
	}
	if diff := cmp.Diff([]string{"from", "run", "from", "copy"}, cmds); diff != "" {
		t.Errorf("instructions (-want +got):\n%s", diff)
	}
	if len(df.Stages) != 2 || !df.Stages[0].Shipped {
		t.Errorf("stages: %d, the copied-from stage not shipped", len(df.Stages))
	}
}

// TestParseRecoveryBound: a file that BuildKit refuses more times than
// parseRecovering asks again is read as raw text from there on, and its
// literal secrets are still found.
func TestParseRecoveryBound(t *testing.T) {
	src := "FROM alpine\n" + strings.Repeat("ENV MODE=prod stray\n", maxRecoveries+4) + "ENV GITHUB_TOKEN=ghp_FAKEfakeFAKEfake0123456789abcdefABCD\n"
	df, _ := ParseDockerfile("Dockerfile", []byte(src), nil)
	if len(df.Errors) != maxRecoveries+1 {
		t.Errorf("%d errors, want one per parse: %d", len(df.Errors), maxRecoveries+1)
	}
	last := df.Errors[len(df.Errors)-1]
	if last.EndLine != len(df.Lines) {
		t.Errorf("the last refusal ends at line %d, want the end of the file (%d)", last.EndLine, len(df.Lines))
	}
	m := df.refused()
	if len(m.pairs) != 1 || m.pairs[0].StartLine != len(df.Lines) {
		t.Errorf("the ENV on the last line is not among the refused pairs: %d pairs", len(m.pairs))
	}
	if m.all[0] != roleRefused {
		t.Error("the first line, which no parse modelled, is not read as raw text")
	}
}
