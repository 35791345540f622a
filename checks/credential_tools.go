package checks

// The tools that store a credential they are given in their own
// configuration: one table for every rule that follows a credential into a
// file (the RUN-effects walker of secret-mount-persisted, secret-file-copied
// and deleted-later; arg-persisted).

import (
	"path"
	"slices"
	"strings"
)

// credentialTool is one command of the table.
type credentialTool struct {
	cmd  string   // the program and its subcommand words, as messages name it
	when []string // flags one of which the command needs (gem sources --add), the last as messages name it
	// files returns the files it writes, the first the one it writes by
	// default (~ is the user's home, a relative path is in the working
	// folder); args are the words after cmd.
	files func(args toolArgs) []string
	dir   bool     // files[0] is a folder the tool fills
	value []string // flags whose value is the credential; none: any argument may carry it
	stdin []string // flags that make it read the credential from its input
	// inputByDefault: with no argument after cmd, it reads the credential
	// from its input (cargo login).
	inputByDefault bool
	undo           bool     // the command removes what the tool stored
	undoFlags      []string // flags that make the command remove it instead
	keeps          []string // undo flags that leave the entry's key in the file
	reads          []string // flags that make the command read, not write
}

// toolArgs are the words of a command after its subcommand.
type toolArgs []string

// flag returns the value of the first of names given as `-f v`, `--flag v`
// or `--flag=v`.
func (a toolArgs) flag(names ...string) (string, bool) {
	for i, w := range a {
		for _, n := range names {
			if w == n && i+1 < len(a) {
				return a[i+1], true
			}
			if v, ok := strings.CutPrefix(w, n+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}

// has reports one of flags, alone or with =value.
func (a toolArgs) has(flags ...string) bool {
	for _, w := range a {
		for _, f := range flags {
			if w == f || strings.HasPrefix(w, f+"=") {
				return true
			}
		}
	}
	return false
}

func fixedFiles(files ...string) func(toolArgs) []string {
	return func(toolArgs) []string { return files }
}

// npmFiles: the user's .npmrc unless the command names another.
func npmFiles(a toolArgs) []string {
	if v, ok := a.flag("--userconfig"); ok {
		return []string{v}
	}
	loc, _ := a.flag("--location")
	switch {
	case loc == "project":
		return []string{".npmrc"}
	case loc == "global" || a.has("-g", "--global"):
		return []string{"/usr/local/etc/npmrc"}
	}
	return []string{"~/.npmrc"}
}

// gitConfigFiles: the repository's .git/config unless a scope or file is named.
func gitConfigFiles(a toolArgs) []string {
	if v, ok := a.flag("--file", "-f"); ok {
		return []string{v}
	}
	switch {
	case a.has("--global"):
		return []string{"~/.gitconfig", "~/.config/git/config"}
	case a.has("--system"):
		return []string{"/etc/gitconfig"}
	}
	return []string{".git/config"}
}

// cloneFiles: the clone's .git/config keeps the URL, credentials included,
// and the -c settings.
func cloneFiles(a toolArgs) []string {
	var operands []string
	for k := 0; k < len(a); k++ {
		if strings.HasPrefix(a[k], "-") {
			switch a[k] {
			case "-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "--reference", "-u", "--upload-pack", "-j", "--jobs", "--filter":
				k++
			}
			continue
		}
		operands = append(operands, a[k])
	}
	switch len(operands) {
	case 0:
		return nil
	case 1:
		u := strings.TrimSuffix(strings.TrimRight(operands[0], "/"), ".git")
		return []string{path.Join(path.Base(u), ".git/config")}
	}
	return []string{path.Join(operands[1], ".git/config")}
}

// awsFiles: keys and tokens go to credentials, the rest to config.
func awsFiles(a toolArgs) []string {
	key := ""
	for _, w := range a {
		if !strings.HasPrefix(w, "-") {
			key = strings.ToLower(w)
			break
		}
	}
	if strings.Contains(key, "secret") || strings.Contains(key, "key_id") || strings.Contains(key, "token") {
		return []string{"~/.aws/credentials", "~/.aws/config"}
	}
	return []string{"~/.aws/config", "~/.aws/credentials"}
}

// containersAuthFiles: podman and its siblings write root's auth.json under
// /run unless --authfile names one.
func containersAuthFiles(a toolArgs) []string {
	if v, ok := a.flag("--authfile"); ok {
		return []string{v}
	}
	return []string{"/run/containers/0/auth.json", "~/.config/containers/auth.json"}
}

func nugetFiles(a toolArgs) []string {
	if v, ok := a.flag("--configfile"); ok {
		return []string{v}
	}
	return []string{"~/.nuget/NuGet/NuGet.Config"}
}

func composerFiles(a toolArgs) []string {
	if a.has("-g", "--global") {
		return []string{"~/.composer/auth.json", "~/.config/composer/auth.json"}
	}
	return []string{"auth.json", "composer.json"}
}

var (
	yarnFiles    = fixedFiles("~/.yarnrc", "~/.yarnrc.yml", ".yarnrc.yml")
	dockerFiles  = fixedFiles("~/.docker/config.json")
	helmRegistry = fixedFiles("~/.config/helm/registry/config.json")
	helmRepos    = fixedFiles("~/.config/helm/repositories.yaml")
	gcloudFiles  = fixedFiles("~/.config/gcloud")
	azureFiles   = fixedFiles("~/.azure")
	pipFiles     = fixedFiles("~/.config/pip/pip.conf", "/etc/pip.conf", "~/.pip/pip.conf")
	poetryFiles  = fixedFiles("~/.config/pypoetry/auth.toml", "~/.config/pypoetry/config.toml")
	uvFiles      = fixedFiles("~/.local/share/uv/credentials/credentials.toml")
	bundleFiles  = fixedFiles("~/.bundle/config", ".bundle/config")
	cargoFiles   = fixedFiles("~/.cargo/credentials.toml", "~/.cargo/credentials")
	ghFiles      = fixedFiles("~/.config/gh/hosts.yml")
	gemFiles     = fixedFiles("~/.gemrc")
	goEnvFiles   = fixedFiles("~/.config/go/env")
	gitCreds     = fixedFiles("~/.git-credentials")
)

var registryPassword = []string{"-p", "--password"}

// credentialTools is the table, the more specific commands first.
var credentialTools = []credentialTool{
	{cmd: "npm config set", files: npmFiles},
	{cmd: "npm config delete", files: npmFiles, undo: true},
	{cmd: "npm config rm", files: npmFiles, undo: true},
	{cmd: "npm c set", files: npmFiles},
	{cmd: "npm set", files: npmFiles},
	{cmd: "pnpm config set", files: npmFiles},
	{cmd: "pnpm config delete", files: npmFiles, undo: true},
	{cmd: "pnpm set", files: npmFiles},
	{cmd: "yarn config set", files: yarnFiles},
	{cmd: "yarn config delete", files: yarnFiles, undo: true},
	{cmd: "yarn config unset", files: yarnFiles, undo: true},
	{cmd: "git config", files: gitConfigFiles, undoFlags: []string{"--unset", "--unset-all", "--remove-section"},
		keeps: []string{"--unset", "--unset-all"}, reads: []string{"--get", "--get-all", "--get-regexp", "--list", "-l"}},
	{cmd: "git clone", files: cloneFiles},
	{cmd: "git remote add", files: fixedFiles(".git/config")},
	{cmd: "git remote set-url", files: fixedFiles(".git/config")},
	{cmd: "git remote remove", files: fixedFiles(".git/config"), undo: true},
	{cmd: "git remote rm", files: fixedFiles(".git/config"), undo: true},
	{cmd: "git credential approve", files: gitCreds, inputByDefault: true},
	{cmd: "git credential-store store", files: gitCreds, inputByDefault: true},
	{cmd: "git credential reject", files: gitCreds, undo: true},
	{cmd: "git credential-store erase", files: gitCreds, undo: true},
	{cmd: "docker login", files: dockerFiles, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "docker logout", files: dockerFiles, undo: true},
	{cmd: "nerdctl login", files: dockerFiles, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "podman login", files: containersAuthFiles, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "podman logout", files: containersAuthFiles, undo: true},
	{cmd: "buildah login", files: containersAuthFiles, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "skopeo login", files: containersAuthFiles, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "helm registry login", files: helmRegistry, value: registryPassword, stdin: []string{"--password-stdin"}},
	{cmd: "helm registry logout", files: helmRegistry, undo: true},
	{cmd: "helm repo add", files: helmRepos, value: []string{"--password"}, stdin: []string{"--password-stdin"}},
	{cmd: "helm repo remove", files: helmRepos, undo: true},
	{cmd: "helm repo rm", files: helmRepos, undo: true},
	{cmd: "aws configure set", files: awsFiles},
	{cmd: "gcloud auth activate-service-account", files: gcloudFiles, dir: true, value: []string{"--key-file"}},
	{cmd: "gcloud auth login", files: gcloudFiles, dir: true, value: []string{"--cred-file"}},
	{cmd: "gcloud auth revoke", files: gcloudFiles, dir: true, undo: true},
	{cmd: "az login", files: azureFiles, dir: true, value: []string{"-p", "--password", "--federated-token"}},
	{cmd: "az logout", files: azureFiles, dir: true, undo: true},
	{cmd: "pip config set", files: pipFiles},
	{cmd: "pip config unset", files: pipFiles, undo: true},
	{cmd: "pip3 config set", files: pipFiles},
	{cmd: "pip3 config unset", files: pipFiles, undo: true},
	{cmd: "poetry config", files: poetryFiles, undoFlags: []string{"--unset"}},
	{cmd: "uv auth login", files: uvFiles, value: []string{"--password", "--token", "-t"}},
	{cmd: "uv auth logout", files: uvFiles, undo: true},
	{cmd: "composer config", files: composerFiles, undoFlags: []string{"--unset"}},
	{cmd: "bundle config unset", files: bundleFiles, undo: true},
	{cmd: "bundle config", files: bundleFiles, undoFlags: []string{"--delete"}},
	{cmd: "cargo login", files: cargoFiles, inputByDefault: true},
	{cmd: "cargo logout", files: cargoFiles, undo: true},
	{cmd: "gh auth login", files: ghFiles, stdin: []string{"--with-token"}},
	{cmd: "gh auth logout", files: ghFiles, undo: true},
	{cmd: "dotnet nuget add source", files: nugetFiles, value: []string{"-p", "--password"}},
	{cmd: "dotnet nuget update source", files: nugetFiles, value: []string{"-p", "--password"}},
	{cmd: "dotnet nuget remove source", files: nugetFiles, undo: true},
	{cmd: "gem sources", when: []string{"-a", "--add"}, files: gemFiles},
	{cmd: "gem sources", when: []string{"-r", "--remove"}, files: gemFiles, undo: true},
	{cmd: "go env", when: []string{"-w"}, files: goEnvFiles},
	{cmd: "go env", when: []string{"-u"}, files: goEnvFiles, undo: true},
}

// credentialToolNames are the programs of the table.
var credentialToolNames = func() map[string]bool {
	out := map[string]bool{}
	for _, t := range credentialTools {
		out[strings.Fields(t.cmd)[0]] = true
	}
	return out
}()

// credentialUse is what one command does with a credential, read through
// the table.
type credentialUse struct {
	via   string   // the command as messages name it: "npm config set"
	files []string // as the command names them; see credentialTool.files
	dir   bool
	// carriers are the words that give it the credential; stdin: it reads
	// the credential from its input.
	carriers []string
	stdin    bool
	// undo: the command removes what the tool stored in files, unless one
	// of kept (the key it leaves) carries the credential.
	undo bool
	kept []string
}

// credentialCommand reads a command's words through the table; ok is false
// for any other command, and for a tool's command that only reads.
func credentialCommand(w []string) (use credentialUse, ok bool) {
	if len(w) == 0 || !credentialToolNames[path.Base(w[0])] {
		return use, false
	}
	for i := range credentialTools {
		t := &credentialTools[i]
		sub := strings.Fields(t.cmd)
		if len(w) < len(sub) || path.Base(w[0]) != sub[0] || !slices.Equal(w[1:len(sub)], sub[1:]) {
			continue
		}
		args := toolArgs(w[len(sub):])
		if len(t.when) > 0 && !args.has(t.when...) || args.has(t.reads...) {
			continue
		}
		use = credentialUse{via: t.cmd, files: t.files(args), dir: t.dir, undo: t.undo}
		if len(t.when) > 0 {
			use.via += " " + t.when[len(t.when)-1]
		}
		if len(use.files) == 0 {
			return use, false
		}
		if t.undo || args.has(t.undoFlags...) {
			use.undo = true
			if args.has(t.keeps...) {
				use.kept = args
			}
			return use, true
		}
		use.carriers, use.stdin = t.carriers(args)
		return use, true
	}
	return use, false
}

// carriers returns the words of args that give the tool its credential,
// and whether it reads it from its input.
func (t *credentialTool) carriers(args toolArgs) (words []string, stdin bool) {
	stdin = args.has(t.stdin...) || t.inputByDefault && !slices.ContainsFunc(args, func(a string) bool { return !strings.HasPrefix(a, "-") })
	if len(t.value) == 0 {
		return args, stdin
	}
	for i, a := range args {
		for _, f := range t.value {
			v, ok := "", false
			switch {
			case a == f && i+1 < len(args):
				v, ok = args[i+1], true
			case strings.HasPrefix(a, f+"="):
				v, ok = a[len(f)+1:], true
			case len(f) == 2 && strings.HasPrefix(a, f) && len(a) > 2:
				v, ok = a[2:], true // -pVALUE
			}
			if !ok {
				continue
			}
			if v == "-" {
				stdin = true
				continue
			}
			words = append(words, v)
		}
	}
	return words, stdin
}
