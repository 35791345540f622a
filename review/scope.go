package review

import (
	"path"

	"github.com/stowaway-dev/stowaway/scan"
)

// Scope returns the findings of res that a pull request changing files is
// responsible for:
//   - every finding in a target: a changed Dockerfile, or a Dockerfile whose
//     ignore file the pull request changed, added or removed;
//   - findings in the ignore file of a target (its gaps matter to the
//     Dockerfile that changed);
//   - findings in any changed file, and findings that point at a changed
//     file (a secret-looking file the pull request added to a build context);
//   - everything when the pull request changes the configuration file
//     (configFile, a slash path), which can turn any rule on.
//
// res must come from a scan of the whole tree, so that res.Contexts ties
// every ignore file to its Dockerfiles.
func Scope(res *scan.Result, files []*ChangedFile, configFile string) []scan.Finding {
	changed := map[string]bool{}
	removed := map[string]bool{}
	for _, f := range files {
		if f.Removed() {
			removed[f.Path] = true
			continue
		}
		changed[f.Path] = true
		if f.PreviousPath != "" {
			removed[f.PreviousPath] = true
		}
	}
	if changed[configFile] || removed[configFile] {
		return append([]scan.Finding(nil), res.Findings...)
	}
	inScope := map[string]bool{}
	for p := range changed {
		inScope[p] = true
	}
	for _, c := range res.Contexts {
		target := changed[c.Dockerfile]
		if c.Ignore != "" {
			target = target || changed[c.Ignore]
		} else {
			// The ignore file that governed this context is gone.
			target = target || removed[path.Join(c.Dir, ".dockerignore")] || removed[c.Dockerfile+".dockerignore"]
		}
		if target {
			inScope[c.Dockerfile] = true
			if c.Ignore != "" {
				inScope[c.Ignore] = true
			}
		}
	}
	var out []scan.Finding
	for _, f := range res.Findings {
		keep := inScope[f.Path]
		for _, r := range f.Related {
			keep = keep || changed[r.Path]
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
