package checks

// arg-persisted's reading of RUN: the files a RUN writes a secret build
// argument into, whether the same RUN removes them, and whether they reach
// an image.

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// persistedWrite is a file that a RUN writes a secret argument into.
type persistedWrite struct {
	name   string   // the argument
	shown  string   // the file as the message names it
	paths  []string // where it may land, absolute; the first is shown
	tool   string   // the command that writes it
	second int      // index of the command, to look for a later removal
	files  []string // the files as the command names them, against dir
	dir    string
}

// rehome resolves the write's files again for a user whose home is not
// /root (USER, ENV HOME).
func (w *persistedWrite) rehome(home string) {
	for k, f := range w.files {
		w.paths[k] = persistJoinHome(w.dir, home, f)
	}
}

// reportRunWrites reports files of the layer that the RUN writes a secret
// argument into and does not remove before it ends.
func reportRunWrites(p *Pass, st *Stage, in *Instruction, run *instructions.RunCommand, scope argScope) {
	df := p.Dockerfile
	if len(scope.args) == 0 {
		return
	}
	// The prefilter: a RUN that names none of the arguments read below
	// writes none of them.
	text, named := runText(run), false
	for name, d := range scope.args {
		if (d.secret() || d.urlCredential) && strings.Contains(text, name) {
			named = true
			break
		}
	}
	if !named {
		return
	}
	mounts, mounted := argRunMounts(in, scope.dir)
	// A secret mounted under the argument's name hides it in this RUN;
	// secret-mount-persisted reports what the RUN does with the secret.
	reported := mounted
	cmds := argRunCommands(in, run)
	// The user's home, as the lineage follows USER and ENV HOME.
	l := df.lineage()
	home := l.userHome(in)
	dirs := runDirs(cmds, scope.dir, home)
	names := make([]string, 0, len(scope.args))
	for name := range scope.args {
		names = append(names, name)
	}
	sort.Strings(names)
	refs := make(map[string]argRef, len(names))
	for _, name := range names {
		refs[name] = argRefPattern(name)
	}
	for i := range cmds {
		for _, name := range names {
			d := scope.args[name]
			if reported[name] || !d.secret() && !d.urlCredential {
				continue // a connection URL's ARG only counts in the config
			}
			w := leftWrite(cmds, dirs, i, name, refs[name], home, mounts)
			if w == nil {
				continue
			}
			where := "which stays in the image layer"
			related := []Related{argRelated(df, d)}
			if !st.Inherited {
				via := copiedOutOf(l, in, w.paths)
				if via == nil {
					continue
				}
				where = "which the image copies with COPY --from"
				related = append(related, Related{Path: df.Path, Span: via.Whole(), Message: "this COPY --from ships the file"})
			}
			reported[name] = true
			p.Report(Finding{
				Span:    locateRefAfter(df, in, name, cmds[i].Raw),
				Message: fmt.Sprintf("RUN writes ARG %q into %q, %s", name, w.shown, where),
				Fix: fmt.Sprintf("Mount the secret for this RUN only (`RUN --mount=type=secret,id=%s,env=%s`) and delete %s before the RUN ends; a removal in a later instruction leaves it in this layer.",
					strings.ToLower(name), name, w.shown),
				Related: related,
				Key:     fmt.Sprintf("RUN %s %s %s", name, w.tool, w.shown),
			})
		}
	}
}

// leftWrite returns the file that command i writes argument name (whose
// references re matches) into and that stays in the layer: the rest of the
// RUN does not remove it and no mount of the RUN holds it. home is the
// user's; mounts are the RUN's mount targets.
func leftWrite(cmds []shellCommand, dirs []string, i int, name string, re argRef, home string, mounts []string) *persistedWrite {
	w := secretWrite(cmds, i, name, re, dirs[i])
	if w == nil {
		return nil
	}
	if home != "/root" {
		w.rehome(home)
	}
	if removedInRun(cmds, dirs, home, w, re) || pathUnder(w.paths, mounts) {
		return nil
	}
	return w
}

// argRunCommands reads the shell commands of a RUN, heredoc scripts included.
// A heredoc that feeds a command (cat <<EOF > file) is attached to it as an
// extra word when BuildKit expands it, so that a reference inside counts.
func argRunCommands(in *Instruction, run *instructions.RunCommand) []shellCommand {
	// No shell expands the words of an exec-form RUN other than sh -c.
	if !run.PrependShell && !(len(run.CmdLine) >= 3 && isShell(run.CmdLine[0]) && run.CmdLine[1] == "-c") {
		return nil
	}
	cached, _ := in.runCommands()
	cmds := slices.Clone(cached)
	for i := range cmds {
		for _, r := range cmds[i].Redirs {
			if r.Op == "<<" && r.Expands {
				cmds[i].Words = append(slices.Clip(cmds[i].Words), r.Body)
			}
		}
	}
	return cmds
}

// secretWrite returns the file that command i writes argument name (whose
// references re matches) into, or nil.
func secretWrite(cmds []shellCommand, i int, name string, re argRef, dir string) *persistedWrite {
	c := cmds[i]
	if len(c.Words) == 0 {
		return nil
	}
	mentions := func(c shellCommand) bool {
		for _, w := range contentWords(c) {
			if re.MatchString(w) {
				return true
			}
		}
		for _, a := range c.Assigns {
			if re.MatchString(a) {
				return true
			}
		}
		for _, r := range c.Redirs {
			if r.Op == "<<<" && re.MatchString(r.Target) {
				return true
			}
		}
		return false
	}
	// The pipeline up to this command: the secret flows through it when one
	// command names it and each one passes its input on.
	fed := false
	for j := i; j >= 0 && cmds[j].Pipeline == c.Pipeline; j-- {
		if mentions(cmds[j]) {
			fed = true
			break
		}
	}
	if !fed {
		return nil
	}
	flows := true
	for j := i; j >= 0 && cmds[j].Pipeline == c.Pipeline; j-- {
		if len(cmds[j].Words) == 0 || !printingCommands[cmds[j].Words[0]] {
			flows = false
		}
	}
	tool, args := c.Words[0], c.Words[1:]
	if flows {
		for _, r := range c.Redirs {
			if r.output() && r.Op != ">&" && redirectFile(r.Target) {
				return newPersistedWrite(name, r.Target, dir, i, tool)
			}
		}
		switch {
		case tool == "tee":
			for _, a := range args {
				if !strings.HasPrefix(a, "-") && redirectFile(a) {
					return newPersistedWrite(name, a, dir, i, tool)
				}
			}
		case tool == "sed" && hasInPlace(args) && mentions(c):
			if f := args[len(args)-1]; redirectFile(f) {
				return newPersistedWrite(name, f, dir, i, tool)
			}
		}
	}
	if !mentions(c) && !(i > 0 && cmds[i-1].Pipeline == c.Pipeline) {
		return nil
	}
	return toolWrite(name, re, cmds, i, dir)
}

// contentWords returns the words of a command that can end up in what it
// writes: not the files that tee and sed -i write to, whose names may hold
// an argument (/home/${USERNAME}/.bashrc) without its value being written.
func contentWords(c shellCommand) []string {
	switch {
	case c.Words[0] == "tee":
		return nil
	case c.Words[0] == "sed" && hasInPlace(c.Words[1:]) && len(c.Words) > 2:
		return c.Words[1 : len(c.Words)-1]
	}
	return c.Words[1:]
}

// toolWrite returns the configuration file that a tool of the credential
// table stores the argument in: given in its words, or on its input (the
// pipeline before it, a here-string or heredoc).
func toolWrite(name string, re argRef, cmds []shellCommand, i int, dir string) *persistedWrite {
	c := cmds[i]
	use, ok := credentialCommand(c.Words)
	if !ok || use.undo {
		return nil
	}
	given := slices.ContainsFunc(use.carriers, re.MatchString)
	if !given && use.stdin {
		given = i > 0 && cmds[i-1].Pipeline == c.Pipeline || slices.ContainsFunc(c.Redirs, func(r shellRedirect) bool {
			return r.Op == "<<<" && re.MatchString(r.Target)
		})
	}
	if !given {
		return nil
	}
	pw := newPersistedWrite(name, use.files[0], dir, i, path.Base(c.Words[0]))
	for _, f := range use.files[1:] {
		pw.paths = append(pw.paths, persistJoin(dir, f))
		pw.files = append(pw.files, f)
	}
	return pw
}

func newPersistedWrite(name, file, dir string, i int, tool string) *persistedWrite {
	return &persistedWrite{name: name, shown: file, paths: []string{persistJoin(dir, file)}, tool: tool, second: i,
		files: []string{file}, dir: dir}
}

// hasInPlace reports sed's -i, --in-place or a bundled -i.bak / -Ei.
func hasInPlace(args []string) bool {
	for _, a := range args {
		if a == "--in-place" || strings.HasPrefix(a, "--in-place=") ||
			strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "i") {
			return true
		}
	}
	return false
}

// redirectFile reports whether a redirection target is a file of the image
// rather than a device or a descriptor.
func redirectFile(t string) bool {
	return t != "" && !strings.HasPrefix(t, "/dev/") && !strings.HasPrefix(t, "/proc/") &&
		!strings.HasPrefix(t, "&") && strings.Trim(t, "0123456789") != ""
}

// removedInRun reports whether a later command of the same RUN removes the
// written file, or undoes a tool's write to it (unless the key it leaves
// holds the argument, whose references re matches).
func removedInRun(cmds []shellCommand, dirs []string, home string, w *persistedWrite, re argRef) bool {
	for k := w.second + 1; k < len(cmds); k++ {
		c := cmds[k]
		if len(c.Words) == 0 {
			continue
		}
		tool := path.Base(c.Words[0])
		switch {
		case tool == "rm" || tool == "unlink" || tool == "shred":
			for _, a := range c.Words[1:] {
				if strings.HasPrefix(a, "-") {
					continue
				}
				p := persistJoinHome(dirs[k], home, a)
				for _, t := range w.paths {
					if t == p || strings.HasPrefix(t, strings.TrimSuffix(p, "/")+"/") || persistGlob(p, t) {
						return true
					}
				}
			}
		default:
			use, ok := credentialCommand(c.Words)
			if !ok || !use.undo || slices.ContainsFunc(use.kept, re.MatchString) {
				continue
			}
			for _, f := range use.files {
				if slices.Contains(w.paths, persistJoinHome(dirs[k], home, f)) {
					return true
				}
			}
		}
	}
	return false
}

// persistGlob reports whether the pattern, or a folder it matches, covers p.
func persistGlob(pattern, p string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return false
	}
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		if ok, err := path.Match(pattern, q); err == nil && ok {
			return true
		}
	}
	return false
}

// argRunMounts returns the folders and files that a RUN mounts, whose
// content is not part of the layer, and the variables its secret mounts
// set (env=NAME), read as the RUN-effects walker reads them.
func argRunMounts(in *Instruction, dir string) (targets []string, env map[string]bool) {
	env = map[string]bool{}
	secrets, targets := secretMountsOf(in, dir)
	for _, s := range secrets {
		if s.env != "" {
			env[s.env] = true
		}
	}
	return targets, env
}

// copiedOutOf returns the COPY --from that carries one of the files that in
// writes out of its stage into a built image, or nil.
func copiedOutOf(l *stageLineage, in *Instruction, paths []string) *Instruction {
	for _, p := range paths {
		if r, ok := l.Reaches(in, false, p); ok && r.Via != nil {
			return r.Via
		}
	}
	return nil
}

// pathUnder reports whether one of paths is one of dirs, inside one, or
// matched by one as a glob.
func pathUnder(paths, dirs []string) bool {
	for _, p := range paths {
		for _, d := range dirs {
			if p == d || d == "/" || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") || persistGlob(d, p) {
				return true
			}
		}
	}
	return false
}

// persistJoin resolves p against dir; ~ and $HOME are /root, the home of
// the default user.
func persistJoin(dir, p string) string {
	return persistJoinHome(dir, "/root", p)
}

// persistJoinHome resolves p against dir, ~ and $HOME against home.
func persistJoinHome(dir, home, p string) string {
	for _, h := range []string{"~", "$HOME", "${HOME}"} {
		if p == h || strings.HasPrefix(p, h+"/") {
			p = home + p[len(h):]
			break
		}
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Clean(path.Join(dir, p))
}
