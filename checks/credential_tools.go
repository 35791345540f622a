package checks

import (
	"path"
	"strings"
)

// credentialWrite is the table of commands that store a credential they are
// given in their own configuration file: the command as a message names it
// (npm config set), the arguments of the same tool that undo the write, and
// the files it may write, the first the one it writes by default (~ is the
// user's home, a relative path is in the working folder). via is "" for any
// other command.
func credentialWrite(w []string) (via string, undo []string, paths []string) {
	sub := func(k int) string {
		if k < len(w) {
			return w[k]
		}
		return ""
	}
	has := func(flags ...string) bool {
		for _, a := range w[1:] {
			for _, f := range flags {
				if a == f || strings.HasPrefix(a, f+"=") {
					return true
				}
			}
		}
		return false
	}
	named := func(n int) string {
		return strings.Join(append([]string{path.Base(w[0])}, w[1:min(n, len(w))]...), " ")
	}
	switch tool := path.Base(w[0]); {
	case (tool == "npm" || tool == "pnpm") && (sub(1) == "set" || sub(1) == "config" && sub(2) == "set"):
		n := 2
		if sub(1) == "config" {
			n = 3
		}
		if has("-g", "--global") {
			return named(n), []string{"delete", "rm"}, []string{"/usr/local/etc/npmrc"}
		}
		return named(n), []string{"delete", "rm"}, []string{"~/.npmrc", ".npmrc"}
	case tool == "yarn" && sub(1) == "config" && sub(2) == "set":
		return named(3), []string{"delete", "unset"}, []string{"~/.yarnrc", "~/.yarnrc.yml", ".yarnrc.yml"}
	case tool == "git" && sub(1) == "config" && !has("--unset", "--unset-all", "--get", "--list", "-l", "--remove-section"):
		undo := []string{"--unset", "--unset-all", "--remove-section"}
		switch {
		case has("--global"):
			return named(2), undo, []string{"~/.gitconfig", "~/.config/git/config"}
		case has("--system"):
			return named(2), undo, []string{"/etc/gitconfig"}
		}
		return named(2), undo, []string{".git/config"}
	case tool == "git" && sub(1) == "remote" && (sub(2) == "add" || sub(2) == "set-url"):
		return named(3), []string{"remove", "rm"}, []string{".git/config"}
	case tool == "docker" && sub(1) == "login":
		return named(2), []string{"logout"}, []string{"~/.docker/config.json"}
	case tool == "helm" && (sub(1) == "registry" && sub(2) == "login" || sub(1) == "repo" && sub(2) == "add"):
		return named(3), []string{"logout", "remove", "rm"}, []string{"~/.config/helm/registry/config.json", "~/.config/helm/repositories.yaml"}
	case tool == "aws" && sub(1) == "configure" && sub(2) == "set":
		return named(3), nil, []string{"~/.aws/credentials", "~/.aws/config"}
	case tool == "composer" && sub(1) == "config":
		if has("-g", "--global") {
			return named(2), []string{"--unset"}, []string{"~/.composer/auth.json", "~/.config/composer/auth.json"}
		}
		return named(2), []string{"--unset"}, []string{"auth.json", "composer.json"}
	case tool == "poetry" && sub(1) == "config":
		return named(2), []string{"--unset"}, []string{"~/.config/pypoetry/auth.toml", "~/.config/pypoetry/config.toml"}
	case tool == "bundle" && sub(1) == "config":
		return named(2), []string{"unset", "--delete"}, []string{"~/.bundle/config", ".bundle/config"}
	case (tool == "pip" || tool == "pip3") && sub(1) == "config" && sub(2) == "set":
		return named(3), []string{"unset"}, []string{"~/.config/pip/pip.conf", "/etc/pip.conf", "~/.pip/pip.conf"}
	case tool == "go" && sub(1) == "env" && has("-w"):
		return "go env -w", []string{"-u"}, []string{"~/.config/go/env"}
	case tool == "cargo" && sub(1) == "login":
		return named(2), []string{"logout"}, []string{"~/.cargo/credentials.toml", "~/.cargo/credentials"}
	case tool == "gh" && sub(1) == "auth" && sub(2) == "login":
		return named(3), []string{"logout"}, []string{"~/.config/gh/hosts.yml"}
	case tool == "dotnet" && sub(1) == "nuget" && (sub(2) == "add" || sub(2) == "update") && sub(3) == "source":
		return named(4), []string{"remove"}, []string{"~/.nuget/NuGet/NuGet.Config"}
	case tool == "gem" && sub(1) == "sources" && has("-a", "--add"):
		return "gem sources --add", []string{"-r", "--remove"}, []string{"~/.gemrc"}
	}
	return "", nil, nil
}

// gitCloneOperands reads git clone's repository URL and the folder it
// clones into (by default the URL's last element, .git removed).
func gitCloneOperands(w []string) (url, dir string, ok bool) {
	var operands []string
	for k := 2; k < len(w); k++ {
		a := w[k]
		if strings.HasPrefix(a, "-") {
			if (a == "-b" || a == "--branch" || a == "--depth" || a == "-o" || a == "--origin" || a == "-c" || a == "--config") && k+1 < len(w) {
				k++
			}
			continue
		}
		operands = append(operands, a)
	}
	if len(operands) == 0 {
		return "", "", false
	}
	if len(operands) > 1 {
		return operands[0], operands[1], true
	}
	u := strings.TrimSuffix(strings.TrimRight(operands[0], "/"), ".git")
	return operands[0], path.Base(u), true
}
