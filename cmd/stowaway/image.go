package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/scan"
)

func runImage(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var f scanFlags
	var dockerfile, platform string
	fs := flag.NewFlagSet("stowaway image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	f.switches.register(fs)
	fs.StringVar(&dockerfile, "dockerfile", "", "the Dockerfile `FILE` the image was built from: findings sit on its lines")
	fs.StringVar(&platform, "platform", "linux/amd64", "the image to check in a multi-platform index, as `os/arch[/variant]`")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stowaway image [flags] IMAGE...\n\nIMAGE is a docker save tarball, an OCI image layout folder or its tarball.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	images, threshold, code, ok := f.parse(fs, args, stderr)
	if !ok {
		return code
	}
	if len(images) == 0 {
		fmt.Fprint(stderr, "stowaway: image: name at least one image tarball or layout folder\n")
		return exitError
	}
	opts := image.Options{}
	p, err := v1.ParsePlatform(platform)
	if err != nil || p.OS == "" || p.Architecture == "" {
		fmt.Fprintf(stderr, "stowaway: --platform %q: want os/arch[/variant], such as linux/amd64\n", platform)
		return exitError
	}
	opts.Platform = *p
	if dockerfile != "" {
		if opts.Dockerfile, err = readDockerfile(dockerfile); err != nil {
			fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
			return exitError
		}
	}

	res := &scan.Result{Rules: checks.ImageRules()}
	failed := false
	for _, name := range images {
		r, err := image.Check(ctx, relSlash(name), opts)
		if err != nil {
			// The other images are still checked and reported.
			fmt.Fprintf(stderr, "stowaway: %s: %s\n", name, actionlog.Line(err.Error()))
			failed = true
			continue
		}
		res.Findings = append(res.Findings, r.Findings...)
		res.Problems = append(res.Problems, r.Problems...)
		res.Files = append(res.Files, r.Files...)
	}
	// Several images built from one Dockerfile name it once.
	slices.Sort(res.Files)
	res.Files = slices.Compact(res.Files)
	f.switches.drop(res)
	if !writeReport(res, f, getenv, stdout, stderr) || failed {
		return exitError
	}
	if failing(res, threshold) {
		return exitFindings
	}
	return exitOK
}

// readDockerfile parses the Dockerfile an image was built from.
func readDockerfile(name string) (*checks.Dockerfile, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--dockerfile: %w", err)
	}
	return builtFrom("--dockerfile", name, relSlash(name), src)
}

// builtFrom parses src, the Dockerfile an image was built from, located on
// the slash path p; what and name say where it was given, for messages.
func builtFrom(what, name, p string, src []byte) (*checks.Dockerfile, error) {
	df, err := checks.ParseDockerfile(p, src, nil)
	if err != nil {
		// BuildKit's own message may quote the refused text.
		return nil, fmt.Errorf("%s %s: BuildKit cannot parse it (stowaway scan %s says where)", what, name, name)
	}
	if df.NotDockerfile != "" || len(df.Stages) == 0 {
		return nil, fmt.Errorf("%s %s: BuildKit cannot parse it as a Dockerfile with a FROM", what, name)
	}
	return df, nil
}

// relSlash is name relative to the current folder, with forward slashes,
// as result paths are.
func relSlash(name string) string {
	if abs, err := filepath.Abs(name); err == nil {
		if cwd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(cwd, abs); err == nil {
				name = rel
			}
		}
	}
	return filepath.ToSlash(name)
}
