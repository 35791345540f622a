package checks

import (
	"path"
	"strings"
)

// runWriteShipped answers "does this reach the image" for a literal in a RUN
// of a builder stage: the file the RUN writes it into (a printing command's
// redirected output, or tee's files) when a COPY --from of a shipped stage
// copies that file out, directly, through a stage built on the RUN's or
// through further COPY --from, and no later RUN of the lineage removes it
// first, with the first such COPY. It returns "" and nil otherwise, and for
// a script the parser refuses.
func runWriteShipped(df *Dockerfile, in *Instruction, secret string) (string, *Instruction) {
	if in == nil || in.Cmd != "run" || in.Stage == nil || !in.Stage.Shipped || in.Stage.Inherited || secret == "" {
		return "", nil
	}
	l := df.lineage()
	cmds, _ := in.runCommands()
	dirs := runDirs(cmds, l.dirOf(in), l.userHome(in))
	for _, p := range literalWrites(cmds, dirs, l.userHome(in), secret) {
		if r, ok := l.Reaches(in, false, p); ok && r.Via != nil {
			return p, r.Via
		}
	}
	return "", nil
}

// literalWrites returns the files that commands write text holding secret
// into: the redirected output of a pipeline of printing commands, one of
// which (or its heredoc) holds it, and the files of tee in such a pipeline.
// Files are absolute, resolved against the folder each command runs in
// (dirs, from runDirs) and home; a file whose name the shell computes, or
// written where the folder is unknown, is left out.
func literalWrites(cmds []shellCommand, dirs []string, home, secret string) []string {
	var out []string
	add := func(i int, file string) {
		if dirs[i] != "" && !strings.ContainsAny(file, "$`") {
			out = append(out, resolveShellPath(dirs[i], home, file))
		}
	}
	carried, pipeline := false, -1
	for i, c := range cmds {
		if c.Pipeline != pipeline {
			carried, pipeline = false, c.Pipeline
		}
		name := ""
		if len(c.Words) > 0 {
			name = path.Base(c.Words[0])
		}
		holds := strings.Contains(c.Raw, secret)
		for _, r := range c.Redirs {
			holds = holds || strings.Contains(r.Body, secret) || strings.Contains(r.Target, secret)
		}
		switch {
		case name == "cd" || name == "pushd" || name == "popd":
			continue // runDirs follows the folder
		case name == "tee":
			for _, a := range c.Words[1:] {
				if carried && !strings.HasPrefix(a, "-") {
					add(i, a)
				}
			}
		case printingCommands[name]:
			carried = carried || holds
		default:
			carried = false
		}
		for _, r := range c.Redirs {
			if carried && r.output() {
				add(i, r.Target)
			}
		}
	}
	return out
}
