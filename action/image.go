package action

// The image input: a tarball or OCI layout that an earlier step of the job
// built (docker/build-push-action with outputs: type=docker,dest=…), checked
// as stowaway image checks one, with its findings tied to the Dockerfile it
// was built from. They join the scan's: in the SARIF log, the annotations,
// the outputs, the summary and, on the Dockerfile lines a pull request
// changed, the review.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"

	"github.com/sethvargo/go-githubactions"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/scan"
)

// builtImageHolds ends the message of an image finding that sits on a line
// of the Dockerfile: the line is not only written, its secret was built.
const builtImageHolds = "; the built image holds it"

// readImageInputs reads the inputs image and image-dockerfile, both slash
// paths inside the workspace; image-dockerfile defaults to the Dockerfile
// of the scanned path.
func readImageInputs(gha *githubactions.Action, in *actionInputs) (err error) {
	img := gha.GetInput("image")
	if img == "" {
		return nil
	}
	if in.image, err = workspacePath("image", img); err != nil {
		return err
	}
	if d := gha.GetInput("image-dockerfile"); d != "" {
		in.imageDockerfile, err = workspacePath("image-dockerfile", d)
		in.imageDockerfileSet = true
		return err
	}
	in.imageDockerfile = path.Join(in.path, "Dockerfile")
	return nil
}

// checkImage checks the image input and adds its findings to the scan's.
// An image that cannot be read is a failure of this phase: the scan's
// results are reported all the same.
func (a *actionRun) checkImage(ctx context.Context) {
	if a.in.image == "" {
		return
	}
	// The API's time starts again when the check ends.
	defer a.restartAPITime()
	opts := image.Options{Path: a.in.image}
	df, err := a.imageDockerfile()
	switch {
	case err != nil:
		a.failure(fmt.Sprintf("%v: the image's findings are located on the image, not on its lines.", err))
	default:
		opts.Dockerfile = df
	}
	// Through the workspace root, so that a symlink cannot lead the check
	// out of it.
	if _, err := a.root.Stat(a.in.image); err != nil {
		a.failure(fmt.Sprintf("Stowaway could not check the image `%s`: %v.", a.in.image, err))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, a.in.scanTimeout)
	defer cancel()
	res, err := image.Check(ctx, filepath.Join(a.getenv("GITHUB_WORKSPACE"), filepath.FromSlash(a.in.image)), opts)
	if err != nil {
		a.failure(fmt.Sprintf("Stowaway could not check the image `%s`: %v.", a.in.image, err))
		return
	}
	for i := range res.Findings {
		if f := &res.Findings[i]; df != nil && f.Path == df.Path {
			f.Message += builtImageHolds
		}
	}
	a.res.Findings = append(a.res.Findings, res.Findings...)
	a.res.Problems = append(a.res.Problems, res.Problems...)
	a.res.Files = append(a.res.Files, res.Files...)
	slices.Sort(a.res.Files)
	a.res.Files = slices.Compact(a.res.Files)
	for _, r := range checks.ImageRules() {
		if !slices.Contains(a.res.Rules, r) {
			a.res.Rules = append(a.res.Rules, r)
		}
	}
}

// imageDockerfile reads the Dockerfile the image was built from; nil
// without an error when the default one does not exist.
func (a *actionRun) imageDockerfile() (*checks.Dockerfile, error) {
	name := a.in.imageDockerfile
	src, err := fs.ReadFile(a.tree.FS(), name)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !a.in.imageDockerfileSet:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("input image-dockerfile: %w", err)
	}
	df, err := checks.ParseDockerfile(name, src, nil)
	if err != nil {
		// BuildKit's own message may quote the refused text.
		return nil, fmt.Errorf("input image-dockerfile `%s`: BuildKit cannot parse it (stowaway scan `%s` says where)", name, name)
	}
	if df.NotDockerfile != "" || len(df.Stages) == 0 {
		return nil, fmt.Errorf("input image-dockerfile `%s`: BuildKit cannot parse it as a Dockerfile with a FROM", name)
	}
	return df, nil
}

// untiedImageFindings adds to scoped the image's findings that no
// Dockerfile line holds: the image was built from the pull request's head,
// and without a line there is no diff to judge them by.
func (a *actionRun) untiedImageFindings(scoped []scan.Finding) []scan.Finding {
	onImage := func(f scan.Finding) bool { return a.in.image != "" && f.Path == a.in.image }
	if slices.ContainsFunc(scoped, onImage) {
		return scoped // the pull request changed the image file itself
	}
	for _, f := range a.res.Findings {
		if onImage(f) {
			scoped = append(scoped, f)
		}
	}
	return scoped
}
